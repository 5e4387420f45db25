// SHA-256 as lowercase hex: migration checksums, refresh-token hashes,
// idempotency fingerprints, streamed-archive digests.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace clipforge::base {

std::string Sha256Hex(absl::string_view data);

}  // namespace clipforge::base
