// JobSource answered by the generation service hosted in the same process
// (the one-command deployment and the tests): its job logic is called
// directly, as the caller, so its ownership rule applies unchanged. A
// deployment that runs clips apart from generation needs a gRPC client
// behind the same interface (not built yet).
#pragma once

#include "services/clips/job_source.h"
#include "services/generation/job_creation.h"
#include "services/generation/job_logic.h"

namespace clipforge::clips_service {

class LocalJobSource final : public JobSource {
 public:
  // Neither is owned.
  LocalJobSource(generation_service::JobLogic& jobs, generation_service::JobCreation& creation)
      : jobs_(jobs), creation_(creation) {}

  absl::StatusOr<PublishableJob> GetJob(const kit::Caller& caller, const std::string& job_id) override;
  absl::StatusOr<v1::GenerationJob> StartJob(const kit::Caller& caller, const std::string& authorization,
                                             const v1::CreateJobRequest& request) override;

 private:
  generation_service::JobLogic& jobs_;
  generation_service::JobCreation& creation_;
};

}  // namespace clipforge::clips_service
