// The blob store: media (uploads, renders, thumbnails, manifests) named by
// the SHA-256 of its bytes (BlobRef.sha256), shared by the services that
// write it (generation) and read it (moderation, clips, the media
// endpoint). This is the interface; LocalBlobStore (local_blob_store.h),
// content-addressed files in the data directory, is the one we ship. An
// S3-compatible store fits the same interface: every reader is handed a
// BlobFile, never a path into the store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/kit/unique_fd.h"

namespace clipforge::kit {

// True for 64 lowercase hex digits.
bool IsBlobName(absl::string_view sha256);

// A blob's bytes as an open local file, for the readers that need one:
// pread ranges (HTTP Range, gRPC chunk streams) through fd(), or a path
// (FFmpeg demuxers, the C2PA verifier) through path(). Move-only; closes
// its descriptor when it goes, and unlinks a spooled copy.
class BlobFile {
 public:
  // The store's own file at `path`, read in place and left there.
  // Removing the blob meanwhile leaves fd() readable but takes path()
  // away.
  static BlobFile InPlace(UniqueFd fd, int64_t size, std::string path);
  // A private copy at `path` (what a remote store's Open downloads to a
  // temporary file), unlinked when this goes: fd() and path() stay good
  // for as long as this lives.
  static BlobFile SpooledCopy(UniqueFd fd, int64_t size, std::string path);

  // The source is left empty: fd() -1, size() 0, path() "".
  BlobFile(BlobFile&& other) noexcept;
  BlobFile& operator=(BlobFile&& other) noexcept;
  BlobFile(const BlobFile&) = delete;
  BlobFile& operator=(const BlobFile&) = delete;
  ~BlobFile();

  // Read with pread, so that no reader depends on the file position.
  int fd() const { return fd_.get(); }
  int64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  BlobFile(UniqueFd fd, int64_t size, std::string path, bool spooled);
  void UnlinkSpooledCopy();

  UniqueFd fd_;
  int64_t size_ = 0;
  std::string path_;
  bool spooled_ = false;
};

// A blob that arrives in pieces (uploads of up to hundreds of MiB never sit
// in memory whole). The bytes go to a local temporary file, readable at
// path() before Commit so that the content can be probed first; Commit
// names the blob by its hash and stores it. A writer dropped without a
// successful Commit removes its temporary file. (An S3-compatible store's
// writer spools the same way and uploads on Commit.)
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;

  virtual absl::Status Append(absl::string_view bytes) = 0;
  // The bytes appended so far.
  virtual int64_t size() const = 0;
  // The temporary file holding the bytes so far.
  virtual const std::string& path() const = 0;
  // The blob's name. DATA_LOSS when `expected_sha256` is not empty and
  // differs (nothing is stored then). The writer is closed afterwards,
  // whatever the outcome.
  virtual absl::StatusOr<std::string> Commit(absl::string_view expected_sha256) = 0;
  // After a successful Commit: true when it put the blob in the store,
  // false when the store held these bytes already (someone else's, then:
  // a caller undoing its upload may remove only a blob it stored).
  virtual bool stored_new() const = 0;
};

// Blobs are named by the hex SHA-256 of their content and never change once
// written, so readers need no lock and any copy of a blob is as good as
// another. Every method is safe to call from any thread.
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Stores `bytes` and returns its name; a blob already there is left as
  // it is.
  virtual absl::StatusOr<std::string> Put(absl::string_view bytes) const = 0;

  virtual absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter() const = 0;

  // The blob's bytes as an open file, which stays readable through fd()
  // even if the blob is removed meanwhile. INVALID_ARGUMENT for a malformed
  // name, NOT_FOUND when there is no such blob. (An S3-compatible store
  // downloads the object to a BlobFile::SpooledCopy.)
  virtual absl::StatusOr<BlobFile> Open(absl::string_view sha256) const = 0;

  // Deletes the blob (gone already: OK). Only for content no one may keep
  // (a blob the media filter blocked): blobs are shared by name.
  virtual absl::Status Remove(absl::string_view sha256) const = 0;
};

}  // namespace clipforge::kit
