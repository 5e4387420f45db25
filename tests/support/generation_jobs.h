// Generation jobs as a worker would have left them, written straight to
// generation's store: for the tests and benchmarks of what comes after
// generation (publishing clips), which the worker protocol's own tests
// need not repeat.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "clipforge/v1/generation.pb.h"
#include "services/generation/records.h"

namespace clipforge::testing {

// A 4 s 720x1280 draft of `prompt` with seed 7, remixing `remix_of` when
// set.
v1::JobSpec DraftSpec(const std::string& prompt, const std::string& remix_of = "");

// Outputs (video, thumbnail, C2PA manifest store) named by hashes of
// `job_id`, so every job's differ.
v1::JobOutputs OutputsOf(const std::string& job_id);

// A job of `user_id` with `spec` in `status`: COMPLETED jobs have their
// outputs (OutputsOf) and a finish time.
generation_service::JobRecord JobIn(v1::JobStatus status, const std::string& job_id, const std::string& user_id,
                                    const v1::JobSpec& spec, absl::Time now);

}  // namespace clipforge::testing
