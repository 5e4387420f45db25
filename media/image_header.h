// The pixel size a PNG, WebP or JPEG declares in its header, read from the
// bytes without decoding, so that an upload's size limit is enforced before
// a decoder allocates the picture (a few hundred bytes of PNG can declare
// 50000 x 50000 pixels).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace clipforge::media {

struct ImageSize {
  int width = 0, height = 0;
};

// nullopt when the bytes are none of the three or the header is cut short.
// PNG: the IHDR chunk; WebP: the VP8, VP8L or VP8X chunk; JPEG: the first
// start-of-frame marker (SOF0..SOF15, not DHT, JPG or DAC).
std::optional<ImageSize> ImageSizeFromHeader(const uint8_t* data, size_t size);

}  // namespace clipforge::media
