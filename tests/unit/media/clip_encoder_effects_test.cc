// media::EncodeClip with effects: real libx264 encodes, read back with
// libavformat and the frame reader.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/testing/status_matchers.h"
#include "generation/procedural_renderer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/clip_encoder.h"
#include "media/frame_reader.h"
#include "tests/unit/media/mp4_inspect.h"
#include "tests/unit/media/test_media_files.h"

extern "C" {
#include <libavutil/log.h>
}

namespace clipforge::media {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::IsEmpty;

namespace fs = std::filesystem;

using test_media::ReadBytes;

class ClipEncoderEffectsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    av_log_set_level(AV_LOG_ERROR);
    dir_ = new std::string(::testing::TempDir() + "/clip_encoder_effects_test_" + std::to_string(getpid()));
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

  static generation::RenderSpec Spec(int frames, int fps = 30, const std::string& prompt = "neon city, pan left") {
    return generation::RenderSpec{
        .prompt = prompt, .seed = 7, .width = 320, .height = 568, .fps = fps, .frame_count = frames};
  }
  ClipFiles Files(const std::string& name) const {
    return ClipFiles{.video_path = sub_ + "/" + name + ".mp4",
                     .thumbnail_path = sub_ + "/" + name + ".jpg",
                     .spritesheet_path = sub_ + "/" + name + "-sprites.jpg"};
  }
  absl::StatusOr<ClipResult> Encode(const generation::RenderSpec& spec, const ClipFiles& files,
                                    const EncodeSettings& settings) {
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
std::string* ClipEncoderEffectsTest::dir_ = nullptr;

TEST_F(ClipEncoderEffectsTest, SpeedChangesFramesAndDuration) {
  struct Case {
    float factor;
    int frames;
    double seconds;
  };
  for (const Case& c : {Case{2.0f, 30, 1.0}, Case{0.5f, 120, 4.0}}) {
    SCOPED_TRACE(c.factor);
    const ClipFiles files = Files(absl::StrCat("speed", c.frames));
    ASSERT_OK_AND_ASSIGN(ClipResult result,
                         Encode(Spec(60), files, EncodeSettings{.effects = {SpeedEffect{.factor = c.factor}}}));
    EXPECT_EQ(result.frames, c.frames);
    EXPECT_EQ(result.duration, absl::Seconds(c.seconds));
    EXPECT_GT(result.effects_time, absl::ZeroDuration());
    const test_media::Mp4Info info = test_media::InspectMp4(files.video_path);
    ASSERT_EQ(info.streams.size(), 1u);
    EXPECT_EQ(info.streams[0].codec, "h264");
    EXPECT_EQ(info.streams[0].packets, c.frames);
    EXPECT_NEAR(info.duration, c.seconds, 0.05);
    EXPECT_TRUE(info.faststart);
    // The spritesheet follows the output: a tile a second.
    EXPECT_EQ(result.spritesheet.columns, static_cast<int>(c.seconds));
    EXPECT_LE(progress_.size(), 100u);
    EXPECT_LE(progress_.back(), 99);
    progress_.clear();
  }
}

TEST_F(ClipEncoderEffectsTest, EffectsShowInTheVideoAndTheMarkStaysOnTop) {
  // An opaque black sticker as wide as the frame and a little taller:
  // it covers the whole scene, and only the mark (stamped after the
  // effects) remains bright.
  const std::string sticker = sub_ + "/sticker.png";
  ASSERT_THAT(test_media::WriteRgbaPng(sticker, 10, 18, test_media::SolidRgba(10, 18, 0, 0, 0, 255)), IsOk());
  const ClipFiles files = Files("fx");
  const auto spec = Spec(10, 10, "night sky over the sea, static");
  ASSERT_OK_AND_ASSIGN(ClipResult result,
                       Encode(spec, files,
                              EncodeSettings{.effects = {ColorGradeEffect{.preset = ColorGradeEffect::kMono},
                                                         StickerEffect{.image_path = sticker, .scale = 1.0f}}}));
  EXPECT_EQ(result.frames, 10);
  ASSERT_OK_AND_ASSIGN(std::vector<Frame> frames, ReadAllFrames(files.video_path, {.every_frame = true}));
  ASSERT_EQ(frames.size(), 10u);
  for (const Frame& f : frames) {
    int bright_corner = 0, bright_elsewhere = 0;
    for (int y = 0; y < f.height; ++y) {
      for (int x = 0; x < f.width; ++x) {
        const uint8_t* p = &f.rgb[(static_cast<size_t>(y) * f.width + x) * 3];
        const bool bright = p[0] > 190 && p[1] > 190 && p[2] > 190;
        if (!bright) continue;
        (y < f.height / 10 && x >= f.width / 2 ? bright_corner : bright_elsewhere)++;
      }
    }
    EXPECT_GT(bright_corner, 40) << "the mark, over the black sticker, at " << f.time_seconds;
    EXPECT_LT(bright_elsewhere, 20) << "the sticker covers the scene at " << f.time_seconds;
  }
}

TEST_F(ClipEncoderEffectsTest, SameFramesWithOrWithoutTheRenderThread) {
  // The effects run on whichever thread renders; the frames they give the
  // encoder must not depend on which. The thumbnail and spritesheet are
  // those frames, byte for byte. The MP4s are not compared: given the same
  // frames, the libx264 encodes after the first two of a process can still
  // differ (they did here unless MALLOC_PERTURB_ was set: a read of heap
  // memory nobody initialised, below EncodeClip).
  const auto spec = Spec(30);
  const std::vector<Effect> effects = {SpeedEffect{.factor = 1.5f},
                                       ColorGradeEffect{.preset = ColorGradeEffect::kWarm},
                                       TextOverlayEffect{.text = "Hello", .start = absl::Milliseconds(300)}};
  const ClipFiles a = Files("a"), b = Files("b");
  ASSERT_OK_AND_ASSIGN(ClipResult ra, Encode(spec, a, EncodeSettings{.render_ahead = true, .effects = effects}));
  ASSERT_OK_AND_ASSIGN(ClipResult rb, Encode(spec, b, EncodeSettings{.render_ahead = false, .effects = effects}));
  EXPECT_EQ(ra.frames, 20);
  EXPECT_EQ(rb.frames, 20);
  // EXPECT_TRUE, not EXPECT_EQ: a difference would print every byte.
  EXPECT_TRUE(ReadBytes(a.thumbnail_path) == ReadBytes(b.thumbnail_path));
  EXPECT_TRUE(ReadBytes(a.spritesheet_path) == ReadBytes(b.spritesheet_path));
  EXPECT_EQ(test_media::InspectMp4(a.video_path).streams.at(0).packets, 20);
  EXPECT_EQ(test_media::InspectMp4(b.video_path).streams.at(0).packets, 20);
}

TEST_F(ClipEncoderEffectsTest, BadEffectsAndCancellationLeaveNoFiles) {
  const auto spec = Spec(60);
  EXPECT_THAT(Encode(spec, Files("bad"), EncodeSettings{.effects = {SpeedEffect{.factor = 8}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("effects[0].factor")));
  EXPECT_THAT(Encode(spec, Files("bad"), EncodeSettings{.effects = {StickerEffect{.image_path = sub_ + "/none.png"}}}),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Listing(), IsEmpty());

  auto scene = generation::ProceduralRenderer().Prepare(spec).value();
  for (bool ahead : {true, false}) {
    const auto result =
        EncodeClip(*scene, spec, EncodeSettings{.render_ahead = ahead, .effects = {SpeedEffect{.factor = 0.5f}}},
                   Files("cancel"), [](int percent) { return percent < 30; });
    EXPECT_THAT(result, StatusIs(absl::StatusCode::kCancelled));
    EXPECT_THAT(Listing(), IsEmpty());
  }
}

}  // namespace
}  // namespace clipforge::media
