#include "services/generation/job_creation.h"

#include <optional>

#include "base/status_macros.h"
#include "base/validation.h"
#include "services/kit/idempotency.h"

namespace clipforge::generation_service {

absl::StatusOr<JobView> JobCreation::Create(const kit::Caller& caller, const CheckOnBehalf& who,
                                            const v1::CreateJobRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  const std::string& parent_id = request.spec().remix_of_clip_id();
  if (!parent_id.empty()) v.Uuid("spec.remix_of_clip_id", parent_id);
  CF_RETURN_IF_ERROR(v.status());
  // The key is the request as sent: a retry without a seed replays the
  // first job, whatever seed the server drew or the parent gave.
  const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request.request_id(), request);
  std::optional<RemixParent> parent;
  if (!parent_id.empty()) {
    if (remixes_ == nullptr) {
      return absl::FailedPreconditionError(
          "spec.remix_of_clip_id: remixing needs the clips service, which this server does not run");
    }
    CF_ASSIGN_OR_RETURN(parent, remixes_->ForkableParent(caller, parent_id));
  }
  CF_ASSIGN_OR_RETURN(NewJob job, ParseCreateJob(parent ? WithRemixDefaults(request, parent->spec) : request,
                                                 renderers_, random_));
  if (parent && !parent->provenance.sha256().empty()) job.parent_provenance = parent->provenance;
  CF_ASSIGN_OR_RETURN(JobView view, jobs_.Create(caller, who, key, job));
  if (view.job.status == v1::JOB_STATUS_QUEUED) lease_signal_.Notify();
  return view;
}

}  // namespace clipforge::generation_service
