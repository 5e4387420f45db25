// Generation jobs as a worker would have left them, written straight to
// generation's store: for the tests and benchmarks of what comes after
// generation (publishing clips), which the worker protocol's own tests
// need not repeat.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clipforge/v1/generation.pb.h"
#include "services/generation/records.h"
#include "services/kit/blob_store.h"

namespace clipforge::testing {

// A 4 s 720x1280 draft of `prompt` with seed 7, remixing `remix_of` when
// set.
v1::JobSpec DraftSpec(const std::string& prompt, const std::string& remix_of = "");

// Outputs (video, thumbnail, C2PA manifest store) of placeholder bytes
// that name `job_id` (not real media), so every job's differ; each is
// named by the hash of its bytes, as the blob store names them.
v1::JobOutputs OutputsOf(const std::string& job_id);

// Puts the placeholder bytes of OutputsOf(job_id) into `blobs`, as the
// worker's uploads would have (publishing reads the video).
absl::Status StoreOutputs(const kit::BlobStore& blobs, const std::string& job_id);

// A job of `user_id` with `spec` in `status`: COMPLETED jobs have their
// outputs (OutputsOf) and a finish time.
generation_service::JobRecord JobIn(v1::JobStatus status, const std::string& job_id, const std::string& user_id,
                                    const v1::JobSpec& spec, absl::Time now);

}  // namespace clipforge::testing
