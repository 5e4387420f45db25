// A short H.264 (libx264) MP4 with faststart, written by the clip encoder,
// for the Content Credentials tests.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace clipforge::test_media {

// `frames` frames of a moving gradient at 320x180, 24 fps; `seed` varies
// the picture.
absl::Status WriteH264Mp4(const std::string& path, int frames, int seed = 0);

}  // namespace clipforge::test_media
