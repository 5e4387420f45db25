#include "media/audio_loop.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"

extern "C" {
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
}

namespace clipforge::media {
namespace {

constexpr int64_t kMaxSoundtrackBytes = int64_t{64} << 20;

std::string AvText(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

absl::Status NotAudio(const std::string& path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("media: not a decodable audio file: ", path, ": ", why));
}

}  // namespace

AudioLoop::~AudioLoop() {
  swr_free(&swr_);
  av_channel_layout_uninit(&swr_in_layout_);
  if (fifo_ != nullptr) av_audio_fifo_free(fifo_);
}

absl::StatusOr<std::unique_ptr<AudioLoop>> AudioLoop::Open(const std::string& path) {
  std::unique_ptr<AudioLoop> loop(new AudioLoop());
  loop->path_ = path;
  // Any container libavformat recognises by content; one without audio is
  // refused below.
  auto input = ContentInput::Open(path, ContentInputOptions{.max_bytes = kMaxSoundtrackBytes},
                                  [](const AVInputFormat&) { return absl::OkStatus(); });
  if (!input.ok()) {
    if (input.status().code() != absl::StatusCode::kInvalidArgument) return input.status();
    return NotAudio(path, input.status().message());
  }
  loop->input_ = *std::move(input);
  AVFormatContext* ctx = loop->input_->context();
  loop->stream_ = av_find_best_stream(ctx, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (loop->stream_ < 0) return NotAudio(path, "no audio stream");
  auto decoder = OpenDecoder(*ctx->streams[loop->stream_], 0, /*strict=*/false);
  if (!decoder.ok()) return NotAudio(path, decoder.status().message());
  loop->decoder_ = *std::move(decoder);
  loop->packet_.reset(av_packet_alloc());
  loop->decoded_.reset(av_frame_alloc());
  loop->converted_.reset(av_frame_alloc());
  loop->fifo_ = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 2, 4096);
  if (!loop->packet_ || !loop->decoded_ || !loop->converted_ || loop->fifo_ == nullptr) {
    return absl::ResourceExhaustedError("media: out of memory for the soundtrack");
  }
  return loop;
}

absl::Status AudioLoop::Read(AVFrame& frame) {
  while (av_audio_fifo_size(fifo_) < frame.nb_samples) CF_RETURN_IF_ERROR(Refill());
  if (av_audio_fifo_read(fifo_, reinterpret_cast<void**>(frame.data), frame.nb_samples) != frame.nb_samples) {
    return absl::InternalError("media: soundtrack buffer underrun");
  }
  return absl::OkStatus();
}

absl::Status AudioLoop::Refill() {
  while (true) {
    const int got = avcodec_receive_frame(decoder_.get(), decoded_.get());
    if (got >= 0) {
      absl::Status status = Resample(decoded_.get());
      av_frame_unref(decoded_.get());
      return status;
    }
    if (got == AVERROR_EOF) {
      CF_RETURN_IF_ERROR(Resample(nullptr));
      if (samples_this_pass_ == 0) return NotAudio(path_, "no audio decodes");
      return StartOver();
    }
    // A damaged frame is skipped; a file of nothing but damage ends with
    // no samples in the pass, above.
    if (got != AVERROR(EAGAIN) && got != AVERROR_INVALIDDATA) return NotAudio(path_, AvText(got));
    if (draining_) continue;

    const int read = av_read_frame(input_->context(), packet_.get());
    if (read == AVERROR_EOF) {
      draining_ = true;
      if (int err = avcodec_send_packet(decoder_.get(), nullptr); err < 0 && err != AVERROR_EOF) {
        return NotAudio(path_, AvText(err));
      }
      continue;
    }
    if (read < 0) return NotAudio(path_, AvText(read));
    if (packet_->stream_index == stream_) {
      const int sent = avcodec_send_packet(decoder_.get(), packet_.get());
      if (sent < 0 && sent != AVERROR_INVALIDDATA && sent != AVERROR(EAGAIN)) {
        av_packet_unref(packet_.get());
        return NotAudio(path_, AvText(sent));
      }
    }
    av_packet_unref(packet_.get());
  }
}

absl::Status AudioLoop::ConfigureResampler(const AVFrame& decoded) {
  AVChannelLayout in_layout{};
  if (decoded.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || decoded.ch_layout.nb_channels == 0) {
    av_channel_layout_default(&in_layout, decoded.ch_layout.nb_channels > 0 ? decoded.ch_layout.nb_channels : 1);
  } else if (int err = av_channel_layout_copy(&in_layout, &decoded.ch_layout); err < 0) {
    return AvStatus(err, "soundtrack channel layout");
  }
  if (swr_ != nullptr && swr_in_format_ == decoded.format && swr_in_rate_ == decoded.sample_rate &&
      av_channel_layout_compare(&swr_in_layout_, &in_layout) == 0) {
    av_channel_layout_uninit(&in_layout);
    return absl::OkStatus();
  }
  av_channel_layout_uninit(&swr_in_layout_);
  swr_in_layout_ = in_layout;  // takes it over
  swr_in_format_ = decoded.format;
  swr_in_rate_ = decoded.sample_rate;
  swr_free(&swr_);
  AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;  // swr_alloc_set_opts2 takes it non-const in FFmpeg 5.1
  if (int err = swr_alloc_set_opts2(&swr_, &stereo, AV_SAMPLE_FMT_FLTP, kSoundtrackSampleRate, &swr_in_layout_,
                                    static_cast<AVSampleFormat>(decoded.format), decoded.sample_rate, 0, nullptr);
      err < 0) {
    return NotAudio(path_, absl::StrCat("cannot resample: ", AvText(err)));
  }
  if (int err = swr_init(swr_); err < 0) return NotAudio(path_, absl::StrCat("cannot resample: ", AvText(err)));
  return absl::OkStatus();
}

absl::Status AudioLoop::Resample(const AVFrame* decoded) {
  if (decoded != nullptr) {
    if (decoded->sample_rate <= 0 || decoded->nb_samples <= 0) return absl::OkStatus();
    CF_RETURN_IF_ERROR(ConfigureResampler(*decoded));
  } else if (swr_ == nullptr) {
    return absl::OkStatus();  // nothing decoded yet: nothing to drain
  }
  const int capacity = swr_get_out_samples(swr_, decoded != nullptr ? decoded->nb_samples : 0);
  if (capacity <= 0) return absl::OkStatus();
  if (converted_->nb_samples < capacity) {
    av_frame_unref(converted_.get());
    converted_->format = AV_SAMPLE_FMT_FLTP;
    converted_->sample_rate = kSoundtrackSampleRate;
    const AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    if (int err = av_channel_layout_copy(&converted_->ch_layout, &stereo); err < 0) return AvStatus(err, "layout");
    converted_->nb_samples = capacity;
    if (int err = av_frame_get_buffer(converted_.get(), 0); err < 0) return AvStatus(err, "soundtrack buffer");
  }
  const int n = swr_convert(swr_, converted_->data, capacity,
                            decoded != nullptr ? const_cast<const uint8_t**>(decoded->extended_data) : nullptr,
                            decoded != nullptr ? decoded->nb_samples : 0);
  if (n < 0) return NotAudio(path_, absl::StrCat("resampling: ", AvText(n)));
  if (n > 0 && av_audio_fifo_write(fifo_, reinterpret_cast<void**>(converted_->data), n) < n) {
    return absl::ResourceExhaustedError("media: out of memory for soundtrack samples");
  }
  samples_this_pass_ += n;
  return absl::OkStatus();
}

absl::Status AudioLoop::StartOver() {
  if (absl::Status rewound = input_->Rewind(); !rewound.ok()) {
    // A demuxer that cannot seek: open the file again.
    CF_ASSIGN_OR_RETURN(input_, ContentInput::Open(path_, ContentInputOptions{.max_bytes = kMaxSoundtrackBytes},
                                                   [](const AVInputFormat&) { return absl::OkStatus(); }));
  }
  avcodec_flush_buffers(decoder_.get());
  // The resampler was drained at the end of the pass; swr_init resets it.
  if (swr_ != nullptr) {
    if (int err = swr_init(swr_); err < 0) return AvStatus(err, "resetting the resampler");
  }
  draining_ = false;
  samples_this_pass_ = 0;
  ++restarts_;
  return absl::OkStatus();
}

}  // namespace clipforge::media
