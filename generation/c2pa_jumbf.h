// JUMBF (ISO/IEC 19566-5) boxes as C2PA uses them: a superbox ('jumb')
// starts with its description box ('jumd': type UUID, toggles, label,
// optional id, hash and private box) and holds either content boxes
// ('cbor', 'json', 'bidb', ...) or child superboxes. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::generation::c2pa {

// The 16-byte JUMBF type UUID for a C2PA 4-character code: the code, then
// 0011-0010-8000-00AA00389B71 ("c2pa" store, "c2ma" manifest, "c2as"
// assertion store, "c2cl" claim, "c2cs" signature, "cbor", "json").
std::string JumbfType(absl::string_view fourcc);
// The 4-character code of a type UUID with that suffix, else "".
std::string JumbfFourcc(absl::string_view type_uuid);

struct JumbfContent {
  std::string box_type;  // 4 characters: "cbor", "json", ...
  std::string payload;   // the box's bytes after its header
};

struct JumbfBox {
  std::string type;  // 16 bytes
  std::string label;
  bool requestable = true;
  std::optional<uint32_t> id;
  std::optional<std::string> hash;         // 32 bytes (SHA-256)
  std::optional<std::string> private_box;  // a whole box (e.g. a 'c2sh' salt)
  std::vector<JumbfContent> contents;
  std::vector<JumbfBox> children;
  // Set by ParseJumbf: the bytes of the superbox after its own header
  // (description box and everything after it), which C2PA hashed URIs
  // cover.
  std::string raw_contents;

  const JumbfBox* Child(absl::string_view label) const;
  const JumbfContent* Content(absl::string_view box_type) const;
};

// The superbox's bytes (header included).
std::string SerializeJumbf(const JumbfBox& box);
// The bytes hashed URIs cover for `box`: SerializeJumbf without the 8-byte
// header.
std::string JumbfHashedBytes(const JumbfBox& box);

// Parses one superbox spanning all of `bytes`; INVALID_ARGUMENT when
// malformed or nested deeper than `max_depth`.
absl::StatusOr<JumbfBox> ParseJumbf(absl::string_view bytes, int max_depth = 16);

}  // namespace clipforge::generation::c2pa
