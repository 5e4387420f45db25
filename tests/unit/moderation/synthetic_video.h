// Test media made with libavcodec: a short MPEG-4 video whose frames the
// test draws, and a PNG still.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace clipforge::test_media {

// Fills `rgb` (width * height * 3 bytes) with frame `index`.
using DrawFrame = std::function<void(int index, std::vector<uint8_t>& rgb)>;

// `frames` frames at `fps`, MPEG-4 part 2 in the container the extension
// of `path` names (.mkv, .mp4, .avi), with up to `b_frames` B-frames (which
// no frame refers to) between reference frames.
absl::Status WriteVideo(const std::string& path, int width, int height, int fps, int frames, const DrawFrame& draw,
                        int b_frames = 0);

absl::Status WritePng(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb);

}  // namespace clipforge::test_media
