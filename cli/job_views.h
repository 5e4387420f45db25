// How generation jobs print: GenerationJob to Records, and the words for
// their enums ("in-progress", "render-error", "draft").
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "cli/output.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::cli {

inline constexpr absl::string_view kJobStatusPrefix = "JOB_STATUS_";
inline constexpr absl::string_view kFailureCodePrefix = "GENERATION_FAILURE_CODE_";
inline constexpr absl::string_view kQualityPrefix = "GENERATION_QUALITY_";

// JOB_STATUS_IN_PROGRESS -> "in-progress".
std::string JobStatusWord(v1::JobStatus status);
// GENERATION_FAILURE_CODE_RENDER_ERROR -> "render-error".
std::string FailureCodeWord(v1::GenerationFailureCode code);

// What the spec renders once the server's defaults fill its gaps: 0 seconds
// is 4, an empty size is 720x1280.
int32_t ClipSeconds(const v1::JobSpec& spec);
std::string FrameSize(const v1::JobSpec& spec);

// One row of `jobs`: job id, status, progress, seconds, size, created (and
// the prompt in JSON).
Record JobRow(const v1::GenerationJob& job);
// A job in full for `job`: status and progress, the spec (effects as
// `--effect` words), failure, outputs, times.
Record JobRecord(const v1::GenerationJob& job);

}  // namespace clipforge::cli
