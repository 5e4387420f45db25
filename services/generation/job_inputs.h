// The uploaded blobs a job uses (its soundtrack and its stickers' images)
// and the effect kinds it needs a worker to apply. One place derives both
// from a JobSpec, so that CreateJob's ownership check, the worker's
// assignment, DownloadInput's permission and the lease's capability match
// cannot disagree about what a job reads.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "clipforge/v1/generation.pb.h"
#include "services/generation/records.h"

namespace clipforge::generation_service {

// A reference to an upload inside a spec.
struct InputUse {
  std::string field;  // e.g. "spec.soundtrack", "spec.effects[2].sticker.image"
  v1::UploadKind kind = v1::UPLOAD_KIND_UNSPECIFIED;
  v1::BlobRef* blob = nullptr;  // into the spec passed to InputUses
};

// Every upload `spec` references, in field order (the soundtrack, then the
// stickers in effect order), pointing into `spec` so a caller can fill in
// what the store knows of each.
std::vector<InputUse> InputUses(v1::JobSpec& spec);

// The blobs a worker fetches for `spec`: each referenced upload once, in
// field order.
std::vector<v1::BlobRef> JobInputs(const v1::JobSpec& spec);

// The blobs a lease of `job` opens: JobInputs of its spec and, for a remix,
// the parent clip's C2PA manifest store.
std::vector<v1::BlobRef> LeaseInputs(const JobRecord& job);

// What `spec` needs a worker to apply: the Effect oneof names it uses
// ("text", "sticker", "color_grade", "speed") and "soundtrack" when it has
// one, sorted, each once. A worker must announce all of them (or no effect
// list at all) to lease the job.
std::vector<std::string> EffectKinds(const v1::JobSpec& spec);

// Every kind EffectKinds can name: what a worker may list in
// capabilities.effects.
inline constexpr absl::string_view kEffectKinds[] = {"text", "sticker", "color_grade", "speed", "soundtrack"};

// The Effect oneof name of `effect`; "" when none is set.
std::string EffectKind(const v1::Effect& effect);

}  // namespace clipforge::generation_service
