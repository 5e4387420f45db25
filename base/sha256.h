// SHA-256 as lowercase hex: migration checksums, refresh-token hashes,
// idempotency fingerprints, streamed-archive digests; raw digests for hash
// chains.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace clipforge::base {

std::string Sha256Hex(absl::string_view data);
// The 32 raw bytes of the digest.
std::string Sha256(absl::string_view data);

// SHA-256 over data fed in pieces (inputs too big to hold as one string:
// a creator fund run's hundred million view rows).
class Sha256Hasher {
 public:
  Sha256Hasher();
  void Update(absl::string_view data);
  // The 32 raw bytes of the digest of everything fed; the hasher is spent.
  std::string Finish();

 private:
  // libsodium's crypto_hash_sha256_state (104 bytes), kept opaque so that
  // this header does not pull in sodium.h.
  alignas(16) unsigned char state_[128];
};

}  // namespace clipforge::base
