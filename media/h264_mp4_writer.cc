#include "media/h264_mp4_writer.h"

#include <cerrno>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/opt.h>
}

namespace clipforge::media {
namespace {

constexpr int kProfileHigh = 100;  // profile_idc of H.264 High

// profile_idc of the first SPS in libx264's global header: Annex B (start
// codes) as libx264 gives it, or avcC (first byte 1).
int ProfileIdc(const uint8_t* data, int size) {
  if (data == nullptr || size < 4) return -1;
  if (data[0] == 1) return data[1];
  for (int i = 0; i + 4 < size; ++i) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 && (data[i + 3] & 0x1F) == 7) return data[i + 4];
  }
  return -1;
}

struct DictFree {
  void operator()(AVDictionary* d) const { av_dict_free(&d); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<H264Mp4Writer>> H264Mp4Writer::Open(const std::string& path,
                                                                  const H264Options& options) {
  std::unique_ptr<H264Mp4Writer> w(new H264Mp4Writer());
  w->path_ = path;
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (codec == nullptr) return absl::FailedPreconditionError("media: this libavcodec has no libx264 encoder");

  AVFormatContext* raw = nullptr;
  if (int err = avformat_alloc_output_context2(&raw, nullptr, "mp4", path.c_str()); err < 0) {
    return AvStatus(err, "mp4 muxer");
  }
  w->output_.reset(raw);

  w->encoder_.reset(avcodec_alloc_context3(codec));
  w->packet_.reset(av_packet_alloc());
  if (!w->encoder_ || !w->packet_) return absl::ResourceExhaustedError("media: out of memory for the encoder");
  AVCodecContext* enc = w->encoder_.get();
  enc->width = options.width;
  enc->height = options.height;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->time_base = AVRational{1, options.fps};
  enc->framerate = AVRational{options.fps, 1};
  enc->sample_aspect_ratio = AVRational{1, 1};
  enc->gop_size = options.keyframe_interval_frames;
  enc->color_range = AVCOL_RANGE_MPEG;
  enc->color_primaries = AVCOL_PRI_BT709;
  enc->color_trc = AVCOL_TRC_BT709;
  enc->colorspace = AVCOL_SPC_BT709;
  enc->thread_count = 0;  // libx264 picks its thread count, as the ffmpeg CLI lets it
  if (w->output_->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  AVDictionary* raw_opts = nullptr;
  av_dict_set(&raw_opts, "preset", options.preset.c_str(), 0);
  av_dict_set(&raw_opts, "profile", "high", 0);
  av_dict_set(&raw_opts, "crf", absl::StrCat(options.crf).c_str(), 0);
  std::unique_ptr<AVDictionary, DictFree> opts(raw_opts);
  {
    AVDictionary* d = opts.release();
    const int err = avcodec_open2(enc, codec, &d);
    opts.reset(d);
    if (err == AVERROR(EINVAL)) {
      return absl::InvalidArgumentError(
          absl::StrCat("media: libx264 refused the settings (preset ", options.preset, ", crf ", options.crf, ")"));
    }
    if (err < 0) return AvStatus(err, "opening libx264");
  }
  if (av_dict_count(opts.get()) > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("media: libx264 did not take option ", av_dict_get(opts.get(), "", nullptr, AV_DICT_IGNORE_SUFFIX)->key));
  }
  if (const int profile = ProfileIdc(enc->extradata, enc->extradata_size); profile != kProfileHigh) {
    return absl::FailedPreconditionError(
        absl::StrCat("media: libx264 produced H.264 profile_idc ", profile, ", not High (", kProfileHigh, ")"));
  }

  w->stream_ = avformat_new_stream(w->output_.get(), nullptr);
  if (w->stream_ == nullptr) return absl::ResourceExhaustedError("media: out of memory for the stream");
  w->stream_->time_base = enc->time_base;
  w->stream_->avg_frame_rate = enc->framerate;
  if (int err = avcodec_parameters_from_context(w->stream_->codecpar, enc); err < 0) {
    return AvStatus(err, "stream parameters");
  }
  if (int err = avio_open(&w->output_->pb, path.c_str(), AVIO_FLAG_WRITE); err < 0) {
    return AvStatus(err, absl::StrCat("opening ", path));
  }
  AVDictionary* raw_mux = nullptr;
  av_dict_set(&raw_mux, "movflags", "+faststart", 0);
  std::unique_ptr<AVDictionary, DictFree> mux_opts(raw_mux);
  {
    AVDictionary* d = mux_opts.release();
    const int err = avformat_write_header(w->output_.get(), &d);
    mux_opts.reset(d);
    if (err < 0) return AvStatus(err, absl::StrCat("writing the header of ", path));
  }
  return w;
}

absl::Status H264Mp4Writer::Write(AVFrame* frame) {
  frame->pts = next_pts_++;
  if (int err = avcodec_send_frame(encoder_.get(), frame); err < 0) return AvStatus(err, "encoding a frame");
  return Drain();
}

absl::Status H264Mp4Writer::Drain() {
  while (true) {
    const int got = avcodec_receive_packet(encoder_.get(), packet_.get());
    if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return absl::OkStatus();
    if (got < 0) return AvStatus(got, "encoding");
    av_packet_rescale_ts(packet_.get(), encoder_->time_base, stream_->time_base);
    packet_->stream_index = stream_->index;
    // Takes the packet's reference (and unrefs it) whatever it returns.
    if (int err = av_interleaved_write_frame(output_.get(), packet_.get()); err < 0) {
      return AvStatus(err, absl::StrCat("writing ", path_));
    }
  }
}

absl::StatusOr<int64_t> H264Mp4Writer::Finish() {
  if (int err = avcodec_send_frame(encoder_.get(), nullptr); err < 0) return AvStatus(err, "flushing libx264");
  CF_RETURN_IF_ERROR(Drain());
  if (int err = av_write_trailer(output_.get()); err < 0) return AvStatus(err, absl::StrCat("finishing ", path_));
  if (int err = avio_closep(&output_->pb); err < 0) return AvStatus(err, absl::StrCat("closing ", path_));
  std::error_code ec;
  const auto size = std::filesystem::file_size(path_, ec);
  if (ec) return absl::InternalError(absl::StrCat("media: cannot stat ", path_, ": ", ec.message()));
  return static_cast<int64_t>(size);
}

}  // namespace clipforge::media
