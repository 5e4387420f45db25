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

}  // namespace clipforge::base
