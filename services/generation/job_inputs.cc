#include "services/generation/job_inputs.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace clipforge::generation_service {

std::vector<InputUse> InputUses(v1::JobSpec& spec) {
  std::vector<InputUse> uses;
  if (spec.has_soundtrack()) {
    uses.push_back({.field = "spec.soundtrack", .kind = v1::UPLOAD_KIND_SOUNDTRACK, .blob = spec.mutable_soundtrack()});
  }
  for (int i = 0; i < spec.effects_size(); ++i) {
    v1::Effect& effect = *spec.mutable_effects(i);
    if (effect.effect_case() != v1::Effect::kSticker) continue;
    uses.push_back({.field = absl::StrCat("spec.effects[", i, "].sticker.image"),
                    .kind = v1::UPLOAD_KIND_STICKER,
                    .blob = effect.mutable_sticker()->mutable_image()});
  }
  return uses;
}

std::vector<v1::BlobRef> JobInputs(const v1::JobSpec& spec) {
  v1::JobSpec copy = spec;
  std::vector<v1::BlobRef> inputs;
  absl::flat_hash_set<std::string> seen;
  for (const InputUse& use : InputUses(copy)) {
    if (seen.insert(use.blob->sha256()).second) inputs.push_back(*use.blob);
  }
  return inputs;
}

std::string EffectKind(const v1::Effect& effect) {
  switch (effect.effect_case()) {
    case v1::Effect::kText: return "text";
    case v1::Effect::kSticker: return "sticker";
    case v1::Effect::kColorGrade: return "color_grade";
    case v1::Effect::kSpeed: return "speed";
    default: return "";
  }
}

std::vector<v1::BlobRef> LeaseInputs(const JobRecord& job) {
  std::vector<v1::BlobRef> inputs = JobInputs(job.spec);
  if (job.parent_provenance && !job.parent_provenance->sha256().empty()) inputs.push_back(*job.parent_provenance);
  return inputs;
}

std::vector<std::string> EffectKinds(const v1::JobSpec& spec) {
  std::vector<std::string> kinds;
  for (const v1::Effect& effect : spec.effects()) {
    std::string kind = EffectKind(effect);
    if (!kind.empty() && std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(std::move(kind));
  }
  if (spec.has_soundtrack()) kinds.push_back("soundtrack");
  std::sort(kinds.begin(), kinds.end());
  return kinds;
}

}  // namespace clipforge::generation_service
