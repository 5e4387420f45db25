#include "services/worker/job_plan.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "generation/procedural_renderer.h"

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

}  // namespace

absl::StatusOr<JobPlan> PlanJob(const v1::JobSpec& spec) {
  if (!spec.model().empty() && spec.model() != generation::ProceduralRenderer::kName) {
    return absl::InvalidArgumentError(absl::StrCat("spec.model: this worker renders only ",
                                                   generation::ProceduralRenderer::kName, ", not ", spec.model()));
  }
  // Refused before any frame is rendered, so that no work is wasted on a
  // job whose output would lack what its owner asked for.
  if (spec.effects_size() > 0) return absl::UnimplementedError("effects are not supported by this worker yet");
  if (spec.has_soundtrack()) return absl::UnimplementedError("soundtracks are not supported by this worker yet");

  JobPlan plan;
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
  plan.duration = absl::Seconds(frames.frame_count) / frames.fps;
  return plan;
}

}  // namespace clipforge::worker
