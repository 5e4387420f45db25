#include "media/upload_probe.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/media/test_media_files.h"
#include "tests/unit/moderation/synthetic_video.h"

extern "C" {
#include <libavutil/log.h>
}

namespace clipforge::media {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

using test_media::ReadBytes;

class UploadProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    av_log_set_level(AV_LOG_QUIET);  // the broken files make FFmpeg complain
    dir_ = new std::string(::testing::TempDir() + "/upload_probe_test_" + std::to_string(getpid()));
    fs::create_directories(*dir_);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  // Every file gets a misleading name: the probe must not care.
  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }

  static std::string Png(const std::string& name, int width, int height) {
    const std::string path = Path(name);
    const std::vector<uint8_t> grey(static_cast<size_t>(width) * height * 3, 90);
    EXPECT_THAT(test_media::WritePng(path, width, height, grey), IsOk());
    return path;
  }

  static std::string* dir_;
};
std::string* UploadProbeTest::dir_ = nullptr;

TEST_F(UploadProbeTest, RecognisesEachAudioTypeByContent) {
  struct Case {
    const char* container;  // "" for a hand-written WAV
    const char* encoder;
    const char* mime;
  };
  for (const Case& c : {Case{"", "", "audio/wav"}, Case{"mp3", "libmp3lame", "audio/mpeg"},
                        Case{"adts", "aac", "audio/aac"}, Case{"ipod", "aac", "audio/mp4"},
                        Case{"ogg", "libvorbis", "audio/ogg"}}) {
    SCOPED_TRACE(c.mime);
    const std::string path = Path(absl::StrCat("sound_", c.container, ".png"));
    if (*c.container == '\0') {
      ASSERT_THAT(test_media::WriteSineWav(path, 2.5), IsOk());
    } else {
      ASSERT_THAT(test_media::WriteSineAudio(path, c.container, c.encoder, 2.5), IsOk());
    }
    ASSERT_OK_AND_ASSIGN(ProbedMedia probed, ProbeUpload(path, SoundtrackUpload()));
    EXPECT_EQ(probed.kind, MediaKind::kAudio);
    EXPECT_EQ(probed.mime_type, c.mime);
    EXPECT_NEAR(absl::ToDoubleSeconds(probed.duration), 2.5, 0.15);
    EXPECT_EQ(probed.width, 0);
  }
}

TEST_F(UploadProbeTest, RecognisesEachImageTypeByContent) {
  const test_media::Rgba pixels = test_media::SolidRgba(300, 200, 10, 200, 30, 128);
  const std::string png = Path("png.jpg"), webp = Path("webp.png"), jpeg = Path("jpeg.webp");
  ASSERT_THAT(test_media::WriteRgbaPng(png, 300, 200, pixels), IsOk());
  ASSERT_THAT(test_media::WriteRgbaWebp(webp, 300, 200, pixels), IsOk());
  ASSERT_THAT(test_media::WriteJpeg(jpeg, 300, 200, pixels), IsOk());

  ASSERT_OK_AND_ASSIGN(ProbedMedia p, ProbeUpload(png, StickerUpload()));
  EXPECT_EQ(p.kind, MediaKind::kImage);
  EXPECT_EQ(p.mime_type, "image/png");
  EXPECT_EQ(p.width, 300);
  EXPECT_EQ(p.height, 200);
  EXPECT_EQ(p.duration, absl::ZeroDuration());
  ASSERT_OK_AND_ASSIGN(ProbedMedia w, ProbeUpload(webp, StickerUpload()));
  EXPECT_EQ(w.mime_type, "image/webp");
  EXPECT_EQ(w.width, 300);
  EXPECT_EQ(w.height, 200);
  ASSERT_OK_AND_ASSIGN(ProbedMedia j, ProbeUpload(jpeg, AvatarUpload()));
  EXPECT_EQ(j.mime_type, "image/jpeg");
  EXPECT_EQ(j.width, 300);
  EXPECT_EQ(j.height, 200);
  // PNG and WebP are avatars too.
  EXPECT_THAT(ProbeUpload(png, AvatarUpload()), IsOk());
  EXPECT_THAT(ProbeUpload(webp, AvatarUpload()), IsOk());
}

TEST_F(UploadProbeTest, WrongTypeForTheKindSaysWhatItGot) {
  const std::string jpeg = Path("photo.png"), wav = Path("voice.jpg");
  ASSERT_THAT(test_media::WriteJpeg(jpeg, 64, 64, test_media::SolidRgba(64, 64, 1, 2, 3, 255)),
              IsOk());
  ASSERT_THAT(test_media::WriteSineWav(wav, 0.5), IsOk());
  const std::string png = Png("picture.mp3", 32, 32);
  EXPECT_THAT(ProbeUpload(jpeg, StickerUpload()),
              StatusIs(absl::StatusCode::kInvalidArgument, "sticker must be PNG or WebP, got image/jpeg"));
  EXPECT_THAT(ProbeUpload(wav, AvatarUpload()),
              StatusIs(absl::StatusCode::kInvalidArgument, "avatar must be JPEG, PNG or WebP, got audio/wav"));
  EXPECT_THAT(ProbeUpload(png, SoundtrackUpload()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "soundtrack must be MP3, M4A, AAC, Ogg or WAV, got image/png"));
}

TEST_F(UploadProbeTest, LimitsOfEachKind) {
  // Duration: 130 s of 8 kHz mono WAV.
  const std::string long_wav = Path("long.wav");
  ASSERT_THAT(test_media::WriteSineWav(long_wav, 130, 8000, 1), IsOk());
  EXPECT_THAT(ProbeUpload(long_wav, SoundtrackUpload()),
              StatusIs(absl::StatusCode::kInvalidArgument, "soundtrack is 130.0 s long, over 120 s"));
  // Picture sizes: a sticker is at most 1024 a side, an avatar 4096.
  const std::string wide = Png("wide.png", 1100, 8), huge = Png("huge.png", 4100, 8), fits = Png("fits.png", 1024, 64);
  EXPECT_THAT(ProbeUpload(wide, StickerUpload()),
              StatusIs(absl::StatusCode::kInvalidArgument, "sticker is 1100x8, over 1024x1024"));
  EXPECT_THAT(ProbeUpload(wide, AvatarUpload()), IsOk());
  EXPECT_THAT(ProbeUpload(huge, AvatarUpload()),
              StatusIs(absl::StatusCode::kInvalidArgument, "avatar is 4100x8, over 4096x4096"));
  EXPECT_THAT(ProbeUpload(fits, StickerUpload()), IsOk());
  // Bytes.
  UploadKindLimits tiny = StickerUpload();
  tiny.max_bytes = 100;
  EXPECT_THAT(ProbeUpload(fits, tiny), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sticker is too large")));
}

TEST_F(UploadProbeTest, HugeDeclaredSizeIsRefusedBeforeDecoding) {
  // A small PNG whose header claims 60000 x 60000 pixels (10.8 GB as RGB):
  // refused from the header, nothing allocated.
  std::string bytes = ReadBytes(Png("small.png", 16, 16));
  const auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  put32(16, 60000);
  put32(20, 60000);
  const std::string bomb = Path("bomb.png");
  ASSERT_THAT(test_media::WriteBytes(bomb, bytes), IsOk());
  EXPECT_THAT(ProbeUpload(bomb, AvatarUpload()),
              StatusIs(absl::StatusCode::kInvalidArgument, "avatar is 60000x60000, over 4096x4096"));
}

TEST_F(UploadProbeTest, BrokenFilesDoNotDecode) {
  std::mt19937 random(11);
  std::string noise(50000, '\0');
  for (char& b : noise) b = static_cast<char>(random());
  const std::string random_bytes = Path("random.mp3"), text = Path("notes.png"), empty = Path("empty.png");
  ASSERT_THAT(test_media::WriteBytes(random_bytes, noise), IsOk());
  ASSERT_THAT(test_media::WriteBytes(text, "Hello! This is a text file pretending to be a PNG.\n"),
              IsOk());
  ASSERT_THAT(test_media::WriteBytes(empty, ""), IsOk());
  // A real PNG cut in half.
  std::vector<uint8_t> gradient(200 * 200 * 3);
  for (size_t i = 0; i < gradient.size(); ++i) gradient[i] = static_cast<uint8_t>(i * 7 % 251);
  const std::string whole = Path("whole.png"), truncated = Path("truncated.png");
  ASSERT_THAT(test_media::WritePng(whole, 200, 200, gradient), IsOk());
  const std::string bytes = ReadBytes(whole);
  ASSERT_THAT(test_media::WriteBytes(truncated, bytes.substr(0, bytes.size() / 2)),
              IsOk());
  // A WAV header with its data cut off.
  const std::string wav = Path("cut.wav"), cut_wav = Path("cut_header.wav");
  ASSERT_THAT(test_media::WriteSineWav(wav, 1.0), IsOk());
  ASSERT_THAT(test_media::WriteBytes(cut_wav, ReadBytes(wav).substr(0, 44)), IsOk());

  for (const std::string& path : {random_bytes, text, empty, truncated}) {
    SCOPED_TRACE(path);
    EXPECT_THAT(ProbeUpload(path, StickerUpload()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a decodable image file")));
  }
  for (const std::string& path : {random_bytes, text, empty, cut_wav}) {
    SCOPED_TRACE(path);
    EXPECT_THAT(ProbeUpload(path, SoundtrackUpload()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a decodable audio file")));
  }
  EXPECT_THAT(ProbeUpload(Path("missing.png"), StickerUpload()), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ProbeUpload(*dir_, StickerUpload()), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace clipforge::media
