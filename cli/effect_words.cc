#include "cli/effect_words.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "cli/enum_words.h"
#include "cli/errors.h"

namespace clipforge::cli {
namespace {

constexpr absl::string_view kGradePrefix = "COLOR_GRADE_PRESET_";
constexpr absl::string_view kKinds = "text:TEXT, grade:PRESET, speed:FACTOR or sticker:FILE";
constexpr absl::string_view kStickerPrefix = "sticker:";

absl::StatusOr<v1::TextOverlay> ParseText(absl::string_view word, absl::string_view text) {
  const std::optional<size_t> chars = base::Utf8Length(text);
  if (!chars) return UsageError(absl::StrCat("--effect=", word, ": the text is not valid UTF-8"));
  if (*chars == 0 || *chars > kMaxOverlayTextChars) {
    return UsageError(absl::StrCat("--effect=", word, ": the text must be 1-", kMaxOverlayTextChars, " characters"));
  }
  if (text.find_first_of("\r\n") != absl::string_view::npos) {
    return UsageError(absl::StrCat("--effect=", word, ": the text must be one line"));
  }
  v1::TextOverlay overlay;
  overlay.set_text(std::string(text));
  return overlay;
}

absl::StatusOr<v1::SpeedChange> ParseSpeed(absl::string_view word, absl::string_view text) {
  float factor = 0;
  // SimpleAtof accepts "nan" and "inf", which no range check below catches.
  if (!absl::SimpleAtof(text, &factor) || !std::isfinite(factor) || factor < kMinSpeed || factor > kMaxSpeed ||
      factor == 1.0F) {
    return UsageError(absl::StrCat("--effect=", word, ": the speed must be a number from ", kMinSpeed, " to ",
                                   kMaxSpeed, ", not 1"));
  }
  v1::SpeedChange speed;
  speed.set_factor(factor);
  return speed;
}

}  // namespace

absl::StatusOr<v1::Effect> ParseEffect(absl::string_view word) {
  const size_t colon = word.find(':');
  if (colon == absl::string_view::npos) {
    return UsageError(absl::StrCat("--effect=", word, ": an effect is ", kKinds));
  }
  const std::string kind = absl::AsciiStrToLower(word.substr(0, colon));
  const absl::string_view value = word.substr(colon + 1);
  v1::Effect effect;
  if (kind == "text") {
    CF_ASSIGN_OR_RETURN(*effect.mutable_text(), ParseText(word, value));
  } else if (kind == "grade") {
    CF_ASSIGN_OR_RETURN(const v1::ColorGradePreset preset,
                        ParseEnumWord<v1::ColorGradePreset>("--effect=grade:PRESET", value, kGradePrefix));
    effect.mutable_color_grade()->set_preset(preset);
  } else if (kind == "speed") {
    CF_ASSIGN_OR_RETURN(*effect.mutable_speed(), ParseSpeed(word, value));
  } else if (kind == "sticker") {
    if (value.empty()) return UsageError(absl::StrCat("--effect=", word, ": name a .png or .webp file"));
    effect.mutable_sticker();
  } else {
    return UsageError(absl::StrCat("--effect=", word, ": unknown effect '", kind, "'; an effect is ", kKinds));
  }
  return effect;
}

std::string StickerPath(absl::string_view word) {
  if (word.size() <= kStickerPrefix.size() ||
      absl::AsciiStrToLower(word.substr(0, kStickerPrefix.size())) != kStickerPrefix) {
    return "";
  }
  return std::string(word.substr(kStickerPrefix.size()));
}

std::string EffectWord(const v1::Effect& effect) {
  switch (effect.effect_case()) {
    case v1::Effect::kText:
      return absl::StrCat("text:", effect.text().text());
    case v1::Effect::kColorGrade:
      return absl::StrCat("grade:", EnumWord(effect.color_grade().preset(), kGradePrefix));
    case v1::Effect::kSpeed:
      // "%g": 2 for 2.0, 0.25 for 0.25, as people type them.
      return absl::StrFormat("speed:%g", effect.speed().factor());
    case v1::Effect::kSticker:
      return absl::StrCat("sticker:", effect.sticker().image().sha256());
    case v1::Effect::EFFECT_NOT_SET:
      break;
  }
  return "unknown";
}

}  // namespace clipforge::cli
