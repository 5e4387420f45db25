#include "media/soundtrack.h"

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "base/testing/status_matchers.h"
#include "generation/procedural_renderer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/clip_encoder.h"
#include "tests/unit/media/mp4_inspect.h"
#include "tests/unit/media/test_media_files.h"

extern "C" {
#include <libavutil/log.h>
}

namespace clipforge::media {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

constexpr double kClipSeconds = 2.0;  // 60 frames at 30 fps

class SoundtrackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    av_log_set_level(AV_LOG_ERROR);
    dir_ = new std::string(::testing::TempDir() + "/soundtrack_test_" + std::to_string(getpid()));
    fs::create_directories(*dir_);
    // One silent clip for every test: 2 s of H.264, as the pipeline makes it.
    const generation::RenderSpec spec{
        .prompt = "waves on a beach, static", .seed = 3, .width = 320, .height = 568, .fps = 30, .frame_count = 60};
    auto scene = generation::ProceduralRenderer().Prepare(spec).value();
    clip_ = new std::string(*dir_ + "/clip.mp4");
    ASSERT_THAT(EncodeClip(*scene, spec, {}, ClipFiles{.video_path = *clip_, .thumbnail_path = *dir_ + "/clip.jpg"},
                           [](int) { return true; }),
                IsOk());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete clip_;
  }
  void SetUp() override {
    sub_ = *dir_ + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(sub_);
  }

  // The output has the clip's video, unchanged, and an AAC-LC stereo 48 kHz
  // stream as long as the video, with sound all the way through, and is
  // still faststart.
  void ExpectClipWithSoundtrack(const std::string& path) {
    const test_media::Mp4Info info = test_media::InspectMp4(path);
    ASSERT_TRUE(info.opened);
    ASSERT_EQ(info.streams.size(), 2u);
    const test_media::StreamInfo& video = info.streams[0];
    const test_media::StreamInfo& audio = info.streams[1];
    EXPECT_EQ(video.codec, "h264");
    EXPECT_EQ(video.packets, 60);
    EXPECT_NEAR(video.duration, kClipSeconds, 0.05);
    EXPECT_EQ(audio.codec, "aac");
    EXPECT_EQ(audio.profile, 1);  // FF_PROFILE_AAC_LOW
    EXPECT_EQ(audio.sample_rate, 48000);
    EXPECT_EQ(audio.channels, 2);
    EXPECT_NEAR(audio.duration, kClipSeconds, 0.05);
    EXPECT_NEAR(info.duration, kClipSeconds, 0.05);
    EXPECT_NEAR(static_cast<double>(audio.bit_rate), 128000, 40000);
    EXPECT_TRUE(info.faststart) << "moov must precede mdat";
    EXPECT_EQ(test_media::VideoPacketChecksums(path), test_media::VideoPacketChecksums(*clip_))
        << "the video must be copied, not encoded again";
    const std::vector<double> loudness = test_media::AudioRms(path, 0.25);
    ASSERT_GE(loudness.size(), 7u);
    // A 0.4 amplitude sine has an RMS of about 0.28; every quarter second
    // has sound, the loop points included.
    for (size_t i = 0; i < loudness.size(); ++i) EXPECT_GT(loudness[i], 0.1) << "quarter second " << i;
  }

  static std::string* dir_;
  static std::string* clip_;
  std::string sub_;
};
std::string* SoundtrackTest::dir_ = nullptr;
std::string* SoundtrackTest::clip_ = nullptr;

TEST_F(SoundtrackTest, ShortSoundtrackIsLooped) {
  const std::string wav = sub_ + "/short.wav", out = sub_ + "/out.mp4";
  ASSERT_THAT(test_media::WriteSineWav(wav, 0.7, 44100, 2), IsOk());
  ASSERT_OK_AND_ASSIGN(SoundtrackResult result, AddSoundtrack(*clip_, wav, out));
  EXPECT_EQ(result.duration, absl::Seconds(kClipSeconds));
  EXPECT_GE(result.restarts, 2);  // 0.7 s thrice covers 2 s
  EXPECT_EQ(result.bytes, static_cast<int64_t>(fs::file_size(out)));
  ExpectClipWithSoundtrack(out);
}

TEST_F(SoundtrackTest, LongSoundtrackIsCut) {
  const std::string mp3 = sub_ + "/long.mp3", out = sub_ + "/out.mp4";
  ASSERT_THAT(test_media::WriteSineAudio(mp3, "mp3", "libmp3lame", 5.0), IsOk());
  ASSERT_OK_AND_ASSIGN(SoundtrackResult result, AddSoundtrack(*clip_, mp3, out));
  EXPECT_EQ(result.duration, absl::Seconds(kClipSeconds));
  EXPECT_EQ(result.restarts, 0);
  ExpectClipWithSoundtrack(out);
}

TEST_F(SoundtrackTest, AnyFormatLibavformatRecognisesWhateverItsName) {
  struct Case {
    const char* container;
    const char* encoder;
    int rate;
  };
  for (const Case& c : {Case{"adts", "aac", 44100}, Case{"ipod", "aac", 48000}, Case{"ogg", "libvorbis", 22050},
                        Case{"mp3", "libmp3lame", 32000}}) {
    SCOPED_TRACE(c.container);
    // The extension says nothing true: the content is what counts.
    const std::string audio = sub_ + "/" + c.container + ".dat", out = sub_ + "/" + c.container + ".mp4";
    ASSERT_THAT(test_media::WriteSineAudio(audio, c.container, c.encoder, 1.3, c.rate), IsOk());
    ASSERT_THAT(AddSoundtrack(*clip_, audio, out), IsOk());
    ExpectClipWithSoundtrack(out);
  }
}

TEST_F(SoundtrackTest, MonoAndOtherRatesAreResampled) {
  const std::string wav = sub_ + "/mono.wav", out = sub_ + "/out.mp4";
  ASSERT_THAT(test_media::WriteSineWav(wav, 3.0, 22050, 1), IsOk());
  ASSERT_THAT(AddSoundtrack(*clip_, wav, out), IsOk());
  ExpectClipWithSoundtrack(out);
}

TEST_F(SoundtrackTest, ReplacesTheVideoInPlace) {
  const std::string video = sub_ + "/in_place.mp4", wav = sub_ + "/tone.wav";
  fs::copy_file(*clip_, video);
  ASSERT_THAT(test_media::WriteSineWav(wav, 1.0), IsOk());
  ASSERT_THAT(AddSoundtrack(video, wav, video), IsOk());
  ExpectClipWithSoundtrack(video);
  // Again: the earlier soundtrack is replaced, not kept beside the new one.
  ASSERT_THAT(AddSoundtrack(video, wav, video), IsOk());
  EXPECT_EQ(test_media::InspectMp4(video).streams.size(), 2u);
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(sub_)) ++files;
  EXPECT_EQ(files, 2) << "no temporary file left behind";
}

TEST_F(SoundtrackTest, NonAudioFilesAreInvalidArgument) {
  const std::string png = sub_ + "/picture.wav", text = sub_ + "/notes.mp3", noise = sub_ + "/noise.ogg",
                    out = sub_ + "/out.mp4";
  ASSERT_THAT(test_media::WriteRgbaPng(png, 16, 16, test_media::SolidRgba(16, 16, 1, 2, 3, 255)), IsOk());
  ASSERT_THAT(test_media::WriteBytes(text, "This is not music.\n"), IsOk());
  std::mt19937 random(7);
  std::string bytes(20000, '\0');
  for (char& b : bytes) b = static_cast<char>(random());
  ASSERT_THAT(test_media::WriteBytes(noise, bytes), IsOk());
  for (const std::string& path : {png, text, noise}) {
    EXPECT_THAT(AddSoundtrack(*clip_, path, out),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a decodable audio file")))
        << path;
  }
  EXPECT_THAT(AddSoundtrack(*clip_, sub_ + "/missing.wav", out), StatusIs(absl::StatusCode::kNotFound));
  // The video must be an MP4 with video in it.
  const std::string wav = sub_ + "/tone.wav";
  ASSERT_THAT(test_media::WriteSineWav(wav, 1.0), IsOk());
  EXPECT_THAT(AddSoundtrack(wav, wav, out), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace clipforge::media
