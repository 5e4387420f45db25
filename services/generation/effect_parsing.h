// Validation of a job's effects (JobSpec.effects, bounds in generation.proto)
// and the canonical bytes that make them part of the job's fingerprint: two
// specs that differ only in their effects are different clips, and must not
// reuse each other's render.
#pragma once

#include <string>

#include <google/protobuf/repeated_field.h>

#include "absl/status/statusor.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::generation_service {

inline constexpr int kMaxEffects = 8;

// INVALID_ARGUMENT naming the first bad field ("spec.effects[2].text.size:
// ..."). On success, the effects' deterministic serialization ("" when
// there are none); stickers name their image by its SHA-256 only (the
// caller clears the rest of each BlobRef first), so the bytes depend on
// nothing the client could vary without changing the clip.
absl::StatusOr<std::string> ParseEffects(const google::protobuf::RepeatedPtrField<v1::Effect>& effects);

}  // namespace clipforge::generation_service
