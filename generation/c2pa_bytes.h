// Big-endian integers and ISO BMFF-style boxes (32-bit size, 4-character
// type, 64-bit "largesize" when the size field is 1, "to the end" when it
// is 0), shared by the JUMBF and BMFF code.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::generation::c2pa {

// absl::string_view is not std::string_view in Debian's Abseil, so
// std::string has no += for it.
inline void Append(std::string& out, absl::string_view bytes) { out.append(bytes.data(), bytes.size()); }

inline void PutU32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void PutU64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
// The first 4 (8) bytes of `in`, which must be long enough.
inline uint32_t GetU32(absl::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
inline uint64_t GetU64(absl::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// A box of `type` around `body` (a largesize header past 4 GiB).
std::string WrapBox(absl::string_view type, absl::string_view body);

struct BoxView {
  std::string type;
  uint64_t size = 0;         // the whole box
  uint32_t header_size = 0;  // 8 or 16
  absl::string_view body;    // after the header
};

// The box at the front of `in`; INVALID_ARGUMENT when its header is
// truncated or its size is impossible.
absl::StatusOr<BoxView> NextBox(absl::string_view in);

}  // namespace clipforge::generation::c2pa
