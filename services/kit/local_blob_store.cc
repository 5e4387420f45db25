#include "services/kit/local_blob_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace clipforge::kit {
namespace {

std::string BlobPathIn(const std::string& root, absl::string_view sha256) {
  return absl::StrCat(root, "/", sha256.substr(0, 2), "/", sha256);
}

absl::Status WriteAll(int fd, absl::string_view bytes) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) return absl::InternalError("blob store: cannot write a blob");
    written += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Appends to a temporary file under <root>/incoming while hashing; Commit
// renames it into place under its hash.
class LocalBlobWriter final : public BlobWriter {
 public:
  LocalBlobWriter(std::string root, std::string temporary, UniqueFd fd)
      : root_(std::move(root)), temporary_(std::move(temporary)), fd_(std::move(fd)) {
    crypto_hash_sha256_init(&hash_);
  }
  LocalBlobWriter(const LocalBlobWriter&) = delete;
  LocalBlobWriter& operator=(const LocalBlobWriter&) = delete;
  ~LocalBlobWriter() override {
    if (!committed_) {
      std::error_code error;
      std::filesystem::remove(temporary_, error);
    }
  }

  absl::Status Append(absl::string_view bytes) override {
    if (fd_.get() < 0) return absl::FailedPreconditionError("blob store: the writer is closed");
    if (absl::Status written = WriteAll(fd_.get(), bytes); !written.ok()) return written;
    crypto_hash_sha256_update(&hash_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    size_ += static_cast<int64_t>(bytes.size());
    return absl::OkStatus();
  }

  int64_t size() const override { return size_; }
  const std::string& path() const override { return temporary_; }
  bool stored_new() const override { return committed_; }

  absl::StatusOr<std::string> Commit(absl::string_view expected_sha256) override {
    if (fd_.get() < 0) return absl::FailedPreconditionError("blob store: the writer is closed");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&hash_, digest);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    const std::string name(hex);
    const bool synced = fsync(fd_.get()) == 0;
    fd_ = UniqueFd();
    if (!expected_sha256.empty() && expected_sha256 != name) {
      return absl::DataLossError("sha256: the data does not match the declared SHA-256");
    }
    if (!synced) return absl::InternalError("blob store: cannot write a blob");
    const std::string path = BlobPathIn(root_, name);
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

 private:
  const std::string root_;
  const std::string temporary_;
  UniqueFd fd_;
  int64_t size_ = 0;
  crypto_hash_sha256_state hash_;
  bool committed_ = false;
};

}  // namespace

absl::StatusOr<std::string> LocalBlobStore::Put(absl::string_view bytes) const {
  // The writer's path: a temporary file renamed into place, a blob already
  // there kept as it is.
  CF_ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, NewWriter());
  CF_RETURN_IF_ERROR(writer->Append(bytes));
  return writer->Commit("");
}

absl::StatusOr<std::unique_ptr<BlobWriter>> LocalBlobStore::NewWriter() const {
  std::error_code error;
  const std::string incoming = absl::StrCat(root_, "/incoming");
  std::filesystem::create_directories(incoming, error);
  if (error) return absl::InternalError(absl::StrCat("blob store: cannot create a directory: ", error.message()));
  std::string temporary = absl::StrCat(incoming, "/blob.XXXXXX");
  UniqueFd fd(mkstemp(temporary.data()));
  if (fd.get() < 0) return absl::InternalError("blob store: cannot create a temporary file");
  return std::make_unique<LocalBlobWriter>(root_, std::move(temporary), std::move(fd));
}

absl::StatusOr<BlobFile> LocalBlobStore::Open(absl::string_view sha256) const {
  if (!IsBlobName(sha256)) return absl::InvalidArgumentError("blob.sha256: 64 lowercase hex digits");
  std::string path = BlobPathIn(root_, sha256);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int open_errno = errno;
    if (open_errno == ENOENT || open_errno == ENOTDIR) return absl::NotFoundError("blob.sha256: no such blob");
    return absl::InternalError(absl::StrCat("blob store: cannot open a blob: ", std::strerror(open_errno)));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) {
    return absl::InternalError(absl::StrCat("blob store: cannot stat a blob: ", std::strerror(errno)));
  }
  // Only files are blobs (a directory there is not one).
  if (!S_ISREG(st.st_mode)) return absl::NotFoundError("blob.sha256: no such blob");
  return BlobFile::InPlace(std::move(fd), static_cast<int64_t>(st.st_size), std::move(path));
}

absl::Status LocalBlobStore::Remove(absl::string_view sha256) const {
  if (!IsBlobName(sha256)) return absl::InvalidArgumentError("blob.sha256: 64 lowercase hex digits");
  std::error_code error;
  std::filesystem::remove(BlobPathIn(root_, sha256), error);
  if (error) return absl::InternalError(absl::StrCat("blob store: cannot remove a blob: ", error.message()));
  return absl::OkStatus();
}

}  // namespace clipforge::kit
