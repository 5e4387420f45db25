#include "media/frame_reader.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace clipforge::media {
namespace {

struct CloseInput {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct FreeCodec {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FreeFrame {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct FreePacket {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FreeSws {
  void operator()(SwsContext* c) const { sws_freeContext(c); }
};
using InputPtr = std::unique_ptr<AVFormatContext, CloseInput>;
using CodecPtr = std::unique_ptr<AVCodecContext, FreeCodec>;
using FramePtr = std::unique_ptr<AVFrame, FreeFrame>;
using PacketPtr = std::unique_ptr<AVPacket, FreePacket>;
using SwsPtr = std::unique_ptr<SwsContext, FreeSws>;

std::string AvError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

// The JPEG "yuvj" formats are the plain YUV layouts at full range;
// swscale wants the plain format and the range said separately.
AVPixelFormat WithoutJpegRange(AVPixelFormat format, bool& full_range) {
  switch (format) {
    case AV_PIX_FMT_YUVJ420P: full_range = true; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: full_range = true; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: full_range = true; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: full_range = true; return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: full_range = true; return AV_PIX_FMT_YUV411P;
    default: return format;
  }
}

bool IsStillImageFormat(const char* name) {
  const absl::string_view n = name == nullptr ? "" : name;
  return n == "image2" || absl::EndsWith(n, "_pipe");
}

// One read: the open file, its decoder, the sampling state and the RGB
// conversion.
class Reader {
 public:
  Reader(const std::string& path, const FrameReaderOptions& options,
         absl::FunctionRef<absl::Status(const Frame&)> sink)
      : path_(path), options_(options), sink_(sink) {}

  absl::StatusOr<MediaInfo> Run() {
    CF_RETURN_IF_ERROR(Open());
    PacketPtr packet(av_packet_alloc());
    decoded_.reset(av_frame_alloc());
    held_.reset(av_frame_alloc());
    rgb_.reset(av_frame_alloc());
    if (!packet || !decoded_ || !held_ || !rgb_) return absl::ResourceExhaustedError("media: out of memory");

    int read = 0;
    while ((read = av_read_frame(input_.get(), packet.get())) >= 0) {
      absl::Status sent = absl::OkStatus();
      if (packet->stream_index == stream_index_) sent = Send(packet.get());
      av_packet_unref(packet.get());
      CF_RETURN_IF_ERROR(sent);
    }
    // EOF, or a truncated/corrupt container: decode what was read.
    CF_RETURN_IF_ERROR(Send(nullptr));
    if (frames_decoded_ == 0) {
      return absl::InvalidArgumentError(absl::StrCat("media: no frame of ", path_, " could be decoded",
                                                     read != AVERROR_EOF ? ": " + AvError(read) : ""));
    }
    if (!last_emitted_) CF_RETURN_IF_ERROR(Emit(held_.get(), held_time_));
    info_.frames_decoded = frames_decoded_;
    return info_;
  }

 private:
  absl::Status Open() {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path_, ec)) {
      return absl::NotFoundError(absl::StrCat("media: no file ", path_));
    }
    if (!options_.every_frame && !(options_.interval_seconds > 0)) {
      return absl::InvalidArgumentError("media: interval_seconds must be positive");
    }
    AVFormatContext* raw = nullptr;
    if (int err = avformat_open_input(&raw, path_.c_str(), nullptr, nullptr); err < 0) {
      return absl::InvalidArgumentError(absl::StrCat("media: ", path_, " is not a readable media file: ", AvError(err)));
    }
    input_.reset(raw);
    if (int err = avformat_find_stream_info(input_.get(), nullptr); err < 0) {
      return absl::InvalidArgumentError(absl::StrCat("media: cannot read the streams of ", path_, ": ", AvError(err)));
    }
    const AVCodec* codec = nullptr;
    stream_index_ = av_find_best_stream(input_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (stream_index_ < 0 || codec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("media: ", path_, " has no decodable video stream"));
    }
    const AVStream* stream = input_->streams[stream_index_];
    CF_RETURN_IF_ERROR(CheckSize(stream->codecpar->width, stream->codecpar->height));
    time_base_ = av_q2d(stream->time_base);
    start_ = stream->start_time == AV_NOPTS_VALUE ? 0 : stream->start_time;
    frame_rate_ = av_q2d(stream->avg_frame_rate);

    codec_.reset(avcodec_alloc_context3(codec));
    if (!codec_) return absl::ResourceExhaustedError("media: out of memory");
    if (int err = avcodec_parameters_to_context(codec_.get(), stream->codecpar); err < 0) {
      return absl::InvalidArgumentError(absl::StrCat("media: bad stream parameters: ", AvError(err)));
    }
    codec_->thread_count = std::max(1, options_.threads);
    if (!options_.every_frame && options_.reference_frames_only) codec_->skip_frame = AVDISCARD_NONREF;
    // The decoder refuses larger frames itself, before allocating them,
    // whatever the container claimed.
    codec_->max_pixels = options_.max_pixels;
    if (int err = avcodec_open2(codec_.get(), codec, nullptr); err < 0) {
      return absl::InvalidArgumentError(absl::StrCat("media: cannot open the ", codec->name, " decoder: ", AvError(err)));
    }
    info_.format = input_->iformat->name;
    info_.codec = codec->name;
    info_.still_image = IsStillImageFormat(input_->iformat->name);
    return absl::OkStatus();
  }

  absl::Status CheckSize(int width, int height) const {
    if (width > options_.max_side || height > options_.max_side ||
        int64_t{width} * height > options_.max_pixels) {
      return absl::InvalidArgumentError(
          absl::StrCat("media: frame ", width, "x", height, " is larger than allowed (8K)"));
    }
    return absl::OkStatus();
  }

  // Sends one packet (nullptr: flush) and takes every frame it yields.
  absl::Status Send(const AVPacket* packet) {
    const int err = avcodec_send_packet(codec_.get(), packet);
    // A damaged packet is skipped; the decoder resynchronises on the next.
    if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_INVALIDDATA && err != AVERROR_EOF) {
      return absl::InvalidArgumentError(absl::StrCat("media: decoding ", path_, ": ", AvError(err)));
    }
    while (true) {
      const int got = avcodec_receive_frame(codec_.get(), decoded_.get());
      if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return absl::OkStatus();
      if (got == AVERROR_INVALIDDATA) return absl::OkStatus();  // a damaged frame: skip it
      if (got < 0) return absl::InvalidArgumentError(absl::StrCat("media: decoding ", path_, ": ", AvError(got)));
      absl::Status taken = Take(decoded_.get());
      av_frame_unref(decoded_.get());
      CF_RETURN_IF_ERROR(taken);
    }
  }

  double TimeOf(const AVFrame* frame) const {
    const int64_t ts = frame->best_effort_timestamp;
    if (ts != AV_NOPTS_VALUE) return static_cast<double>(ts - start_) * time_base_;
    return frame_rate_ > 0 ? static_cast<double>(frames_decoded_) / frame_rate_ : 0.0;
  }

  // The sampling rule: every frame, or the first, each one at or past the
  // next due time, and (in Run) the last.
  absl::Status Take(AVFrame* frame) {
    const double time = TimeOf(frame);
    const bool first = frames_decoded_ == 0;
    if (!first) info_.max_decoded_gap_seconds = std::max(info_.max_decoded_gap_seconds, time - last_decoded_time_);
    last_decoded_time_ = time;
    ++frames_decoded_;
    constexpr double kSlack = 1e-6;  // timestamps are rationals; allow rounding
    if (options_.every_frame || first || time + kSlack >= next_due_) {
      if (!options_.every_frame) {
        if (first) next_due_ = time;
        while (next_due_ <= time + kSlack) next_due_ += options_.interval_seconds;
      }
      last_emitted_ = true;
      return Emit(frame, time);
    }
    // Not due: keep it in case it is the last.
    av_frame_unref(held_.get());
    if (int err = av_frame_ref(held_.get(), frame); err < 0) {
      return absl::ResourceExhaustedError(absl::StrCat("media: ", AvError(err)));
    }
    held_time_ = time;
    last_emitted_ = false;
    return absl::OkStatus();
  }

  absl::Status Emit(const AVFrame* frame, double time) {
    if (frames_emitted_ >= options_.max_frames) {
      return absl::ResourceExhaustedError(
          absl::StrCat("media: ", path_, " has more than ", options_.max_frames, " frames to sample"));
    }
    CF_RETURN_IF_ERROR(ToRgb(frame));
    out_.time_seconds = time;
    ++frames_emitted_;
    return sink_(out_);
  }

  absl::Status ToRgb(const AVFrame* frame) {
    const int width = frame->width, height = frame->height;
    if (width <= 0 || height <= 0) return absl::InvalidArgumentError("media: a frame without size");
    CF_RETURN_IF_ERROR(CheckSize(width, height));
    bool full_range = frame->color_range == AVCOL_RANGE_JPEG;
    const AVPixelFormat source = WithoutJpegRange(static_cast<AVPixelFormat>(frame->format), full_range);
    // Bicubic with accurate rounding and without full-chroma interpolation:
    // with it, the frames of Meta's published vPDQ sample hash within 2 bits
    // of the reference (most exactly), where full-chroma interpolation put
    // the dark frames of its fades beyond 10 bits.
    sws_.reset(sws_getCachedContext(sws_.release(), width, height, source, width, height, AV_PIX_FMT_RGB24,
                                    SWS_BICUBIC | SWS_ACCURATE_RND, nullptr, nullptr, nullptr));
    if (!sws_) {
      const char* name = av_get_pix_fmt_name(source);
      return absl::InvalidArgumentError(
          absl::StrCat("media: cannot convert pixel format ", name == nullptr ? "?" : name, " to RGB"));
    }
    // BT.601 whatever the stream says, as the reference PDQ hashers convert:
    // its luma weights are PDQ's, so a frame's PDQ luma is its Y plane and
    // the hash does not depend on chroma. The range is the frame's own.
    sws_setColorspaceDetails(sws_.get(), sws_getCoefficients(SWS_CS_DEFAULT), full_range ? 1 : 0,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);

    if (rgb_->width != width || rgb_->height != height) {
      av_frame_unref(rgb_.get());
      rgb_->format = AV_PIX_FMT_RGB24;
      rgb_->width = width;
      rgb_->height = height;
      if (int err = av_frame_get_buffer(rgb_.get(), 0); err < 0) {
        return absl::ResourceExhaustedError(absl::StrCat("media: ", AvError(err)));
      }
    }
    sws_scale(sws_.get(), frame->data, frame->linesize, 0, height, rgb_->data, rgb_->linesize);

    const size_t row = static_cast<size_t>(width) * 3;
    out_.width = width;
    out_.height = height;
    out_.rgb.resize(row * height);
    for (int r = 0; r < height; ++r) {
      std::memcpy(&out_.rgb[r * row], rgb_->data[0] + static_cast<ptrdiff_t>(r) * rgb_->linesize[0], row);
    }
    return absl::OkStatus();
  }

  const std::string& path_;
  const FrameReaderOptions& options_;
  absl::FunctionRef<absl::Status(const Frame&)> sink_;

  InputPtr input_;
  CodecPtr codec_;
  SwsPtr sws_;
  FramePtr decoded_, held_, rgb_;
  int stream_index_ = -1;
  double time_base_ = 0;
  int64_t start_ = 0;
  double frame_rate_ = 0;
  MediaInfo info_;

  int64_t frames_decoded_ = 0;
  int frames_emitted_ = 0;
  double next_due_ = 0;
  bool last_emitted_ = true;
  double held_time_ = 0;
  double last_decoded_time_ = 0;
  Frame out_;
};

}  // namespace

absl::StatusOr<MediaInfo> ReadFrames(const std::string& path, const FrameReaderOptions& options,
                                     absl::FunctionRef<absl::Status(const Frame&)> sink) {
  return Reader(path, options, sink).Run();
}

absl::StatusOr<std::vector<Frame>> ReadAllFrames(const std::string& path, const FrameReaderOptions& options) {
  std::vector<Frame> frames;
  CF_RETURN_IF_ERROR(ReadFrames(path, options, [&frames](const Frame& f) {
                       frames.push_back(f);
                       return absl::OkStatus();
                     }).status());
  return frames;
}

}  // namespace clipforge::media
