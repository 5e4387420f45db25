#include "media/frame_reader.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/pdq_file.h"
#include "tests/unit/moderation/synthetic_video.h"
#include "tests/unit/moderation/testdata.h"

namespace clipforge::media {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::SizeIs;

constexpr int kWidth = 160, kHeight = 120, kFps = 25, kFrames = 50;

// Frame i: a grey level of 20 + 4i over the whole picture, so a decoded
// frame tells which one it is.
void DrawGrey(int i, std::vector<uint8_t>& rgb) { std::fill(rgb.begin(), rgb.end(), static_cast<uint8_t>(20 + 4 * i)); }

double MeanOf(const Frame& f) {
  double sum = 0;
  for (uint8_t v : f.rgb) sum += v;
  return sum / f.rgb.size();
}

class FrameReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/frame_reader_test_" + std::to_string(getpid()));
    std::filesystem::create_directories(*dir_);
    ASSERT_THAT(test_media::WriteVideo(Video(), kWidth, kHeight, kFps, kFrames, DrawGrey), IsOk());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string Video() { return *dir_ + "/grey.mkv"; }
  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }
  static std::string* dir_;
};
std::string* FrameReaderTest::dir_ = nullptr;

TEST_F(FrameReaderTest, EveryFrameInOrderWithTimes) {
  FrameReaderOptions options;
  options.every_frame = true;
  ASSERT_OK_AND_ASSIGN(std::vector<Frame> frames, ReadAllFrames(Video(), options));
  ASSERT_THAT(frames, SizeIs(kFrames));
  for (int i = 0; i < kFrames; ++i) {
    EXPECT_EQ(frames[i].width, kWidth);
    EXPECT_EQ(frames[i].height, kHeight);
    EXPECT_EQ(frames[i].rgb.size(), static_cast<size_t>(kWidth * kHeight * 3));
    EXPECT_NEAR(frames[i].time_seconds, static_cast<double>(i) / kFps, 1e-3) << i;
    EXPECT_NEAR(MeanOf(frames[i]), 20 + 4 * i, 2.5) << i;  // lossy codec and YUV round trip
  }
}

TEST_F(FrameReaderTest, SamplesEveryIntervalPlusFirstAndLast) {
  FrameReaderOptions options;
  options.interval_seconds = 0.5;
  ASSERT_OK_AND_ASSIGN(std::vector<Frame> frames, ReadAllFrames(Video(), options));
  std::vector<double> times;
  for (const Frame& f : frames) times.push_back(f.time_seconds);
  // The first frames at or past 0, 0.5, 1.0, 1.5 s (frames are 0.04 s
  // apart) and the last frame, 49/25 = 1.96 s.
  ASSERT_THAT(times, SizeIs(5));
  const double want[] = {0, 0.52, 1.0, 1.52, 1.96};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(times[i], want[i], 1e-3);
  EXPECT_NEAR(MeanOf(frames.back()), 20 + 4 * 49, 2.5);

  options.interval_seconds = 10;  // longer than the clip: its two ends
  ASSERT_OK_AND_ASSIGN(frames, ReadAllFrames(Video(), options));
  ASSERT_THAT(frames, SizeIs(2));
  EXPECT_NEAR(frames[1].time_seconds, 1.96, 1e-3);
}

TEST_F(FrameReaderTest, SamplingCanSkipTheFramesNothingRefersTo) {
  const std::string video = Path("b_frames.mkv");
  ASSERT_THAT(test_media::WriteVideo(video, kWidth, kHeight, kFps, kFrames, DrawGrey, /*b_frames=*/2), IsOk());
  FrameReaderOptions all;
  all.interval_seconds = 0.5;
  FrameReaderOptions references = all;
  references.reference_frames_only = true;

  std::vector<Frame> every, sampled;
  ASSERT_OK_AND_ASSIGN(const MediaInfo full, ReadFrames(video, all, [&](const Frame& f) {
                         every.push_back(f);
                         return absl::OkStatus();
                       }));
  ASSERT_OK_AND_ASSIGN(const MediaInfo skipping, ReadFrames(video, references, [&](const Frame& f) {
                         sampled.push_back(f);
                         return absl::OkStatus();
                       }));
  EXPECT_EQ(full.frames_decoded, kFrames);
  EXPECT_LT(skipping.frames_decoded, kFrames * 2 / 3);  // two B-frames of every three skipped
  // As many samples, each the first decoded frame at or after its due time
  // (at most the two skipped B-frames later), its picture exact.
  ASSERT_EQ(sampled.size(), every.size());
  const double due[] = {0, 0.5, 1.0, 1.5};
  for (size_t i = 0; i + 1 < sampled.size(); ++i) {
    EXPECT_GE(sampled[i].time_seconds, due[i] - 1e-3) << i;
    EXPECT_LE(sampled[i].time_seconds, due[i] + 3.0 / kFps + 1e-3) << i;
    EXPECT_NEAR(MeanOf(sampled[i]), 20 + 4 * std::lround(sampled[i].time_seconds * kFps), 2.5) << i;
  }
  // Every frame is still there for a reader that wants them all.
  FrameReaderOptions each;
  each.every_frame = true;
  each.reference_frames_only = true;  // ignored when every frame is asked for
  ASSERT_OK_AND_ASSIGN(std::vector<Frame> frames, ReadAllFrames(video, each));
  EXPECT_THAT(frames, SizeIs(kFrames));
}

TEST_F(FrameReaderTest, APdqReadThatWouldLeaveAnIntervalUnseenReadsEveryFrame) {
  // Eight B-frames between references: 0.36 s without a decoded frame, more
  // than the 0.2 s interval asked for.
  const std::string video = Path("sparse_references.mkv");
  ASSERT_THAT(test_media::WriteVideo(video, kWidth, kHeight, kFps, kFrames, DrawGrey, /*b_frames=*/8), IsOk());
  FrameReaderOptions skipping;
  skipping.interval_seconds = 0.2;
  skipping.reference_frames_only = true;
  ASSERT_OK_AND_ASSIGN(const MediaInfo info, ReadFrames(video, skipping, [](const Frame&) { return absl::OkStatus(); }));
  EXPECT_GT(info.max_decoded_gap_seconds, 0.2);

  FrameReaderOptions all = skipping;
  all.reference_frames_only = false;
  ASSERT_OK_AND_ASSIGN(const std::vector<FramePdq> fallback, PdqOfFrames(video, skipping));
  ASSERT_OK_AND_ASSIGN(const std::vector<FramePdq> full, PdqOfFrames(video, all));
  ASSERT_EQ(fallback.size(), full.size());
  for (size_t i = 0; i < full.size(); ++i) {
    EXPECT_EQ(fallback[i].time_seconds, full[i].time_seconds) << i;
    EXPECT_EQ(fallback[i].pdq.hash, full[i].pdq.hash) << i;
  }
}

TEST_F(FrameReaderTest, BoundsAreEnforced) {
  FrameReaderOptions small;
  small.max_side = 100;  // the video is 160 wide
  EXPECT_THAT(ReadAllFrames(Video(), small).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  FrameReaderOptions few;
  few.every_frame = true;
  few.max_frames = 10;
  EXPECT_THAT(ReadAllFrames(Video(), few).status(), StatusIs(absl::StatusCode::kResourceExhausted));
  FrameReaderOptions bad_interval;
  bad_interval.interval_seconds = 0;
  EXPECT_THAT(ReadAllFrames(Video(), bad_interval).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(FrameReaderTest, SinkErrorsStopTheRead) {
  int calls = 0;
  FrameReaderOptions options;
  options.every_frame = true;
  EXPECT_THAT(ReadFrames(Video(), options,
                         [&](const Frame&) {
                           ++calls;
                           return absl::AbortedError("stop");
                         })
                  .status(),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(calls, 1);
}

TEST_F(FrameReaderTest, PngStillIsOneExactFrame) {
  std::vector<uint8_t> rgb(64 * 48 * 3);
  std::mt19937 rng(3);
  for (uint8_t& v : rgb) v = rng() & 0xff;
  ASSERT_THAT(test_media::WritePng(Path("still.png"), 64, 48, rgb), IsOk());
  std::vector<Frame> frames;
  ASSERT_OK_AND_ASSIGN(MediaInfo info, ReadFrames(Path("still.png"), {}, [&](const Frame& f) {
                         frames.push_back(f);
                         return absl::OkStatus();
                       }));
  EXPECT_TRUE(info.still_image) << info.format;
  EXPECT_EQ(info.codec, "png");
  ASSERT_THAT(frames, SizeIs(1));
  EXPECT_EQ(frames[0].time_seconds, 0);
  EXPECT_EQ(frames[0].rgb, rgb);  // lossless, and RGB24 to RGB24
}

TEST_F(FrameReaderTest, CorruptAndMissingFiles) {
  std::mt19937 rng(9);
  {
    std::ofstream junk(Path("junk.mp4"), std::ios::binary);
    for (int i = 0; i < 20000; ++i) junk.put(static_cast<char>(rng() & 0xff));
    std::ofstream text(Path("text.jpg"));
    text << "this is not a picture\n";
  }
  EXPECT_THAT(ReadAllFrames(Path("junk.mp4"), {}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ReadAllFrames(Path("text.jpg"), {}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ReadAllFrames(Path("absent.mp4"), {}).status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ReadAllFrames(*dir_, {}).status(), StatusIs(absl::StatusCode::kNotFound));  // a directory

  // The synthetic video cut short after its header: no frame decodes.
  std::ifstream whole(Video(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
  std::ofstream(Path("cut.mkv"), std::ios::binary) << bytes.substr(0, 200);
  EXPECT_THAT(ReadAllFrames(Path("cut.mkv"), {}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(FrameReaderTest, PdqOfFileLines) {
  PdqFileOptions per_frame;
  per_frame.per_frame = true;
  per_frame.frames.interval_seconds = 1.0;
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> lines, PdqOfFile(Video(), per_frame));
  ASSERT_THAT(lines, SizeIs(3));  // 0 s, 1 s, and the last frame at 1.96 s
  std::vector<std::string> cells = absl::StrSplit(lines[2], ' ');
  ASSERT_THAT(cells, SizeIs(3));
  EXPECT_EQ(cells[0], "1.960");
  EXPECT_EQ(cells[1].size(), 64u);

  ASSERT_OK_AND_ASSIGN(lines, PdqOfFile(Video(), {}));
  ASSERT_THAT(lines, SizeIs(1));
  cells = absl::StrSplit(lines[0], ' ');
  ASSERT_THAT(cells, SizeIs(2));
  EXPECT_EQ(cells[0].size(), 64u);
  EXPECT_EQ(cells[1], "0");  // a flat grey frame has no quality

  EXPECT_THAT(PdqOfFile(Path("absent.png"), {}).status(), StatusIs(absl::StatusCode::kNotFound));
}

TEST(FrameReaderReference, PdqOfTheReferenceImageAndVideo) {
  CF_PDQ_TESTDATA_OR_SKIP(dir);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> lines, PdqOfFile(dir + "/bridge-1-original.jpg", {}));
  ASSERT_THAT(lines, SizeIs(1));
  std::cout << "[pdq] PdqOfFile(bridge-1-original.jpg): " << lines[0] << "\n";

  PdqFileOptions per_frame;
  per_frame.per_frame = true;
  ASSERT_OK_AND_ASSIGN(lines, PdqOfFile(dir + "/doorknob-hd-no-bar.mp4", per_frame));
  // 120 frames at 30 fps: 0, 1, 2, 3 s and the last frame at 3.967 s.
  ASSERT_THAT(lines, SizeIs(5));
  EXPECT_TRUE(lines.back().rfind("3.967 ", 0) == 0) << lines.back();

  FrameReaderOptions every;
  every.every_frame = true;
  ASSERT_OK_AND_ASSIGN(std::vector<Frame> frames, ReadAllFrames(dir + "/doorknob-hd-no-bar.mp4", every));
  ASSERT_THAT(frames, SizeIs(120));
  EXPECT_EQ(frames[0].width, 1280);
  EXPECT_EQ(frames[0].height, 720);

  // The first 4 KiB of the reference mp4: a header and no decodable frame.
  std::ifstream whole(dir + "/doorknob-hd-no-bar.mp4", std::ios::binary);
  std::string head(4096, '\0');
  whole.read(head.data(), head.size());
  const std::string cut = ::testing::TempDir() + "/doorknob-cut-" + std::to_string(getpid()) + ".mp4";
  std::ofstream(cut, std::ios::binary) << head;
  EXPECT_THAT(ReadAllFrames(cut, {}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  std::filesystem::remove(cut);
}

}  // namespace
}  // namespace clipforge::media
