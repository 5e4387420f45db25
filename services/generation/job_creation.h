// CreateJob's whole path, shared by the gRPC adapter and in-process callers
// (the clips service's ForkClip): a remix's parent from the clips service
// (the starting point for unset fields, and the manifest the new one names
// as an ingredient), the request's validation, the logic, and waking a
// waiting worker.
#pragma once

#include "absl/status/statusor.h"
#include "base/random.h"
#include "clipforge/v1/generation.pb.h"
#include "services/generation/job_logic.h"
#include "services/generation/lease_signal.h"
#include "services/generation/remix_source.h"
#include "services/generation/request_parsing.h"

namespace clipforge::generation_service {

class JobCreation {
 public:
  // None is owned. `remixes` may be null (no clips service here): then a
  // remix is FAILED_PRECONDITION.
  JobCreation(JobLogic& jobs, RemixSource* remixes, const RendererCatalog& renderers, base::RandomSource& random,
              LeaseSignal& lease_signal)
      : jobs_(jobs), remixes_(remixes), renderers_(renderers), random_(random), lease_signal_(lease_signal) {}

  // `who` carries the caller's credentials for the prompt check (empty for
  // an API key, whose secret goes no further).
  absl::StatusOr<JobView> Create(const kit::Caller& caller, const CheckOnBehalf& who,
                                 const v1::CreateJobRequest& request);

 private:
  JobLogic& jobs_;
  RemixSource* remixes_;
  const RendererCatalog& renderers_;
  base::RandomSource& random_;
  LeaseSignal& lease_signal_;
};

}  // namespace clipforge::generation_service
