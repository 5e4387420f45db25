#include "services/kit/blob_store.h"

#include <filesystem>

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"

namespace clipforge::kit {
namespace {

std::string PathIn(const std::string& root, absl::string_view sha256) {
  return absl::StrCat(root, "/", sha256.substr(0, 2), "/", sha256);
}

}  // namespace

bool IsBlobName(absl::string_view sha256) {
  if (sha256.size() != 64) return false;
  for (char c : sha256) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

absl::StatusOr<std::string> LocalBlobStore::Put(absl::string_view bytes) const {
  const std::string name = base::Sha256Hex(bytes);
  const std::string path = PathIn(root_, name);
  std::error_code error;
  if (std::filesystem::exists(path, error)) return name;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
  if (error) return absl::InternalError(absl::StrCat("blob store: cannot create a directory: ", error.message()));
  // mkstemp: a unique file per writer, so two writers of one blob each
  // rename a whole file into place.
  std::string temporary = absl::StrCat(path, ".XXXXXX");
  const int fd = mkstemp(temporary.data());
  if (fd < 0) return absl::InternalError("blob store: cannot create a temporary file");
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const bool synced = written == bytes.size() && fsync(fd) == 0;
  close(fd);
  if (!synced) {
    std::filesystem::remove(temporary, error);
    return absl::InternalError("blob store: cannot write a blob");
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    return absl::InternalError("blob store: cannot move a blob into place");
  }
  return name;
}

absl::StatusOr<std::string> LocalBlobStore::PathOf(absl::string_view sha256) const {
  if (!IsBlobName(sha256)) return absl::InvalidArgumentError("blob.sha256: 64 lowercase hex digits");
  std::string path = PathIn(root_, sha256);
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return absl::NotFoundError("blob.sha256: no such blob");
  return path;
}

}  // namespace clipforge::kit
