#include "generation/procedural_renderer.h"

#include <cstdlib>
#include <thread>
#include <vector>

#include "base/testing/status_matchers.h"
#include "generation/bitmap_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::generation {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;

constexpr int kWidth = 720, kHeight = 1280;

RenderSpec Spec(const std::string& prompt, uint64_t seed = 7) {
  return RenderSpec{.prompt = prompt, .seed = seed, .width = kWidth, .height = kHeight, .fps = 30, .frame_count = 60};
}

std::vector<uint8_t> RenderFrame(const Scene& scene, int index, int width = kWidth, int height = kHeight) {
  // Poisoned first: a renderer that skips pixels shows up as a difference.
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3, static_cast<uint8_t>(0xA5 + index));
  scene.Render(index, RgbFrame{pixels.data(), width, height, width * 3});
  return pixels;
}

std::unique_ptr<Scene> Prepare(const RenderSpec& spec) {
  auto scene = ProceduralRenderer().Prepare(spec);
  EXPECT_THAT(scene, IsOk());
  return std::move(scene).value();
}

// Mean absolute difference per channel value, 0..255.
double MeanDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  int64_t sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::abs(a[i] - b[i]);
  return static_cast<double>(sum) / a.size();
}

double MeanBrightness(const std::vector<uint8_t>& pixels) {
  int64_t sum = 0;
  for (uint8_t v : pixels) sum += v;
  return static_cast<double>(sum) / pixels.size();
}

TEST(ProceduralRendererTest, NamesItselfAndVersion) {
  ProceduralRenderer renderer;
  EXPECT_EQ(renderer.name(), "procedural-1");
  EXPECT_EQ(renderer.version(), "1.0.0");
}

TEST(ProceduralRendererTest, RefusesSpecsOutOfBounds) {
  ProceduralRenderer renderer;
  RenderSpec odd = Spec("x");
  odd.width = 721;
  EXPECT_THAT(renderer.Prepare(odd), StatusIs(absl::StatusCode::kInvalidArgument));
  RenderSpec huge = Spec("x");
  huge.height = 8192;
  EXPECT_THAT(renderer.Prepare(huge), StatusIs(absl::StatusCode::kInvalidArgument));
  RenderSpec no_frames = Spec("x");
  no_frames.frame_count = 0;
  EXPECT_THAT(renderer.Prepare(no_frames), StatusIs(absl::StatusCode::kInvalidArgument));
  RenderSpec fps = Spec("x");
  fps.fps = 0;
  EXPECT_THAT(renderer.Prepare(fps), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ProceduralRendererTest, SameSpecGivesIdenticalFramesAcrossPrepares) {
  for (const char* prompt : {"neon city at night with rain, pan left", "snowy pine forest at dawn, zoom in",
                             "sunset over the ocean with fireflies, orbit", "abstract shapes, shake"}) {
    SCOPED_TRACE(prompt);
    const auto first = Prepare(Spec(prompt));
    const auto second = Prepare(Spec(prompt));
    for (int i : {0, 17, 59}) EXPECT_EQ(RenderFrame(*first, i), RenderFrame(*second, i)) << "frame " << i;
  }
}

TEST(ProceduralRendererTest, AnyOrderAndAnyThreadEqualsInOrder) {
  const auto scene = Prepare(Spec("city skyline over the river at dusk with stars, orbit"));
  std::vector<std::vector<uint8_t>> in_order;
  for (int i = 0; i < 12; ++i) in_order.push_back(RenderFrame(*scene, i));
  for (int i : {11, 3, 7, 0, 5}) EXPECT_EQ(RenderFrame(*scene, i), in_order[i]) << "frame " << i;
  std::vector<std::vector<uint8_t>> threaded(12);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 12; i += 3) threaded[i] = RenderFrame(*scene, i);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(threaded, in_order);
}

TEST(ProceduralRendererTest, DifferentSeedGivesDifferentFrames) {
  const auto a = Prepare(Spec("mountains at noon", 1));
  const auto b = Prepare(Spec("mountains at noon", 2));
  EXPECT_GT(MeanDifference(RenderFrame(*a, 0), RenderFrame(*b, 0)), 1.0);
}

TEST(ProceduralRendererTest, DifferentPromptsLookVisiblyDifferent) {
  const std::vector<std::string> prompts = {"neon city at night with rain", "noon desert with mountains",
                                            "sunset over the ocean", "snowy pine forest at dawn",
                                            "abstract geometric shapes in pink and teal"};
  std::vector<std::vector<uint8_t>> frames;
  for (const std::string& p : prompts) frames.push_back(RenderFrame(*Prepare(Spec(p)), 10));
  for (size_t i = 0; i < frames.size(); ++i) {
    for (size_t j = i + 1; j < frames.size(); ++j) {
      EXPECT_GT(MeanDifference(frames[i], frames[j]), 12.0) << prompts[i] << " vs " << prompts[j];
    }
  }
}

TEST(ProceduralRendererTest, TimeOfDayWordsSetTheLight) {
  const double night = MeanBrightness(RenderFrame(*Prepare(Spec("night stars")), 0));
  const double noon = MeanBrightness(RenderFrame(*Prepare(Spec("noon desert")), 0));
  EXPECT_LT(night, 60);
  EXPECT_GT(noon, 120);
}

TEST(ProceduralRendererTest, ElementWordsChangeThePicture) {
  // Same time and camera, one element more: the picture changes.
  const auto plain = RenderFrame(*Prepare(Spec("mountains at noon, static")), 5);
  for (const char* extra : {"rain", "snow", "shapes", "city", "water", "clouds", "particles"}) {
    const auto with = RenderFrame(*Prepare(Spec(std::string("mountains at noon, static, ") + extra)), 5);
    EXPECT_GT(MeanDifference(plain, with), 2.0) << extra;
  }
}

TEST(ProceduralRendererTest, CameraMovesTheScene) {
  for (const char* camera : {"pan left", "pan right", "zoom in", "zoom out", "orbit", "tilt", "shake"}) {
    const auto scene = Prepare(Spec(std::string("city skyline at sunset, ") + camera));
    EXPECT_GT(MeanDifference(RenderFrame(*scene, 0), RenderFrame(*scene, 59)), 1.0) << camera;
  }
  const auto still = Prepare(Spec("mountains at noon, static"));
  EXPECT_EQ(RenderFrame(*still, 0), RenderFrame(*still, 59));
}

TEST(ProceduralRendererTest, RendersLandscapeAndTinySizesWithinTheFrame) {
  for (auto [w, h] : {std::pair{3840, 2160}, std::pair{16, 16}, std::pair{64, 2000}}) {
    RenderSpec spec = Spec("neon city over the water with snow, rain, fireflies and shapes, zoom out");
    spec.width = w;
    spec.height = h;
    const auto scene = Prepare(spec);
    // A padded stride: the renderer must stay inside each row.
    const int stride = w * 3 + 16;
    std::vector<uint8_t> pixels(static_cast<size_t>(stride) * h, 0x5A);
    scene->Render(30, RgbFrame{pixels.data(), w, h, stride});
    for (int y = 0; y < h; ++y) {
      for (int i = w * 3; i < stride; ++i) ASSERT_EQ(pixels[static_cast<size_t>(y) * stride + i], 0x5A) << w << "x" << h;
    }
  }
}

TEST(BitmapTextTest, MarkIsDrawnInTheTopRightCorner) {
  std::vector<uint8_t> pixels(static_cast<size_t>(kWidth) * kHeight * 3, 40);
  const RgbFrame frame{pixels.data(), kWidth, kHeight, kWidth * 3};
  StampClipForgeMark(frame);
  int white_right = 0, changed_left = 0;
  for (int y = 0; y < kHeight / 8; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      const uint8_t* p = &pixels[(static_cast<size_t>(y) * kWidth + x) * 3];
      if (x >= kWidth / 2 && p[0] == 255 && p[1] == 255 && p[2] == 255) ++white_right;
      if (x < kWidth / 2 && p[0] != 40) ++changed_left;
    }
  }
  EXPECT_GT(white_right, 200);
  EXPECT_EQ(changed_left, 0);
  EXPECT_EQ(TextWidth("ClipForge", 2), (9 * 6 - 1) * 2);
}

TEST(BitmapTextTest, TextIsClippedToTheFrame) {
  std::vector<uint8_t> pixels(10 * 10 * 3, 0);
  DrawText(RgbFrame{pixels.data(), 10, 10, 30}, -7, 5, 3, "HELLO", Rgb{255, 0, 0}, true);
  SUCCEED();  // no write outside the buffer (checked under ASan)
}

}  // namespace
}  // namespace clipforge::generation
