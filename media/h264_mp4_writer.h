// libx264 (through libavcodec) into an MP4 file with faststart: the video
// half of the encoding pipeline (clip_encoder.h), one frame at a time.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "media/av_handles.h"

namespace clipforge::media {

struct H264Options {
  int width = 0, height = 0, fps = 30;
  int crf = 23;
  std::string preset = "veryfast";
  int keyframe_interval_frames = 60;  // the longest GOP
};

class H264Mp4Writer {
 public:
  // Opens libx264 (High profile, yuv420p BT.709 limited range) and the MP4
  // muxer on `path` (written as MP4 whatever its extension). Checks that
  // libx264 really chose High profile (its SPS), since a preset without
  // 8x8 transforms would quietly give Main.
  static absl::StatusOr<std::unique_ptr<H264Mp4Writer>> Open(const std::string& path, const H264Options& options);

  // Encodes `frame` (yuv420p, the opened size) as the next frame and writes
  // the packets libx264 returns. libx264 copies the picture: the caller may
  // reuse `frame` as soon as this returns.
  absl::Status Write(AVFrame* frame);

  // Drains libx264, writes the trailer (moving the index before the media
  // data) and closes the file; returns the file's size in bytes.
  absl::StatusOr<int64_t> Finish();

 private:
  H264Mp4Writer() = default;
  absl::Status Drain();

  std::string path_;
  OutputPtr output_;
  CodecPtr encoder_;
  PacketPtr packet_;
  AVStream* stream_ = nullptr;
  int64_t next_pts_ = 0;
};

}  // namespace clipforge::media
