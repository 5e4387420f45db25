// Stored records to API messages.
#pragma once

#include "clipforge/v1/generation.pb.h"
#include "services/generation/job_logic.h"
#include "services/generation/worker_logic.h"

namespace clipforge::generation_service {

// Unpublished outputs are kept this long after a job finishes.
inline constexpr absl::Duration kOutputRetention = absl::Hours(24 * 7);

void FillJob(const JobView& view, v1::GenerationJob* out);
void FillApiKey(const ApiKeyRecord& key, v1::ApiKey* out);
// What a worker is told when it leases `job`.
void FillAssignment(const JobRecord& job, const LeaseRules& rules, v1::JobAssignment* out);

}  // namespace clipforge::generation_service
