// A small full-range YUV 4:2:0 picture that RGB frames are scaled into and
// that is then written as one JPEG: the thumbnail (one frame) and the
// spritesheet (a grid of tiles) of the encoding pipeline.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "media/av_handles.h"

namespace clipforge::media {

class JpegCanvas {
 public:
  // A black canvas; width and height even.
  static absl::StatusOr<std::unique_ptr<JpegCanvas>> Create(int width, int height);

  // Scales the RGB24 image (src_width x src_height, rows src_stride bytes
  // apart) into the rectangle at (x, y) of size w x h; all four even and
  // inside the canvas.
  absl::Status Draw(const uint8_t* rgb, int src_width, int src_height, int src_stride, int x, int y, int w, int h);

  // Encodes the canvas with libavcodec's MJPEG encoder at `qscale` (2 best
  // .. 31 worst) and writes it to `path`.
  absl::Status WriteJpeg(const std::string& path, int qscale) const;

  int width() const { return canvas_->width; }
  int height() const { return canvas_->height; }

 private:
  JpegCanvas() = default;

  FramePtr canvas_;  // yuvj420p
  FramePtr tile_;    // the last drawn size, reused between draws
  SwsPtr sws_;      // cached for the last (source, tile) sizes
};

}  // namespace clipforge::media
