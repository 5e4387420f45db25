#include "cli/job_progress.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/job_views.h"

namespace clipforge::cli {
namespace {

constexpr int kBarCells = 20;

int Percent(const v1::GenerationJob& job) {
  if (job.status() == v1::JOB_STATUS_COMPLETED) return 100;
  return std::clamp(job.progress_percent(), 0, 100);
}

}  // namespace

std::string JobStateLine(const v1::GenerationJob& job) {
  std::string line = JobStatusWord(job.status());
  switch (job.status()) {
    case v1::JOB_STATUS_QUEUED:
      if (job.queue_position() > 0) {
        absl::StrAppend(&line, " (", job.queue_position(), job.queue_position() == 1 ? " job" : " jobs", " ahead)");
      }
      break;
    case v1::JOB_STATUS_IN_PROGRESS:
      absl::StrAppend(&line, " ", Percent(job), "%");
      if (!job.stage().empty()) absl::StrAppend(&line, " ", job.stage());
      break;
    default:
      break;
  }
  return line;
}

std::string JobProgressBar(const v1::GenerationJob& job) {
  const int percent = Percent(job);
  const int filled = percent * kBarCells / 100;
  // The bar already shows the percentage: in progress, the stage says the rest.
  std::string what = JobStateLine(job);
  if (job.status() == v1::JOB_STATUS_IN_PROGRESS) what = job.stage().empty() ? JobStatusWord(job.status()) : job.stage();
  return absl::StrFormat("[%s%s] %3d%% %s", std::string(static_cast<size_t>(filled), '#'),
                         std::string(static_cast<size_t>(kBarCells - filled), '.'), percent, what);
}

void JobProgress::Show(const v1::GenerationJob& job) {
  if (out_.progress_redraws()) {
    out_.Progress(JobProgressBar(job));
    return;
  }
  const int tenth = Percent(job) / 10;
  const bool changed = !shown_ || job.status() != status_ || job.stage() != stage_ || tenth != tenth_;
  if (!changed) return;
  shown_ = true;
  status_ = job.status();
  stage_ = job.stage();
  tenth_ = tenth;
  out_.Progress(JobStateLine(job));
}

}  // namespace clipforge::cli
