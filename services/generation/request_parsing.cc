#include "services/generation/request_parsing.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/generation/effect_parsing.h"
#include "services/generation/job_inputs.h"
#include "services/kit/blob_store.h"
#include "services/kit/token_fields.h"

namespace clipforge::generation_service {
namespace {

constexpr int kMaxRenderers = 16;
// Entries in capabilities.effects (job_inputs.h's kEffectKinds, repeats
// allowed).
constexpr int kMaxEffectKinds = 8;

// Renderer names: lowercase letters, digits, '.', '_' and '-', 1-64.
bool IsRendererName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<NewJob> ParseCreateJob(const v1::CreateJobRequest& request, const RendererCatalog& catalog,
                                      base::RandomSource& random) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  CF_RETURN_IF_ERROR(v.status());
  if (!request.has_spec()) return absl::InvalidArgumentError("spec: required");
  const v1::JobSpec& in = request.spec();
  NewJob job;
  CF_RETURN_IF_ERROR(generation::ValidatePrompt(in.prompt(), "spec.prompt"));
  job.core.prompt = in.prompt();
  job.core.seconds = in.seconds() == 0 ? generation::kDefaultSeconds : in.seconds();
  CF_RETURN_IF_ERROR(generation::ValidateSeconds(job.core.seconds, "spec.seconds"));
  CF_ASSIGN_OR_RETURN(job.core.size, generation::ParseFrameSize(in.size(), "spec.size"));
  if (in.has_seed()) {
    if (in.seed() < 0) return absl::InvalidArgumentError("spec.seed: must be 0 to 2^63-1");
    job.core.seed = in.seed();
  } else {
    uint64_t seed = 0;
    random.Fill(&seed, sizeof seed);
    job.core.seed = static_cast<int64_t>(seed & static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
  }
  switch (in.quality()) {
    case v1::GENERATION_QUALITY_UNSPECIFIED:
    case v1::GENERATION_QUALITY_DRAFT: job.core.quality = generation::Quality::kDraft; break;
    case v1::GENERATION_QUALITY_FULL: job.core.quality = generation::Quality::kFull; break;
    default: return absl::InvalidArgumentError("spec.quality: unknown value");
  }
  // A remix's parent (visibility, forking rules, its spec and manifest) is
  // the logic's to check, with the clips service.
  if (!in.remix_of_clip_id().empty()) {
    if (!base::IsCanonicalUuid(in.remix_of_clip_id())) {
      return absl::InvalidArgumentError("spec.remix_of_clip_id: must be a clip id (a UUID)");
    }
    job.spec.set_remix_of_clip_id(in.remix_of_clip_id());
    job.core.remix_of_clip_id = in.remix_of_clip_id();
  }
  *job.spec.mutable_effects() = in.effects();
  if (in.has_soundtrack()) *job.spec.mutable_soundtrack() = in.soundtrack();
  // An upload is named by its hash alone: its type and size are what the
  // store recorded when it was probed (the logic fills them in), never what
  // the client claims here.
  for (const InputUse& use : InputUses(job.spec)) {
    if (!kit::IsBlobName(use.blob->sha256())) {
      return absl::InvalidArgumentError(
          absl::StrCat(use.field, ".sha256: the SHA-256 of a file you uploaded, 64 lowercase hex characters"));
    }
    const std::string sha256 = use.blob->sha256();
    use.blob->Clear();
    use.blob->set_sha256(sha256);
  }
  CF_ASSIGN_OR_RETURN(job.effects_key, ParseEffects(job.spec.effects()));
  if (catalog.renderers.empty()) return absl::UnavailableError("no renderer is configured");
  const RendererCatalog::Entry* renderer = &catalog.renderers.front();
  if (!in.model().empty()) {
    renderer = nullptr;
    for (const RendererCatalog::Entry& entry : catalog.renderers) {
      if (entry.name == in.model()) renderer = &entry;
    }
    if (renderer == nullptr) return absl::InvalidArgumentError(absl::StrCat("spec.model: unknown renderer"));
  }
  job.renderer = renderer->name;
  job.renderer_version = renderer->version;

  job.spec.set_prompt(job.core.prompt);
  job.spec.set_seconds(job.core.seconds);
  job.spec.set_size(generation::FormatFrameSize(job.core.size));
  job.spec.set_seed(job.core.seed);
  job.spec.set_quality(job.core.quality == generation::Quality::kFull ? v1::GENERATION_QUALITY_FULL
                                                                      : v1::GENERATION_QUALITY_DRAFT);
  job.spec.set_model(job.renderer);
  return job;
}

v1::CreateJobRequest WithRemixDefaults(const v1::CreateJobRequest& request, const v1::JobSpec& parent) {
  v1::CreateJobRequest merged = request;
  v1::JobSpec& spec = *merged.mutable_spec();
  if (spec.prompt().empty()) spec.set_prompt(parent.prompt());
  if (spec.seconds() == 0) spec.set_seconds(parent.seconds());
  if (spec.size().empty()) spec.set_size(parent.size());
  if (!spec.has_seed() && parent.has_seed()) spec.set_seed(parent.seed());
  if (spec.quality() == v1::GENERATION_QUALITY_UNSPECIFIED) spec.set_quality(parent.quality());
  if (spec.model().empty()) spec.set_model(parent.model());
  return merged;
}

absl::StatusOr<JobListing> ParseListJobs(const v1::ListJobsRequest& request) {
  base::FieldValidator v;
  JobListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 20, 100);
  v.Count("statuses", request.statuses_size(), 6);
  CF_RETURN_IF_ERROR(v.status());
  for (int status : request.statuses()) {
    if (status < v1::JOB_STATUS_QUEUED || status > v1::JOB_STATUS_CANCELLED) {
      return absl::InvalidArgumentError("statuses: unknown status");
    }
    listing.statuses.push_back(static_cast<v1::JobStatus>(status));
  }
  if (request.page_token().empty()) return listing;
  const std::optional<std::vector<std::string>> fields =
      kit::DecodeTokenFields(request.page_token(), "j1", 1, kit::kMaxPageTokenBytes);
  if (!fields || !base::IsCanonicalUuid((*fields)[0])) return absl::InvalidArgumentError("page_token: malformed");
  listing.cursor = JobCursor{.before_job_id = (*fields)[0]};
  return listing;
}

std::string JobPageToken(const JobCursor& next) { return kit::EncodeTokenFields("j1", {next.before_job_id}); }

absl::StatusOr<LeaseFilter> ParseCapabilities(const v1::WorkerCapabilities& capabilities) {
  base::FieldValidator v;
  v.Count("capabilities.renderers", capabilities.renderers_size(), kMaxRenderers);
  v.IntRange("capabilities.max_seconds", capabilities.max_seconds(), 0, 86400);
  v.IntRange("capabilities.max_pixels", capabilities.max_pixels(), 0, int64_t{1} << 40);
  v.Count("capabilities.qualities", capabilities.qualities_size(), 2);
  CF_RETURN_IF_ERROR(v.status());
  if (capabilities.renderers_size() == 0) {
    return absl::InvalidArgumentError("capabilities.renderers: name at least one renderer");
  }
  LeaseFilter filter{.max_seconds = capabilities.max_seconds(), .max_pixels = capabilities.max_pixels()};
  for (const std::string& entry : capabilities.renderers()) {
    // "procedural-1/1.0.3": jobs match on the name.
    const std::string name(absl::string_view(entry).substr(0, entry.find('/')));
    if (entry.size() > 64 || !IsRendererName(name)) {
      return absl::InvalidArgumentError("capabilities.renderers: each is NAME[/VERSION], 1-64 characters");
    }
    filter.renderers.push_back(name);
  }
  for (int quality : capabilities.qualities()) {
    if (quality != v1::GENERATION_QUALITY_DRAFT && quality != v1::GENERATION_QUALITY_FULL) {
      return absl::InvalidArgumentError("capabilities.qualities: unknown quality");
    }
    filter.qualities.push_back(quality);
  }
  v.Count("capabilities.effects", capabilities.effects_size(), kMaxEffectKinds);
  CF_RETURN_IF_ERROR(v.status());
  for (const std::string& effect : capabilities.effects()) {
    if (std::find(std::begin(kEffectKinds), std::end(kEffectKinds), effect) == std::end(kEffectKinds)) {
      return absl::InvalidArgumentError(
          "capabilities.effects: each is one of \"text\", \"sticker\", \"color_grade\", \"speed\", "
          "\"soundtrack\"");
    }
    filter.effects.push_back(effect);
  }
  return filter;
}

absl::Status ValidateLeaseRef(const std::string& job_id, int64_t lease_epoch) {
  base::FieldValidator v;
  v.Uuid("job_id", job_id);
  v.IntRange("lease_epoch", lease_epoch, 1, std::numeric_limits<int64_t>::max());
  return v.status();
}

}  // namespace clipforge::generation_service
