#include "generation/renderer.h"

#include "absl/strings/str_cat.h"

namespace clipforge::generation {

absl::Status ValidateRenderSpec(const RenderSpec& spec) {
  const auto side_ok = [](int v) { return v >= 16 && v <= 7680 && v % 2 == 0; };
  if (!side_ok(spec.width) || !side_ok(spec.height)) {
    return absl::InvalidArgumentError(
        absl::StrCat("render spec: size ", spec.width, "x", spec.height, " must be even and within 16..7680"));
  }
  if (spec.fps < 1 || spec.fps > 120) {
    return absl::InvalidArgumentError(absl::StrCat("render spec: fps ", spec.fps, " must be within 1..120"));
  }
  if (spec.frame_count < 1 || spec.frame_count > 36000) {
    return absl::InvalidArgumentError(
        absl::StrCat("render spec: frame_count ", spec.frame_count, " must be within 1..36000"));
  }
  if (spec.prompt.size() > 4096) return absl::InvalidArgumentError("render spec: prompt longer than 4096 bytes");
  return absl::OkStatus();
}

}  // namespace clipforge::generation
