// Decoding stills and videos into RGB frames with FFmpeg (libavformat,
// libavcodec, libswscale): the input of the perceptual hashes.
//
// A file is opened with libavformat, which recognises JPEG and PNG stills
// (image2 / *_pipe demuxers: one frame at time 0) as well as video
// containers. Its best video stream is decoded and the chosen frames are
// converted to packed RGB24 at their own size.
//
// Sampling: every frame, or one frame every `interval_seconds` of
// presentation time plus the first and the last frame (so a clip shorter
// than the interval still yields its two ends).
//
// Bounds: frames larger than 8K (either side over max_side, or more than
// max_pixels) are refused before any RGB buffer is allocated; at most
// max_frames are delivered; ReadFrames holds one decoded frame, the RGB
// buffer it hands out and, for the last-frame rule, one more decoded frame.
//
// Errors: a missing file is NOT_FOUND; a file FFmpeg cannot read as media,
// one with no video stream, or one of which no frame decodes is
// INVALID_ARGUMENT; a frame over the bounds is INVALID_ARGUMENT; more frames
// than max_frames is RESOURCE_EXHAUSTED.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clipforge::media {

struct Frame {
  double time_seconds = 0;  // presentation time from the stream's start
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // height rows of width * 3 bytes, no padding
};

struct FrameReaderOptions {
  // true: every decoded frame; false: every interval_seconds plus first and last.
  bool every_frame = false;
  double interval_seconds = 1.0;
  int max_side = 8192;
  int64_t max_pixels = int64_t{7680} * 4320;
  int max_frames = 100000;
  // Decoder threads; 1 keeps a decode on the caller's compute slot.
  int threads = 1;
  // When sampling (not every_frame): frames no other frame refers to (most
  // B-frames) are not decoded at all, so a sample is the first reference
  // frame at or past its due time, up to a few frames later. The pictures
  // decoded are exact; about a third less decoding for x264's output. A
  // stream built so that few frames are references decodes sparsely:
  // MediaInfo.max_decoded_gap_seconds says so, and a caller that must see
  // every interval reads it again without this (PdqOfFrames does).
  bool reference_frames_only = false;
};

struct MediaInfo {
  bool still_image = false;  // a JPEG, PNG, ... rather than a video
  std::string format;        // libavformat's name for the container
  std::string codec;         // the video stream's codec
  int64_t frames_decoded = 0;
  // The longest time between two consecutive decoded frames.
  double max_decoded_gap_seconds = 0;
};

// Calls `sink` with each sampled frame in presentation order; a sink error
// stops the read and is returned. The Frame is reused between calls: copy
// what must outlive the call.
absl::StatusOr<MediaInfo> ReadFrames(const std::string& path, const FrameReaderOptions& options,
                                     absl::FunctionRef<absl::Status(const Frame&)> sink);

// ReadFrames into a vector (so bounded by max_frames RGB frames in memory).
absl::StatusOr<std::vector<Frame>> ReadAllFrames(const std::string& path, const FrameReaderOptions& options);

}  // namespace clipforge::media
