#include "services/generation/effect_parsing.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/kit/blob_store.h"
#include "services/kit/proto_time.h"

namespace clipforge::generation_service {
namespace {

bool IsHexColor(const std::string& color) {
  if (color.size() != 7 || color[0] != '#') return false;
  for (size_t i = 1; i < color.size(); ++i) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(color[i]))) return false;
  }
  return true;
}

absl::Status Invalid(const std::string& field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

absl::Status CheckFraction(const std::string& field, bool has, float value) {
  if (has && !(value >= 0.0f && value <= 1.0f)) return Invalid(field, "must be 0.0 to 1.0");
  return absl::OkStatus();
}

// start >= 0, and end (when set) after it; both valid durations.
absl::Status CheckWindow(const std::string& field, bool has_start, const google::protobuf::Duration& start,
                         bool has_end, const google::protobuf::Duration& end) {
  const absl::Duration from = has_start ? kit::FromDuration(start) : absl::ZeroDuration();
  if (from < absl::ZeroDuration() || from > absl::Hours(1)) return Invalid(field + ".start_offset", "0 to 1 hour");
  if (has_end) {
    const absl::Duration to = kit::FromDuration(end);
    if (to <= from || to > absl::Hours(1)) return Invalid(field + ".end_offset", "must be after start_offset");
  }
  return absl::OkStatus();
}

absl::Status CheckText(const std::string& field, const v1::TextOverlay& text) {
  base::FieldValidator v;
  v.Text(field + ".text", text.text(), base::TextRule{.min_chars = 1, .max_chars = 100});
  CF_RETURN_IF_ERROR(v.status());
  if (text.text().find_first_of("\r\n") != std::string::npos) return Invalid(field + ".text", "one line only");
  CF_RETURN_IF_ERROR(CheckFraction(field + ".x", text.has_x(), text.x()));
  CF_RETURN_IF_ERROR(CheckFraction(field + ".y", text.has_y(), text.y()));
  if (text.size() != 0.0f && !(text.size() >= 0.02f && text.size() <= 0.3f)) {
    return Invalid(field + ".size", "must be 0.02 to 0.3 (or 0 for the default)");
  }
  if (!text.color().empty() && !IsHexColor(text.color())) return Invalid(field + ".color", "must be #RRGGBB");
  return CheckWindow(field, text.has_start_offset(), text.start_offset(), text.has_end_offset(), text.end_offset());
}

absl::Status CheckSticker(const std::string& field, const v1::StickerOverlay& sticker) {
  if (!kit::IsBlobName(sticker.image().sha256())) {
    return Invalid(field + ".image.sha256", "required: the SHA-256 of a sticker you uploaded (64 lowercase hex)");
  }
  CF_RETURN_IF_ERROR(CheckFraction(field + ".x", sticker.has_x(), sticker.x()));
  CF_RETURN_IF_ERROR(CheckFraction(field + ".y", sticker.has_y(), sticker.y()));
  if (sticker.scale() != 0.0f && !(sticker.scale() >= 0.05f && sticker.scale() <= 1.0f)) {
    return Invalid(field + ".scale", "must be 0.05 to 1.0 (or 0 for the default)");
  }
  return CheckWindow(field, sticker.has_start_offset(), sticker.start_offset(), sticker.has_end_offset(),
                     sticker.end_offset());
}

}  // namespace

absl::StatusOr<std::string> ParseEffects(const google::protobuf::RepeatedPtrField<v1::Effect>& effects) {
  if (effects.size() > kMaxEffects) return Invalid("spec.effects", "at most 8");
  int speeds = 0;
  std::string key;
  for (int i = 0; i < effects.size(); ++i) {
    const v1::Effect& effect = effects[i];
    const std::string field = absl::StrCat("spec.effects[", i, "]");
    switch (effect.effect_case()) {
      case v1::Effect::kText:
        CF_RETURN_IF_ERROR(CheckText(field + ".text", effect.text()));
        break;
      case v1::Effect::kColorGrade:
        if (effect.color_grade().preset() <= v1::COLOR_GRADE_PRESET_UNSPECIFIED ||
            !v1::ColorGradePreset_IsValid(effect.color_grade().preset())) {
          return Invalid(field + ".color_grade.preset", "required: warm, cool, mono, vintage or vivid");
        }
        if (!(effect.color_grade().intensity() >= 0.0f && effect.color_grade().intensity() <= 1.0f)) {
          return Invalid(field + ".color_grade.intensity", "must be 0.0 to 1.0");
        }
        break;
      case v1::Effect::kSpeed: {
        const float factor = effect.speed().factor();
        if (!(factor >= 0.25f && factor <= 4.0f) || factor == 1.0f) {
          return Invalid(field + ".speed.factor", "must be 0.25 to 4.0, not 1.0");
        }
        if (++speeds > 1) return Invalid(field + ".speed", "at most one speed change");
        break;
      }
      case v1::Effect::kSticker:
        CF_RETURN_IF_ERROR(CheckSticker(field + ".sticker", effect.sticker()));
        break;
      default:
        return Invalid(field, "set exactly one of text, sticker, color_grade, speed");
    }
    // Deterministic bytes of each effect, length-prefixed: the fingerprint
    // sees exactly what the worker renders.
    std::string bytes;
    effect.SerializeToString(&bytes);
    absl::StrAppend(&key, bytes.size(), ":", bytes);
  }
  return key;
}

}  // namespace clipforge::generation_service
