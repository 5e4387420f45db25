#include "services/kit/blob_store.h"

#include <unistd.h>

#include <utility>

#include "absl/strings/ascii.h"

namespace clipforge::kit {

bool IsBlobName(absl::string_view sha256) {
  if (sha256.size() != 64) return false;
  for (char c : sha256) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

BlobFile BlobFile::InPlace(UniqueFd fd, int64_t size, std::string path) {
  return BlobFile(std::move(fd), size, std::move(path), /*spooled=*/false);
}

BlobFile BlobFile::SpooledCopy(UniqueFd fd, int64_t size, std::string path) {
  return BlobFile(std::move(fd), size, std::move(path), /*spooled=*/true);
}

BlobFile::BlobFile(UniqueFd fd, int64_t size, std::string path, bool spooled)
    : fd_(std::move(fd)), size_(size), path_(std::move(path)), spooled_(spooled) {}

BlobFile::BlobFile(BlobFile&& other) noexcept
    : fd_(std::move(other.fd_)),
      size_(std::exchange(other.size_, 0)),
      path_(std::exchange(other.path_, std::string())),
      spooled_(std::exchange(other.spooled_, false)) {}

BlobFile& BlobFile::operator=(BlobFile&& other) noexcept {
  if (this != &other) {
    UnlinkSpooledCopy();
    fd_ = std::move(other.fd_);
    size_ = std::exchange(other.size_, 0);
    path_ = std::exchange(other.path_, std::string());
    spooled_ = std::exchange(other.spooled_, false);
  }
  return *this;
}

BlobFile::~BlobFile() { UnlinkSpooledCopy(); }

void BlobFile::UnlinkSpooledCopy() {
  // Unlinked while still open is fine: the inode goes with the last close.
  if (spooled_) unlink(path_.c_str());
  spooled_ = false;
}

}  // namespace clipforge::kit
