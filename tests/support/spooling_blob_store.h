// A BlobStore whose Open hands out a spooled copy, as an S3-compatible
// store's would after downloading the object: the blobs live in a
// LocalBlobStore, and each Open copies one to its own temporary file in
// `spool_dir`. Tests use it to check that readers of the interface keep a
// BlobFile for as long as they read it, and let it go after.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <iterator>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "services/kit/blob_store.h"
#include "services/kit/local_blob_store.h"

namespace clipforge::testing {

class SpoolingBlobStore final : public kit::BlobStore {
 public:
  // `spool_dir` must exist and hold nothing else.
  SpoolingBlobStore(std::string root, std::string spool_dir)
      : blobs_(std::move(root)), spool_dir_(std::move(spool_dir)) {}

  absl::StatusOr<std::string> Put(absl::string_view bytes) const override { return blobs_.Put(bytes); }
  absl::StatusOr<std::unique_ptr<kit::BlobWriter>> NewWriter() const override { return blobs_.NewWriter(); }
  absl::Status Remove(absl::string_view sha256) const override { return blobs_.Remove(sha256); }

  absl::StatusOr<kit::BlobFile> Open(absl::string_view sha256) const override {
    CF_ASSIGN_OR_RETURN(const kit::BlobFile stored, blobs_.Open(sha256));
    std::string path = spool_dir_ + "/spool.XXXXXX";
    kit::UniqueFd copy(mkstemp(path.data()));
    if (copy.get() < 0) return absl::InternalError("spool: cannot create a file");
    char buffer[64 * 1024];
    for (int64_t done = 0; done < stored.size();) {
      const ssize_t got = pread(stored.fd(), buffer, sizeof buffer, static_cast<off_t>(done));
      if (got <= 0 || write(copy.get(), buffer, static_cast<size_t>(got)) != got) {
        unlink(path.c_str());
        return absl::InternalError("spool: cannot copy a blob");
      }
      done += got;
    }
    return kit::BlobFile::SpooledCopy(std::move(copy), stored.size(), std::move(path));
  }

  // The spooled copies that exist now.
  int SpooledCopies() const {
    std::error_code error;
    const std::filesystem::directory_iterator entries(spool_dir_, error);
    return error ? -1 : static_cast<int>(std::distance(begin(entries), end(entries)));
  }

 private:
  const kit::LocalBlobStore blobs_;
  const std::string spool_dir_;
};

}  // namespace clipforge::testing
