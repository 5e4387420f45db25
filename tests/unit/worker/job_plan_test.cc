// The wire JobSpec as the worker renders it: defaults, draft and full
// plans, the renderer's limits, and the seam for effects and soundtracks.
#include "services/worker/job_plan.h"

#include <string>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::worker {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::HasSubstr;

v1::JobSpec Spec(const std::string& prompt = "a red fox in the snow") {
  v1::JobSpec spec;
  spec.set_prompt(prompt);
  spec.set_seed(99);
  return spec;
}

TEST(JobPlanTest, EmptyFieldsTakeTheDefaultsAndRenderADraft) {
  absl::StatusOr<JobPlan> plan = PlanJob(Spec());
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->spec.seconds, 4);
  EXPECT_EQ(plan->spec.size, generation::kDefaultSize);
  EXPECT_EQ(plan->spec.quality, generation::Quality::kDraft);
  EXPECT_EQ(plan->spec.seed, 99);
  // 720x1280 scaled to a 640-pixel longer side, 12 fps.
  EXPECT_EQ(plan->render.width, 360);
  EXPECT_EQ(plan->render.height, 640);
  EXPECT_EQ(plan->render.fps, 12);
  EXPECT_EQ(plan->render.frame_count, 48);
  EXPECT_EQ(plan->render.seed, 99u);
  EXPECT_EQ(plan->render.prompt, "a red fox in the snow");
  EXPECT_EQ(plan->duration, absl::Seconds(4));
}

TEST(JobPlanTest, FullQualityRendersAtTheAskedSizeAnd30Fps) {
  v1::JobSpec spec = Spec();
  spec.set_quality(v1::GENERATION_QUALITY_FULL);
  spec.set_size("1920x1080");
  spec.set_seconds(10);
  spec.set_model("procedural-1");
  spec.set_remix_of_clip_id("0190a3c2-0000-7000-8000-000000000001");
  absl::StatusOr<JobPlan> plan = PlanJob(spec);
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->render.width, 1920);
  EXPECT_EQ(plan->render.height, 1080);
  EXPECT_EQ(plan->render.fps, 30);
  EXPECT_EQ(plan->render.frame_count, 300);
  EXPECT_EQ(plan->duration, absl::Seconds(10));
  EXPECT_EQ(plan->spec.remix_of_clip_id, "0190a3c2-0000-7000-8000-000000000001");
}

TEST(JobPlanTest, RefusesWhatItCannotRender) {
  v1::JobSpec bad_size = Spec();
  bad_size.set_size("640x480");
  EXPECT_THAT(PlanJob(bad_size), StatusIs(absl::StatusCode::kInvalidArgument));
  v1::JobSpec too_short = Spec();
  too_short.set_seconds(3);
  EXPECT_THAT(PlanJob(too_short), StatusIs(absl::StatusCode::kInvalidArgument));
  v1::JobSpec too_long = Spec();
  too_long.set_seconds(301);
  EXPECT_THAT(PlanJob(too_long), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PlanJob(Spec("")), StatusIs(absl::StatusCode::kInvalidArgument));
  v1::JobSpec other_model = Spec();
  other_model.set_model("diffusion-9");
  EXPECT_THAT(PlanJob(other_model), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("procedural-1")));
}

TEST(JobPlanTest, EffectsAndSoundtracksAreNotSupportedYet) {
  v1::JobSpec with_effect = Spec();
  with_effect.add_effects()->mutable_text()->set_text("hello");
  EXPECT_THAT(PlanJob(with_effect),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("effects are not supported by this worker yet")));
  v1::JobSpec with_soundtrack = Spec();
  with_soundtrack.mutable_soundtrack()->set_sha256(std::string(64, 'a'));
  EXPECT_THAT(PlanJob(with_soundtrack), StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("soundtrack")));
}

TEST(JobPlanTest, ALongMultibytePromptIsCutForTheRendererOnACodePoint) {
  std::string prompt;
  for (int i = 0; i < 2000; ++i) prompt += "\xE2\x82\xAC";  // U+20AC, 3 bytes: 6,000 bytes in all
  absl::StatusOr<JobPlan> plan = PlanJob(Spec(prompt));
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->spec.prompt, prompt);  // the credentials hash the whole prompt
  EXPECT_EQ(plan->render.prompt.size(), 4095u);  // 1,365 whole code points
  EXPECT_EQ(plan->render.prompt, prompt.substr(0, 4095));
}

}  // namespace
}  // namespace clipforge::worker
