// The SHA-256 and size of a file, read in chunks: an upload's header must
// name both before the first byte is sent, and outputs may be hundreds of
// MiB, so the file is never held in memory whole.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace clipforge::worker {

struct FileDigest {
  std::string sha256_hex;  // 64 lowercase hex digits
  int64_t size_bytes = 0;
};

// NOT_FOUND when the file cannot be opened; DATA_LOSS on a read error.
absl::StatusOr<FileDigest> DigestFile(const std::string& path);

}  // namespace clipforge::worker
