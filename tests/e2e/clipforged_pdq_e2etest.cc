// `clipforged pdq FILE...` as an operator runs it: the output format of
// stills and of sampled video frames, several files, a bad file among good
// ones, and agreement with Meta's published hashes when the reference data
// is present.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "absl/strings/str_split.h"
#include "moderation/pdq.h"
#include "tests/support/clipforged_process.h"
#include "tests/support/process.h"
#include "tests/unit/moderation/synthetic_video.h"
#include "tests/unit/moderation/testdata.h"

namespace clipforge::testing {
namespace {

std::vector<std::string> Lines(const std::string& output) {
  return absl::StrSplit(output, '\n', absl::SkipEmpty());
}

// A picture with structure (PDQ quality well above 50): diagonal bands and
// a bright square that moves with `index`.
void Draw(int index, int width, int height, std::vector<uint8_t>& rgb) {
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const bool square = x / 16 == (2 + index) % 8 && y / 16 == 3;
      const uint8_t band = ((x + y) / 12) % 2 ? 200 : 40;
      uint8_t* p = &rgb[(static_cast<size_t>(y) * width + x) * 3];
      p[0] = square ? 255 : band;
      p[1] = square ? 255 : static_cast<uint8_t>(x * 255 / width);
      p[2] = square ? 0 : static_cast<uint8_t>(y * 255 / height);
    }
  }
}

class PdqCommandTest : public ::testing::Test {
 protected:
  std::string WriteStill(const std::string& name, int index) {
    std::vector<uint8_t> rgb(128 * 128 * 3);
    Draw(index, 128, 128, rgb);
    const std::string path = dir_.path() + "/" + name;
    EXPECT_TRUE(test_media::WritePng(path, 128, 128, rgb).ok());
    return path;
  }
  CommandResult Pdq(std::vector<std::string> args) {
    args.insert(args.begin(), "pdq");
    return RunClipforged(CF_CLIPFORGED, args);
  }
  TempDir dir_;
};

const std::regex kStillLine("^([0-9a-f]{64}) ([0-9]{1,3})$");
const std::regex kFrameLine("^([0-9]+\\.[0-9]{3}) ([0-9a-f]{64}) ([0-9]{1,3})$");

TEST_F(PdqCommandTest, AStillPrintsItsHashAndQuality) {
  const CommandResult r = Pdq({WriteStill("a.png", 0)});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> lines = Lines(r.output);
  ASSERT_EQ(lines.size(), 1u) << r.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(lines[0], m, kStillLine)) << lines[0];
  EXPECT_GE(std::stoi(m[2]), 50) << "a structured picture has a usable quality";
}

TEST_F(PdqCommandTest, SeveralFilesNameTheirsAndDifferentPicturesHashFarApart) {
  const std::string a = WriteStill("a.png", 0);
  const std::string b = WriteStill("b.png", 3);
  const CommandResult r = Pdq({a, b});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> lines = Lines(r.output);
  ASSERT_EQ(lines.size(), 2u) << r.output;
  const std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
  const std::vector<std::string> second = absl::StrSplit(lines[1], ' ');
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(first[2], a);
  EXPECT_EQ(second[2], b);
  auto ha = moderation::PdqHash::FromHex(first[0]);
  auto hb = moderation::PdqHash::FromHex(second[0]);
  ASSERT_TRUE(ha.ok() && hb.ok());
  EXPECT_GT(moderation::HammingDistance(*ha, *hb), 0);
}

TEST_F(PdqCommandTest, FramesSampleOnePerIntervalPlusTheFirstAndTheLast) {
  // 3.5 s at 10 fps: frames at 0, 1, 2, 3 s and the last one at 3.4 s.
  const std::string video = dir_.path() + "/clip.mkv";
  ASSERT_TRUE(test_media::WriteVideo(video, 128, 128, 10, 35, [](int i, std::vector<uint8_t>& rgb) {
                Draw(i, 128, 128, rgb);
              }).ok());
  const CommandResult r = Pdq({"--frames", video});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> lines = Lines(r.output);
  std::vector<double> times;
  for (const std::string& line : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, kFrameLine)) << line;
    times.push_back(std::stod(m[1]));
  }
  ASSERT_EQ(times.size(), 5u) << r.output;
  EXPECT_DOUBLE_EQ(times.front(), 0.0);
  EXPECT_NEAR(times[1], 1.0, 0.001);
  EXPECT_NEAR(times.back(), 3.4, 0.001);

  const CommandResult halves = Pdq({"--frames", "--interval=500ms", video});
  ASSERT_EQ(halves.exit_code, 0) << halves.output;
  EXPECT_EQ(Lines(halves.output).size(), 8u) << "0, 0.5, ... 3.0 and the last frame: " << halves.output;
}

TEST_F(PdqCommandTest, ABadFileFailsTheCommandButTheOthersAreStillHashed) {
  const std::string good = WriteStill("good.png", 1);
  const std::string junk = dir_.path() + "/junk.png";
  std::ofstream(junk) << "this is not an image";
  const std::string missing = dir_.path() + "/missing.jpg";
  const CommandResult r = Pdq({missing, good, junk});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("pdq: " + missing + ":"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pdq: " + junk + ":"), std::string::npos) << r.output;
  const std::regex good_line("^[0-9a-f]{64} [0-9]{1,3} " + good + "$");
  int good_lines = 0;
  for (const std::string& line : Lines(r.output)) good_lines += std::regex_match(line, good_line);
  EXPECT_EQ(good_lines, 1) << r.output;
}

TEST_F(PdqCommandTest, RefusesNoFilesAndBadFlags) {
  EXPECT_EQ(Pdq({}).exit_code, 1);
  const CommandResult interval = Pdq({"--frames", "--interval=1ms", WriteStill("a.png", 0)});
  EXPECT_EQ(interval.exit_code, 1);
  EXPECT_NE(interval.output.find("--interval"), std::string::npos) << interval.output;
  EXPECT_NE(Pdq({"--nope", "x.png"}).exit_code, 0);
}

TEST_F(PdqCommandTest, AgreesWithMetasPublishedHashes) {
  CF_PDQ_TESTDATA_OR_SKIP(dir);
  std::ifstream csv(dir + "/expected.csv");
  std::string line;
  std::getline(csv, line);  // header
  int checked = 0;
  while (std::getline(csv, line)) {
    const std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (cells.size() != 2) continue;
    const CommandResult r = Pdq({dir + "/" + cells[0]});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::smatch m;
    const std::string out = Lines(r.output).at(0);
    ASSERT_TRUE(std::regex_match(out, m, kStillLine)) << out;
    auto ours = moderation::PdqHash::FromHex(m[1].str());
    auto reference = moderation::PdqHash::FromHex(cells[1]);
    ASSERT_TRUE(ours.ok() && reference.ok());
    EXPECT_LE(moderation::HammingDistance(*ours, *reference), 10) << cells[0];
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

}  // namespace
}  // namespace clipforge::testing
