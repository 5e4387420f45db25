// A DataChunk stream (a job's output; the same shape as a data export) into
// a file that appears only when the stream is whole and verified: offsets
// without gaps, a final chunk, the total size and the SHA-256. A stream that
// fails any check leaves no file behind (AtomicFile removes it).
#pragma once

#include <sodium.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cli/atomic_file.h"
#include "clipforge/v1/common.pb.h"

namespace clipforge::cli {

class DataChunkFile {
 public:
  // `what` names the stream in messages: "the video", "the thumbnail".
  DataChunkFile(AtomicFile file, std::string what);

  // Writes one chunk. DATA_LOSS when it does not continue the stream (a gap
  // or overlap, data after the final chunk); an errno status when the disk
  // refuses. Either way the caller abandons the stream.
  absl::Status Append(const v1::DataChunk& chunk);

  // Once the call ended OK: DATA_LOSS ("...; nothing was written") unless a
  // final chunk came, the size is the total the server announced, and the
  // SHA-256 is the final chunk's and, when not empty, `expected_sha256`
  // (the job's BlobRef). Then moves the file to `path`, in the directory the
  // AtomicFile was created in.
  absl::Status Commit(absl::string_view path, absl::string_view expected_sha256);

  int64_t bytes() const { return written_; }
  const std::string& content_type() const { return content_type_; }
  // The SHA-256 of what was written, lowercase hex; set by Commit.
  const std::string& sha256() const { return sha256_; }

 private:
  AtomicFile file_;
  std::string what_;
  crypto_hash_sha256_state hash_;
  int64_t written_ = 0;
  int64_t announced_total_ = 0;  // 0: not announced
  bool final_seen_ = false;
  std::string final_sha256_;
  std::string content_type_;
  std::string sha256_;
};

}  // namespace clipforge::cli
