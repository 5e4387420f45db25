// What a generation job asks for, and the rules every spec obeys whoever
// submits it: the sizes offered, the clip length, the prompt, how a draft is
// rendered, and the fingerprint that lets an identical spec reuse an earlier
// output (the renderers are deterministic).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::generation {

inline constexpr size_t kMaxPromptChars = 2000;
inline constexpr int kMinSeconds = 4;
inline constexpr int kMaxSeconds = 300;
inline constexpr int kDefaultSeconds = 4;
inline constexpr int kFullFps = 30;
inline constexpr int kDraftFps = 12;
// A draft's longer side, in pixels: small enough that its first frames come
// in well under a second.
inline constexpr int kDraftLongSide = 640;

enum class Quality { kDraft, kFull };

struct FrameSize {
  int width = 0;
  int height = 0;
  int64_t pixels() const { return int64_t{width} * height; }
  friend bool operator==(const FrameSize&, const FrameSize&) = default;
};

// The portrait default, 720x1280.
inline constexpr FrameSize kDefaultSize{720, 1280};

// "WIDTHxHEIGHT", one of the offered sizes (720x1280, 1280x720, 1080x1920,
// 1920x1080, 2160x3840, 3840x2160); empty means kDefaultSize.
// INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<FrameSize> ParseFrameSize(absl::string_view text, absl::string_view field);
std::string FormatFrameSize(FrameSize size);

struct JobSpec {
  std::string prompt;
  int seconds = kDefaultSeconds;
  FrameSize size = kDefaultSize;
  int64_t seed = 0;
  Quality quality = Quality::kDraft;
  std::string remix_of_clip_id;  // Empty: not a remix.
};

// The prompt: valid UTF-8, 1 to kMaxPromptChars code points, no control
// characters but newlines and tabs. INVALID_ARGUMENT naming `field`.
absl::Status ValidatePrompt(absl::string_view prompt, absl::string_view field);
// kMinSeconds..kMaxSeconds; INVALID_ARGUMENT naming `field`.
absl::Status ValidateSeconds(int seconds, absl::string_view field);

// How a spec is rendered: full quality at its size and kFullFps; a draft at
// the same aspect scaled to a kDraftLongSide longer side (even dimensions,
// as yuv420p needs) and kDraftFps.
struct RenderPlan {
  int width = 0;
  int height = 0;
  int fps = 0;
  int frame_count = 0;
};
RenderPlan PlanRender(const JobSpec& spec);

// The SHA-256 (hex) of everything that decides the rendered bytes: the
// prompt, seconds, size, seed, quality, remix parent and the renderer with
// its version. Two jobs with the same fingerprint render the same clip, so
// the second reuses the first's output.
std::string SpecFingerprint(const JobSpec& spec, absl::string_view renderer);

}  // namespace clipforge::generation
