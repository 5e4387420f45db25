// PDQ, Meta's 256-bit perceptual image hash (ThreatExchange, "The PDQ and
// TMK+PDQF hashing algorithms", hashing.pdf), implemented from its
// description:
//
//   1. Luma: Y = 0.299 R + 0.587 G + 0.114 B (grey input is taken as Y).
//   2. Blur: a tent filter made of two X,Y passes of 1-D box filters
//      (Jarosz, "Fast image convolutions"), each box ceil(n / 128) wide
//      along a dimension of n pixels, so the two passes together span
//      1/64th of the image: one downsampled pixel.
//   3. Decimate to 64x64, sampling each output cell at its centre.
//   4. Quality: the sum of quantized vertical and horizontal gradients of
//      the 64x64 image, / 90, clamped to 0..100. Below ~50 the image is
//      too flat for its hash to mean much.
//   5. 2-D DCT of the 64x64 image, keeping frequencies 1..16 in each
//      direction (DC dropped): B = D A D^T with D the 16x64 DCT-II matrix.
//   6. Bit (i, j) of the hash is 1 when B[i][j] is above the median of the
//      256 coefficients.
//
// Text form: 64 hex digits, the hash read as one big-endian 256-bit number
// in which bit i*16+j (row i, column j of the 16x16 coefficients) has
// weight 2^(i*16+j). This is the reference implementation's text form, so
// hashes from other PDQ implementations compare directly.
//
// Dihedral variants: a flip of the image along one axis multiplies each
// DCT coefficient by (-1)^frequency along that axis, and a transpose of the
// image transposes the coefficients. So the hashes of the 8 rotations and
// flips of an image all come from one DCT (HashDihedral), which lets a
// matcher catch a flipped or rotated copy.
//
// Pure computation over a caller-owned pixel buffer; no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::moderation {

// A 256-bit PDQ hash. Bit k (0..255) is bit k % 64 of words[k / 64].
struct PdqHash {
  std::array<uint64_t, 4> words{};

  bool Bit(int k) const { return (words[k >> 6] >> (k & 63)) & 1; }
  void SetBit(int k) { words[k >> 6] |= uint64_t{1} << (k & 63); }

  // 64 lowercase hex digits (see the file comment for the bit order).
  std::string ToHex() const;
  // Parses 64 hex digits (either case); INVALID_ARGUMENT otherwise.
  static absl::StatusOr<PdqHash> FromHex(absl::string_view hex);

  friend bool operator==(const PdqHash&, const PdqHash&) = default;
};

// Number of differing bits, 0..256.
inline int HammingDistance(const PdqHash& a, const PdqHash& b) {
  return __builtin_popcountll(a.words[0] ^ b.words[0]) + __builtin_popcountll(a.words[1] ^ b.words[1]) +
         __builtin_popcountll(a.words[2] ^ b.words[2]) + __builtin_popcountll(a.words[3] ^ b.words[3]);
}

enum class PixelFormat {
  kGray8,  // one byte per pixel
  kRgb24,  // R, G, B bytes per pixel
};

// A view of caller-owned pixels: `height` rows of `width` pixels, row r at
// data + r * stride.
struct ImageView {
  const uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;  // bytes between rows, >= width * bytes per pixel
  PixelFormat format = PixelFormat::kRgb24;
};

// The 8 rotations and flips, named as in the reference implementation.
// Rotate90 is a quarter turn counter-clockwise; FlipX mirrors top to bottom
// (about the horizontal axis), FlipY left to right; FlipPlus1 transposes
// (mirror about the main diagonal), FlipMinus1 mirrors about the other one.
enum class Dihedral {
  kOriginal = 0,
  kRotate90,
  kRotate180,
  kRotate270,
  kFlipX,
  kFlipY,
  kFlipPlus1,
  kFlipMinus1,
};
inline constexpr int kDihedralCount = 8;
const char* DihedralName(Dihedral d);

struct PdqResult {
  PdqHash hash;
  int quality = 0;  // 0..100
};

struct PdqDihedralResult {
  std::array<PdqHash, kDihedralCount> hashes;  // indexed by Dihedral
  int quality = 0;
  const PdqHash& operator[](Dihedral d) const { return hashes[static_cast<int>(d)]; }
};

// Images smaller than this on either side have no meaningful hash.
inline constexpr int kPdqMinDimension = 5;
// The largest image hashed: 8K UHD in pixels (either orientation), bounded
// so one call's buffer stays under 4 bytes x 33 Mpx = 133 MB.
inline constexpr int kPdqMaxDimension = 8192;
inline constexpr int64_t kPdqMaxPixels = int64_t{7680} * 4320;

// Hashes images. Keeps its working buffer between calls (reuse one per
// thread to avoid reallocating for each video frame); not thread-safe.
class PdqHasher {
 public:
  // INVALID_ARGUMENT for a null buffer, a stride too small, or dimensions
  // outside [kPdqMinDimension, kPdqMaxDimension] or over kPdqMaxPixels.
  absl::StatusOr<PdqResult> Hash(const ImageView& image);
  absl::StatusOr<PdqDihedralResult> HashDihedral(const ImageView& image);

 private:
  // The 16x16 DCT coefficients (row-major, row = vertical frequency).
  using Coefficients = std::array<float, 256>;
  absl::Status Transform(const ImageView& image, Coefficients& coefficients, int& quality);

  std::vector<float> luma_;
  std::vector<double> prefix_;
  std::vector<float> columns_;
};

// One-shot conveniences over a temporary PdqHasher.
absl::StatusOr<PdqResult> ComputePdq(const ImageView& image);
absl::StatusOr<PdqDihedralResult> ComputePdqDihedral(const ImageView& image);

}  // namespace clipforge::moderation
