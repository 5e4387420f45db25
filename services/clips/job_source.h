// How the clips service reaches generation: the job a clip is published
// from, and the job a fork starts. LocalJobSource (local_job_source.h) asks the generation
// service in the same process; the unit tests use a fake.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "clipforge/v1/generation.pb.h"
#include "services/kit/caller.h"

namespace clipforge::clips_service {

struct PublishableJob {
  std::string job_id;
  std::string user_id;
  v1::JobStatus status = v1::JOB_STATUS_UNSPECIFIED;
  v1::JobSpec spec;  // With the seed set.
  std::optional<v1::JobOutputs> outputs;  // Set once completed.
};

class JobSource {
 public:
  virtual ~JobSource() = default;
  // The caller's job `job_id`: NOT_FOUND when there is none or it is
  // another user's (the same answer, so ids of others' jobs leak nothing).
  virtual absl::StatusOr<PublishableJob> GetJob(const kit::Caller& caller, const std::string& job_id) = 0;
  // Creates a generation job for the caller (GenerationService.CreateJob,
  // its rules and errors). `authorization` is the caller's own credential,
  // for the checks generation makes on their behalf.
  virtual absl::StatusOr<v1::GenerationJob> StartJob(const kit::Caller& caller, const std::string& authorization,
                                                     const v1::CreateJobRequest& request) = 0;
};

}  // namespace clipforge::clips_service
