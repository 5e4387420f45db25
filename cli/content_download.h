// A completed job's output (DownloadContent) into a local file that
// appears only when whole and verified (see data_chunk_file.h). Used by
// `clipforge download` and by `clipforge generate` once the job completes.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/command_context.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::cli {

// A video may be 512 MiB.
inline constexpr absl::Duration kDownloadTimeout = absl::Minutes(10);

struct DownloadedContent {
  std::string path;
  std::string content_type;
  int64_t bytes = 0;
  std::string sha256;
};

// "video", "thumbnail", "spritesheet", "provenance".
std::string VariantWord(v1::ContentVariant variant);
// The file extension of a variant: mp4, jpg (thumbnail, spritesheet), c2pa.
std::string VariantExtension(v1::ContentVariant variant);
// "JOB_ID.mp4" and so on, in the current directory ("JOB_ID.spritesheet.jpg"
// beside the thumbnail's "JOB_ID.jpg"); characters of the id other than
// letters, digits, '-' and '_' become '_'.
std::string DefaultContentPath(absl::string_view job_id, v1::ContentVariant variant);

// Downloads `variant` of `job_id` to `path` (an existing file is replaced
// only once the new one is verified). `expected_sha256`, when not empty, is
// the job's BlobRef for it, checked besides the stream's own hash. The file
// gets the mode a new file gets under the umask, like `curl -o`.
absl::StatusOr<DownloadedContent> DownloadContent(CommandContext& ctx, Session& session, const std::string& job_id,
                                                  v1::ContentVariant variant, const std::string& path,
                                                  absl::string_view expected_sha256 = "");

}  // namespace clipforge::cli
