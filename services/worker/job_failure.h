// What the worker tells the server when a job fails: the protocol's failure
// code, whether another attempt could succeed, and a message for the job's
// owner. Where the failure happened decides the code; the status code
// decides whether it is the job's fault (never retried) or the worker's or
// server's (retried while attempts remain).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "clipforge/v1/common.pb.h"

namespace clipforge::worker {

enum class JobPhase {
  kInput,   // fetching the job's inputs (DownloadInput)
  kRender,  // rendering, encoding, signing
  kOutput,  // uploading the outputs and completing the job
};

// "input", "render" or "output", for logs.
absl::string_view JobPhaseName(JobPhase phase);

struct JobFailureReport {
  v1::GenerationFailureCode code = v1::GENERATION_FAILURE_CODE_INTERNAL;
  bool retryable = true;
  // At most 1,000 characters. The owner reads it: for the job's own faults
  // it says what was wrong; for the worker's it names the phase and code
  // only (the details, which may name local paths, go to the worker's log).
  std::string message;
};

// INVALID_ARGUMENT, UNIMPLEMENTED and OUT_OF_RANGE (a spec or input this
// worker cannot render; NOT_FOUND too for an input): INVALID_INPUT, not
// retryable. Anything else while rendering: RENDER_ERROR, retryable; while
// fetching inputs or delivering outputs: INTERNAL, retryable.
JobFailureReport DescribeJobFailure(JobPhase phase, const absl::Status& status);

}  // namespace clipforge::worker
