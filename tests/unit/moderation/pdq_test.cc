#include "moderation/pdq.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/frame_reader.h"
#include "tests/unit/moderation/testdata.h"

namespace clipforge::moderation {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;

// A w x h RGB image of smooth random blobs (so it has structure at PDQ's
// scale) from `seed`.
std::vector<uint8_t> BlobImage(int w, int h, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  struct Blob {
    double x, y, r, v[3];
  };
  std::vector<Blob> blobs(12);
  for (Blob& b : blobs) b = {unit(rng) * w, unit(rng) * h, (0.05 + 0.25 * unit(rng)) * std::max(w, h),
                             {unit(rng) * 255, unit(rng) * 255, unit(rng) * 255}};
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      double c[3] = {40, 40, 40};
      for (const Blob& b : blobs) {
        const double d2 = ((x - b.x) * (x - b.x) + (y - b.y) * (y - b.y)) / (b.r * b.r);
        const double weight = std::exp(-d2);
        for (int k = 0; k < 3; ++k) c[k] += weight * (b.v[k] - 40) * 0.6;
      }
      for (int k = 0; k < 3; ++k) rgb[(static_cast<size_t>(y) * w + x) * 3 + k] = std::clamp(c[k], 0.0, 255.0);
    }
  }
  return rgb;
}

// A w x h RGB image of random values on a coarse 24 x 24 lattice,
// interpolated bilinearly: detail at every frequency PDQ keeps.
std::vector<uint8_t> LatticeImage(int w, int h, uint32_t seed) {
  constexpr int kCells = 24;
  std::mt19937 rng(seed);
  std::vector<double> lattice((kCells + 1) * (kCells + 1) * 3);
  for (double& v : lattice) v = rng() % 256;
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const double fx = (x + 0.5) * kCells / w, fy = (y + 0.5) * kCells / h;
      const int cx = std::min(kCells - 1, static_cast<int>(fx)), cy = std::min(kCells - 1, static_cast<int>(fy));
      const double tx = fx - cx, ty = fy - cy;
      for (int k = 0; k < 3; ++k) {
        const auto at = [&](int i, int j) { return lattice[((j * (kCells + 1)) + i) * 3 + k]; };
        const double v = (1 - ty) * ((1 - tx) * at(cx, cy) + tx * at(cx + 1, cy)) +
                         ty * ((1 - tx) * at(cx, cy + 1) + tx * at(cx + 1, cy + 1));
        rgb[(static_cast<size_t>(y) * w + x) * 3 + k] = static_cast<uint8_t>(v);
      }
    }
  }
  return rgb;
}

ImageView View(const std::vector<uint8_t>& rgb, int w, int h) { return ImageView{rgb.data(), w, h, w * 3, PixelFormat::kRgb24}; }

TEST(PdqHash, HexRoundTripsInTheReferenceBitOrder) {
  PdqHash h;
  h.SetBit(0);    // weight 1: the last hex digit
  h.SetBit(255);  // the top bit: the first hex digit
  h.SetBit(17);   // word 1 of the reference's 16-bit words, bit 1
  EXPECT_EQ(h.ToHex(), "8000000000000000000000000000000000000000000000000000000000020001");
  ASSERT_OK_AND_ASSIGN(PdqHash back, PdqHash::FromHex(h.ToHex()));
  EXPECT_EQ(back, h);
  ASSERT_OK_AND_ASSIGN(PdqHash upper, PdqHash::FromHex("8000000000000000000000000000000000000000000000000000000000020001"));
  EXPECT_EQ(upper, h);
  EXPECT_THAT(PdqHash::FromHex("abc").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PdqHash::FromHex(std::string(63, '0') + "g").status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PdqHash, HammingDistanceCountsDifferingBits) {
  PdqHash a, b;
  EXPECT_EQ(HammingDistance(a, b), 0);
  for (int k : {0, 63, 64, 200, 255}) b.SetBit(k);
  EXPECT_EQ(HammingDistance(a, b), 5);
  PdqHash all;
  all.words = {~0ull, ~0ull, ~0ull, ~0ull};
  EXPECT_EQ(HammingDistance(a, all), 256);
}

TEST(Pdq, RejectsBadBuffers) {
  std::vector<uint8_t> pixels(100 * 100 * 3, 128);
  EXPECT_THAT(ComputePdq(ImageView{nullptr, 100, 100, 300, PixelFormat::kRgb24}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ComputePdq(ImageView{pixels.data(), 4, 100, 300, PixelFormat::kRgb24}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ComputePdq(ImageView{pixels.data(), 100, 100, 299, PixelFormat::kRgb24}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ComputePdq(ImageView{pixels.data(), 8193, 5, 8193 * 3, PixelFormat::kRgb24}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ComputePdq(ImageView{pixels.data(), 100, 100, 100, PixelFormat::kGray8}), IsOk());
}

TEST(Pdq, QualityIsZeroForAFlatImageAndHighForADetailedOne) {
  std::vector<uint8_t> flat(200 * 150 * 3, 90);
  ASSERT_OK_AND_ASSIGN(PdqResult f, ComputePdq(View(flat, 200, 150)));
  EXPECT_EQ(f.quality, 0);

  std::vector<uint8_t> checks(200 * 150);
  for (int y = 0; y < 150; ++y) {
    for (int x = 0; x < 200; ++x) checks[y * 200 + x] = ((x / 12 + y / 12) % 2) ? 230 : 20;
  }
  ASSERT_OK_AND_ASSIGN(PdqResult c, ComputePdq(ImageView{checks.data(), 200, 150, 200, PixelFormat::kGray8}));
  EXPECT_EQ(c.quality, 100);

  const std::vector<uint8_t> blobs = BlobImage(200, 150, 7);
  ASSERT_OK_AND_ASSIGN(PdqResult b, ComputePdq(View(blobs, 200, 150)));
  EXPECT_GT(b.quality, 0);
  EXPECT_LE(b.quality, 100);
}

TEST(Pdq, HalfTheBitsAreSetAndGreyEqualsRgbOfGrey) {
  const std::vector<uint8_t> rgb = BlobImage(321, 187, 3);
  ASSERT_OK_AND_ASSIGN(PdqResult r, ComputePdq(View(rgb, 321, 187)));
  int ones = 0;
  for (int k = 0; k < 256; ++k) ones += r.hash.Bit(k);
  EXPECT_EQ(ones, 128);  // above the median: exactly half when coefficients differ

  std::vector<uint8_t> grey(321 * 187), grey_rgb(321 * 187 * 3);
  for (size_t i = 0; i < grey.size(); ++i) grey[i] = grey_rgb[3 * i] = grey_rgb[3 * i + 1] = grey_rgb[3 * i + 2] = rgb[3 * i];
  ASSERT_OK_AND_ASSIGN(PdqResult g, ComputePdq(ImageView{grey.data(), 321, 187, 321, PixelFormat::kGray8}));
  ASSERT_OK_AND_ASSIGN(PdqResult gr, ComputePdq(View(grey_rgb, 321, 187)));
  EXPECT_LE(HammingDistance(g.hash, gr.hash), 2);  // 0.299 + 0.587 + 0.114 rounds in float
}

TEST(Pdq, SmallChangesMoveFewBitsAndOtherImagesMany) {
  const std::vector<uint8_t> a = BlobImage(640, 360, 11);
  std::vector<uint8_t> noisy = a;
  std::mt19937 rng(5);
  for (uint8_t& v : noisy) v = std::clamp(static_cast<int>(v) + static_cast<int>(rng() % 9) - 4, 0, 255);
  const std::vector<uint8_t> other = BlobImage(640, 360, 12);
  PdqHasher hasher;
  ASSERT_OK_AND_ASSIGN(PdqResult ha, hasher.Hash(View(a, 640, 360)));
  ASSERT_OK_AND_ASSIGN(PdqResult hn, hasher.Hash(View(noisy, 640, 360)));
  ASSERT_OK_AND_ASSIGN(PdqResult ho, hasher.Hash(View(other, 640, 360)));
  EXPECT_LE(HammingDistance(ha.hash, hn.hash), 10);
  EXPECT_GE(HammingDistance(ha.hash, ho.hash), 60);
}

// Exact pixel transforms of an image (w x h, RGB) named like Dihedral.
std::vector<uint8_t> Transform(const std::vector<uint8_t>& in, int w, int h, Dihedral d, int& ow, int& oh) {
  const bool swaps = d == Dihedral::kRotate90 || d == Dihedral::kRotate270 || d == Dihedral::kFlipPlus1 ||
                     d == Dihedral::kFlipMinus1;
  ow = swaps ? h : w;
  oh = swaps ? w : h;
  std::vector<uint8_t> out(in.size());
  for (int y = 0; y < oh; ++y) {
    for (int x = 0; x < ow; ++x) {
      int sx = x, sy = y;  // source pixel of output (x, y)
      switch (d) {
        case Dihedral::kOriginal: break;
        case Dihedral::kRotate90: sx = w - 1 - y; sy = x; break;  // counter-clockwise
        case Dihedral::kRotate180: sx = w - 1 - x; sy = h - 1 - y; break;
        case Dihedral::kRotate270: sx = y; sy = h - 1 - x; break;
        case Dihedral::kFlipX: sy = h - 1 - y; break;
        case Dihedral::kFlipY: sx = w - 1 - x; break;
        case Dihedral::kFlipPlus1: sx = y; sy = x; break;
        case Dihedral::kFlipMinus1: sx = w - 1 - y; sy = h - 1 - x; break;
      }
      for (int k = 0; k < 3; ++k) out[(static_cast<size_t>(y) * ow + x) * 3 + k] = in[(static_cast<size_t>(sy) * w + sx) * 3 + k];
    }
  }
  return out;
}

TEST(Pdq, DihedralVariantsMatchHashesOfTransformedImages) {
  for (auto [w, h] : {std::pair{1024, 1024}, std::pair{1000, 750}}) {
    const std::vector<uint8_t> image = LatticeImage(w, h, 21);
    PdqHasher hasher;
    ASSERT_OK_AND_ASSIGN(PdqDihedralResult all, hasher.HashDihedral(View(image, w, h)));
    ASSERT_OK_AND_ASSIGN(PdqResult plain, hasher.Hash(View(image, w, h)));
    EXPECT_EQ(all[Dihedral::kOriginal], plain.hash);
    EXPECT_EQ(all.quality, plain.quality);
    for (int i = 0; i < kDihedralCount; ++i) {
      const auto d = static_cast<Dihedral>(i);
      int tw = 0, th = 0;
      const std::vector<uint8_t> t = Transform(image, w, h, d, tw, th);
      ASSERT_OK_AND_ASSIGN(PdqResult direct, hasher.Hash(View(t, tw, th)));
      // Not exact: each even-width box pass and the centre sampling sit
      // half a pixel off centre, so a mirrored image is sampled ~3 pixels
      // apart (a fifth of a cell here; most of a cell on a 256-pixel
      // image). But the right variant is close and every other one far.
      for (int j = 0; j < kDihedralCount; ++j) {
        const int distance = HammingDistance(direct.hash, all.hashes[j]);
        if (j == i) {
          EXPECT_LE(distance, 16) << DihedralName(d) << " " << w << "x" << h;
        } else {
          EXPECT_GE(distance, 48) << DihedralName(d) << " vs " << DihedralName(static_cast<Dihedral>(j));
        }
      }
    }
  }
}

// ---- The reference data ----------------------------------------------

std::map<std::string, PdqHash> ExpectedHashes(const std::string& dir) {
  std::map<std::string, PdqHash> out;
  std::ifstream in(dir + "/expected.csv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (cells.size() != 2) continue;
    absl::StatusOr<PdqHash> h = PdqHash::FromHex(cells[1]);
    if (h.ok()) out[cells[0]] = *h;
  }
  return out;
}

absl::StatusOr<PdqDihedralResult> HashFile(const std::string& path) {
  absl::StatusOr<std::vector<media::Frame>> frames = media::ReadAllFrames(path, {});
  if (!frames.ok()) return frames.status();
  if (frames->size() != 1) return absl::InternalError("want one frame");
  const media::Frame& f = frames->front();
  return ComputePdqDihedral(ImageView{f.rgb.data(), f.width, f.height, f.width * 3, PixelFormat::kRgb24});
}

TEST(PdqReference, PublishedImagesHashWithinTenBits) {
  CF_PDQ_TESTDATA_OR_SKIP(dir);
  const std::map<std::string, PdqHash> expected = ExpectedHashes(dir);
  ASSERT_EQ(expected.size(), 4u);
  for (const auto& [file, want] : expected) {
    ASSERT_OK_AND_ASSIGN(PdqDihedralResult got, HashFile(dir + "/" + file));
    const int distance = HammingDistance(got[Dihedral::kOriginal], want);
    std::cout << "[pdq] " << file << ": distance " << distance << " quality " << got.quality << " hash "
              << got[Dihedral::kOriginal].ToHex() << "\n";
    RecordProperty(file, distance);
    EXPECT_LE(distance, 10) << file;
    EXPECT_GE(got.quality, 50) << file;
    for (const auto& [other, other_hash] : expected) {
      if (other == file) continue;
      EXPECT_GT(HammingDistance(got[Dihedral::kOriginal], other_hash), 90) << file << " vs " << other;
    }
  }
}

TEST(PdqReference, DihedralVariantsOfTheOriginalFindTheTransformedImages) {
  CF_PDQ_TESTDATA_OR_SKIP(dir);
  const std::map<std::string, PdqHash> expected = ExpectedHashes(dir);
  ASSERT_OK_AND_ASSIGN(PdqDihedralResult original, HashFile(dir + "/bridge-1-original.jpg"));
  const std::vector<std::pair<std::string, Dihedral>> cases = {
      {"bridge-2-rotate-90.jpg", Dihedral::kRotate90},
      {"bridge-5-flipx.jpg", Dihedral::kFlipX},
      {"bridge-7-flip-plus-1.jpg", Dihedral::kFlipPlus1},
  };
  for (const auto& [file, variant] : cases) {
    ASSERT_OK_AND_ASSIGN(PdqDihedralResult transformed, HashFile(dir + "/" + file));
    const int to_ours = HammingDistance(original[variant], transformed[Dihedral::kOriginal]);
    const int to_published = HammingDistance(original[variant], expected.at(file));
    std::cout << "[pdq] " << DihedralName(variant) << "(original) vs " << file << ": " << to_ours
              << " bits (vs published hash: " << to_published << ")\n";
    EXPECT_LE(to_ours, 12) << file;
    EXPECT_LE(to_published, 12) << file;
    // And the transformed image's own variants lead back to the original.
    int best = 256;
    for (const PdqHash& h : transformed.hashes) best = std::min(best, HammingDistance(h, original[Dihedral::kOriginal]));
    EXPECT_LE(best, 12) << file;
  }
}

struct ReferenceFrame {
  int number;
  int quality;
  PdqHash hash;
  double seconds;
};

std::vector<ReferenceFrame> ReadVpdq(const std::string& path) {
  std::vector<ReferenceFrame> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (cells.size() != 4) continue;
    absl::StatusOr<PdqHash> h = PdqHash::FromHex(cells[2]);
    if (!h.ok()) continue;
    out.push_back({std::stoi(cells[0]), std::stoi(cells[1]), *h, std::stod(cells[3])});
  }
  return out;
}

TEST(PdqReference, VideoFramesHashLikeTheReferenceVideoHasher) {
  CF_PDQ_TESTDATA_OR_SKIP(dir);
  const std::vector<ReferenceFrame> reference = ReadVpdq(dir + "/doorknob-hd-no-bar.vpdq.txt");
  ASSERT_EQ(reference.size(), 120u);
  media::FrameReaderOptions options;
  options.every_frame = true;
  PdqHasher hasher;
  std::vector<int> distances;
  std::vector<int> quality_gaps;
  ASSERT_OK_AND_ASSIGN(media::MediaInfo info,
                       media::ReadFrames(dir + "/doorknob-hd-no-bar.mp4", options, [&](const media::Frame& f) {
                         const size_t i = distances.size();
                         if (i >= reference.size()) return absl::OutOfRangeError("more frames than the reference");
                         EXPECT_NEAR(f.time_seconds, reference[i].seconds, 0.002) << "frame " << i;
                         absl::StatusOr<PdqResult> r =
                             hasher.Hash(ImageView{f.rgb.data(), f.width, f.height, f.width * 3, PixelFormat::kRgb24});
                         if (!r.ok()) return r.status();
                         distances.push_back(HammingDistance(r->hash, reference[i].hash));
                         quality_gaps.push_back(std::abs(r->quality - reference[i].quality));
                         return absl::OkStatus();
                       }));
  EXPECT_FALSE(info.still_image);
  ASSERT_EQ(distances.size(), reference.size());
  std::map<int, int> histogram;
  for (int d : distances) ++histogram[d];
  std::ostringstream shown;
  for (const auto& [d, n] : histogram) shown << " " << d << ":" << n;
  const int within = std::count_if(distances.begin(), distances.end(), [](int d) { return d <= 10; });
  std::ostringstream far;
  for (size_t i = 0; i < distances.size(); ++i) {
    if (distances[i] > 10) far << " " << i << ":" << distances[i];
  }
  std::vector<int> sorted = distances;
  std::sort(sorted.begin(), sorted.end());
  std::cout << "[pdq] video: " << within << "/" << distances.size() << " frames within 10 bits; median "
            << sorted[sorted.size() / 2] << ", max " << sorted.back() << "; distance:frames" << shown.str()
            << "; max quality gap " << *std::max_element(quality_gaps.begin(), quality_gaps.end())
            << "; frames over 10 bits (frame:bits)" << far.str() << "\n";
  // The bar: 95% of the frames within 10 bits of the reference,
  // the fades through black included.
  EXPECT_GE(within * 100, 95 * static_cast<int>(distances.size()));
}

}  // namespace
}  // namespace clipforge::moderation
