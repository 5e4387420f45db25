#include "generation/job_spec.h"

#include <algorithm>
#include <array>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/sha256.h"
#include "base/validation.h"

namespace clipforge::generation {
namespace {

constexpr std::array<FrameSize, 6> kOfferedSizes = {{
    {720, 1280}, {1280, 720}, {1080, 1920}, {1920, 1080}, {2160, 3840}, {3840, 2160}}};

// Length-prefixed, so that no two different specs encode alike ("ab"+"c"
// versus "a"+"bc").
void AppendField(std::string& out, absl::string_view value) {
  absl::StrAppend(&out, value.size(), ":", value, ";");
}

int RoundDownToEven(int64_t value) { return static_cast<int>(std::max<int64_t>(2, value - value % 2)); }

}  // namespace

absl::StatusOr<FrameSize> ParseFrameSize(absl::string_view text, absl::string_view field) {
  if (text.empty()) return kDefaultSize;
  const std::vector<absl::string_view> parts = absl::StrSplit(text, 'x');
  FrameSize size;
  if (parts.size() == 2 && absl::SimpleAtoi(parts[0], &size.width) && absl::SimpleAtoi(parts[1], &size.height) &&
      std::find(kOfferedSizes.begin(), kOfferedSizes.end(), size) != kOfferedSizes.end() &&
      text == FormatFrameSize(size)) {
    return size;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be one of 720x1280, 1280x720, 1080x1920, 1920x1080, 2160x3840, 3840x2160"));
}

std::string FormatFrameSize(FrameSize size) { return absl::StrCat(size.width, "x", size.height); }

absl::Status ValidatePrompt(absl::string_view prompt, absl::string_view field) {
  base::FieldValidator validator;
  validator.Text(field, prompt, {.min_chars = 1, .max_chars = kMaxPromptChars});
  return validator.status();
}

absl::Status ValidateSeconds(int seconds, absl::string_view field) {
  if (seconds >= kMinSeconds && seconds <= kMaxSeconds) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": must be ", kMinSeconds, " to ", kMaxSeconds, " seconds"));
}

RenderPlan PlanRender(const JobSpec& spec) {
  RenderPlan plan{.width = spec.size.width, .height = spec.size.height, .fps = kFullFps};
  if (spec.quality == Quality::kDraft) {
    const int long_side = std::max(spec.size.width, spec.size.height);
    plan.width = RoundDownToEven(int64_t{spec.size.width} * kDraftLongSide / long_side);
    plan.height = RoundDownToEven(int64_t{spec.size.height} * kDraftLongSide / long_side);
    plan.fps = kDraftFps;
  }
  plan.frame_count = spec.seconds * plan.fps;
  return plan;
}

std::string SpecFingerprint(const JobSpec& spec, absl::string_view renderer) {
  std::string canonical = "clipforge.generation.spec.v1;";
  AppendField(canonical, spec.prompt);
  AppendField(canonical, absl::StrCat(spec.seconds));
  AppendField(canonical, FormatFrameSize(spec.size));
  AppendField(canonical, absl::StrCat(spec.seed));
  AppendField(canonical, spec.quality == Quality::kDraft ? "draft" : "full");
  AppendField(canonical, spec.remix_of_clip_id);
  AppendField(canonical, renderer);
  return base::Sha256Hex(canonical);
}

}  // namespace clipforge::generation
