#include "media/effects.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/effect_filters.h"
#include "media/effects_graph.h"
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

// ---- ValidateEffects ------------------------------------------------------

TEST(ValidateEffectsTest, AcceptsEffectsWithinBounds) {
  const std::vector<Effect> effects = {
      TextOverlayEffect{.text = "Hello, world!", .start = absl::Seconds(1), .end = absl::Seconds(2)},
      ColorGradeEffect{.preset = ColorGradeEffect::kVintage, .intensity = 0.5f},
      SpeedEffect{.factor = 0.25f},
      StickerEffect{.image_path = "/tmp/s.png", .x = 0.1f, .y = 0.9f, .scale = 1.0f},
  };
  EXPECT_THAT(ValidateEffects(effects), IsOk());
  EXPECT_THAT(ValidateEffects({}), IsOk());
}

TEST(ValidateEffectsTest, NamesTheBadField) {
  const auto invalid = [](Effect e, const std::string& field) {
    EXPECT_THAT(ValidateEffects({SpeedEffect{.factor = 2}, std::move(e)}),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field)))
        << field;
  };
  invalid(TextOverlayEffect{.text = ""}, "effects[1].text");
  invalid(TextOverlayEffect{.text = std::string(201, 'a')}, "effects[1].text");
  invalid(TextOverlayEffect{.text = "two\nlines"}, "effects[1].text");
  invalid(TextOverlayEffect{.text = "x", .x = 1.5f}, "effects[1].x");
  invalid(TextOverlayEffect{.text = "x", .y = NAN}, "effects[1].y");
  invalid(TextOverlayEffect{.text = "x", .size = 0.9f}, "effects[1].size");
  invalid(TextOverlayEffect{.text = "x", .rgb = 0x1000000}, "effects[1].rgb");
  invalid(TextOverlayEffect{.text = "x", .start = absl::Seconds(-1)}, "effects[1].start");
  invalid(TextOverlayEffect{.text = "x", .start = absl::Seconds(3), .end = absl::Seconds(2)}, "effects[1].end");
  invalid(ColorGradeEffect{.intensity = 0}, "effects[1].intensity");
  invalid(ColorGradeEffect{.preset = static_cast<ColorGradeEffect::Preset>(9)}, "effects[1].preset");
  invalid(StickerEffect{.image_path = ""}, "effects[1].image_path");
  invalid(StickerEffect{.image_path = "s.png", .scale = 0}, "effects[1].scale");
  invalid(StickerEffect{.image_path = "s.png", .x = -0.1f}, "effects[1].x");
  EXPECT_THAT(ValidateEffects({SpeedEffect{.factor = 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("effects[0].factor")));
  EXPECT_THAT(ValidateEffects({SpeedEffect{.factor = 4.5f}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("effects[0].factor")));
  EXPECT_THAT(ValidateEffects({SpeedEffect{.factor = 2}, SpeedEffect{.factor = 3}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most one speed")));
  EXPECT_THAT(ValidateEffects(std::vector<Effect>(9, ColorGradeEffect{})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("effects")));
}

TEST(ValidateEffectsTest, SpeedGivesTheOutputFrameCount) {
  EXPECT_EQ(SpeedFactor({}), 1.0);
  EXPECT_EQ(SpeedFactor({ColorGradeEffect{}, SpeedEffect{.factor = 2}}), 2.0);
  EXPECT_EQ(OutputFrameCount(60, 1), 60);
  EXPECT_EQ(OutputFrameCount(60, 2), 30);
  EXPECT_EQ(OutputFrameCount(60, 0.25), 240);
  EXPECT_EQ(OutputFrameCount(10, 3), 3);
  EXPECT_EQ(OutputFrameCount(1, 4), 1);
}

// ---- the filter recipes ---------------------------------------------------

TEST(EffectFiltersTest, TimelineExpressions) {
  EXPECT_EQ(EnableExpression(absl::Seconds(1), absl::Milliseconds(2500)), "gte(t,1.000000)*lt(t,2.500000)");
  EXPECT_EQ(EnableExpression(absl::Seconds(2), absl::ZeroDuration()), "gte(t,2.000000)");
}

TEST(EffectFiltersTest, TextIsAnOptionValueNotGraphSyntax) {
  const FilterSpec spec = DrawTextFilter(
      TextOverlayEffect{.text = "a:b,c;[d]'e' %{pts}", .size = 0.1f, .rgb = 0xFF8000}, 1000, "Sans");
  EXPECT_EQ(spec.filter, "drawtext");
  const auto option = [](const std::string& key, const std::string& value) {
    return ::testing::Contains(std::make_pair(key, value));
  };
  EXPECT_THAT(spec.options, option("text", "a:b,c;[d]'e' %{pts}"));
  EXPECT_THAT(spec.options, option("expansion", "none"));
  EXPECT_THAT(spec.options, option("fontsize", "100"));
  EXPECT_THAT(spec.options, option("fontcolor", "0xFF8000"));
}

// ---- the graph on synthetic frames ----------------------------------------

struct Rgb {
  int r = 0, g = 0, b = 0;
};

class EffectsGraphTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    av_log_set_level(AV_LOG_ERROR);
    dir_ = new std::string(::testing::TempDir() + "/effects_test_" + std::to_string(getpid()));
    fs::create_directories(*dir_);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  // Runs `frames` frames of `fill(index, frame)` through the effects; the
  // output frames, copied.
  struct Output {
    int width = 0, height = 0;
    std::vector<std::vector<uint8_t>> frames;  // packed RGB rows
    Rgb At(size_t frame, int x, int y) const {
      const uint8_t* p = &frames[frame][(static_cast<size_t>(y) * width + x) * 3];
      return Rgb{p[0], p[1], p[2]};
    }
  };
  template <typename Fill>
  absl::StatusOr<Output> Run(EffectsGraphConfig config, Fill fill, bool* bitmap_text = nullptr) {
    auto graph = EffectsGraph::Create(config);
    if (!graph.ok()) return graph.status();
    if (bitmap_text != nullptr) *bitmap_text = (*graph)->bitmap_text();
    Output out{config.width, config.height, {}};
    const auto sink = [&](int index, generation::RgbFrame f) {
      EXPECT_EQ(index, static_cast<int>(out.frames.size()));
      std::vector<uint8_t> copy(static_cast<size_t>(f.width) * f.height * 3);
      for (int y = 0; y < f.height; ++y) {
        std::copy_n(f.Row(y), f.width * 3, &copy[static_cast<size_t>(y) * f.width * 3]);
      }
      out.frames.push_back(std::move(copy));
      return absl::OkStatus();
    };
    for (int i = 0; i < config.input_frames; ++i) {
      auto frame = (*graph)->NewInputFrame();
      if (!frame.ok()) return frame.status();
      fill(i, generation::RgbFrame{(*frame)->data[0], config.width, config.height, (*frame)->linesize[0]});
      if (absl::Status s = (*graph)->Push(*std::move(frame), sink); !s.ok()) return s;
    }
    if (absl::Status s = (*graph)->Finish(sink); !s.ok()) return s;
    EXPECT_EQ(static_cast<int>(out.frames.size()), (*graph)->output_frames());
    return out;
  }

  static void Solid(generation::RgbFrame f, Rgb c) {
    for (int y = 0; y < f.height; ++y) {
      for (int x = 0; x < f.width; ++x) {
        uint8_t* p = f.Row(y) + x * 3;
        p[0] = static_cast<uint8_t>(c.r), p[1] = static_cast<uint8_t>(c.g), p[2] = static_cast<uint8_t>(c.b);
      }
    }
  }
  static EffectsGraphConfig Config(std::vector<Effect> effects, int frames = 10, int fps = 10) {
    return EffectsGraphConfig{.width = 160, .height = 120, .fps = fps, .input_frames = frames, .effects = effects};
  }
  // Pixels brighter than 200 on all channels within the box.
  static int Bright(const Output& out, size_t frame, int x0, int y0, int x1, int y1) {
    int n = 0;
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        const Rgb p = out.At(frame, x, y);
        if (p.r > 200 && p.g > 200 && p.b > 200) ++n;
      }
    }
    return n;
  }

  static std::string* dir_;
};
std::string* EffectsGraphTest::dir_ = nullptr;

TEST_F(EffectsGraphTest, SpeedGivesExactlyTheExpectedFramesInOrder) {
  for (const int frames : {7, 30, 31, 60}) {
    for (const float factor : {0.25f, 0.5f, 0.75f, 1.5f, 2.0f, 3.0f, 4.0f}) {
      SCOPED_TRACE(::testing::Message() << frames << " frames at speed " << factor);
      // Each input frame's index is in its red channel.
      ASSERT_OK_AND_ASSIGN(Output out, Run(Config({SpeedEffect{.factor = factor}}, frames, 30),
                                           [](int i, generation::RgbFrame f) { Solid(f, Rgb{i * 4, 0, 0}); }));
      ASSERT_EQ(static_cast<int>(out.frames.size()), OutputFrameCount(frames, factor));
      int previous = -1;
      for (size_t j = 0; j < out.frames.size(); ++j) {
        const int source = (out.At(j, 80, 60).r + 2) / 4;
        // The frame due at output time j: source j * factor, give or take one.
        EXPECT_NEAR(source, std::min<double>(j * factor, frames - 1), 1.0) << "output frame " << j;
        EXPECT_GE(source, previous);
        previous = source;
      }
    }
  }
}

TEST_F(EffectsGraphTest, ColorGradesShiftColoursAsNamed) {
  const Rgb grey{128, 128, 128}, orange{200, 120, 60};
  const auto graded = [&](ColorGradeEffect::Preset preset, float intensity, Rgb input) {
    auto out = Run(Config({ColorGradeEffect{.preset = preset, .intensity = intensity}}, 2),
                   [&](int, generation::RgbFrame f) { Solid(f, input); });
    EXPECT_THAT(out, IsOk());
    return out.ok() ? out->At(1, 80, 60) : Rgb{};
  };
  const Rgb warm = graded(ColorGradeEffect::kWarm, 1, grey);
  EXPECT_GT(warm.r, 135);
  EXPECT_LT(warm.b, 120);
  const Rgb half_warm = graded(ColorGradeEffect::kWarm, 0.5f, grey);
  EXPECT_GT(half_warm.r, 128);
  EXPECT_LT(half_warm.r, warm.r);
  const Rgb cool = graded(ColorGradeEffect::kCool, 1, grey);
  EXPECT_GT(cool.b, 135);
  EXPECT_LT(cool.r, 120);
  const Rgb mono = graded(ColorGradeEffect::kMono, 1, orange);
  EXPECT_NEAR(mono.r, mono.g, 2);
  EXPECT_NEAR(mono.g, mono.b, 2);
  const Rgb vintage = graded(ColorGradeEffect::kVintage, 1, grey);
  EXPECT_GT(vintage.r, vintage.g);
  EXPECT_GT(vintage.g, vintage.b);
  const Rgb vivid = graded(ColorGradeEffect::kVivid, 1, orange);
  EXPECT_GT(vivid.r - vivid.b, orange.r - orange.b + 20) << "more saturated";
}

TEST_F(EffectsGraphTest, TextAppearsOnlyInItsWindowWithEitherRenderer) {
  for (const bool drawtext : {true, false}) {
    SCOPED_TRACE(drawtext ? "drawtext" : "bitmap font");
    EffectsGraphConfig config = Config({TextOverlayEffect{.text = "HELLO 42",
                                                          .y = 0.5f,
                                                          .size = 0.15f,
                                                          .start = absl::Seconds(1),
                                                          .end = absl::Seconds(2)}},
                                       30, 10);
    config.use_drawtext = drawtext;
    bool bitmap = false;
    ASSERT_OK_AND_ASSIGN(Output out, Run(config, [](int, generation::RgbFrame f) { Solid(f, Rgb{0, 0, 0}); },
                                         &bitmap));
    EXPECT_EQ(bitmap, !drawtext);
    ASSERT_EQ(out.frames.size(), 30u);
    for (size_t i = 0; i < out.frames.size(); ++i) {
      const int centre = Bright(out, i, 20, 40, 140, 80);
      if (i >= 10 && i < 20) {
        EXPECT_GT(centre, 60) << "frame " << i;
      } else {
        EXPECT_EQ(centre, 0) << "frame " << i;
      }
      EXPECT_EQ(Bright(out, i, 0, 0, 160, 25), 0) << "nothing far from the text, frame " << i;
    }
  }
}

TEST_F(EffectsGraphTest, TextIsDrawnLiterallyWhateverItContains) {
  // Graph-string syntax and drawtext's own %{...} expansion are only text.
  const std::string text = "50% off: [a],b;c='d' \\ %{pts} \xC3\xA9t\xC3\xA9";
  ASSERT_OK_AND_ASSIGN(Output out, Run(Config({TextOverlayEffect{.text = text, .size = 0.1f}}, 3),
                                       [](int, generation::RgbFrame f) { Solid(f, Rgb{0, 0, 0}); }));
  EXPECT_GT(Bright(out, 0, 0, 40, 160, 80), 30);
}

TEST_F(EffectsGraphTest, StickersKeepTheirTransparencyAndWindow) {
  // 40x40: the left half opaque red, the right half fully transparent.
  test_media::Rgba pixels = test_media::SolidRgba(40, 40, 255, 0, 0, 255);
  for (int y = 0; y < 40; ++y) {
    for (int x = 20; x < 40; ++x) pixels[(static_cast<size_t>(y) * 40 + x) * 4 + 3] = 0;
  }
  const std::string png = *dir_ + "/sticker.png", webp = *dir_ + "/sticker.webp";
  ASSERT_THAT(test_media::WriteRgbaPng(png, 40, 40, pixels), IsOk());
  ASSERT_THAT(test_media::WriteRgbaWebp(webp, 40, 40, pixels), IsOk());
  for (const std::string& path : {png, webp}) {
    SCOPED_TRACE(path);
    // Half the frame's width (80 px) centred at (0.5, 0.5): x 40..120, y 20..100.
    ASSERT_OK_AND_ASSIGN(
        Output out,
        Run(Config({StickerEffect{.image_path = path, .scale = 0.5f, .start = absl::Milliseconds(500)}}, 10, 10),
            [](int, generation::RgbFrame f) { Solid(f, Rgb{0, 0, 255}); }));
    for (size_t i = 0; i < out.frames.size(); ++i) {
      const Rgb left = out.At(i, 60, 60), right = out.At(i, 100, 60), outside = out.At(i, 20, 60);
      EXPECT_LT(right.r, 30) << "transparent half, frame " << i;
      EXPECT_GT(right.b, 220) << "transparent half, frame " << i;
      EXPECT_GT(outside.b, 220);
      if (i >= 5) {
        EXPECT_GT(left.r, 220) << "frame " << i;
        EXPECT_LT(left.b, 40) << "frame " << i;
      } else {
        EXPECT_LT(left.r, 30) << "before its start, frame " << i;
      }
    }
  }
}

TEST_F(EffectsGraphTest, AllEffectsTogether) {
  const std::string png = *dir_ + "/all.png";
  ASSERT_THAT(test_media::WriteRgbaPng(png, 16, 16, test_media::SolidRgba(16, 16, 0, 255, 0, 255)), IsOk());
  ASSERT_OK_AND_ASSIGN(Output out,
                       Run(Config({StickerEffect{.image_path = png, .x = 0.1f, .y = 0.1f, .scale = 0.1f},
                                   TextOverlayEffect{.text = "ALL", .size = 0.2f},
                                   ColorGradeEffect{.preset = ColorGradeEffect::kMono},
                                   SpeedEffect{.factor = 2}},
                                  20, 10),
                           [](int, generation::RgbFrame f) { Solid(f, Rgb{30, 30, 200}); }));
  ASSERT_EQ(out.frames.size(), 10u);
  // Grade first, then overlays: the sticker keeps its green, the background is grey.
  const Rgb background = out.At(5, 150, 110), sticker = out.At(5, 16, 12);
  EXPECT_NEAR(background.r, background.b, 3);
  EXPECT_GT(sticker.g, 200);
  EXPECT_LT(sticker.r, 40);
  EXPECT_GT(Bright(out, 5, 40, 40, 120, 80), 30);
}

TEST_F(EffectsGraphTest, BadStickersAreClearErrors) {
  const std::string jpeg = *dir_ + "/photo.jpg", text = *dir_ + "/notes.png";
  ASSERT_THAT(test_media::WriteJpeg(jpeg, 32, 32, test_media::SolidRgba(32, 32, 9, 9, 9, 255)), IsOk());
  ASSERT_THAT(test_media::WriteBytes(text, "just some notes, not a picture\n"), IsOk());
  const auto with = [](const std::string& path) { return Config({StickerEffect{.image_path = path}}); };
  EXPECT_THAT(EffectsGraph::Create(with(*dir_ + "/missing.png")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(EffectsGraph::Create(with(jpeg)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be PNG or WebP")));
  EXPECT_THAT(EffectsGraph::Create(with(text)), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(EffectsGraph::Create(Config({SpeedEffect{.factor = 9}})), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace clipforge::media
