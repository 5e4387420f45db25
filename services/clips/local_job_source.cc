#include "services/clips/local_job_source.h"

#include "base/status_macros.h"
#include "services/generation/convert.h"

namespace clipforge::clips_service {

absl::StatusOr<PublishableJob> LocalJobSource::GetJob(const kit::Caller& caller, const std::string& job_id) {
  CF_ASSIGN_OR_RETURN(const generation_service::JobView view, jobs_.Get(caller, job_id));
  return PublishableJob{.job_id = view.job.job_id,
                        .user_id = view.job.user_id,
                        .status = view.job.status,
                        .spec = view.job.spec,
                        .outputs = view.job.outputs};
}

absl::StatusOr<v1::GenerationJob> LocalJobSource::StartJob(const kit::Caller& caller,
                                                           const std::string& authorization,
                                                           const v1::CreateJobRequest& request) {
  const generation_service::CheckOnBehalf who{.user_id = caller.user_id, .authorization = authorization};
  CF_ASSIGN_OR_RETURN(const generation_service::JobView view, creation_.Create(caller, who, request));
  v1::GenerationJob job;
  generation_service::FillJob(view, &job);
  return job;
}

}  // namespace clipforge::clips_service
