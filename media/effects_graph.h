// The effects of a clip (media/effects.h) as one libavfilter graph that the
// rendered frames go through on their way to the encoder:
//
//   buffer (rgb24) -> [setpts, fps] -> [colour grades] -> [drawtext | overlay <- scale <- buffer (sticker rgba)]...
//     -> format (rgb24) -> buffersink
//
// Streaming: each rendered frame is pushed and whatever frames the graph
// has ready are pulled at once, so the graph holds a few frames at most
// (fps keeps one to decide between dropping and repeating; each sticker
// keeps its one picture).
//
// Text: drawtext (libfreetype, its font found by fontconfig) when this
// libavfilter has it and a font is found; otherwise, or when asked, the
// text is drawn after the graph with the built-in bitmap font
// (generation/bitmap_text.h), which covers A-Z, 0-9 and common punctuation
// only and always lies above the stickers.
//
// Frame count: the output has exactly OutputFrameCount(input_frames, speed)
// frames (media/effects.h), the figure the encoder plans the spritesheet,
// progress and duration with. libavfilter's fps filter gives that count
// itself; should a version end one frame early or late, the last frame is
// repeated or the extra one dropped, so the promise holds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "generation/renderer.h"
#include "media/av_handles.h"
#include "media/effects.h"

struct AVFilterContext;
struct AVFilterGraph;

namespace clipforge::media {

struct EffectsGraphConfig {
  int width = 0, height = 0, fps = 30;  // of the rendered frames, which the output keeps
  int input_frames = 0;
  std::vector<Effect> effects;          // ValidateEffects must accept them
  // false: text is drawn with the bitmap font even when drawtext works.
  bool use_drawtext = true;
  std::string font = "Sans";            // a fontconfig pattern for drawtext
  int max_sticker_side = 4096;          // larger sticker pictures are refused
};

class EffectsGraph {
 public:
  // Decodes the stickers and builds the graph. INVALID_ARGUMENT for effects
  // ValidateEffects refuses or a sticker that is not a decodable PNG/WebP;
  // NOT_FOUND for a missing sticker; FAILED_PRECONDITION when this
  // libavfilter lacks a filter the effects need; INTERNAL otherwise.
  static absl::StatusOr<std::unique_ptr<EffectsGraph>> Create(const EffectsGraphConfig& config);

  EffectsGraph(const EffectsGraph&) = delete;
  EffectsGraph& operator=(const EffectsGraph&) = delete;
  ~EffectsGraph();

  int output_frames() const { return output_frames_; }
  // True when the text overlays are drawn with the bitmap font.
  bool bitmap_text() const { return bitmap_text_; }

  // A frame for the next rendered picture (rgb24, the configured size).
  absl::StatusOr<FramePtr> NewInputFrame() const;

  // The sink of output frames: `index` counts from 0 in output order; the
  // frame may be modified in place (the encoder stamps its mark) and is
  // only valid during the call. An error stops the graph and is returned.
  using Sink = absl::FunctionRef<absl::Status(int index, generation::RgbFrame frame)>;

  // Takes the next rendered frame (from NewInputFrame, filled) and hands
  // `sink` every output frame that it completes.
  absl::Status Push(FramePtr frame, Sink sink);

  // Ends the input and hands `sink` the remaining output frames; after it,
  // output_frames() frames have been handed over in all.
  absl::Status Finish(Sink sink);

 private:
  explicit EffectsGraph(const EffectsGraphConfig& config);
  absl::Status Build(bool with_drawtext, bool& drawtext_failed);
  absl::Status Drain(Sink sink);
  absl::Status Emit(AVFrame* frame, Sink sink);
  void DrawBitmapText(int index, generation::RgbFrame frame) const;

  EffectsGraphConfig config_;
  int output_frames_ = 0;
  bool bitmap_text_ = false;
  std::vector<FramePtr> stickers_;  // decoded, RGBA, in the order of the StickerEffects
  AVFilterGraph* graph_ = nullptr;
  AVFilterContext* source_ = nullptr;
  AVFilterContext* sink_ = nullptr;
  std::vector<AVFilterContext*> sticker_sources_;
  FramePtr out_;
  FramePtr last_;  // the last output frame, for the rare repeat at the end
  int next_input_ = 0;
  int emitted_ = 0;
};

}  // namespace clipforge::media
