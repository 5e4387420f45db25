// What the procedural renderer draws for a prompt: the prompt's words pick
// the time of day, the scene elements, the palette and the camera move; the
// seed (mixed with the prompt) varies whatever the words leave open. Pure
// and deterministic, so the choice can be tested, logged and explained
// apart from the pixels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "generation/bitmap_text.h"

namespace clipforge::generation {

enum class TimeOfDay { kDawn, kDay, kSunset, kDusk, kNight };

enum class CameraMove { kStatic, kDrift, kPanLeft, kPanRight, kZoomIn, kZoomOut, kOrbit, kTilt, kShake };

// Scene elements, as bits of SceneRecipe::elements.
enum Element : uint32_t {
  kCity = 1u << 0,
  kNeon = 1u << 1,
  kWater = 1u << 2,
  kForest = 1u << 3,
  kMountains = 1u << 4,
  kDesert = 1u << 5,
  kRain = 1u << 6,
  kSnow = 1u << 7,
  kStars = 1u << 8,
  kParticles = 1u << 9,
  kShapes = 1u << 10,
  kClouds = 1u << 11,
};

struct SceneRecipe {
  TimeOfDay time = TimeOfDay::kDay;
  uint32_t elements = 0;
  CameraMove camera = CameraMove::kDrift;
  std::vector<Rgb> palette;  // the prompt's colour words, in order (at most 4)
  bool monochrome = false;   // "monochrome", "grey", "black and white", "noir"
  bool pastel = false;       // "pastel", "soft"
  uint64_t variation = 0;    // the seed mixed with the prompt: drives every random choice

  bool Has(Element e) const { return (elements & e) != 0; }
};

// Words are matched case-insensitively on ASCII letters, with simple plurals
// ("trees", "fireflies") folded. Landscape elements the prompt does not name
// are filled in from the variation so that every prompt gets a full scene.
SceneRecipe RecipeFor(absl::string_view prompt, uint64_t seed);

// For logs and tests: "night city neon water | camera=pan-left".
std::string DescribeRecipe(const SceneRecipe& recipe);

}  // namespace clipforge::generation
