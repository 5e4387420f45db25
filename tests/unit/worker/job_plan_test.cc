// The wire JobSpec as the worker renders it: defaults, draft and full
// plans, the renderer's limits, and the seam for effects and soundtracks.
#include "services/worker/job_plan.h"

#include <string>
#include <variant>

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

TEST(JobPlanTest, EffectsBecomeMediaEffectsWithTheProtoDefaults) {
  v1::JobSpec with_effects = Spec();
  with_effects.add_effects()->mutable_text()->set_text("hello");
  with_effects.mutable_effects(0)->mutable_text()->set_color("#FF8000");
  with_effects.add_effects()->mutable_color_grade()->set_preset(v1::COLOR_GRADE_PRESET_MONO);
  with_effects.add_effects()->mutable_speed()->set_factor(2);
  ASSERT_OK_AND_ASSIGN(const JobPlan plan, PlanJob(with_effects));
  ASSERT_EQ(plan.effects.size(), 3u);
  const auto& text = std::get<media::TextOverlayEffect>(plan.effects[0]);
  EXPECT_EQ(text.text, "hello");
  EXPECT_EQ(text.rgb, 0xFF8000u);
  EXPECT_FLOAT_EQ(text.x, 0.5f);
  EXPECT_FLOAT_EQ(text.size, 0.06f);
  EXPECT_EQ(std::get<media::ColorGradeEffect>(plan.effects[1]).preset, media::ColorGradeEffect::kMono);
  EXPECT_FLOAT_EQ(std::get<media::ColorGradeEffect>(plan.effects[1]).intensity, 1.0f);
  // Twice as fast: half the frames, half the length.
  EXPECT_EQ(plan.duration, absl::Seconds(2));

}

TEST(JobPlanTest, StickersAndTheSoundtrackUseTheirFetchedFiles) {
  const std::string sticker_sha(64, 'a'), soundtrack_sha(64, 'b');
  v1::JobSpec spec = Spec();
  v1::StickerOverlay& sticker = *spec.add_effects()->mutable_sticker();
  sticker.mutable_image()->set_sha256(sticker_sha);
  sticker.set_x(0.2f);
  sticker.set_scale(0.5f);
  spec.add_effects()->mutable_sticker()->mutable_image()->set_sha256(sticker_sha);  // all defaults
  spec.mutable_soundtrack()->set_sha256(soundtrack_sha);
  const InputFiles files{{sticker_sha, "/work/inputs/sticker"}, {soundtrack_sha, "/work/inputs/song"}};

  ASSERT_OK_AND_ASSIGN(const JobPlan plan, PlanJob(spec, files));
  ASSERT_EQ(plan.effects.size(), 2u);
  const auto& first = std::get<media::StickerEffect>(plan.effects[0]);
  EXPECT_EQ(first.image_path, "/work/inputs/sticker");
  EXPECT_FLOAT_EQ(first.x, 0.2f);
  EXPECT_FLOAT_EQ(first.y, 0.5f);
  EXPECT_FLOAT_EQ(first.scale, 0.5f);
  const auto& second = std::get<media::StickerEffect>(plan.effects[1]);
  EXPECT_FLOAT_EQ(second.scale, 0.25f);
  EXPECT_EQ(second.end, absl::ZeroDuration());
  EXPECT_EQ(plan.soundtrack_path, "/work/inputs/song");
}

TEST(JobPlanTest, AnInputThatWasNotFetchedIsRefusedBeforeRendering) {
  v1::JobSpec with_sticker = Spec();
  with_sticker.add_effects()->mutable_sticker()->mutable_image()->set_sha256(std::string(64, 'a'));
  EXPECT_THAT(PlanJob(with_sticker), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("sticker")));

  v1::JobSpec with_soundtrack = Spec();
  with_soundtrack.mutable_soundtrack()->set_sha256(std::string(64, 'a'));
  EXPECT_THAT(PlanJob(with_soundtrack, {{std::string(64, 'c'), "/other"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("spec.soundtrack")));
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
