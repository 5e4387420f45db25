#include "media/staged_files.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "media/av_handles.h"

namespace clipforge::media {

StagedFiles::~StagedFiles() {
  std::error_code ec;
  for (const auto& [temp, final_path] : files_) std::filesystem::remove(temp, ec);
}

absl::StatusOr<std::string> StagedFiles::Stage(const std::string& final_path) {
  std::string temp = absl::StrCat(final_path, ".partXXXXXX");
  const int fd = mkstemp(temp.data());
  if (fd < 0) return AvStatus(AVERROR(errno), absl::StrCat("creating a file beside ", final_path));
  close(fd);
  files_.emplace_back(temp, final_path);
  return temp;
}

absl::Status StagedFiles::Commit() {
  std::vector<std::string> done;
  for (const auto& [temp, final_path] : files_) {
    std::error_code ec;
    std::filesystem::rename(temp, final_path, ec);
    if (ec) {
      for (const std::string& path : done) std::filesystem::remove(path, ec);
      return absl::InternalError(absl::StrCat("media: renaming ", temp, " to ", final_path, ": ", ec.message()));
    }
    done.push_back(final_path);
  }
  files_.clear();
  return absl::OkStatus();
}

}  // namespace clipforge::media
