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

absl::Status LocalBlobStore::Remove(absl::string_view sha256) const {
  if (!IsBlobName(sha256)) return absl::InvalidArgumentError("blob.sha256: 64 lowercase hex digits");
  std::error_code error;
  std::filesystem::remove(PathIn(root_, sha256), error);
  if (error) return absl::InternalError(absl::StrCat("blob store: cannot remove a blob: ", error.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<BlobWriter>> LocalBlobStore::NewWriter() const {
  std::error_code error;
  const std::string incoming = absl::StrCat(root_, "/incoming");
  std::filesystem::create_directories(incoming, error);
  if (error) return absl::InternalError(absl::StrCat("blob store: cannot create a directory: ", error.message()));
  std::string temporary = absl::StrCat(incoming, "/blob.XXXXXX");
  const int fd = mkstemp(temporary.data());
  if (fd < 0) return absl::InternalError("blob store: cannot create a temporary file");
  return std::unique_ptr<BlobWriter>(new BlobWriter(root_, std::move(temporary), fd));
}

BlobWriter::BlobWriter(std::string root, std::string temporary, int fd)
    : root_(std::move(root)), temporary_(std::move(temporary)), fd_(fd) {
  crypto_hash_sha256_init(&hash_);
}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) {
    std::error_code error;
    std::filesystem::remove(temporary_, error);
  }
}

absl::Status BlobWriter::Append(absl::string_view bytes) {
  if (fd_ < 0) return absl::FailedPreconditionError("blob store: the writer is closed");
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = write(fd_, bytes.data() + written, bytes.size() - written);
    if (n <= 0) return absl::InternalError("blob store: cannot write a blob");
    written += static_cast<size_t>(n);
  }
  crypto_hash_sha256_update(&hash_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  size_ += static_cast<int64_t>(bytes.size());
  return absl::OkStatus();
}

absl::StatusOr<std::string> BlobWriter::Commit(absl::string_view expected_sha256) {
  if (fd_ < 0) return absl::FailedPreconditionError("blob store: the writer is closed");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&hash_, digest);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  const std::string name(hex);
  const bool synced = fsync(fd_) == 0;
  close(fd_);
  fd_ = -1;
  if (!expected_sha256.empty() && expected_sha256 != name) {
    return absl::DataLossError("sha256: the data does not match the declared SHA-256");
  }
  if (!synced) return absl::InternalError("blob store: cannot write a blob");
  const std::string path = PathIn(root_, name);
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
  if (error) return absl::InternalError(absl::StrCat("blob store: cannot create a directory: ", error.message()));
  // A blob already there has these very bytes: keep it, drop ours.
  if (std::filesystem::exists(path, error)) return name;
  std::filesystem::rename(temporary_, path, error);
  if (error) return absl::InternalError("blob store: cannot move a blob into place");
  committed_ = true;
  return name;
}

}  // namespace clipforge::kit
