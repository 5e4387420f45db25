// A soundtrack's audio as an endless stream of 48 kHz stereo float-planar
// samples: decoded from any format libavformat recognises by content
// (media/content_input.h), resampled with libswresample, and started over
// from the beginning whenever the file ends, so that a soundtrack shorter
// than the clip loops. Streaming: it holds one decoded frame and the
// samples not yet read, whatever the file's length.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "media/av_handles.h"
#include "media/content_input.h"

struct AVAudioFifo;
struct SwrContext;

namespace clipforge::media {

inline constexpr int kSoundtrackSampleRate = 48000;

class AudioLoop {
 public:
  // INVALID_ARGUMENT ("not a decodable audio file: ...") when `path` has no
  // audio stream or its decoder cannot be opened; NOT_FOUND /
  // PERMISSION_DENIED when it cannot be read.
  static absl::StatusOr<std::unique_ptr<AudioLoop>> Open(const std::string& path);

  AudioLoop(const AudioLoop&) = delete;
  AudioLoop& operator=(const AudioLoop&) = delete;
  ~AudioLoop();

  // Fills `frame` (fltp, stereo, 48 kHz, `frame->nb_samples` set and its
  // buffers allocated and writable) with the next samples. INVALID_ARGUMENT
  // when a whole pass over the file gives no sample (nothing decodes).
  absl::Status Read(AVFrame& frame);

  // How many times the file ended and started over so far.
  int restarts() const { return restarts_; }

 private:
  AudioLoop() = default;
  absl::Status Refill();              // decodes until the FIFO grows or the file ends
  absl::Status Resample(const AVFrame* decoded);  // nullptr: drain the resampler
  absl::Status ConfigureResampler(const AVFrame& decoded);
  absl::Status StartOver();

  std::string path_;
  std::unique_ptr<ContentInput> input_;
  int stream_ = -1;
  CodecPtr decoder_;
  PacketPtr packet_;
  FramePtr decoded_;
  FramePtr converted_;
  SwrContext* swr_ = nullptr;
  AVChannelLayout swr_in_layout_{};
  int swr_in_format_ = -1, swr_in_rate_ = 0;
  AVAudioFifo* fifo_ = nullptr;
  bool draining_ = false;           // the decoder has been sent the end of the file
  int64_t samples_this_pass_ = 0;   // resampled since the last start
  int restarts_ = 0;
};

}  // namespace clipforge::media
