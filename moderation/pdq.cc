#include "moderation/pdq.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clipforge::moderation {
namespace {

constexpr int kGrid = 64;    // the decimated image is kGrid x kGrid
constexpr int kFreqs = 16;   // DCT frequencies 1..kFreqs kept per direction
constexpr int kColumnBlock = 64;  // columns filtered together in the vertical pass

// D[u][x] = sqrt(2 / 64) cos(pi (u + 1) (2x + 1) / 128): the DCT-II basis
// for frequencies 1..16 over 64 samples.
const std::array<float, kFreqs * kGrid>& DctMatrix() {
  static const std::array<float, kFreqs * kGrid> matrix = [] {
    std::array<float, kFreqs * kGrid> m{};
    const double scale = std::sqrt(2.0 / kGrid);
    for (int u = 0; u < kFreqs; ++u) {
      for (int x = 0; x < kGrid; ++x) {
        m[u * kGrid + x] =
            static_cast<float>(scale * std::cos(std::numbers::pi / (2.0 * kGrid) * (u + 1) * (2 * x + 1)));
      }
    }
    return m;
  }();
  return matrix;
}

// One box of the tent filter: output k averages the inputs in
// [k - (w - 1) / 2, k + w / 2] that exist (the window shrinks at the
// edges; for even w the extra sample is on the right).
struct Box {
  int n;  // samples along the dimension
  int w;  // window size
  int Low(int k) const { return std::max(0, k - (w - 1) / 2); }
  int High(int k) const { return std::min(n - 1, k + w / 2); }
};

// The box width for blurring n samples down to kGrid: two passes of
// ceil(n / (2 * kGrid)) together cover one output cell.
int WindowSize(int n) { return (n + 2 * kGrid - 1) / (2 * kGrid); }

// Centre sampling: output cell i of kGrid takes input floor((i + 0.5) n / kGrid).
std::array<int, kGrid> DecimationIndices(int n) {
  std::array<int, kGrid> at{};
  for (int i = 0; i < kGrid; ++i) at[i] = static_cast<int>(((i + 0.5) * n) / kGrid);
  return at;
}

// Fills prefix[0..n] with running sums of `n` values read at base[i * step].
void PrefixSums(const float* base, int n, int step, std::vector<double>& prefix) {
  prefix.resize(n + 1);
  prefix[0] = 0;
  for (int i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + base[static_cast<size_t>(i) * step];
}

float WindowMean(const std::vector<double>& prefix, const Box& box, int k) {
  const int lo = box.Low(k), hi = box.High(k);
  return static_cast<float>((prefix[hi + 1] - prefix[lo]) / (hi - lo + 1));
}

// Horizontal box over every row of `image` (width x height), in place.
void BoxRows(std::vector<float>& image, int width, int height, const Box& box, std::vector<double>& prefix) {
  for (int r = 0; r < height; ++r) {
    float* row = &image[static_cast<size_t>(r) * width];
    PrefixSums(row, width, 1, prefix);
    for (int k = 0; k < width; ++k) row[k] = WindowMean(prefix, box, k);
  }
}

// Vertical box over every column of `image`, in place. Columns go in blocks
// so each row is read contiguously; prefix holds (height + 1) x block sums.
void BoxColumns(std::vector<float>& image, int width, int height, const Box& box, std::vector<double>& prefix) {
  for (int c0 = 0; c0 < width; c0 += kColumnBlock) {
    const int block = std::min(kColumnBlock, width - c0);
    prefix.assign(static_cast<size_t>(height + 1) * block, 0.0);
    for (int r = 0; r < height; ++r) {
      const float* row = &image[static_cast<size_t>(r) * width + c0];
      const double* above = &prefix[static_cast<size_t>(r) * block];
      double* here = &prefix[static_cast<size_t>(r + 1) * block];
      for (int c = 0; c < block; ++c) here[c] = above[c] + row[c];
    }
    for (int r = 0; r < height; ++r) {
      const int lo = box.Low(r), hi = box.High(r);
      const double* top = &prefix[static_cast<size_t>(lo) * block];
      const double* bottom = &prefix[static_cast<size_t>(hi + 1) * block];
      const double count = hi - lo + 1;
      float* row = &image[static_cast<size_t>(r) * width + c0];
      for (int c = 0; c < block; ++c) row[c] = static_cast<float>((bottom[c] - top[c]) / count);
    }
  }
}

// The quality heuristic: significant gradients of the 64x64 image, each
// difference scaled to 0..100 and truncated, summed, / 90, at most 100.
int QualityOf(const std::array<float, kGrid * kGrid>& a) {
  int sum = 0;
  const auto add = [&sum](float u, float v) { sum += std::abs(static_cast<int>((u - v) * 100 / 255)); };
  for (int i = 0; i + 1 < kGrid; ++i) {
    for (int j = 0; j < kGrid; ++j) add(a[i * kGrid + j], a[(i + 1) * kGrid + j]);
  }
  for (int i = 0; i < kGrid; ++i) {
    for (int j = 0; j + 1 < kGrid; ++j) add(a[i * kGrid + j], a[i * kGrid + j + 1]);
  }
  return std::min(100, sum / 90);
}

// B = D A D^T, keeping the 16x16 low (non-DC) frequencies.
void Dct(const std::array<float, kGrid * kGrid>& a, std::array<float, kFreqs * kFreqs>& b) {
  const auto& d = DctMatrix();
  std::array<float, kFreqs * kGrid> t{};  // t = D A
  for (int u = 0; u < kFreqs; ++u) {
    const float* du = &d[u * kGrid];
    float* tu = &t[u * kGrid];
    for (int x = 0; x < kGrid; ++x) {
      const float weight = du[x];
      const float* ax = &a[x * kGrid];
      for (int y = 0; y < kGrid; ++y) tu[y] += weight * ax[y];
    }
  }
  for (int u = 0; u < kFreqs; ++u) {
    for (int v = 0; v < kFreqs; ++v) {
      const float* tu = &t[u * kGrid];
      const float* dv = &d[v * kGrid];
      float sum = 0;
      for (int y = 0; y < kGrid; ++y) sum += tu[y] * dv[y];
      b[u * kFreqs + v] = sum;
    }
  }
}

// How each dihedral transform of the image acts on the coefficients: an
// optional transpose, then the sign (-1)^(frequency) of every coefficient
// along a mirrored axis. With frequency = index + 1, that negates the even
// indices. Rotations are a transpose plus one mirror.
struct CoefficientMap {
  bool transpose;
  bool mirror_rows;     // top <-> bottom: sign by row (vertical) frequency
  bool mirror_columns;  // left <-> right: sign by column frequency
};
constexpr std::array<CoefficientMap, kDihedralCount> kDihedralMaps = {{
    {false, false, false},  // original
    {true, true, false},    // rotate 90 (counter-clockwise) = transpose, then mirror top-bottom
    {false, true, true},    // rotate 180
    {true, false, true},    // rotate 270 = transpose, then mirror left-right
    {false, true, false},   // flip x
    {false, false, true},   // flip y
    {true, false, false},   // flip +1 (transpose)
    {true, true, true},     // flip -1 (anti-transpose)
}};

std::array<float, 256> ApplyDihedral(const std::array<float, 256>& in, const CoefficientMap& map) {
  std::array<float, 256> out{};
  for (int i = 0; i < kFreqs; ++i) {
    for (int j = 0; j < kFreqs; ++j) {
      float value = map.transpose ? in[j * kFreqs + i] : in[i * kFreqs + j];
      if (map.mirror_rows && i % 2 == 0) value = -value;
      if (map.mirror_columns && j % 2 == 0) value = -value;
      out[i * kFreqs + j] = value;
    }
  }
  return out;
}

// One bit per coefficient: above the median (the 128th smallest) or not.
PdqHash Threshold(const std::array<float, 256>& coefficients) {
  std::array<float, 256> sorted = coefficients;
  std::nth_element(sorted.begin(), sorted.begin() + 127, sorted.end());
  const float median = sorted[127];
  PdqHash hash;
  for (int k = 0; k < 256; ++k) {
    if (coefficients[k] > median) hash.SetBit(k);
  }
  return hash;
}

absl::Status Validate(const ImageView& image) {
  const int bytes_per_pixel = image.format == PixelFormat::kRgb24 ? 3 : 1;
  if (image.data == nullptr) return absl::InvalidArgumentError("pdq: no pixel data");
  if (image.width < kPdqMinDimension || image.height < kPdqMinDimension) {
    return absl::InvalidArgumentError(absl::StrCat("pdq: image ", image.width, "x", image.height,
                                                   " is smaller than ", kPdqMinDimension, " pixels on a side"));
  }
  if (image.width > kPdqMaxDimension || image.height > kPdqMaxDimension ||
      int64_t{image.width} * image.height > kPdqMaxPixels) {
    return absl::InvalidArgumentError(
        absl::StrCat("pdq: image ", image.width, "x", image.height, " is larger than 8K"));
  }
  if (int64_t{image.stride} < int64_t{image.width} * bytes_per_pixel) {
    return absl::InvalidArgumentError(absl::StrCat("pdq: stride ", image.stride, " is shorter than a row"));
  }
  return absl::OkStatus();
}

}  // namespace

const char* DihedralName(Dihedral d) {
  switch (d) {
    case Dihedral::kOriginal: return "original";
    case Dihedral::kRotate90: return "rotate90";
    case Dihedral::kRotate180: return "rotate180";
    case Dihedral::kRotate270: return "rotate270";
    case Dihedral::kFlipX: return "flipx";
    case Dihedral::kFlipY: return "flipy";
    case Dihedral::kFlipPlus1: return "flipplus1";
    case Dihedral::kFlipMinus1: return "flipminus1";
  }
  return "unknown";
}

std::string PdqHash::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int nibble = 0; nibble < 64; ++nibble) {  // nibble 0 holds bits 0..3, printed last
    const int value = static_cast<int>((words[nibble / 16] >> (4 * (nibble % 16))) & 0xf);
    out[63 - nibble] = kDigits[value];
  }
  return out;
}

absl::StatusOr<PdqHash> PdqHash::FromHex(absl::string_view hex) {
  if (hex.size() != 64) {
    return absl::InvalidArgumentError(absl::StrCat("pdq hash: want 64 hex digits, got ", hex.size(), " characters"));
  }
  PdqHash hash;
  for (int nibble = 0; nibble < 64; ++nibble) {
    const char c = hex[63 - nibble];
    uint64_t value;
    if (c >= '0' && c <= '9') {
      value = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      value = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      value = c - 'A' + 10;
    } else {
      return absl::InvalidArgumentError("pdq hash: not a hex digit");
    }
    hash.words[nibble / 16] |= value << (4 * (nibble % 16));
  }
  return hash;
}

absl::Status PdqHasher::Transform(const ImageView& image, Coefficients& coefficients, int& quality) {
  if (absl::Status valid = Validate(image); !valid.ok()) return valid;
  const int width = image.width, height = image.height;

  // 1. Luma.
  luma_.resize(static_cast<size_t>(width) * height);
  for (int r = 0; r < height; ++r) {
    const uint8_t* in = image.data + static_cast<size_t>(r) * image.stride;
    float* out = &luma_[static_cast<size_t>(r) * width];
    if (image.format == PixelFormat::kGray8) {
      for (int c = 0; c < width; ++c) out[c] = in[c];
    } else {
      for (int c = 0; c < width; ++c, in += 3) out[c] = 0.299f * in[0] + 0.587f * in[1] + 0.114f * in[2];
    }
  }

  // 2-3. Tent filter (box X, box Y, box X, box Y) and decimation. Only the
  // 64 sampled columns of the second X pass and the 64x64 samples of the
  // second Y pass are ever read, so only those are computed.
  const Box along_row{width, WindowSize(width)};
  const Box along_column{height, WindowSize(height)};
  const std::array<int, kGrid> xs = DecimationIndices(width);
  const std::array<int, kGrid> ys = DecimationIndices(height);
  BoxRows(luma_, width, height, along_row, prefix_);
  BoxColumns(luma_, width, height, along_column, prefix_);
  columns_.resize(static_cast<size_t>(height) * kGrid);  // height x 64: the sampled columns
  for (int r = 0; r < height; ++r) {
    PrefixSums(&luma_[static_cast<size_t>(r) * width], width, 1, prefix_);
    for (int j = 0; j < kGrid; ++j) columns_[static_cast<size_t>(r) * kGrid + j] = WindowMean(prefix_, along_row, xs[j]);
  }
  std::array<float, kGrid * kGrid> grid{};
  for (int j = 0; j < kGrid; ++j) {
    PrefixSums(&columns_[j], height, kGrid, prefix_);
    for (int i = 0; i < kGrid; ++i) grid[i * kGrid + j] = WindowMean(prefix_, along_column, ys[i]);
  }

  // 4-5. Quality and DCT.
  quality = QualityOf(grid);
  Dct(grid, coefficients);
  return absl::OkStatus();
}

absl::StatusOr<PdqResult> PdqHasher::Hash(const ImageView& image) {
  Coefficients coefficients;
  PdqResult result;
  if (absl::Status s = Transform(image, coefficients, result.quality); !s.ok()) return s;
  result.hash = Threshold(coefficients);
  return result;
}

absl::StatusOr<PdqDihedralResult> PdqHasher::HashDihedral(const ImageView& image) {
  Coefficients coefficients;
  PdqDihedralResult result;
  if (absl::Status s = Transform(image, coefficients, result.quality); !s.ok()) return s;
  for (int d = 0; d < kDihedralCount; ++d) {
    result.hashes[d] = Threshold(ApplyDihedral(coefficients, kDihedralMaps[d]));
  }
  return result;
}

absl::StatusOr<PdqResult> ComputePdq(const ImageView& image) { return PdqHasher().Hash(image); }

absl::StatusOr<PdqDihedralResult> ComputePdqDihedral(const ImageView& image) {
  return PdqHasher().HashDihedral(image);
}

}  // namespace clipforge::moderation
