// The encoding pipeline of a generation job: frames from a renderer's Scene
// to an H.264 MP4, a JPEG thumbnail and a JPEG spritesheet of previews.
//
// Video: H.264 High profile (libx264 through libavcodec), yuv420p (BT.709,
// limited range, tagged), constant frame rate, a keyframe at least every
// keyframe_interval_seconds, in an MP4 with its index (moov) before the
// media data (faststart), so that a player can start before the download
// ends. Every frame carries the ClipForge mark (generation/bitmap_text.h),
// stamped here so that every renderer's output has it.
//
// Thumbnail: the encoded frame at index frames / 3, scaled to fit 1280x1280
// (never enlarged). Spritesheet: a frame every `interval` (1 s, or longer so
// that there are at most 100 tiles), each scaled so its longer side is 240
// pixels, in a grid of up to 10 columns, row by row in time order.
//
// Effects (media/effects.h): when EncodeSettings.effects is not empty, the
// rendered frames go through their libavfilter graph (media/effects_graph.h)
// before the mark is stamped (no effect can cover it); a speed change
// changes the number of frames encoded, and the thumbnail, spritesheet,
// progress and reported duration follow the encoded frames. Without effects the output is exactly what it was before
// effects existed, byte for byte.
//
// Streaming: frames are rendered, converted and encoded one at a time (the
// next one rendered on a second thread while libx264 takes the current),
// so memory is bounded by a few frames plus libx264's own lookahead,
// whatever the clip's length.
//
// Files: each output is written to a temporary name beside it and renamed
// into place when all are complete; on error or cancellation no partial
// file remains (outputs of an earlier run at the same paths are replaced
// only on success).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "generation/renderer.h"
#include "media/effects.h"

namespace clipforge::media {

struct EncodeSettings {
  int crf = 23;                   // 0..51
  std::string preset = "veryfast";  // an x264 preset name
  int keyframe_interval_seconds = 2;  // 1..60
  // Render the next frame on a second thread while x264 encodes; false
  // keeps everything on the calling thread (x264 has threads of its own).
  bool render_ahead = true;
  // Applied between rendering and encoding, on the render thread; at most
  // kMaxEffects (ValidateEffects). Empty: none, and no libavfilter at all.
  std::vector<Effect> effects;
  // false: text overlays use the built-in bitmap font even when drawtext
  // works (see media/effects_graph.h).
  bool use_drawtext = true;
};

struct ClipFiles {
  std::string video_path;
  std::string thumbnail_path;
  std::string spritesheet_path;  // empty: no spritesheet
};

struct SpritesheetInfo {
  int columns = 0, rows = 0, tile_width = 0, tile_height = 0;
  absl::Duration interval;  // between the frames of two consecutive tiles
};

struct ClipResult {
  int frames = 0;                // encoded: the rendered frames, changed by a speed effect
  absl::Duration duration;       // frames / fps, the video's length
  // Time in each stage, on whichever thread ran it; with render_ahead the
  // two overlap, so their sum can exceed wall_time.
  absl::Duration render_time;  // Scene::Render and the mark
  absl::Duration effects_time;  // the effects graph (zero without effects)
  absl::Duration encode_time;  // RGB to YUV, libx264, muxing, the JPEGs
  int64_t video_bytes = 0;
  SpritesheetInfo spritesheet;  // all zero when no spritesheet was asked for
  absl::Duration wall_time;     // the whole call
};

// Renders spec.frame_count frames of `scene` (prepared for `spec`), applies
// settings.effects and writes `out`. `progress` is called on the calling thread with 0 first, then each
// time the percentage of frames encoded (0..99) grows, so at most 100 times;
// when it returns false the encode stops and CANCELLED is returned.
//
// Errors: INVALID_ARGUMENT (spec, settings or effects out of bounds, an
// empty path, a sticker that is not a decodable PNG or WebP);
// FAILED_PRECONDITION (libavcodec has no libx264, or it did not produce
// High profile, or libavfilter lacks a filter the effects need);
// NOT_FOUND / PERMISSION_DENIED / RESOURCE_EXHAUSTED when the output cannot
// be written or a sticker read; INTERNAL for other FFmpeg failures, with
// FFmpeg's own message.
absl::StatusOr<ClipResult> EncodeClip(const generation::Scene& scene, const generation::RenderSpec& spec,
                                      const EncodeSettings& settings, const ClipFiles& out,
                                      absl::FunctionRef<bool(int)> progress);

}  // namespace clipforge::media
