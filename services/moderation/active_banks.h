// The hash banks as the media filter matches against them: every entry of
// every enabled bank in one multi-index (moderation/hash_index.h), each
// bank's distance and decision (capped by its category's
// media_match_decision), and the allow-list. Immutable once built; a
// BankReloader swaps in a new one whole.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "moderation/hash_index.h"
#include "services/moderation/live_snapshot.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

// PDQ's quality floor: hashes of flat or featureless frames match too
// much to mean anything.
inline constexpr int kMinMatchQuality = 50;

// One bank entry a hash matched.
struct BankHit {
  std::string bank_id;
  std::string entry_id;
  std::string external_id;
  v1::ModerationCategory category = v1::MODERATION_CATEGORY_UNSPECIFIED;
  v1::ModerationDecision decision = v1::MODERATION_DECISION_UNSPECIFIED;
  int distance = 0;
  int max_distance = 0;
};

// One sampled frame of a checked medium.
struct FrameHash {
  int32_t frame_index = 0;
  absl::Duration offset;
  moderation::PdqHash hash;
  int quality = 0;
};

struct FrameHits {
  FrameHash frame;
  std::vector<BankHit> hits;
};

struct MediaCheck {
  v1::ModerationDecision decision = v1::MODERATION_DECISION_ALLOW;
  std::vector<v1::ModerationCategory> categories;  // Of the matched banks, no duplicates.
  std::vector<FrameHits> frames;                   // Frames with hits, in order.
  int32_t frames_checked = 0;
  // Every sampled frame's hash, in order (frames_checked of them, low
  // quality ones too): callers keep them to find near-duplicate videos
  // later without decoding the video again.
  std::vector<moderation::PdqHash> frame_hashes;
  int64_t banks_version = 0;
};

// A hash as the API and the store carry it: its 32 bytes, the hex digits'
// order (so `hash_hex` in a CSV file is the same hash).
std::string PdqBytes(const moderation::PdqHash& hash);
absl::StatusOr<moderation::PdqHash> PdqFromBytes(absl::string_view bytes);

class ActiveBanks {
 public:
  static absl::StatusOr<std::shared_ptr<const ActiveBanks>> Build(const BankSnapshot& snapshot);

  int64_t version() const { return version_; }
  size_t entry_count() const { return index_->size(); }

  // Every entry within its bank's distance of `hash`, unless an allow-list
  // entry for that bank (or for every bank) is within that distance too.
  // Nearest first.
  std::vector<BankHit> Match(const moderation::PdqHash& hash) const;

  // Matches the frames of quality kMinMatchQuality or more; every frame's
  // hash is in the answer.
  MediaCheck Check(const std::vector<FrameHash>& frames) const;

 private:
  struct Bank {
    std::string bank_id;
    v1::ModerationCategory category = v1::MODERATION_CATEGORY_UNSPECIFIED;
    v1::ModerationDecision decision = v1::MODERATION_DECISION_REVIEW;
    int max_distance = 0;
  };
  struct Allowed {
    uint32_t bank_seq = 0;  // 0: every bank.
    moderation::PdqHash hash;
  };

  ActiveBanks() = default;
  bool Allowed(uint32_t bank_seq, const moderation::PdqHash& hash, int max_distance) const;

  int64_t version_ = 0;
  int radius_ = 0;  // The largest max_distance of the enabled banks.
  std::unique_ptr<moderation::HashIndex> index_;
  absl::flat_hash_map<uint32_t, Bank> banks_;  // By seq.
  std::vector<std::string> entry_ids_;         // By label_id.
  std::vector<std::string> external_ids_;
  std::vector<struct Allowed> allowed_;
};

using ActiveBanksHolder = LiveSnapshot<ActiveBanks>;

}  // namespace clipforge::moderation_service
