#include "services/worker/job_plan.h"

#include <utility>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "generation/procedural_renderer.h"
#include "services/kit/proto_time.h"

namespace clipforge::worker {
namespace {

// The renderer takes at most this many bytes of prompt (renderer.h), while a
// valid prompt may hold 2,000 code points of up to 4 bytes each.
constexpr size_t kMaxRenderPromptBytes = 4096;

// `prompt` cut to at most kMaxRenderPromptBytes on a code point boundary.
// The scene comes from the prompt's words, so a very long prompt renders
// from its first 4 KiB, still deterministically.
std::string RenderPrompt(const std::string& prompt) {
  if (prompt.size() <= kMaxRenderPromptBytes) return prompt;
  size_t end = kMaxRenderPromptBytes;
  while (end > 0 && (static_cast<unsigned char>(prompt[end]) & 0xC0) == 0x80) --end;
  return prompt.substr(0, end);
}

// "#RRGGBB" (validated by the server) as 0xRRGGBB; white when unset.
uint32_t ColorOf(const std::string& color) {
  uint32_t rgb = 0;
  if (color.size() != 7 || !absl::SimpleHexAtoi(color.substr(1), &rgb)) return 0xFFFFFF;
  return rgb;
}

absl::Duration OffsetOf(bool has, const google::protobuf::Duration& d) {
  return has ? kit::FromDuration(d) : absl::ZeroDuration();
}

absl::StatusOr<std::string> InputFile(const InputFiles& inputs, const v1::BlobRef& blob, absl::string_view field) {
  auto it = inputs.find(blob.sha256());
  if (it == inputs.end()) {
    return absl::FailedPreconditionError(absl::StrCat(field, ": input ", blob.sha256(), " was not fetched"));
  }
  return it->second;
}

// The wire effects as media/ applies them (defaults from generation.proto).
absl::StatusOr<std::vector<media::Effect>> EffectsOf(const v1::JobSpec& spec, const InputFiles& inputs) {
  std::vector<media::Effect> effects;
  for (const v1::Effect& effect : spec.effects()) {
    switch (effect.effect_case()) {
      case v1::Effect::kText: {
        const v1::TextOverlay& t = effect.text();
        media::TextOverlayEffect& text = std::get<media::TextOverlayEffect>(
            effects.emplace_back(std::in_place_type<media::TextOverlayEffect>));
        text.text = t.text();
        text.x = t.has_x() ? t.x() : 0.5f;
        text.y = t.has_y() ? t.y() : 0.5f;
        text.size = t.size() == 0.0f ? 0.06f : t.size();
        text.rgb = ColorOf(t.color());
        text.start = OffsetOf(t.has_start_offset(), t.start_offset());
        text.end = OffsetOf(t.has_end_offset(), t.end_offset());
        break;
      }
      case v1::Effect::kColorGrade: {
        // ColorGradePreset 1..5 are warm, cool, mono, vintage, vivid.
        media::ColorGradeEffect& grade =
            std::get<media::ColorGradeEffect>(effects.emplace_back(std::in_place_type<media::ColorGradeEffect>));
        grade.preset = static_cast<media::ColorGradeEffect::Preset>(effect.color_grade().preset() - 1);
        const float intensity = effect.color_grade().intensity();
        grade.intensity = intensity == 0.0f ? 1.0f : intensity;
        break;
      }
      case v1::Effect::kSpeed:
        std::get<media::SpeedEffect>(effects.emplace_back(std::in_place_type<media::SpeedEffect>)).factor =
            effect.speed().factor();
        break;
      case v1::Effect::kSticker: {
        const v1::StickerOverlay& in = effect.sticker();
        CF_ASSIGN_OR_RETURN(std::string path, InputFile(inputs, in.image(), "spec.effects.sticker.image"));
        media::StickerEffect& sticker =
            std::get<media::StickerEffect>(effects.emplace_back(std::in_place_type<media::StickerEffect>));
        sticker.image_path = std::move(path);
        sticker.x = in.has_x() ? in.x() : 0.5f;
        sticker.y = in.has_y() ? in.y() : 0.5f;
        sticker.scale = in.scale() == 0.0f ? 0.25f : in.scale();
        sticker.start = OffsetOf(in.has_start_offset(), in.start_offset());
        sticker.end = OffsetOf(in.has_end_offset(), in.end_offset());
        break;
      }
      default:
        return absl::InvalidArgumentError("spec.effects: an effect with nothing set");
    }
  }
  CF_RETURN_IF_ERROR(media::ValidateEffects(effects));
  return effects;
}

}  // namespace

absl::StatusOr<JobPlan> PlanJob(const v1::JobSpec& spec, const InputFiles& inputs) {
  if (!spec.model().empty() && spec.model() != generation::ProceduralRenderer::kName) {
    return absl::InvalidArgumentError(absl::StrCat("spec.model: this worker renders only ",
                                                   generation::ProceduralRenderer::kName, ", not ", spec.model()));
  }
  JobPlan plan;
  // Checked before any frame is rendered, so that no work is wasted on a
  // job whose output would lack what its owner asked for.
  if (spec.has_soundtrack()) {
    CF_ASSIGN_OR_RETURN(plan.soundtrack_path, InputFile(inputs, spec.soundtrack(), "spec.soundtrack"));
  }
  CF_RETURN_IF_ERROR(generation::ValidatePrompt(spec.prompt(), "spec.prompt"));
  plan.spec.prompt = spec.prompt();
  plan.spec.seconds = spec.seconds() == 0 ? generation::kDefaultSeconds : spec.seconds();
  CF_RETURN_IF_ERROR(generation::ValidateSeconds(plan.spec.seconds, "spec.seconds"));
  CF_ASSIGN_OR_RETURN(plan.spec.size, generation::ParseFrameSize(spec.size(), "spec.size"));
  // The server always sets the seed on an assignment; an unset one renders
  // as seed 0, still deterministically.
  if (spec.seed() < 0) return absl::InvalidArgumentError("spec.seed: must be 0 to 2^63-1");
  plan.spec.seed = spec.seed();
  plan.spec.quality = spec.quality() == v1::GENERATION_QUALITY_FULL ? generation::Quality::kFull
                                                                     : generation::Quality::kDraft;
  plan.spec.remix_of_clip_id = spec.remix_of_clip_id();

  const generation::RenderPlan frames = generation::PlanRender(plan.spec);
  plan.render = generation::RenderSpec{.prompt = RenderPrompt(plan.spec.prompt),
                                       .seed = static_cast<uint64_t>(plan.spec.seed),
                                       .width = frames.width,
                                       .height = frames.height,
                                       .fps = frames.fps,
                                       .frame_count = frames.frame_count};
  CF_RETURN_IF_ERROR(generation::ValidateRenderSpec(plan.render));
  CF_ASSIGN_OR_RETURN(plan.effects, EffectsOf(spec, inputs));
  const int encoded = media::OutputFrameCount(frames.frame_count, media::SpeedFactor(plan.effects));
  plan.duration = absl::Seconds(encoded) / frames.fps;
  return plan;
}

}  // namespace clipforge::worker
