// Real audio and image files for the media tests, made in the test with
// libavcodec (no checked-in binaries): sine tones in several containers,
// and pictures (PNG with transparency, WebP, JPEG) of a given size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace clipforge::test_media {

// A 16-bit PCM WAV of a `hz` sine, its header written by hand.
absl::Status WriteSineWav(const std::string& path, double seconds, int sample_rate = 44100, int channels = 2,
                          double hz = 440);

// A `hz` sine encoded with `encoder` (libavcodec's name: "libmp3lame",
// "aac", "libvorbis") in `container` (libavformat's muxer: "mp3", "adts",
// "ipod", "ogg").
absl::Status WriteSineAudio(const std::string& path, const std::string& container, const std::string& encoder,
                            double seconds, int sample_rate = 44100, double hz = 440);

// width * height RGBA pixels, row by row.
using Rgba = std::vector<uint8_t>;
Rgba SolidRgba(int width, int height, uint8_t r, uint8_t g, uint8_t b, uint8_t a);

absl::Status WriteRgbaPng(const std::string& path, int width, int height, const Rgba& rgba);
absl::Status WriteRgbaWebp(const std::string& path, int width, int height, const Rgba& rgba);
absl::Status WriteJpeg(const std::string& path, int width, int height, const Rgba& rgba);

// `bytes` written to `path` as they are.
absl::Status WriteBytes(const std::string& path, const std::string& bytes);

// The bytes of the file at `path` ("" when it cannot be read).
std::string ReadBytes(const std::string& path);

}  // namespace clipforge::test_media
