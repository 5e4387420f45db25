// Outputs written under temporary names beside their final ones (same
// directory, so the rename is atomic) and renamed into place together once
// all are complete; whatever is not committed is removed when this goes
// away. So a failed or cancelled job leaves no partial file, and an earlier
// output at the same path is replaced only on success.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clipforge::media {

class StagedFiles {
 public:
  StagedFiles() = default;
  StagedFiles(const StagedFiles&) = delete;
  StagedFiles& operator=(const StagedFiles&) = delete;
  ~StagedFiles();

  // A new empty file with a unique name beside `final_path`
  // ("<final_path>.partXXXXXX").
  absl::StatusOr<std::string> Stage(const std::string& final_path);

  // Renames every staged file to its final path; on failure those already
  // renamed are removed.
  absl::Status Commit();

 private:
  std::vector<std::pair<std::string, std::string>> files_;  // (temporary, final)
};

}  // namespace clipforge::media
