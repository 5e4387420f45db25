// What the worker tests check in its outputs: the video as libavformat
// reads it (no decoding), whole files, JPEG magic.
#pragma once

#include <string>

namespace clipforge::worker::testing {

struct VideoProbe {
  bool opened = false;
  std::string codec;
  int width = 0;
  int height = 0;
  int packets = 0;
  double duration_seconds = 0;
};

VideoProbe ProbeVideo(const std::string& path);
std::string ReadBytes(const std::string& path);
bool IsJpeg(const std::string& bytes);

}  // namespace clipforge::worker::testing
