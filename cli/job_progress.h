// A job's progress while `clipforge generate` watches it. On a terminal one
// line is redrawn with every update:
//   [#########...........]  45% rendering
// Elsewhere (a log, CI) a line is printed only when the status or stage
// changes or the percentage reaches a new tenth, so that a log stays short:
//   queued (2 jobs ahead)
//   in-progress 50% rendering
//   completed
#pragma once

#include <string>

#include "cli/output.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::cli {

// The plain line of a state: "queued (2 jobs ahead)", "in-progress 45%
// rendering", "pending-review", "completed".
std::string JobStateLine(const v1::GenerationJob& job);
// The redrawn line of a state: a 20-cell bar, the percentage, and the stage
// while in progress or else the status.
std::string JobProgressBar(const v1::GenerationJob& job);

class JobProgress {
 public:
  explicit JobProgress(Output& out) : out_(out) {}

  void Show(const v1::GenerationJob& job);

 private:
  Output& out_;
  bool shown_ = false;
  v1::JobStatus status_ = v1::JOB_STATUS_UNSPECIFIED;
  std::string stage_;
  int tenth_ = -1;
};

}  // namespace clipforge::cli
