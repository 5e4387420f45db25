// The effects a creator can put on a generated clip, as plain values: what
// a generation job asks for, validated here, turned into a libavfilter
// graph by media/effects_graph.h and applied by media::EncodeClip between
// rendering and encoding.
//
// Times (start, end) are on the clip's output timeline, the one the viewer
// sees: with a SpeedEffect of 2, a 10 s render becomes a 5 s clip and a
// text shown from 1 s to 2 s appears one second into the 5 s clip.
// Effects apply in this order whatever order they are listed in: the speed
// change, then colour grades (in list order), then text overlays and
// stickers (in list order, later ones on top).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace clipforge::media {

struct TextOverlayEffect {
  std::string text;            // 1..200 characters of UTF-8, no control characters
  float x = 0.5f, y = 0.5f;    // the text's centre, as fractions of the frame's width and height
  float size = 0.06f;          // the font size as a fraction of the frame's height, 0.01..0.5
  uint32_t rgb = 0xFFFFFF;     // 0xRRGGBB
  absl::Duration start;        // >= 0
  absl::Duration end;          // <= 0: until the clip ends; otherwise after start
};

struct ColorGradeEffect {
  // A fixed underlying type, so that a value converted from outside (an
  // API enum) is well defined even when unknown, and ValidateEffects can
  // refuse it.
  enum Preset : int { kWarm, kCool, kMono, kVintage, kVivid };
  Preset preset = kWarm;
  float intensity = 1.0f;  // (0, 1]: 1 is the full look, smaller values blend toward the original
};

// Plays the clip `factor` times as fast; the output keeps the render's
// frame rate (frames are dropped or repeated), so a clip of N frames
// becomes round(N / factor) frames.
struct SpeedEffect {
  float factor = 1.0f;  // 0.25..4, not 1
};

// A PNG or WebP image (with its transparency) over the clip.
struct StickerEffect {
  std::string image_path;     // a server-side file already checked by ProbeUpload (media/upload_probe.h)
  float x = 0.5f, y = 0.5f;   // the sticker's centre, as fractions of the frame's width and height
  float scale = 0.25f;        // the sticker's width as a fraction of the frame's width, (0, 1]
  absl::Duration start;       // as TextOverlayEffect
  absl::Duration end;
};

using Effect = std::variant<TextOverlayEffect, ColorGradeEffect, SpeedEffect, StickerEffect>;

inline constexpr int kMaxEffects = 8;
inline constexpr float kMinSpeed = 0.25f, kMaxSpeed = 4.0f;

// OK when there are at most kMaxEffects, at most one SpeedEffect, and each
// is within the bounds above; otherwise INVALID_ARGUMENT naming every bad
// field ("effects[2].size: ...").
absl::Status ValidateEffects(const std::vector<Effect>& effects);

// The SpeedEffect's factor, or 1 when there is none.
double SpeedFactor(const std::vector<Effect>& effects);

// The number of output frames for `input_frames` rendered frames played at
// `speed`: round(input_frames / speed), at least 1.
int OutputFrameCount(int input_frames, double speed);

}  // namespace clipforge::media
