#include "media/effects_graph.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "generation/bitmap_text.h"
#include "media/av_handles.h"
#include "media/effect_filters.h"
#include "media/still_image.h"

extern "C" {
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/dict.h>
#include <libavutil/pixdesc.h>
}

namespace clipforge::media {
namespace {

// Input timestamps count 1/1000 of a frame, so that setpts can divide them
// by the speed factor without rounding two frames onto one tick.
constexpr int kTicksPerFrame = 1000;

// Builds a graph filter by filter, options set as values (no graph string
// to escape); each filter gets a unique instance name.
class GraphBuilder {
 public:
  explicit GraphBuilder(AVFilterGraph* graph) : graph_(graph) {}

  // The filter, initialised. `init_failed` (when given) tells a filter
  // that is missing or would not initialise (drawtext without a font, say)
  // from other failures.
  absl::StatusOr<AVFilterContext*> Add(const FilterSpec& spec, bool* init_failed = nullptr) {
    const AVFilter* filter = avfilter_get_by_name(spec.filter.c_str());
    if (filter == nullptr) {
      if (init_failed != nullptr) *init_failed = true;
      return absl::FailedPreconditionError(absl::StrCat("media: this libavfilter has no ", spec.filter, " filter"));
    }
    AVFilterContext* ctx =
        avfilter_graph_alloc_filter(graph_, filter, absl::StrCat(spec.filter, "_", count_++).c_str());
    if (ctx == nullptr) return absl::ResourceExhaustedError("media: out of memory for a filter");
    AVDictionary* raw = nullptr;
    for (const auto& [key, value] : spec.options) av_dict_set(&raw, key.c_str(), value.c_str(), 0);
    DictPtr options(raw);
    AVDictionary* d = options.release();
    const int err = avfilter_init_dict(ctx, &d);
    options.reset(d);
    if (err < 0) {
      if (init_failed != nullptr) *init_failed = true;
      return AvStatus(err, absl::StrCat("setting up the ", spec.filter, " filter"));
    }
    if (av_dict_count(options.get()) > 0) {
      // drawtext without fontconfig has no "font": the bitmap font instead.
      if (init_failed != nullptr) *init_failed = true;
      return absl::InternalError(absl::StrCat("media: the ", spec.filter, " filter has no option ",
                                              av_dict_get(options.get(), "", nullptr, AV_DICT_IGNORE_SUFFIX)->key));
    }
    return ctx;
  }

  static absl::Status Link(AVFilterContext* from, int from_pad, AVFilterContext* to, int to_pad) {
    if (int err = avfilter_link(from, from_pad, to, to_pad); err < 0) return AvStatus(err, "linking filters");
    return absl::OkStatus();
  }

  // Appends `spec` after `tail` (its pad 0) and returns the new tail.
  absl::StatusOr<AVFilterContext*> Then(AVFilterContext* tail, const FilterSpec& spec,
                                        bool* init_failed = nullptr) {
    CF_ASSIGN_OR_RETURN(AVFilterContext * next, Add(spec, init_failed));
    CF_RETURN_IF_ERROR(Link(tail, 0, next, 0));
    return next;
  }

 private:
  AVFilterGraph* graph_;
  int count_ = 0;
};

FilterSpec BufferSource(int width, int height, AVPixelFormat format, int time_base_den) {
  return FilterSpec{"buffer",
                    {{"video_size", absl::StrCat(width, "x", height)},
                     {"pix_fmt", av_get_pix_fmt_name(format)},
                     {"time_base", absl::StrCat("1/", time_base_den)},
                     {"pixel_aspect", "1/1"}}};
}

bool InWindow(double t, absl::Duration start, absl::Duration end) {
  return t >= absl::ToDoubleSeconds(start) && (end <= absl::ZeroDuration() || t < absl::ToDoubleSeconds(end));
}

}  // namespace

EffectsGraph::EffectsGraph(const EffectsGraphConfig& config) : config_(config) {}

EffectsGraph::~EffectsGraph() { avfilter_graph_free(&graph_); }

absl::StatusOr<std::unique_ptr<EffectsGraph>> EffectsGraph::Create(const EffectsGraphConfig& config) {
  CF_RETURN_IF_ERROR(ValidateEffects(config.effects));
  if (config.width <= 0 || config.height <= 0 || config.fps <= 0 || config.input_frames <= 0) {
    return absl::InvalidArgumentError("media: effects graph needs a frame size, a frame rate and frames");
  }
  std::unique_ptr<EffectsGraph> g(new EffectsGraph(config));
  g->output_frames_ = OutputFrameCount(config.input_frames, SpeedFactor(config.effects));
  for (const Effect& effect : config.effects) {
    if (const auto* sticker = std::get_if<StickerEffect>(&effect)) {
      CF_ASSIGN_OR_RETURN(FramePtr picture, DecodeStickerRgba(sticker->image_path, config.max_sticker_side));
      g->stickers_.push_back(std::move(picture));
    }
  }
  const bool has_text = std::any_of(config.effects.begin(), config.effects.end(), [](const Effect& e) {
    return std::holds_alternative<TextOverlayEffect>(e);
  });
  bool drawtext_failed = false;
  absl::Status built = g->Build(config.use_drawtext && has_text, drawtext_failed);
  if (!built.ok() && drawtext_failed) {
    // No drawtext in this libavfilter, or no font: the bitmap font instead.
    built = g->Build(/*with_drawtext=*/false, drawtext_failed);
  }
  CF_RETURN_IF_ERROR(built);
  g->bitmap_text_ = has_text && (!config.use_drawtext || drawtext_failed);
  g->out_.reset(av_frame_alloc());
  g->last_.reset(av_frame_alloc());
  if (!g->out_ || !g->last_) return absl::ResourceExhaustedError("media: out of memory for frames");
  return g;
}

absl::Status EffectsGraph::Build(bool with_drawtext, bool& drawtext_failed) {
  avfilter_graph_free(&graph_);
  sticker_sources_.clear();
  graph_ = avfilter_graph_alloc();
  if (graph_ == nullptr) return absl::ResourceExhaustedError("media: out of memory for a filter graph");
  // One thread: the graph runs on the encoder's render thread, beside
  // libx264's own threads, within the job's compute slot.
  graph_->nb_threads = 1;

  const int w = config_.width, h = config_.height;
  const int time_base = config_.fps * kTicksPerFrame;
  GraphBuilder b(graph_);
  CF_ASSIGN_OR_RETURN(source_, b.Add(BufferSource(w, h, AV_PIX_FMT_RGB24, time_base)));
  AVFilterContext* tail = source_;

  if (const double speed = SpeedFactor(config_.effects); speed != 1.0) {
    for (const FilterSpec& spec : SpeedFilters(speed, config_.fps)) {
      CF_ASSIGN_OR_RETURN(tail, b.Then(tail, spec));
    }
  }
  for (const Effect& effect : config_.effects) {
    if (const auto* grade = std::get_if<ColorGradeEffect>(&effect)) {
      for (const FilterSpec& spec : ColorGradeFilters(*grade)) {
        CF_ASSIGN_OR_RETURN(tail, b.Then(tail, spec));
      }
    }
  }
  size_t sticker = 0;
  for (const Effect& effect : config_.effects) {
    if (const auto* text = std::get_if<TextOverlayEffect>(&effect); text != nullptr && with_drawtext) {
      bool failed = false;
      auto next = b.Then(tail, DrawTextFilter(*text, h, config_.font), &failed);
      if (!next.ok()) {
        drawtext_failed = failed;
        return next.status();
      }
      tail = *next;
    } else if (const auto* s = std::get_if<StickerEffect>(&effect)) {
      const AVFrame& picture = *stickers_[sticker++];
      CF_ASSIGN_OR_RETURN(
          AVFilterContext * src,
          b.Add(BufferSource(picture.width, picture.height, static_cast<AVPixelFormat>(picture.format), time_base)));
      CF_ASSIGN_OR_RETURN(AVFilterContext * scaled, b.Then(src, StickerScaleFilter(*s, w)));
      CF_ASSIGN_OR_RETURN(AVFilterContext * overlay, b.Add(StickerOverlayFilter(*s)));
      CF_RETURN_IF_ERROR(GraphBuilder::Link(tail, 0, overlay, 0));
      CF_RETURN_IF_ERROR(GraphBuilder::Link(scaled, 0, overlay, 1));
      sticker_sources_.push_back(src);
      tail = overlay;
    }
  }
  CF_ASSIGN_OR_RETURN(tail, b.Then(tail, FilterSpec{"format", {{"pix_fmts", "rgb24"}}}));
  CF_ASSIGN_OR_RETURN(sink_, b.Then(tail, FilterSpec{"buffersink", {}}));
  if (int err = avfilter_graph_config(graph_, nullptr); err < 0) return AvStatus(err, "configuring the effects");

  // Each sticker source gives its one picture and ends; overlay keeps
  // showing it (eof_action=repeat).
  for (size_t i = 0; i < sticker_sources_.size(); ++i) {
    FramePtr copy(av_frame_clone(stickers_[i].get()));
    if (!copy) return absl::ResourceExhaustedError("media: out of memory for a sticker");
    copy->pts = 0;
    if (int err = av_buffersrc_add_frame_flags(sticker_sources_[i], copy.get(), 0); err < 0) {
      return AvStatus(err, "feeding a sticker");
    }
    if (int err = av_buffersrc_close(sticker_sources_[i], kTicksPerFrame, 0); err < 0) {
      return AvStatus(err, "ending a sticker");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<FramePtr> EffectsGraph::NewInputFrame() const {
  return AllocFrame(AV_PIX_FMT_RGB24, config_.width, config_.height);
}

absl::Status EffectsGraph::Push(FramePtr frame, Sink sink) {
  if (next_input_ >= config_.input_frames) return absl::InternalError("media: more frames than the effects expect");
  frame->pts = int64_t{next_input_++} * kTicksPerFrame;
  if (int err = av_buffersrc_add_frame_flags(source_, frame.get(), 0); err < 0) {
    return AvStatus(err, "feeding the effects");
  }
  return Drain(sink);
}

absl::Status EffectsGraph::Finish(Sink sink) {
  // The end is the end of the last frame, not its start, so that fps gives
  // the last frame its full share of output ticks.
  if (int err = av_buffersrc_close(source_, int64_t{next_input_} * kTicksPerFrame, AV_BUFFERSRC_FLAG_PUSH); err < 0) {
    return AvStatus(err, "ending the effects");
  }
  CF_RETURN_IF_ERROR(Drain(sink));
  if (emitted_ == 0) return absl::InternalError("media: the effects produced no frame");
  while (emitted_ < output_frames_) CF_RETURN_IF_ERROR(Emit(last_.get(), sink));
  return absl::OkStatus();
}

absl::Status EffectsGraph::Drain(Sink sink) {
  while (true) {
    const int got = av_buffersink_get_frame(sink_, out_.get());
    if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return absl::OkStatus();
    if (got < 0) return AvStatus(got, "running the effects");
    if (emitted_ >= output_frames_) {
      av_frame_unref(out_.get());  // past the promised count (see the header)
      continue;
    }
    absl::Status status = Emit(out_.get(), sink);
    av_frame_unref(last_.get());
    av_frame_move_ref(last_.get(), out_.get());
    CF_RETURN_IF_ERROR(status);
  }
}

absl::Status EffectsGraph::Emit(AVFrame* frame, Sink sink) {
  // The graph may share this picture (fps repeating it): copy before the
  // sink writes on it.
  if (int err = av_frame_make_writable(frame); err < 0) return AvStatus(err, "an effects frame");
  if (frame->width != config_.width || frame->height != config_.height || frame->format != AV_PIX_FMT_RGB24) {
    return absl::InternalError("media: the effects changed the frame size or format");
  }
  const generation::RgbFrame rgb{frame->data[0], frame->width, frame->height, frame->linesize[0]};
  const int index = emitted_++;
  if (bitmap_text_) DrawBitmapText(index, rgb);
  return sink(index, rgb);
}

void EffectsGraph::DrawBitmapText(int index, generation::RgbFrame frame) const {
  const double t = static_cast<double>(index) / config_.fps;
  for (const Effect& effect : config_.effects) {
    const auto* text = std::get_if<TextOverlayEffect>(&effect);
    if (text == nullptr || !InWindow(t, text->start, text->end)) continue;
    // The font is 7 pixels tall: one font pixel per 1/7 of the asked size.
    const int scale = std::max(1, static_cast<int>(std::lround(text->size * frame.height / 7.0)));
    const int x = static_cast<int>(std::lround(text->x * frame.width)) - generation::TextWidth(text->text, scale) / 2;
    const int y = static_cast<int>(std::lround(text->y * frame.height)) - generation::TextHeight(scale) / 2;
    const generation::Rgb color{static_cast<uint8_t>(text->rgb >> 16), static_cast<uint8_t>(text->rgb >> 8),
                                static_cast<uint8_t>(text->rgb)};
    generation::DrawText(frame, x, y, scale, text->text, color, /*shadow=*/true);
  }
}

}  // namespace clipforge::media
