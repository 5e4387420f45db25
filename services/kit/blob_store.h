// The blob store: content-addressed files, each named by the SHA-256 of its
// bytes (BlobRef.sha256), under one directory shared by the services that
// write media (generation) and read it (moderation). A blob's path is
// <root>/<first two hex digits>/<all 64>, so no directory grows past a
// few thousand entries at a million blobs. Writes go to a temporary file
// and are renamed into place, so a reader never sees half a blob; a blob
// never changes once written, so readers need no lock.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::kit {

class BlobWriter;

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

  // Deletes the blob (gone already: OK). Only for content no one may keep
  // (a blob the media filter blocked): blobs are shared by name.
  absl::Status Remove(absl::string_view sha256) const;

  // A writer for a blob that arrives in pieces (uploads of up to hundreds
  // of MiB never sit in memory whole).
  absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter() const;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

// Appends to a temporary file in the store while hashing; Commit names the
// blob by its hash and moves it into place. A writer dropped without a
// successful Commit removes its temporary file.
class BlobWriter {
 public:
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  ~BlobWriter();

  absl::Status Append(absl::string_view bytes);
  int64_t size() const { return size_; }
  // The temporary file the bytes so far are in (readable before Commit, to
  // check the content first).
  const std::string& path() const { return temporary_; }
  // The blob's name. DATA_LOSS when `expected_sha256` is set and differs
  // (nothing is stored then).
  absl::StatusOr<std::string> Commit(absl::string_view expected_sha256 = "");

 private:
  friend class LocalBlobStore;
  BlobWriter(std::string root, std::string temporary, int fd);

  const std::string root_;
  const std::string temporary_;
  int fd_ = -1;
  int64_t size_ = 0;
  crypto_hash_sha256_state hash_;
  bool committed_ = false;
};

}  // namespace clipforge::kit
