#include "services/moderation/active_banks.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "base/status_macros.h"

namespace clipforge::moderation_service {

std::string PdqBytes(const moderation::PdqHash& hash) { return absl::HexStringToBytes(hash.ToHex()); }

absl::StatusOr<moderation::PdqHash> PdqFromBytes(absl::string_view bytes) {
  if (bytes.size() != 32) return absl::InvalidArgumentError("a PDQ hash is 32 bytes");
  return moderation::PdqHash::FromHex(absl::BytesToHexString(bytes));
}

absl::StatusOr<std::shared_ptr<const ActiveBanks>> ActiveBanks::Build(const BankSnapshot& snapshot) {
  std::shared_ptr<ActiveBanks> banks(new ActiveBanks());
  banks->version_ = snapshot.version;
  absl::flat_hash_map<std::string, uint32_t> seq_of;
  for (const HashBankRecord& record : snapshot.banks) {
    v1::ModerationDecision decision = record.decision;
    for (const CategoryPolicyRecord& policy : snapshot.policies) {
      if (policy.category == record.category) decision = std::min(decision, policy.media_match_decision);
    }
    const auto seq = static_cast<uint32_t>(record.seq);
    banks->banks_[seq] = {record.bank_id, record.category, decision, record.max_distance};
    banks->radius_ = std::max(banks->radius_, record.max_distance);
    seq_of[record.bank_id] = seq;
  }
  moderation::HashIndexBuilder builder;
  builder.Reserve(snapshot.entries.size());
  banks->entry_ids_.reserve(snapshot.entries.size());
  banks->external_ids_.reserve(snapshot.entries.size());
  for (const BankEntryRecord& entry : snapshot.entries) {
    CF_ASSIGN_OR_RETURN(const moderation::PdqHash hash, PdqFromBytes(entry.hash));
    builder.Add({.hash = hash, .label_id = banks->entry_ids_.size(), .bank_id = static_cast<uint32_t>(entry.bank_seq)});
    banks->entry_ids_.push_back(entry.entry_id);
    banks->external_ids_.push_back(entry.external_id);
  }
  CF_ASSIGN_OR_RETURN(moderation::HashIndex index, builder.Build());
  banks->index_ = std::make_unique<moderation::HashIndex>(std::move(index));
  for (const AllowListRecord& allowed : snapshot.allow_list) {
    uint32_t seq = 0;
    if (!allowed.bank_id.empty()) {
      const auto it = seq_of.find(allowed.bank_id);
      if (it == seq_of.end()) continue;  // Its bank is disabled.
      seq = it->second;
    }
    CF_ASSIGN_OR_RETURN(const moderation::PdqHash hash, PdqFromBytes(allowed.hash));
    banks->allowed_.push_back({seq, hash});
  }
  return banks;
}

bool ActiveBanks::Allowed(uint32_t bank_seq, const moderation::PdqHash& hash, int max_distance) const {
  // A linear pass: the allow-list is short (known false positives), and
  // bounded (bank_logic.h).
  for (const struct Allowed& allowed : allowed_) {
    if ((allowed.bank_seq == 0 || allowed.bank_seq == bank_seq) &&
        moderation::HammingDistance(allowed.hash, hash) <= max_distance) {
      return true;
    }
  }
  return false;
}

std::vector<BankHit> ActiveBanks::Match(const moderation::PdqHash& hash) const {
  std::vector<BankHit> hits;
  if (banks_.empty()) return hits;
  absl::StatusOr<std::vector<moderation::HashMatch>> matches = index_->Query(hash, radius_);
  if (!matches.ok()) return hits;  // radius_ is 0-64: Query accepts it.
  absl::flat_hash_map<uint32_t, bool> allowed_in;  // Per bank, computed once.
  for (const moderation::HashMatch& match : *matches) {
    const Bank& bank = banks_.at(match.bank_id);
    if (match.distance > bank.max_distance) continue;
    auto [it, fresh] = allowed_in.try_emplace(match.bank_id, false);
    if (fresh) it->second = Allowed(match.bank_id, hash, bank.max_distance);
    if (it->second) continue;
    hits.push_back({.bank_id = bank.bank_id,
                    .entry_id = entry_ids_[match.label_id],
                    .external_id = external_ids_[match.label_id],
                    .category = bank.category,
                    .decision = bank.decision,
                    .distance = match.distance,
                    .max_distance = bank.max_distance});
  }
  return hits;
}

MediaCheck ActiveBanks::Check(const std::vector<FrameHash>& frames) const {
  MediaCheck check{.banks_version = version_};
  check.frame_hashes.reserve(frames.size());
  for (const FrameHash& frame : frames) {
    ++check.frames_checked;
    check.frame_hashes.push_back(frame.hash);
    if (frame.quality < kMinMatchQuality) continue;
    std::vector<BankHit> hits = Match(frame.hash);
    if (hits.empty()) continue;
    for (const BankHit& hit : hits) {
      check.decision = std::max(check.decision, hit.decision);
      if (std::find(check.categories.begin(), check.categories.end(), hit.category) == check.categories.end()) {
        check.categories.push_back(hit.category);
      }
    }
    check.frames.push_back({frame, std::move(hits)});
  }
  return check;
}

}  // namespace clipforge::moderation_service
