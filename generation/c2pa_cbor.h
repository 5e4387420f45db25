// CBOR (RFC 8949) for C2PA claims, assertions and COSE: a value tree, an
// encoder with preferred serialization (shortest heads and floats, definite
// lengths, map entries in the order given, so the same value always gives
// the same bytes) and a bounded decoder that also reads what other writers
// emit (indefinite lengths, tags, half floats). No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::generation::c2pa {

class Cbor {
 public:
  enum class Kind { kUint, kNegative, kBytes, kText, kArray, kMap, kTag, kBool, kNull, kUndefined, kFloat };
  using Entry = std::pair<Cbor, Cbor>;

  Cbor() = default;  // null
  static Cbor Uint(uint64_t value);
  static Cbor Int(int64_t value);
  // -1 - magnitude: the whole negative range (down to -2^64).
  static Cbor Negative(uint64_t magnitude);
  static Cbor Bytes(absl::string_view bytes);
  static Cbor Text(absl::string_view text);
  static Cbor Array(std::vector<Cbor> items = {});
  static Cbor Map(std::vector<Entry> entries = {});
  static Cbor Tag(uint64_t tag, Cbor item);
  static Cbor Bool(bool value);
  static Cbor Null();
  static Cbor Undefined();
  static Cbor Float(double value);

  Kind kind() const { return kind_; }
  bool is(Kind kind) const { return kind_ == kind; }
  // kUint: the value; kNegative: the magnitude (value is -1 - magnitude);
  // kTag: the tag number.
  uint64_t uint() const { return uint_; }
  bool boolean() const { return uint_ != 0; }
  double number() const { return number_; }
  // kBytes and kText.
  const std::string& str() const { return str_; }
  // kArray's items; kTag's one item.
  const std::vector<Cbor>& items() const { return items_; }
  std::vector<Cbor>& mutable_items() { return items_; }
  const std::vector<Entry>& entries() const { return entries_; }

  // Appends a text-keyed entry to a map; returns *this for chaining.
  Cbor& Set(absl::string_view key, Cbor value);
  // The value of the first entry whose key is the text `key` (or, for
  // COSE headers, the integer `label`); null when absent or not a map.
  const Cbor* Find(absl::string_view key) const;
  const Cbor* FindInt(int64_t label) const;
  // Integer value when it fits int64_t.
  bool AsInt64(int64_t& out) const;
  // The text of a kText value, else "".
  std::string TextOr(absl::string_view fallback = "") const;

  friend bool operator==(const Cbor& a, const Cbor& b);

 private:
  Kind kind_ = Kind::kNull;
  uint64_t uint_ = 0;
  double number_ = 0;
  std::string str_;
  std::vector<Cbor> items_;
  std::vector<Entry> entries_;
};

std::string EncodeCbor(const Cbor& value);

struct CborLimits {
  int max_depth = 64;
};

// Decodes exactly one item spanning all of `bytes`; INVALID_ARGUMENT on
// malformed, truncated or trailing input, or nesting past the limit.
absl::StatusOr<Cbor> DecodeCbor(absl::string_view bytes, const CborLimits& limits = {});
// Decodes one item from the front of `bytes` and sets `consumed`.
absl::StatusOr<Cbor> DecodeCborPrefix(absl::string_view bytes, size_t& consumed, const CborLimits& limits = {});

// Diagnostic notation (RFC 8949 section 8), for messages and tests.
std::string CborDiagnostic(const Cbor& value);

}  // namespace clipforge::generation::c2pa
