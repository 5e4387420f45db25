#include "media/clip_encoder.h"

#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "generation/bitmap_text.h"
#include "media/effects_graph.h"
#include "media/frame_queue.h"
#include "media/h264_mp4_writer.h"
#include "media/jpeg_canvas.h"
#include "media/staged_files.h"

namespace clipforge::media {
namespace {

constexpr int kThumbnailSide = 1280;  // the thumbnail fits a 1280x1280 box
constexpr int kTileSide = 240;        // a spritesheet tile's longer side
constexpr int kMaxTiles = 100;
constexpr int kMaxColumns = 10;
constexpr int kThumbnailQscale = 3, kSpritesheetQscale = 5;  // MJPEG quantizer (2 best .. 31)
constexpr int kPoolFrames = 3;  // one rendered ahead, one being encoded, one spare

struct Size {
  int w = 0, h = 0;
};

// (w, h) scaled to fit a side x side box, never enlarged, sides even.
Size FitInside(int w, int h, int side) {
  if (std::max(w, h) <= side) return {w, h};
  const auto even = [](int64_t v) { return std::max(2, static_cast<int>(v) & ~1); };
  return w >= h ? Size{side, even(int64_t{h} * side / w)} : Size{even(int64_t{w} * side / h), side};
}

struct SheetPlan {
  int interval_frames = 0;  // 0: no spritesheet
  int tiles = 0;
  SpritesheetInfo info;
};

// The spritesheet of `frames` encoded frames of `spec`'s size and rate.
SheetPlan PlanSheet(const generation::RenderSpec& spec, int frames) {
  SheetPlan plan;
  plan.interval_frames = spec.fps;  // one tile a second...
  if ((frames + plan.interval_frames - 1) / plan.interval_frames > kMaxTiles) {
    plan.interval_frames = (frames + kMaxTiles - 1) / kMaxTiles;  // ...or fewer
  }
  plan.tiles = (frames + plan.interval_frames - 1) / plan.interval_frames;
  const Size tile = FitInside(spec.width, spec.height, kTileSide);
  plan.info.columns = std::min(plan.tiles, kMaxColumns);
  plan.info.rows = (plan.tiles + plan.info.columns - 1) / plan.info.columns;
  plan.info.tile_width = tile.w;
  plan.info.tile_height = tile.h;
  plan.info.interval = absl::Seconds(plan.interval_frames) / spec.fps;
  return plan;
}

// Renders frames, passes them through the effects (if any), stamps the
// mark, takes the previews and converts to the encoder's yuv420p. Used by
// one thread at a time.
class FrameSource {
 public:
  // `take` gives a free frame to fill (nullptr: stop); `give` hands a
  // filled one to the encoder (false: stop).
  using Take = absl::FunctionRef<AVFrame*()>;
  using Give = absl::FunctionRef<bool(AVFrame*)>;

  FrameSource(const generation::Scene& scene, const generation::RenderSpec& spec, EffectsGraph* effects,
              int output_frames, JpegCanvas& thumbnail, JpegCanvas* sheet, const SheetPlan& plan)
      : scene_(scene),
        spec_(spec),
        effects_(effects),
        output_frames_(output_frames),
        thumbnail_(thumbnail),
        sheet_(sheet),
        plan_(plan) {}

  absl::Status Init() {
    if (effects_ == nullptr) rgb_.resize(static_cast<size_t>(spec_.width) * spec_.height * 3);
    // Same conversion as the ffmpeg CLI's default scaler (bicubic), with
    // the BT.709 matrix the stream is tagged with.
    sws_.reset(sws_getContext(spec_.width, spec_.height, AV_PIX_FMT_RGB24, spec_.width, spec_.height,
                              AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
    if (!sws_) return absl::InternalError("media: no RGB to YUV converter");
    sws_setColorspaceDetails(sws_.get(), sws_getCoefficients(SWS_CS_DEFAULT), 1, sws_getCoefficients(SWS_CS_ITU709),
                             0, 0, 1 << 16, 1 << 16);
    return absl::OkStatus();
  }

  // Produces every output frame in order, or stops early (OK) when `take`
  // or `give` says so.
  absl::Status Run(Take take, Give give) {
    if (effects_ == nullptr) {
      const generation::RgbFrame rgb{rgb_.data(), spec_.width, spec_.height, spec_.width * 3};
      for (int i = 0; i < spec_.frame_count; ++i) {
        AVFrame* yuv = take();
        if (yuv == nullptr) return absl::OkStatus();
        const absl::Time start = absl::Now();
        scene_.Render(i, rgb);
        render_time_ += absl::Now() - start;
        CF_RETURN_IF_ERROR(Finish(i, rgb, yuv));
        if (!give(yuv)) return absl::OkStatus();
      }
      return absl::OkStatus();
    }

    // The graph calls `sink` with each frame it completes; the time inside
    // it (the mark, conversion, waiting for a free frame) is not the graph's.
    bool stopped = false;
    const auto deliver = [&](int index, const generation::RgbFrame& rgb) -> absl::Status {
      AVFrame* yuv = take();
      if (yuv != nullptr) {
        CF_RETURN_IF_ERROR(Finish(index, rgb, yuv));
        if (give(yuv)) return absl::OkStatus();
      }
      stopped = true;  // not an error: Run returns OK and the caller knows why
      return absl::CancelledError("media: stopped");
    };
    const auto sink = [&](int index, generation::RgbFrame rgb) {
      effects_time_ += absl::Now() - effects_start_;
      absl::Status status = deliver(index, rgb);
      effects_start_ = absl::Now();
      return status;
    };
    for (int i = 0; i < spec_.frame_count; ++i) {
      CF_ASSIGN_OR_RETURN(FramePtr frame, effects_->NewInputFrame());
      const absl::Time start = absl::Now();
      scene_.Render(i, generation::RgbFrame{frame->data[0], spec_.width, spec_.height, frame->linesize[0]});
      effects_start_ = absl::Now();
      render_time_ += effects_start_ - start;
      absl::Status status = effects_->Push(std::move(frame), sink);
      effects_time_ += absl::Now() - effects_start_;
      if (stopped) return absl::OkStatus();
      CF_RETURN_IF_ERROR(status);
    }
    effects_start_ = absl::Now();
    absl::Status status = effects_->Finish(sink);
    effects_time_ += absl::Now() - effects_start_;
    if (stopped) return absl::OkStatus();
    return status;
  }

  absl::Duration render_time() const { return render_time_; }
  absl::Duration effects_time() const { return effects_time_; }
  absl::Duration convert_time() const { return convert_time_; }

 private:
  // Output frame `index`: the mark, the previews, the conversion to `yuv`.
  absl::Status Finish(int index, const generation::RgbFrame& rgb, AVFrame* yuv) {
    const absl::Time start = absl::Now();
    generation::StampClipForgeMark(rgb);
    const absl::Time marked = absl::Now();
    render_time_ += marked - start;

    if (index == output_frames_ / 3) {
      CF_RETURN_IF_ERROR(thumbnail_.Draw(rgb.data, rgb.width, rgb.height, rgb.stride, 0, 0, thumbnail_.width(),
                                         thumbnail_.height()));
    }
    if (sheet_ != nullptr && index % plan_.interval_frames == 0) {
      const int tile = index / plan_.interval_frames;
      const SpritesheetInfo& s = plan_.info;
      CF_RETURN_IF_ERROR(sheet_->Draw(rgb.data, rgb.width, rgb.height, rgb.stride, tile % s.columns * s.tile_width,
                                      tile / s.columns * s.tile_height, s.tile_width, s.tile_height));
    }
    if (int err = av_frame_make_writable(yuv); err < 0) return AvStatus(err, "frame buffer");
    const uint8_t* src[1] = {rgb.data};
    const int src_stride[1] = {rgb.stride};
    sws_scale(sws_.get(), src, src_stride, 0, spec_.height, yuv->data, yuv->linesize);
    convert_time_ += absl::Now() - marked;
    return absl::OkStatus();
  }

  const generation::Scene& scene_;
  const generation::RenderSpec& spec_;
  EffectsGraph* effects_;  // nullptr: no effects
  int output_frames_;
  JpegCanvas& thumbnail_;
  JpegCanvas* sheet_;
  const SheetPlan& plan_;
  std::vector<uint8_t> rgb_;  // the render without effects (with them, the graph's frames)
  SwsPtr sws_;
  absl::Time effects_start_;
  absl::Duration render_time_, effects_time_, convert_time_;
};

absl::Status Validate(const generation::RenderSpec& spec, const EncodeSettings& settings, const ClipFiles& out) {
  CF_RETURN_IF_ERROR(generation::ValidateRenderSpec(spec));
  if (settings.crf < 0 || settings.crf > 51) return absl::InvalidArgumentError("media: crf must be within 0..51");
  if (settings.keyframe_interval_seconds < 1 || settings.keyframe_interval_seconds > 60) {
    return absl::InvalidArgumentError("media: keyframe_interval_seconds must be within 1..60");
  }
  if (settings.preset.empty()) return absl::InvalidArgumentError("media: empty x264 preset");
  if (out.video_path.empty() || out.thumbnail_path.empty()) {
    return absl::InvalidArgumentError("media: the video and thumbnail paths are required");
  }
  return ValidateEffects(settings.effects);
}

// Reports progress on the calling thread: 0 first, then each new percent.
class Progress {
 public:
  Progress(absl::FunctionRef<bool(int)> callback, int total) : callback_(callback), total_(total) {}
  bool Start() { return callback_(0); }
  bool FrameDone(int done) {
    const int percent = std::min(99, static_cast<int>(int64_t{done} * 100 / total_));
    if (percent <= last_) return true;
    last_ = percent;
    return callback_(percent);
  }

 private:
  absl::FunctionRef<bool(int)> callback_;
  int total_;
  int last_ = 0;
};

}  // namespace

absl::StatusOr<ClipResult> EncodeClip(const generation::Scene& scene, const generation::RenderSpec& spec,
                                      const EncodeSettings& settings, const ClipFiles& out,
                                      absl::FunctionRef<bool(int)> progress) {
  const absl::Time start = absl::Now();
  CF_RETURN_IF_ERROR(Validate(spec, settings, out));
  ClipResult result;
  // Without effects no graph at all, so the output stays what it was.
  std::unique_ptr<EffectsGraph> effects;
  int output_frames = spec.frame_count;
  if (!settings.effects.empty()) {
    CF_ASSIGN_OR_RETURN(effects, EffectsGraph::Create(EffectsGraphConfig{.width = spec.width,
                                                                         .height = spec.height,
                                                                         .fps = spec.fps,
                                                                         .input_frames = spec.frame_count,
                                                                         .effects = settings.effects,
                                                                         .use_drawtext = settings.use_drawtext}));
    output_frames = effects->output_frames();
  }
  Progress reporter(progress, output_frames);
  if (!reporter.Start()) return absl::CancelledError("media: encode cancelled");

  StagedFiles staged;
  CF_ASSIGN_OR_RETURN(const std::string video_temp, staged.Stage(out.video_path));
  CF_ASSIGN_OR_RETURN(const std::string thumbnail_temp, staged.Stage(out.thumbnail_path));
  std::string sheet_temp;
  if (!out.spritesheet_path.empty()) {
    CF_ASSIGN_OR_RETURN(sheet_temp, staged.Stage(out.spritesheet_path));
  }

  const Size thumb = FitInside(spec.width, spec.height, kThumbnailSide);
  CF_ASSIGN_OR_RETURN(std::unique_ptr<JpegCanvas> thumbnail, JpegCanvas::Create(thumb.w, thumb.h));
  SheetPlan plan = PlanSheet(spec, output_frames);
  std::unique_ptr<JpegCanvas> sheet;
  if (!sheet_temp.empty()) {
    CF_ASSIGN_OR_RETURN(sheet, JpegCanvas::Create(plan.info.columns * plan.info.tile_width,
                                                  plan.info.rows * plan.info.tile_height));
  }

  const absl::Time open_start = absl::Now();
  CF_ASSIGN_OR_RETURN(
      std::unique_ptr<H264Mp4Writer> writer,
      H264Mp4Writer::Open(video_temp, H264Options{.width = spec.width,
                                                  .height = spec.height,
                                                  .fps = spec.fps,
                                                  .crf = settings.crf,
                                                  .preset = settings.preset,
                                                  .keyframe_interval_frames =
                                                      spec.fps * settings.keyframe_interval_seconds}));
  absl::Duration encode_time = absl::Now() - open_start;

  FrameSource source(scene, spec, effects.get(), output_frames, *thumbnail, sheet.get(), plan);
  CF_RETURN_IF_ERROR(source.Init());
  std::vector<FramePtr> pool;
  for (int i = 0; i < (settings.render_ahead ? kPoolFrames : 1); ++i) {
    CF_ASSIGN_OR_RETURN(FramePtr frame, AllocFrame(AV_PIX_FMT_YUV420P, spec.width, spec.height));
    pool.push_back(std::move(frame));
  }

  absl::Status status = absl::OkStatus();
  int encoded = 0;
  const auto encode_one = [&](AVFrame* frame) {
    const absl::Time t0 = absl::Now();
    status = writer->Write(frame);
    encode_time += absl::Now() - t0;
    if (status.ok() && !reporter.FrameDone(++encoded)) status = absl::CancelledError("media: encode cancelled");
  };

  if (!settings.render_ahead) {
    absl::Status render_status = source.Run([&] { return pool[0].get(); },
                                            [&](AVFrame* frame) {
                                              encode_one(frame);
                                              return status.ok();
                                            });
    if (status.ok()) status = render_status;
  } else {
    // The render thread fills free frames and hands them over in order;
    // this thread encodes them and gives them back.
    FrameQueue free_frames, ready_frames;
    for (FramePtr& frame : pool) free_frames.Push(frame.get());
    absl::Status render_status = absl::OkStatus();
    std::thread renderer([&] {
      // Pop gives nullptr once aborted, Push false: either stops the run.
      render_status = source.Run([&] { return free_frames.Pop(); },
                                 [&](AVFrame* frame) { return ready_frames.Push(frame); });
      ready_frames.Close();
    });
    while (status.ok()) {
      AVFrame* frame = ready_frames.Pop();
      if (frame == nullptr) break;  // all frames done, or the renderer failed
      encode_one(frame);
      free_frames.Push(frame);
    }
    free_frames.Abort();
    ready_frames.Abort();
    renderer.join();
    if (status.ok()) status = render_status;
  }
  CF_RETURN_IF_ERROR(status);
  if (encoded != output_frames) return absl::InternalError("media: frames went missing in the pipeline");

  const absl::Time finish_start = absl::Now();
  CF_ASSIGN_OR_RETURN(result.video_bytes, writer->Finish());
  CF_RETURN_IF_ERROR(thumbnail->WriteJpeg(thumbnail_temp, kThumbnailQscale));
  if (sheet) {
    CF_RETURN_IF_ERROR(sheet->WriteJpeg(sheet_temp, kSpritesheetQscale));
    result.spritesheet = plan.info;
  }
  encode_time += absl::Now() - finish_start;
  CF_RETURN_IF_ERROR(staged.Commit());

  result.frames = encoded;
  result.duration = absl::Seconds(encoded) / spec.fps;
  result.render_time = source.render_time();
  result.effects_time = source.effects_time();
  result.encode_time = encode_time + source.convert_time();
  result.wall_time = absl::Now() - start;
  return result;
}

}  // namespace clipforge::media
