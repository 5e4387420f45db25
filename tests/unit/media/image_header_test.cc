#include "media/image_header.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "tests/unit/media/test_media_files.h"

namespace clipforge::media {
namespace {

using ::clipforge::base::testing::IsOk;

namespace fs = std::filesystem;

using test_media::ReadBytes;

std::optional<ImageSize> SizeOf(const std::string& bytes) {
  return ImageSizeFromHeader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

class ImageHeaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/image_header_test_" + std::to_string(getpid());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(ImageHeaderTest, ReadsTheSizeOfEachFormat) {
  const test_media::Rgba opaque = test_media::SolidRgba(123, 45, 200, 100, 50, 255);
  const test_media::Rgba translucent = test_media::SolidRgba(123, 45, 200, 100, 50, 100);
  const std::string png = dir_ + "/a.png", jpeg = dir_ + "/a.jpg", lossy = dir_ + "/lossy.webp",
                    extended = dir_ + "/alpha.webp";
  ASSERT_THAT(test_media::WriteRgbaPng(png, 123, 45, opaque), IsOk());
  ASSERT_THAT(test_media::WriteJpeg(jpeg, 123, 45, opaque), IsOk());
  ASSERT_THAT(test_media::WriteRgbaWebp(lossy, 123, 45, opaque), IsOk());
  ASSERT_THAT(test_media::WriteRgbaWebp(extended, 123, 45, translucent), IsOk());
  for (const std::string& path : {png, jpeg, lossy, extended}) {
    SCOPED_TRACE(path);
    const std::optional<ImageSize> size = SizeOf(ReadBytes(path));
    ASSERT_TRUE(size.has_value());
    EXPECT_EQ(size->width, 123);
    EXPECT_EQ(size->height, 45);
  }
}

TEST_F(ImageHeaderTest, HandWrittenWebpHeaders) {
  // VP8L (lossless): signature 0x2f, 14 bits width - 1, 14 bits height - 1.
  std::string vp8l = std::string("RIFF\0\0\0\0WEBPVP8L\0\0\0\0", 20) + '\x2f';
  const uint32_t bits = (1000 - 1) | ((77 - 1) << 14);
  for (int i = 0; i < 4; ++i) vp8l.push_back(static_cast<char>(bits >> (8 * i)));
  vp8l.append(8, '\0');
  std::optional<ImageSize> size = SizeOf(vp8l);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 1000);
  EXPECT_EQ(size->height, 77);
  // VP8X (extended): canvas width - 1 and height - 1 in 24 bits each.
  std::string vp8x = std::string("RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0", 24);
  for (uint32_t v : {uint32_t{5000 - 1}, uint32_t{6000 - 1}}) {
    for (int i = 0; i < 3; ++i) vp8x.push_back(static_cast<char>(v >> (8 * i)));
  }
  size = SizeOf(vp8x);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 5000);
  EXPECT_EQ(size->height, 6000);
}

TEST_F(ImageHeaderTest, NothingForOtherOrCutBytes) {
  EXPECT_FALSE(SizeOf("").has_value());
  EXPECT_FALSE(SizeOf("GIF89a and the rest").has_value());
  EXPECT_FALSE(SizeOf(std::string("\x89PNG\r\n\x1a\n\0\0", 10)).has_value());
  EXPECT_FALSE(SizeOf(std::string("RIFF\0\0\0\0WEBPVP8 ", 16)).has_value());
  EXPECT_FALSE(SizeOf(std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF", 10)).has_value());
  EXPECT_FALSE(ImageSizeFromHeader(nullptr, 0).has_value());
}

}  // namespace
}  // namespace clipforge::media
