#include "moderation/audit_chain.h"

#include "base/sha256.h"

namespace clipforge::moderation {
namespace {

void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void PutU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void PutString(std::string& out, absl::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s.data(), s.size());
}

}  // namespace

std::string GenesisHash() { return std::string(kAuditHashBytes, '\0'); }

std::string CanonicalBytes(const AuditFields& f) {
  std::string out;
  out.reserve(64 + f.actor_id.size() + f.action.size() + f.target_id.size() + f.object_id.size() +
              f.details_json.size());
  PutU64(out, static_cast<uint64_t>(f.sequence));
  PutU32(out, static_cast<uint32_t>(f.actor_kind));
  PutString(out, f.actor_id);
  PutU32(out, f.actor_roles);
  PutString(out, f.action);
  PutU32(out, static_cast<uint32_t>(f.target_kind));
  PutString(out, f.target_id);
  PutString(out, f.object_id);
  PutString(out, f.details_json);
  PutU64(out, static_cast<uint64_t>(f.create_micros));
  return out;
}

std::string ChainHash(absl::string_view prev_hash, const AuditFields& fields) {
  std::string input(prev_hash);
  input += CanonicalBytes(fields);
  return base::Sha256(input);
}

void AuditVerifier::Add(const AuditFields& fields, absl::string_view stored_prev_hash,
                        absl::string_view stored_entry_hash) {
  if (first_invalid_ != 0) return;
  ++checked_;
  const bool ok = fields.sequence == next_sequence_ && stored_prev_hash == expected_prev_ &&
                  stored_entry_hash == ChainHash(expected_prev_, fields);
  if (!ok) {
    first_invalid_ = fields.sequence == next_sequence_ ? fields.sequence : next_sequence_;
    return;
  }
  last_sequence_ = fields.sequence;
  last_hash_ = std::string(stored_entry_hash);
  expected_prev_ = last_hash_;
  ++next_sequence_;
}

}  // namespace clipforge::moderation
