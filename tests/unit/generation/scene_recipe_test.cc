#include "generation/scene_recipe.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::generation {
namespace {

TEST(SceneRecipeTest, WordsPickTimeElementsAndCamera) {
  const SceneRecipe r = RecipeFor("Neon CITY at night, rainy streets, panning left", 1);
  EXPECT_EQ(r.time, TimeOfDay::kNight);
  EXPECT_TRUE(r.Has(kCity));
  EXPECT_TRUE(r.Has(kNeon));
  EXPECT_TRUE(r.Has(kRain));
  EXPECT_TRUE(r.Has(kClouds));
  EXPECT_FALSE(r.Has(kStars));  // rain hides them
  EXPECT_EQ(r.camera, CameraMove::kPanLeft);
}

TEST(SceneRecipeTest, PluralsAndColoursAreFolded) {
  const SceneRecipe r = RecipeFor("fireflies among pine trees, red and teal, zoom out", 1);
  EXPECT_TRUE(r.Has(kParticles));
  EXPECT_TRUE(r.Has(kForest));
  ASSERT_EQ(r.palette.size(), 2u);
  EXPECT_EQ(r.palette[0].r, 230);
  EXPECT_EQ(r.camera, CameraMove::kZoomOut);
}

TEST(SceneRecipeTest, OpenPromptsStillGetALandscapeAndATime) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const SceneRecipe r = RecipeFor("a feeling of calm", seed);
    EXPECT_NE(r.elements & (kCity | kWater | kForest | kMountains | kDesert), 0u);
    EXPECT_EQ(r.camera, CameraMove::kDrift);
  }
}

TEST(SceneRecipeTest, SeedAndPromptBothVaryTheVariation) {
  EXPECT_EQ(RecipeFor("sea", 1).variation, RecipeFor("sea", 1).variation);
  EXPECT_NE(RecipeFor("sea", 1).variation, RecipeFor("sea", 2).variation);
  EXPECT_NE(RecipeFor("sea", 1).variation, RecipeFor("lake", 1).variation);
}

TEST(SceneRecipeTest, Description) {
  EXPECT_EQ(DescribeRecipe(RecipeFor("noon desert, static, monochrome", 3)),
            "day desert | camera=static colours=0 monochrome");
}

}  // namespace
}  // namespace clipforge::generation
