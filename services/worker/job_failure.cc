#include "services/worker/job_failure.h"

#include "absl/strings/str_cat.h"

namespace clipforge::worker {
namespace {

// The protocol's limit on FailJobRequest.message, in characters; bytes
// bound characters from above, so cutting bytes keeps within it.
constexpr size_t kMaxMessageBytes = 1000;

std::string Truncated(absl::string_view text) {
  if (text.size() <= kMaxMessageBytes) return std::string(text);
  size_t end = kMaxMessageBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // keep UTF-8 whole
  return std::string(text.substr(0, end));
}

absl::string_view PhaseName(JobPhase phase) {
  switch (phase) {
    case JobPhase::kInput: return "fetching the job's inputs";
    case JobPhase::kRender: return "rendering";
    case JobPhase::kOutput: return "delivering the outputs";
  }
  return "working";
}

bool IsJobsOwnFault(JobPhase phase, absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kOutOfRange:
      return true;
    case absl::StatusCode::kNotFound:
      return phase == JobPhase::kInput;  // an input blob that is gone
    default:
      return false;
  }
}

}  // namespace

absl::string_view JobPhaseName(JobPhase phase) {
  switch (phase) {
    case JobPhase::kInput: return "input";
    case JobPhase::kRender: return "render";
    case JobPhase::kOutput: return "output";
  }
  return "unknown";
}

JobFailureReport DescribeJobFailure(JobPhase phase, const absl::Status& status) {
  JobFailureReport report;
  if (IsJobsOwnFault(phase, status.code())) {
    report.code = v1::GENERATION_FAILURE_CODE_INVALID_INPUT;
    report.retryable = false;
    report.message = Truncated(status.message());
    return report;
  }
  report.code = phase == JobPhase::kRender ? v1::GENERATION_FAILURE_CODE_RENDER_ERROR
                                           : v1::GENERATION_FAILURE_CODE_INTERNAL;
  report.retryable = true;
  report.message = absl::StrCat("the worker failed while ", PhaseName(phase), " (",
                                absl::StatusCodeToString(status.code()), ")");
  return report;
}

}  // namespace clipforge::worker
