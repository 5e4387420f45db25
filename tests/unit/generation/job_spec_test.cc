#include "generation/job_spec.h"

#include <string>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::generation {
namespace {

using ::clipforge::base::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseFrameSizeTest, AcceptsEveryOfferedSizeAndDefaultsToPortrait) {
  for (const char* text : {"720x1280", "1280x720", "1080x1920", "1920x1080", "2160x3840", "3840x2160"}) {
    absl::StatusOr<FrameSize> size = ParseFrameSize(text, "spec.size");
    ASSERT_TRUE(size.ok()) << text;
    EXPECT_EQ(FormatFrameSize(*size), text);
  }
  absl::StatusOr<FrameSize> fallback = ParseFrameSize("", "spec.size");
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(*fallback, kDefaultSize);
}

TEST(ParseFrameSizeTest, RefusesOtherSizesNamingTheField) {
  for (const char* text : {"720x720", "720X1280", "0720x1280", "720x1280x1", "x", "-720x1280", "720 x1280"}) {
    EXPECT_THAT(ParseFrameSize(text, "spec.size"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.size")))
        << text;
  }
}

TEST(ValidatePromptTest, CountsCodePointsNotBytes) {
  EXPECT_TRUE(ValidatePrompt(std::string(kMaxPromptChars, 'a'), "spec.prompt").ok());
  std::string accented;
  for (size_t i = 0; i < kMaxPromptChars; ++i) accented += "\xC3\xA9";  // é, 2 bytes each.
  EXPECT_TRUE(ValidatePrompt(accented, "spec.prompt").ok());
  EXPECT_THAT(ValidatePrompt(std::string(kMaxPromptChars + 1, 'a'), "spec.prompt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.prompt")));
  EXPECT_THAT(ValidatePrompt("", "spec.prompt"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidatePrompt("bad \xFF utf8", "spec.prompt"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidatePrompt("bell\x07", "spec.prompt"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(ValidatePrompt("two\nlines", "spec.prompt").ok());
}

TEST(ValidateSecondsTest, FourToThreeHundred) {
  EXPECT_TRUE(ValidateSeconds(kMinSeconds, "spec.seconds").ok());
  EXPECT_TRUE(ValidateSeconds(kMaxSeconds, "spec.seconds").ok());
  EXPECT_THAT(ValidateSeconds(kMinSeconds - 1, "spec.seconds"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.seconds")));
  EXPECT_THAT(ValidateSeconds(kMaxSeconds + 1, "spec.seconds"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PlanRenderTest, FullQualityKeepsTheSizeAtThirtyFps) {
  JobSpec spec{.prompt = "p", .seconds = 8, .size = {720, 1280}, .quality = Quality::kFull};
  RenderPlan plan = PlanRender(spec);
  EXPECT_EQ(plan.width, 720);
  EXPECT_EQ(plan.height, 1280);
  EXPECT_EQ(plan.fps, kFullFps);
  EXPECT_EQ(plan.frame_count, 8 * kFullFps);
}

TEST(PlanRenderTest, DraftKeepsTheAspectAtASmallEvenSize) {
  for (FrameSize size : {FrameSize{720, 1280}, FrameSize{1920, 1080}, FrameSize{3840, 2160}}) {
    JobSpec spec{.prompt = "p", .seconds = 4, .size = size, .quality = Quality::kDraft};
    RenderPlan plan = PlanRender(spec);
    EXPECT_EQ(std::max(plan.width, plan.height), kDraftLongSide);
    EXPECT_EQ(plan.width % 2, 0);
    EXPECT_EQ(plan.height % 2, 0);
    EXPECT_NEAR(double(plan.width) / plan.height, double(size.width) / size.height, 0.01);
    EXPECT_EQ(plan.frame_count, 4 * kDraftFps);
  }
}

TEST(SpecFingerprintTest, EveryFieldThatShapesTheOutputChangesIt) {
  const JobSpec base{.prompt = "neon city at night", .seconds = 4, .size = {720, 1280}, .seed = 7};
  const std::string print = SpecFingerprint(base, "procedural-1/1.0.0");
  EXPECT_EQ(print, SpecFingerprint(base, "procedural-1/1.0.0"));
  EXPECT_EQ(print.size(), 64u);

  JobSpec other = base;
  other.prompt = "neon city at nigh";
  EXPECT_NE(SpecFingerprint(other, "procedural-1/1.0.0"), print);
  other = base;
  other.seconds = 5;
  EXPECT_NE(SpecFingerprint(other, "procedural-1/1.0.0"), print);
  other = base;
  other.size = {1280, 720};
  EXPECT_NE(SpecFingerprint(other, "procedural-1/1.0.0"), print);
  other = base;
  other.seed = 8;
  EXPECT_NE(SpecFingerprint(other, "procedural-1/1.0.0"), print);
  other = base;
  other.quality = Quality::kFull;
  EXPECT_NE(SpecFingerprint(other, "procedural-1/1.0.0"), print);
  other = base;
  other.remix_of_clip_id = "0190a0b0-0000-7000-8000-000000000001";
  EXPECT_NE(SpecFingerprint(other, "procedural-1/1.0.0"), print);
  EXPECT_NE(SpecFingerprint(base, "procedural-1/1.0.1"), print);
}

TEST(SpecFingerprintTest, FieldBoundariesCannotBeShifted) {
  JobSpec a{.prompt = "ab", .remix_of_clip_id = "c"};
  JobSpec b{.prompt = "a", .remix_of_clip_id = "bc"};
  EXPECT_NE(SpecFingerprint(a, "r"), SpecFingerprint(b, "r"));
}

}  // namespace
}  // namespace clipforge::generation
