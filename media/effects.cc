#include "media/effects.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/validation.h"

namespace clipforge::media {
namespace {

constexpr size_t kMaxTextChars = 200;
constexpr float kMinTextSize = 0.01f, kMaxTextSize = 0.5f;

// NaN fails every comparison, so it is out of every range.
bool Within(float v, float lo, float hi) { return v >= lo && v <= hi; }

void CheckPosition(base::FieldValidator& v, const std::string& field, float x, float y) {
  v.Check(Within(x, 0, 1), absl::StrCat(field, ".x"), "must be within 0..1");
  v.Check(Within(y, 0, 1), absl::StrCat(field, ".y"), "must be within 0..1");
}

void CheckWindow(base::FieldValidator& v, const std::string& field, absl::Duration start, absl::Duration end) {
  const bool finite = start != absl::InfiniteDuration() && end != absl::InfiniteDuration() &&
                      start != -absl::InfiniteDuration() && end != -absl::InfiniteDuration();
  v.Check(finite, absl::StrCat(field, ".start"), "start and end must be finite");
  v.Check(start >= absl::ZeroDuration(), absl::StrCat(field, ".start"), "must not be negative");
  v.Check(end <= absl::ZeroDuration() || end > start, absl::StrCat(field, ".end"),
          "must be after start (or zero: until the clip ends)");
}

struct Checker {
  base::FieldValidator& v;
  const std::string& field;
  int& speeds;

  void operator()(const TextOverlayEffect& e) const {
    v.Text(absl::StrCat(field, ".text"), e.text, base::TextRule{.min_chars = 1, .max_chars = kMaxTextChars});
    v.Check(e.text.find_first_of("\n\t") == std::string::npos, absl::StrCat(field, ".text"),
            "must be a single line");
    CheckPosition(v, field, e.x, e.y);
    v.Check(Within(e.size, kMinTextSize, kMaxTextSize), absl::StrCat(field, ".size"), "must be within 0.01..0.5");
    v.Check(e.rgb <= 0xFFFFFF, absl::StrCat(field, ".rgb"), "must be 0xRRGGBB");
    CheckWindow(v, field, e.start, e.end);
  }
  void operator()(const ColorGradeEffect& e) const {
    v.Check(e.preset >= ColorGradeEffect::kWarm && e.preset <= ColorGradeEffect::kVivid,
            absl::StrCat(field, ".preset"), "unknown preset");
    v.Check(e.intensity > 0 && e.intensity <= 1, absl::StrCat(field, ".intensity"), "must be within (0, 1]");
  }
  void operator()(const SpeedEffect& e) const {
    ++speeds;
    v.Check(Within(e.factor, kMinSpeed, kMaxSpeed) && e.factor != 1.0f, absl::StrCat(field, ".factor"),
            "must be within 0.25..4 and not 1");
  }
  void operator()(const StickerEffect& e) const {
    v.Check(!e.image_path.empty(), absl::StrCat(field, ".image_path"), "required");
    CheckPosition(v, field, e.x, e.y);
    v.Check(e.scale > 0 && e.scale <= 1, absl::StrCat(field, ".scale"), "must be within (0, 1]");
    CheckWindow(v, field, e.start, e.end);
  }
};

}  // namespace

absl::Status ValidateEffects(const std::vector<Effect>& effects) {
  base::FieldValidator v;
  v.Count("effects", effects.size(), kMaxEffects);
  int speeds = 0;
  for (size_t i = 0; i < effects.size() && i < kMaxEffects; ++i) {
    const std::string field = absl::StrCat("effects[", i, "]");
    std::visit(Checker{v, field, speeds}, effects[i]);
  }
  v.Check(speeds <= 1, "effects", "at most one speed effect");
  return v.status();
}

double SpeedFactor(const std::vector<Effect>& effects) {
  for (const Effect& e : effects) {
    if (const auto* speed = std::get_if<SpeedEffect>(&e)) return speed->factor;
  }
  return 1.0;
}

int OutputFrameCount(int input_frames, double speed) {
  return std::max(1, static_cast<int>(std::llround(input_frames / speed)));
}

}  // namespace clipforge::media
