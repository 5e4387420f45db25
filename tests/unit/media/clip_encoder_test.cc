#include "media/clip_encoder.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/testing/status_matchers.h"
#include "generation/procedural_renderer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/frame_reader.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
}

namespace clipforge::media {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace fs = std::filesystem;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The types of the file's top-level ISO BMFF boxes, in order.
std::vector<std::string> TopLevelBoxes(const std::string& bytes) {
  std::vector<std::string> types;
  size_t at = 0;
  while (at + 8 <= bytes.size()) {
    const auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(bytes[at + i])); };
    uint64_t size = byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
    types.push_back(bytes.substr(at + 4, 4));
    if (size == 1) {
      size = 0;
      for (int i = 8; i < 16; ++i) size = size << 8 | byte(i);
    } else if (size == 0) {
      size = bytes.size() - at;
    }
    if (size < 8) break;
    at += size;
  }
  return types;
}

struct Probe {
  std::string codec;
  int profile = -1;
  int pix_fmt = -1;
  int width = 0, height = 0;
  double duration = 0;
  int packets = 0;
  bool first_is_key = false;
  double longest_gop = 0;  // seconds between consecutive keyframes (or to the end)
};

// Reads the container and its packets with libavformat (no decoding).
Probe ProbeVideo(const std::string& path) {
  Probe probe;
  AVFormatContext* input = nullptr;
  if (avformat_open_input(&input, path.c_str(), nullptr, nullptr) < 0) return probe;
  if (avformat_find_stream_info(input, nullptr) >= 0 && input->nb_streams == 1) {
    const AVStream* stream = input->streams[0];
    probe.codec = avcodec_get_name(stream->codecpar->codec_id);
    probe.profile = stream->codecpar->profile;
    probe.pix_fmt = stream->codecpar->format;
    probe.width = stream->codecpar->width;
    probe.height = stream->codecpar->height;
    probe.duration = static_cast<double>(input->duration) / AV_TIME_BASE;
    AVPacket* packet = av_packet_alloc();
    std::vector<double> keys;
    double last = 0;
    while (av_read_frame(input, packet) >= 0) {
      const double t = packet->pts * av_q2d(stream->time_base);
      if (probe.packets == 0) probe.first_is_key = (packet->flags & AV_PKT_FLAG_KEY) != 0;
      if (packet->flags & AV_PKT_FLAG_KEY) keys.push_back(t);
      last = std::max(last, t);
      ++probe.packets;
      av_packet_unref(packet);
    }
    av_packet_free(&packet);
    std::sort(keys.begin(), keys.end());
    keys.push_back(last + av_q2d(av_inv_q(stream->avg_frame_rate)));
    for (size_t i = 1; i < keys.size(); ++i) probe.longest_gop = std::max(probe.longest_gop, keys[i] - keys[i - 1]);
  }
  avformat_close_input(&input);
  return probe;
}

class ClipEncoderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    av_log_set_level(AV_LOG_ERROR);  // libx264's statistics, on every close
    dir_ = new std::string(::testing::TempDir() + "/clip_encoder_test_" + std::to_string(getpid()));
    fs::create_directories(*dir_);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    sub_ = *dir_ + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(sub_);
  }

  static generation::RenderSpec Spec(int width, int height, int fps, int frames,
                                     const std::string& prompt = "neon city at night with rain, pan left") {
    return generation::RenderSpec{
        .prompt = prompt, .seed = 42, .width = width, .height = height, .fps = fps, .frame_count = frames};
  }
  ClipFiles Files(const std::string& name, bool sheet = true) const {
    return ClipFiles{.video_path = sub_ + "/" + name + ".mp4",
                     .thumbnail_path = sub_ + "/" + name + ".jpg",
                     .spritesheet_path = sheet ? sub_ + "/" + name + "-sprites.jpg" : ""};
  }
  absl::StatusOr<ClipResult> Encode(const generation::RenderSpec& spec, const ClipFiles& files,
                                    const EncodeSettings& settings = {}) {
    auto scene = generation::ProceduralRenderer().Prepare(spec);
    if (!scene.ok()) return scene.status();
    return EncodeClip(**scene, spec, settings, files, [this](int percent) {
      progress_.push_back(percent);
      return true;
    });
  }
  std::vector<std::string> Listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(sub_)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::string* dir_;
  std::string sub_;
  std::vector<int> progress_;
};
std::string* ClipEncoderTest::dir_ = nullptr;

TEST_F(ClipEncoderTest, WritesH264HighFaststartMp4WithThumbnailAndSpritesheet) {
  const auto spec = Spec(720, 1280, 30, 60);
  const ClipFiles files = Files("clip");
  ASSERT_OK_AND_ASSIGN(ClipResult result, Encode(spec, files));
  EXPECT_EQ(result.frames, 60);
  EXPECT_EQ(result.video_bytes, static_cast<int64_t>(fs::file_size(files.video_path)));
  EXPECT_GT(result.render_time, absl::ZeroDuration());
  EXPECT_GT(result.encode_time, absl::ZeroDuration());

  const Probe probe = ProbeVideo(files.video_path);
  EXPECT_EQ(probe.codec, "h264");
  EXPECT_EQ(probe.profile, FF_PROFILE_H264_HIGH);
  EXPECT_EQ(probe.pix_fmt, AV_PIX_FMT_YUV420P);
  EXPECT_EQ(probe.width, 720);
  EXPECT_EQ(probe.height, 1280);
  EXPECT_NEAR(probe.duration, 2.0, 0.05);
  EXPECT_EQ(probe.packets, 60);
  EXPECT_TRUE(probe.first_is_key);
  EXPECT_LE(probe.longest_gop, 2.0 + 1e-6);

  const std::vector<std::string> boxes = TopLevelBoxes(ReadBytes(files.video_path));
  const auto moov = std::find(boxes.begin(), boxes.end(), "moov"), mdat = std::find(boxes.begin(), boxes.end(), "mdat");
  ASSERT_NE(moov, boxes.end());
  ASSERT_NE(mdat, boxes.end());
  EXPECT_LT(moov - boxes.begin(), mdat - boxes.begin()) << "moov must precede mdat (faststart)";

  ASSERT_OK_AND_ASSIGN(std::vector<Frame> thumb, ReadAllFrames(files.thumbnail_path, {}));
  ASSERT_EQ(thumb.size(), 1u);
  EXPECT_EQ(thumb[0].width, 720);
  EXPECT_EQ(thumb[0].height, 1280);

  // Two seconds: a tile a second, portrait tiles 240 tall.
  EXPECT_EQ(result.spritesheet.columns, 2);
  EXPECT_EQ(result.spritesheet.rows, 1);
  EXPECT_EQ(result.spritesheet.tile_width, 134);
  EXPECT_EQ(result.spritesheet.tile_height, 240);
  EXPECT_EQ(result.spritesheet.interval, absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(std::vector<Frame> sheet, ReadAllFrames(files.spritesheet_path, {}));
  ASSERT_EQ(sheet.size(), 1u);
  EXPECT_EQ(sheet[0].width, 2 * 134);
  EXPECT_EQ(sheet[0].height, 240);

  // Progress: 0 first, then growing, never 100, at most 100 calls.
  ASSERT_FALSE(progress_.empty());
  EXPECT_EQ(progress_.front(), 0);
  EXPECT_TRUE(std::is_sorted(progress_.begin(), progress_.end()));
  EXPECT_LE(progress_.back(), 99);
  EXPECT_LE(progress_.size(), 100u);

  // Only the three outputs: no temporary file left behind.
  EXPECT_THAT(Listing(), ElementsAre("clip-sprites.jpg", "clip.jpg", "clip.mp4"));
}

TEST_F(ClipEncoderTest, EveryFrameCarriesTheMark) {
  const auto spec = Spec(320, 568, 10, 10, "night sky over the sea, static");
  const ClipFiles files = Files("mark", /*sheet=*/false);
  ASSERT_THAT(Encode(spec, files), IsOk());
  // Bright pixels in the top-right corner: the white mark on a night sky.
  const auto bright_in_corner = [](const Frame& f) {
    int bright = 0;
    for (int y = 0; y < f.height / 10; ++y) {
      for (int x = f.width / 2; x < f.width; ++x) {
        const uint8_t* p = &f.rgb[(static_cast<size_t>(y) * f.width + x) * 3];
        if (p[0] > 190 && p[1] > 190 && p[2] > 190) ++bright;
      }
    }
    return bright;
  };
  ASSERT_OK_AND_ASSIGN(std::vector<Frame> frames, ReadAllFrames(files.video_path, {.every_frame = true}));
  ASSERT_EQ(frames.size(), 10u);
  for (const Frame& f : frames) EXPECT_GT(bright_in_corner(f), 40) << "frame at " << f.time_seconds;
  // The scene alone has (next to) none there.
  auto scene = generation::ProceduralRenderer().Prepare(spec).value();
  Frame raw{.width = 320, .height = 568, .rgb = std::vector<uint8_t>(320 * 568 * 3)};
  scene->Render(0, generation::RgbFrame{raw.rgb.data(), 320, 568, 320 * 3});
  EXPECT_LT(bright_in_corner(raw), 10);
}

TEST_F(ClipEncoderTest, LongerClipsKeepKeyframesAndTileTheSpritesheet) {
  // 12 s at 10 fps: keyframes every <= 2 s, twelve tiles on two rows.
  const auto spec = Spec(320, 568, 10, 120, "sunset over the desert, orbit");
  const ClipFiles files = Files("long");
  ASSERT_OK_AND_ASSIGN(ClipResult result, Encode(spec, files));
  const Probe probe = ProbeVideo(files.video_path);
  EXPECT_EQ(probe.packets, 120);
  EXPECT_NEAR(probe.duration, 12.0, 0.2);
  EXPECT_TRUE(probe.first_is_key);
  EXPECT_LE(probe.longest_gop, 2.0 + 1e-6);
  EXPECT_EQ(result.spritesheet.columns, 10);
  EXPECT_EQ(result.spritesheet.rows, 2);
  ASSERT_OK_AND_ASSIGN(std::vector<Frame> sheet, ReadAllFrames(files.spritesheet_path, {}));
  EXPECT_EQ(sheet[0].width, 10 * result.spritesheet.tile_width);
  EXPECT_EQ(sheet[0].height, 2 * result.spritesheet.tile_height);
  EXPECT_LE(progress_.size(), 100u);
}

TEST_F(ClipEncoderTest, SameInputGivesSameBytesWithOrWithoutTheRenderThread) {
  // libx264 is deterministic for a given thread count (no
  // --non-deterministic), and the render thread only changes who renders.
  const auto spec = Spec(720, 1280, 30, 30, "snowy pine forest at dawn, zoom in");
  const ClipFiles a = Files("a"), b = Files("b");
  ASSERT_THAT(Encode(spec, a, EncodeSettings{.render_ahead = true}), IsOk());
  ASSERT_THAT(Encode(spec, b, EncodeSettings{.render_ahead = false}), IsOk());
  EXPECT_EQ(ReadBytes(a.video_path), ReadBytes(b.video_path));
  EXPECT_EQ(ReadBytes(a.thumbnail_path), ReadBytes(b.thumbnail_path));
  EXPECT_EQ(ReadBytes(a.spritesheet_path), ReadBytes(b.spritesheet_path));
}

TEST_F(ClipEncoderTest, CancelStopsAndLeavesNoFiles) {
  const auto spec = Spec(320, 568, 30, 90);
  auto scene = generation::ProceduralRenderer().Prepare(spec).value();
  for (bool ahead : {true, false}) {
    int calls = 0;
    const auto result = EncodeClip(*scene, spec, EncodeSettings{.render_ahead = ahead}, Files("cancel"),
                                   [&](int percent) { return ++calls, percent < 30; });
    EXPECT_THAT(result, StatusIs(absl::StatusCode::kCancelled));
    EXPECT_THAT(Listing(), IsEmpty());
  }
  // Cancelled at the very start.
  EXPECT_THAT(EncodeClip(*scene, spec, {}, Files("cancel"), [](int) { return false; }),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(Listing(), IsEmpty());
}

TEST_F(ClipEncoderTest, FailedOrCancelledRunKeepsEarlierOutputs) {
  const ClipFiles files = Files("keep", /*sheet=*/false);
  std::ofstream(files.video_path) << "earlier";
  const auto spec = Spec(320, 568, 30, 30);
  auto scene = generation::ProceduralRenderer().Prepare(spec).value();
  EXPECT_THAT(EncodeClip(*scene, spec, {}, files, [](int p) { return p < 50; }),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(ReadBytes(files.video_path), "earlier");
  EXPECT_THAT(Listing(), ElementsAre("keep.mp4"));
}

TEST_F(ClipEncoderTest, ClearErrors) {
  const auto spec = Spec(320, 568, 30, 10);
  auto scene = generation::ProceduralRenderer().Prepare(spec).value();
  const auto ok = [](int) { return true; };
  ClipFiles missing_dir = Files("x");
  missing_dir.video_path = sub_ + "/no/such/dir/x.mp4";
  EXPECT_THAT(EncodeClip(*scene, spec, {}, missing_dir, ok), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(EncodeClip(*scene, spec, EncodeSettings{.crf = 60}, Files("x"), ok),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(EncodeClip(*scene, spec, EncodeSettings{.preset = "warp-speed"}, Files("x"), ok),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("libx264")));
  EXPECT_THAT(EncodeClip(*scene, spec, {}, ClipFiles{.video_path = sub_ + "/x.mp4"}, ok),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto odd = spec;
  odd.width = 321;
  EXPECT_THAT(EncodeClip(*scene, odd, {}, Files("x"), ok), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Listing(), IsEmpty());
}

}  // namespace
}  // namespace clipforge::media
