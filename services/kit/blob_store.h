// The blob store: content-addressed files, each named by the SHA-256 of its
// bytes (BlobRef.sha256), under one directory shared by the services that
// write media (generation) and read it (moderation). A blob's path is
// <root>/<first two hex digits>/<all 64>, so no directory grows past a
// few thousand entries at a million blobs. Writes go to a temporary file
// and are renamed into place, so a reader never sees half a blob; a blob
// never changes once written, so readers need no lock.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::kit {

// True for 64 lowercase hex digits.
bool IsBlobName(absl::string_view sha256);

class LocalBlobStore {
 public:
  explicit LocalBlobStore(std::string root) : root_(std::move(root)) {}

  // Stores `bytes` and returns its name (the hex SHA-256); a blob already
  // there is left as it is.
  absl::StatusOr<std::string> Put(absl::string_view bytes) const;
  // The blob's file: INVALID_ARGUMENT for a malformed name, NOT_FOUND when
  // there is no such blob.
  absl::StatusOr<std::string> PathOf(absl::string_view sha256) const;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace clipforge::kit
