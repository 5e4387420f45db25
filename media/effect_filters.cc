#include "media/effect_filters.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace clipforge::media {
namespace {

// Fixed-point text for filter options: the same bytes for the same value
// on every machine.
std::string Num(double v) { return absl::StrFormat("%.6f", v); }

using Matrix = std::array<std::array<double, 3>, 3>;  // out[row] = sum(m[row][col] * in[col]), RGB

constexpr Matrix kIdentity = {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
// Reds and greens up, blues down: late-afternoon light.
constexpr Matrix kWarm = {{{1.12, 0.02, 0}, {0, 1.03, 0}, {0, 0, 0.84}}};
// The reverse: reds down, blues up.
constexpr Matrix kCool = {{{0.86, 0, 0}, {0, 1.0, 0.03}, {0, 0.02, 1.14}}};
// BT.709 luma on every channel.
constexpr Matrix kMono = {{{0.2126, 0.7152, 0.0722}, {0.2126, 0.7152, 0.0722}, {0.2126, 0.7152, 0.0722}}};
// The classic sepia toning matrix.
constexpr Matrix kSepia = {{{0.393, 0.769, 0.189}, {0.349, 0.686, 0.168}, {0.272, 0.534, 0.131}}};

// colorchannelmixer blending the identity toward `target` by `amount`.
FilterSpec Mixer(const Matrix& target, double amount) {
  static constexpr const char* kNames[3][3] = {{"rr", "rg", "rb"}, {"gr", "gg", "gb"}, {"br", "bg", "bb"}};
  FilterSpec spec{"colorchannelmixer", {}};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      spec.options.emplace_back(kNames[r][c], Num(kIdentity[r][c] + (target[r][c] - kIdentity[r][c]) * amount));
    }
  }
  return spec;
}

}  // namespace

std::vector<FilterSpec> SpeedFilters(double speed, int fps) {
  // setpts divides the timestamps (the input's time base is fine enough
  // that this loses nothing); fps then takes the frame due at each output
  // tick, dropping frames when faster and repeating them when slower.
  return {FilterSpec{"setpts", {{"expr", absl::StrFormat("PTS/%.6f", speed)}}},
          FilterSpec{"fps", {{"fps", absl::StrCat(fps)}, {"round", "near"}}}};
}

std::vector<FilterSpec> ColorGradeFilters(const ColorGradeEffect& grade) {
  const double i = std::clamp(static_cast<double>(grade.intensity), 0.0, 1.0);
  switch (grade.preset) {
    case ColorGradeEffect::kWarm:
      return {Mixer(kWarm, i)};
    case ColorGradeEffect::kCool:
      return {Mixer(kCool, i)};
    case ColorGradeEffect::kMono:
      return {Mixer(kMono, i)};
    case ColorGradeEffect::kVintage: {
      // Most of the way to sepia, then faded: blacks lifted, whites lowered.
      const double fade = 0.08 * i;
      return {Mixer(kSepia, 0.7 * i),
              FilterSpec{"curves", {{"all", absl::StrFormat("0/%.6f 1/%.6f", fade, 1 - fade)}}}};
    }
    case ColorGradeEffect::kVivid:
      return {FilterSpec{"eq", {{"saturation", Num(1 + 0.6 * i)}, {"contrast", Num(1 + 0.1 * i)}}}};
  }
  return {};
}

std::string EnableExpression(absl::Duration start, absl::Duration end) {
  const double from = absl::ToDoubleSeconds(start);
  if (end <= absl::ZeroDuration()) return absl::StrFormat("gte(t,%.6f)", from);
  return absl::StrFormat("gte(t,%.6f)*lt(t,%.6f)", from, absl::ToDoubleSeconds(end));
}

FilterSpec DrawTextFilter(const TextOverlayEffect& text, int frame_height, const std::string& font) {
  const int font_size = std::max(4, static_cast<int>(std::lround(text.size * frame_height)));
  const int shadow = std::max(1, font_size / 16);
  return FilterSpec{"drawtext",
                    {{"font", font},
                     {"text", text.text},
                     {"expansion", "none"},  // the text as written: no %{...} expansion
                     {"fontsize", absl::StrCat(font_size)},
                     {"fontcolor", absl::StrFormat("0x%06X", text.rgb)},
                     {"shadowcolor", "black@0.6"},
                     {"shadowx", absl::StrCat(shadow)},
                     {"shadowy", absl::StrCat(shadow)},
                     {"x", absl::StrFormat("w*%.6f-text_w/2", text.x)},
                     {"y", absl::StrFormat("h*%.6f-text_h/2", text.y)},
                     {"enable", EnableExpression(text.start, text.end)}}};
}

int StickerWidth(const StickerEffect& sticker, int frame_width) {
  return std::max(1, static_cast<int>(std::lround(sticker.scale * frame_width)));
}

FilterSpec StickerScaleFilter(const StickerEffect& sticker, int frame_width) {
  return FilterSpec{"scale", {{"w", absl::StrCat(StickerWidth(sticker, frame_width))}, {"h", "-1"}}};
}

FilterSpec StickerOverlayFilter(const StickerEffect& sticker) {
  return FilterSpec{"overlay",
                    {{"x", absl::StrFormat("main_w*%.6f-overlay_w/2", sticker.x)},
                     {"y", absl::StrFormat("main_h*%.6f-overlay_h/2", sticker.y)},
                     {"format", "rgb"},
                     {"eof_action", "repeat"},  // the one picture stays for the whole clip
                     {"enable", EnableExpression(sticker.start, sticker.end)}}};
}

}  // namespace clipforge::media
