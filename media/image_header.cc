#include "media/image_header.h"

#include <cstring>

namespace clipforge::media {
namespace {

uint32_t Be16(const uint8_t* p) { return uint32_t{p[0]} << 8 | p[1]; }
uint32_t Be32(const uint8_t* p) { return Be16(p) << 16 | Be16(p + 2); }
uint32_t Le16(const uint8_t* p) { return uint32_t{p[1]} << 8 | p[0]; }
uint32_t Le24(const uint8_t* p) { return uint32_t{p[2]} << 16 | Le16(p); }
uint32_t Le32(const uint8_t* p) { return uint32_t{p[3]} << 24 | Le24(p); }

std::optional<ImageSize> Make(uint32_t width, uint32_t height) {
  // Sizes past INT_MAX are as good as infinite for the limits we check.
  constexpr uint32_t kMax = 0x7FFFFFFF;
  return ImageSize{static_cast<int>(width > kMax ? kMax : width), static_cast<int>(height > kMax ? kMax : height)};
}

std::optional<ImageSize> Png(const uint8_t* d, size_t n) {
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
  if (n < 24 || std::memcmp(d + 12, "IHDR", 4) != 0) return std::nullopt;
  return Make(Be32(d + 16), Be32(d + 20));
}

std::optional<ImageSize> Webp(const uint8_t* d, size_t n) {
  // "RIFF" size "WEBP", then the first chunk's type at 12 and data at 20.
  if (n < 30) return std::nullopt;
  if (std::memcmp(d + 12, "VP8 ", 4) == 0) {
    // Lossy: a 3-byte frame tag, the start code 9d 01 2a, 14-bit sizes.
    if (d[23] != 0x9d || d[24] != 0x01 || d[25] != 0x2a) return std::nullopt;
    return Make(Le16(d + 26) & 0x3FFF, Le16(d + 28) & 0x3FFF);
  }
  if (std::memcmp(d + 12, "VP8L", 4) == 0) {
    // Lossless: signature 0x2f, then 14 bits of width - 1, 14 of height - 1.
    if (d[20] != 0x2f) return std::nullopt;
    const uint32_t bits = Le32(d + 21);
    return Make((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (std::memcmp(d + 12, "VP8X", 4) == 0) {
    // Extended: flags and reserved (4), canvas width - 1 and height - 1 (24 bits each).
    return Make(Le24(d + 24) + 1, Le24(d + 27) + 1);
  }
  return std::nullopt;
}

bool IsStartOfFrame(uint8_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

std::optional<ImageSize> Jpeg(const uint8_t* d, size_t n) {
  size_t at = 2;  // after SOI
  while (at + 4 <= n) {
    if (d[at] != 0xFF) return std::nullopt;
    while (at < n && d[at] == 0xFF) ++at;  // fill bytes
    if (at >= n) return std::nullopt;
    const uint8_t marker = d[at++];
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // image data before any frame header
    if (at + 2 > n) return std::nullopt;
    const size_t length = Be16(d + at);
    if (length < 2) return std::nullopt;
    if (IsStartOfFrame(marker)) {
      // Length (2), precision (1), height (2), width (2).
      if (at + 7 > n) return std::nullopt;
      return Make(Be16(d + at + 5), Be16(d + at + 3));
    }
    at += length;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ImageSize> ImageSizeFromHeader(const uint8_t* data, size_t size) {
  if (data == nullptr) return std::nullopt;
  static constexpr uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (size >= 8 && std::memcmp(data, kPng, 8) == 0) return Png(data, size);
  if (size >= 12 && std::memcmp(data, "RIFF", 4) == 0 && std::memcmp(data + 8, "WEBP", 4) == 0) {
    return Webp(data, size);
  }
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return Jpeg(data, size);
  return std::nullopt;
}

}  // namespace clipforge::media
