#include "media/soundtrack.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "media/audio_loop.h"
#include "media/av_handles.h"
#include "media/content_input.h"
#include "media/staged_files.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
}

namespace clipforge::media {
namespace {

constexpr int64_t kAacBitRate = 128'000;
constexpr int64_t kMaxVideoBytes = int64_t{4} << 30;

struct DictFree {
  void operator()(AVDictionary* d) const { av_dict_free(&d); }
};

// The video's length from its stream (the track's own duration), else the
// container's.
absl::StatusOr<double> VideoSeconds(const AVFormatContext& ctx, const AVStream& video) {
  if (video.duration > 0 && video.duration != AV_NOPTS_VALUE) return video.duration * av_q2d(video.time_base);
  if (ctx.duration > 0 && ctx.duration != AV_NOPTS_VALUE) return static_cast<double>(ctx.duration) / AV_TIME_BASE;
  return absl::InvalidArgumentError("media: the video's length is unknown");
}

// The native AAC-LC encoder at 48 kHz stereo.
absl::StatusOr<CodecPtr> OpenAacEncoder(bool global_header) {
  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  if (codec == nullptr) return absl::FailedPreconditionError("media: this libavcodec has no aac encoder");
  CodecPtr enc(avcodec_alloc_context3(codec));
  if (!enc) return absl::ResourceExhaustedError("media: out of memory for the AAC encoder");
  enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
  enc->sample_rate = kSoundtrackSampleRate;
  const AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
  if (int err = av_channel_layout_copy(&enc->ch_layout, &stereo); err < 0) return AvStatus(err, "AAC layout");
  enc->bit_rate = kAacBitRate;
  enc->time_base = AVRational{1, kSoundtrackSampleRate};
  enc->profile = FF_PROFILE_AAC_LOW;
  if (global_header) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (int err = avcodec_open2(enc.get(), codec, nullptr); err < 0) return AvStatus(err, "opening the AAC encoder");
  return enc;
}

// One remux: the copied video, the encoded soundtrack, the muxer.
class Remux {
 public:
  Remux(ContentInput& video_in, int video_index, AudioLoop& audio, int64_t total_samples)
      : in_(video_in), video_index_(video_index), audio_(audio), total_samples_(total_samples) {}

  absl::Status Open(const std::string& path) {
    path_ = path;
    AVFormatContext* raw = nullptr;
    if (int err = avformat_alloc_output_context2(&raw, nullptr, "mp4", path.c_str()); err < 0) {
      return AvStatus(err, "mp4 muxer");
    }
    out_.reset(raw);

    const AVStream* in_video = in_.context()->streams[video_index_];
    video_ = avformat_new_stream(out_.get(), nullptr);
    if (video_ == nullptr) return absl::ResourceExhaustedError("media: out of memory for a stream");
    if (int err = avcodec_parameters_copy(video_->codecpar, in_video->codecpar); err < 0) {
      return AvStatus(err, "video parameters");
    }
    video_->codecpar->codec_tag = 0;  // let the muxer choose (avc1)
    video_->time_base = in_video->time_base;
    video_->avg_frame_rate = in_video->avg_frame_rate;
    video_->r_frame_rate = in_video->r_frame_rate;

    CF_ASSIGN_OR_RETURN(encoder_, OpenAacEncoder((out_->oformat->flags & AVFMT_GLOBALHEADER) != 0));
    audio_stream_ = avformat_new_stream(out_.get(), nullptr);
    if (audio_stream_ == nullptr) return absl::ResourceExhaustedError("media: out of memory for a stream");
    audio_stream_->time_base = encoder_->time_base;
    if (int err = avcodec_parameters_from_context(audio_stream_->codecpar, encoder_.get()); err < 0) {
      return AvStatus(err, "audio parameters");
    }

    if (int err = avio_open(&out_->pb, path.c_str(), AVIO_FLAG_WRITE); err < 0) {
      return AvStatus(err, absl::StrCat("opening ", path));
    }
    AVDictionary* raw_opts = nullptr;
    av_dict_set(&raw_opts, "movflags", "+faststart", 0);
    std::unique_ptr<AVDictionary, DictFree> opts(raw_opts);
    AVDictionary* d = opts.release();
    const int err = avformat_write_header(out_.get(), &d);
    opts.reset(d);
    if (err < 0) return AvStatus(err, absl::StrCat("writing the header of ", path));

    packet_.reset(av_packet_alloc());
    samples_.reset(av_frame_alloc());
    if (!packet_ || !samples_) return absl::ResourceExhaustedError("media: out of memory for the remux");
    return absl::OkStatus();
  }

  // Copies the video and encodes the audio, interleaved by time so that
  // the muxer buffers little: whichever stream is behind goes next.
  absl::Status Run() {
    const AVStream* in_video = in_.context()->streams[video_index_];
    PacketPtr video_packet(av_packet_alloc());
    if (!video_packet) return absl::ResourceExhaustedError("media: out of memory for a packet");
    bool have_video = false;
    CF_RETURN_IF_ERROR(NextVideo(*video_packet, have_video));
    while (have_video || !audio_done_) {
      const double video_time = have_video ? TimeOf(*video_packet, in_video->time_base)
                                           : std::numeric_limits<double>::infinity();
      const double audio_time = static_cast<double>(samples_sent_) / kSoundtrackSampleRate;
      if (!audio_done_ && audio_time <= video_time) {
        CF_RETURN_IF_ERROR(EncodeNextAudio());
        continue;
      }
      av_packet_rescale_ts(video_packet.get(), in_video->time_base, video_->time_base);
      video_packet->stream_index = video_->index;
      video_packet->pos = -1;
      if (int err = av_interleaved_write_frame(out_.get(), video_packet.get()); err < 0) {
        return AvStatus(err, absl::StrCat("writing ", path_));
      }
      CF_RETURN_IF_ERROR(NextVideo(*video_packet, have_video));
    }
    if (int err = av_write_trailer(out_.get()); err < 0) return AvStatus(err, absl::StrCat("finishing ", path_));
    if (int err = avio_closep(&out_->pb); err < 0) return AvStatus(err, absl::StrCat("closing ", path_));
    return absl::OkStatus();
  }

 private:
  static double TimeOf(const AVPacket& p, AVRational tb) {
    const int64_t ts = p.dts != AV_NOPTS_VALUE ? p.dts : p.pts;
    return ts == AV_NOPTS_VALUE ? 0 : ts * av_q2d(tb);
  }

  absl::Status NextVideo(AVPacket& packet, bool& have) {
    while (true) {
      const int err = av_read_frame(in_.context(), &packet);
      if (err == AVERROR_EOF) {
        have = false;
        return absl::OkStatus();
      }
      if (err < 0) return AvStatus(err, "reading the video");
      if (packet.stream_index == video_index_) {
        have = true;
        return absl::OkStatus();
      }
      av_packet_unref(&packet);  // an earlier audio track, replaced
    }
  }

  // The next encoder frame of samples (1024, fewer at the very end), or
  // the encoder's flush once all samples are in.
  absl::Status EncodeNextAudio() {
    const int64_t left = total_samples_ - samples_sent_;
    if (left <= 0) {
      if (int err = avcodec_send_frame(encoder_.get(), nullptr); err < 0) return AvStatus(err, "flushing AAC");
      CF_RETURN_IF_ERROR(DrainAudio());
      audio_done_ = true;
      return absl::OkStatus();
    }
    const int n = static_cast<int>(std::min<int64_t>(left, encoder_->frame_size));
    av_frame_unref(samples_.get());
    samples_->format = AV_SAMPLE_FMT_FLTP;
    samples_->sample_rate = kSoundtrackSampleRate;
    const AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    if (int err = av_channel_layout_copy(&samples_->ch_layout, &stereo); err < 0) return AvStatus(err, "layout");
    samples_->nb_samples = n;
    if (int err = av_frame_get_buffer(samples_.get(), 0); err < 0) return AvStatus(err, "audio buffer");
    CF_RETURN_IF_ERROR(audio_.Read(*samples_));
    samples_->pts = samples_sent_;
    samples_sent_ += n;
    if (int err = avcodec_send_frame(encoder_.get(), samples_.get()); err < 0) return AvStatus(err, "encoding AAC");
    return DrainAudio();
  }

  absl::Status DrainAudio() {
    while (true) {
      const int got = avcodec_receive_packet(encoder_.get(), packet_.get());
      if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return absl::OkStatus();
      if (got < 0) return AvStatus(got, "encoding AAC");
      av_packet_rescale_ts(packet_.get(), encoder_->time_base, audio_stream_->time_base);
      packet_->stream_index = audio_stream_->index;
      if (int err = av_interleaved_write_frame(out_.get(), packet_.get()); err < 0) {
        return AvStatus(err, absl::StrCat("writing ", path_));
      }
    }
  }

  ContentInput& in_;
  int video_index_;
  AudioLoop& audio_;
  int64_t total_samples_;
  std::string path_;
  OutputPtr out_;
  AVStream* video_ = nullptr;
  AVStream* audio_stream_ = nullptr;
  CodecPtr encoder_;
  PacketPtr packet_;
  FramePtr samples_;
  int64_t samples_sent_ = 0;
  bool audio_done_ = false;
};

}  // namespace

absl::StatusOr<SoundtrackResult> AddSoundtrack(const std::string& video_path, const std::string& audio_path,
                                               const std::string& out_path) {
  if (video_path.empty() || audio_path.empty() || out_path.empty()) {
    return absl::InvalidArgumentError("media: the video, soundtrack and output paths are required");
  }
  // The soundtrack first: a bad upload is the likely error, and it costs
  // nothing to find out before touching the video.
  CF_ASSIGN_OR_RETURN(std::unique_ptr<AudioLoop> audio, AudioLoop::Open(audio_path));

  SoundtrackResult result;
  StagedFiles staged;
  CF_ASSIGN_OR_RETURN(const std::string temp, staged.Stage(out_path));
  {
    CF_ASSIGN_OR_RETURN(std::unique_ptr<ContentInput> video,
                        ContentInput::Open(video_path, ContentInputOptions{.max_bytes = kMaxVideoBytes},
                                           [&](const AVInputFormat& format) {
                                             if (absl::StrContains(format.name, "mp4")) return absl::OkStatus();
                                             return absl::InvalidArgumentError(absl::StrCat(
                                                 "media: ", video_path, " is not an MP4 (", format.name, ")"));
                                           }));
    const int video_index = av_find_best_stream(video->context(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (video_index < 0) return absl::InvalidArgumentError(absl::StrCat("media: ", video_path, " has no video"));
    CF_ASSIGN_OR_RETURN(const double seconds, VideoSeconds(*video->context(), *video->context()->streams[video_index]));
    const int64_t total_samples = std::llround(seconds * kSoundtrackSampleRate);
    if (total_samples <= 0) return absl::InvalidArgumentError(absl::StrCat("media: ", video_path, " is empty"));

    Remux remux(*video, video_index, *audio, total_samples);
    CF_RETURN_IF_ERROR(remux.Open(temp));
    CF_RETURN_IF_ERROR(remux.Run());
    result.duration = absl::Seconds(total_samples) / kSoundtrackSampleRate;
  }  // the video is closed before it may be replaced
  std::error_code ec;
  const auto size = std::filesystem::file_size(temp, ec);
  if (ec) return absl::InternalError(absl::StrCat("media: cannot stat ", temp, ": ", ec.message()));
  CF_RETURN_IF_ERROR(staged.Commit());
  result.restarts = audio->restarts();
  result.bytes = static_cast<int64_t>(size);
  return result;
}

}  // namespace clipforge::media
