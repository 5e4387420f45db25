// The moderation audit log's hash chain: each entry's hash is
// SHA-256(previous entry's hash || the entry's canonical bytes), the first
// entry's previous hash 32 zero bytes. Changing, removing or reordering any
// stored entry breaks every link from it on, which Verifier finds.
//
// The canonical bytes are a fixed layout, not a serialization library's
// output, so that the chain checks the same in any language and version:
// the sequence and the time (microseconds since the Unix epoch) as 8-byte
// big-endian integers, the kinds as 4-byte big-endian integers, and every
// string as its 4-byte big-endian length followed by its bytes, in the
// order of AuditFields.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace clipforge::moderation {

inline constexpr size_t kAuditHashBytes = 32;

// What an entry records (its hash inputs).
struct AuditFields {
  int64_t sequence = 0;  // From 1, without gaps.
  int32_t actor_kind = 0;
  std::string actor_id;
  uint32_t actor_roles = 0;  // Bit set of the roles the actor held.
  std::string action;        // "rule.created", "case.decided", ...
  int32_t target_kind = 0;
  std::string target_id;
  std::string object_id;
  std::string details_json;
  int64_t create_micros = 0;
};

// The previous hash of the first entry: 32 zero bytes.
std::string GenesisHash();

std::string CanonicalBytes(const AuditFields& fields);

// The hash of an entry whose predecessor's hash is `prev_hash`.
std::string ChainHash(absl::string_view prev_hash, const AuditFields& fields);

// Checks stored entries in sequence order, one at a time (no range is held
// in memory).
class AuditVerifier {
 public:
  // `prev_hash` is the hash of the entry before the first one checked
  // (GenesisHash() from sequence 1); `first_sequence` the sequence the
  // first checked entry must have.
  AuditVerifier(std::string prev_hash, int64_t first_sequence)
      : expected_prev_(std::move(prev_hash)), next_sequence_(first_sequence) {}

  // One stored entry with the prev_hash and entry_hash stored beside it.
  // After the first broken link, the rest is not judged.
  void Add(const AuditFields& fields, absl::string_view stored_prev_hash, absl::string_view stored_entry_hash);

  bool valid() const { return first_invalid_ == 0; }
  int64_t checked() const { return checked_; }
  // The first entry whose sequence, link or hash is wrong; 0 when valid.
  int64_t first_invalid() const { return first_invalid_; }
  int64_t last_sequence() const { return last_sequence_; }
  // The last checked entry's stored hash.
  const std::string& last_hash() const { return last_hash_; }

 private:
  std::string expected_prev_;
  int64_t next_sequence_;
  int64_t checked_ = 0;
  int64_t first_invalid_ = 0;
  int64_t last_sequence_ = 0;
  std::string last_hash_;
};

}  // namespace clipforge::moderation
