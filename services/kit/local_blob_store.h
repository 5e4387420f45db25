// The blob store as content-addressed files under one directory (the
// --blob-dir flag, shared by the services of one data directory). A
// blob's file is <root>/<first two hex digits>/<all 64>, so no directory
// grows past a few thousand entries at a million blobs. Writes go to a
// temporary file and are renamed into place, so a reader never sees half a
// blob.
#pragma once

#include <memory>
#include <string>

#include "services/kit/blob_store.h"

namespace clipforge::kit {

class LocalBlobStore final : public BlobStore {
 public:
  explicit LocalBlobStore(std::string root) : root_(std::move(root)) {}

  absl::StatusOr<std::string> Put(absl::string_view bytes) const override;
  // Writers' temporary files are in <root>/incoming, on the blobs' file
  // system, so Commit is a rename.
  absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter() const override;
  // The blob's own file, read in place (BlobFile::InPlace).
  absl::StatusOr<BlobFile> Open(absl::string_view sha256) const override;
  absl::Status Remove(absl::string_view sha256) const override;

 private:
  std::string root_;
};

}  // namespace clipforge::kit
