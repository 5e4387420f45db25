// Validation of GenerationService and WorkerService requests: each parser
// checks every field (INVALID_ARGUMENT naming it) and returns what the
// logic takes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/random.h"
#include "clipforge/v1/generation.pb.h"
#include "services/generation/job_logic.h"
#include "services/generation/store_interface.h"
#include "services/generation/worker_logic.h"

namespace clipforge::generation_service {

// The renderers this instance offers: the first is the default.
struct RendererCatalog {
  struct Entry {
    std::string name;
    std::string version;
  };
  std::vector<Entry> renderers;
};

// CreateJob: the spec with its defaults filled in (seconds, size, quality,
// the renderer, and a random seed when none was given).
absl::StatusOr<NewJob> ParseCreateJob(const v1::CreateJobRequest& request, const RendererCatalog& catalog,
                                      base::RandomSource& random);

// A remix's request with the parent's prompt, seconds, size, seed, quality
// and model wherever the request leaves them unset. Effects and the
// soundtrack are not inherited: they name the parent author's uploads.
v1::CreateJobRequest WithRemixDefaults(const v1::CreateJobRequest& request, const v1::JobSpec& parent);

struct JobListing {
  std::vector<v1::JobStatus> statuses;
  int page_size = 20;
  std::optional<JobCursor> cursor;
};
absl::StatusOr<JobListing> ParseListJobs(const v1::ListJobsRequest& request);
std::string JobPageToken(const JobCursor& next);

absl::StatusOr<LeaseFilter> ParseCapabilities(const v1::WorkerCapabilities& capabilities);

// The lease-holding fields every worker call about a job carries.
absl::Status ValidateLeaseRef(const std::string& job_id, int64_t lease_epoch);

}  // namespace clipforge::generation_service
