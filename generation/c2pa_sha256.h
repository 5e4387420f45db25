// Incremental SHA-256 (FIPS 180-4). base/sha256.h hashes one buffer; the
// BMFF hard binding hashes a whole video as a sequence of byte ranges and
// offsets, so the core needs a streaming hasher that links no crypto
// library. Checked against base::Sha256 in the tests.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace clipforge::generation::c2pa {

class Sha256Stream {
 public:
  Sha256Stream();
  void Update(absl::string_view data);
  // The 32-byte digest; the stream must not be used afterwards.
  std::string Finish();

 private:
  void Block(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

// One-shot convenience: the raw 32-byte digest of `data`.
std::string Sha256Digest(absl::string_view data);

}  // namespace clipforge::generation::c2pa
