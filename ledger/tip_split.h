// How a tip splits into legs, under versioned rules:
//
//   fee        = floor(G * fee rate)                 the platform's
//   N          = G - fee                             the net
//   royalty_d  = floor(N * royalty rate_d)           the author of the
//                                                    ancestor at depth d
//                                                    (1 = parent), d <= 4
//   creators   = N - sum(royalties)                  split among the
//                                                    co-authors by weight
//
// Every rounding remainder goes to the creators, so the legs sum to G
// exactly and no royalty ever exceeds its rate. An ancestor earns nothing,
// and its share stays with the creators, when it is not eligible (its clip
// or author deleted or banned) or when its author is the tipper (no paying
// oneself through a remix) or one of the creators (no double share).
//
// The rules that computed a split are recorded with its transfers
// (Transfer::rules_version), so that a split can be recomputed later even
// after the rates change: a new rate is a new version, never an edit.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/money.h"

namespace clipforge::ledger {

// Ancestors beyond this depth earn no royalty.
inline constexpr size_t kMaxRoyaltyDepth = 4;

// The reason on a refused tip to one's own clip.
inline constexpr absl::string_view kSelfTipReason = "SELF_TIP";

struct TipRules {
  int version = 1;
  // Rates in parts per million (money.h): 5%.
  int64_t fee_ppm = 50'000;
  // By depth, parent first: 5%, 2.5%, 1.25%, 0.625% of the net.
  std::array<int64_t, kMaxRoyaltyDepth> royalty_ppm = {50'000, 25'000, 12'500, 6'250};
  // The API's limits: 0.10 to 500.00 units.
  Micros min_tip = 100'000;
  Micros max_tip = 500'000'000;
};

// OK when the rules can split every tip in range: a positive version,
// rates within 0..1,000,000 ppm with the royalties summing to at most
// that, 0 < min_tip <= max_tip. INVALID_ARGUMENT naming the field
// otherwise.
absl::Status ValidateTipRules(const TipRules& rules);

// The rules of `version`, which are never edited once used; NOT_FOUND for
// a version this build does not know. Version 1 is TipRules{}.
absl::StatusOr<TipRules> TipRulesOfVersion(int version);

// The values match the API's TipLegKind.
enum class TipLegKind : uint8_t {
  kCreatorShare = 1,
  kCoAuthorShare = 2,
  kPlatformFee = 3,
  kRoyalty = 4,
};

struct TipCreator {
  std::string user_id;
  // Relative share among co-authors: positive.
  int64_t weight = 1;
};

struct TipAncestor {
  std::string clip_id;
  std::string author_id;
  // False when the clip or its author is deleted or banned.
  bool eligible = true;
};

struct TipSplitRequest {
  // The tip, G.
  Micros gross = 0;
  std::string tipper_id;
  std::string clip_id;
  // The tipped clip's authors: its author first, then co-authors. Distinct
  // ids.
  std::vector<TipCreator> creators;
  // The clip's fork lineage, nearest first (the parent at [0]); entries
  // beyond kMaxRoyaltyDepth are ignored.
  std::vector<TipAncestor> lineage;
};

struct TipLeg {
  TipLegKind kind = TipLegKind::kCreatorShare;
  // The recipient; empty for the platform fee.
  std::string user_id;
  // The tipped clip for a creator or co-author share, the ancestor clip
  // for a royalty, empty for the fee.
  std::string clip_id;
  // A royalty's depth (1 = parent); 0 otherwise.
  int depth = 0;
  // Positive.
  Micros amount = 0;

  friend bool operator==(const TipLeg&, const TipLeg&) = default;
};

struct TipSplit {
  int rules_version = 0;
  Micros gross = 0;
  Micros fee = 0;
  // gross - fee.
  Micros net = 0;
  Micros royalties = 0;
  // net - royalties: what the creators share.
  Micros creators_share = 0;
  // The fee, the royalties nearest first, then the creators' shares in
  // the request's order (the author's is kCreatorShare, co-authors'
  // kCoAuthorShare). A leg that rounds to zero is left out (a transfer
  // moves a positive amount), so every leg is positive and they sum to
  // gross.
  std::vector<TipLeg> legs;
};

// The split of `request` under `rules`. INVALID_ARGUMENT naming the field
// for a gross outside [min_tip, max_tip] (the message gives the limits), an
// empty tipper_id, no creators, an empty or repeated creator id, a weight
// below 1, an eligible ancestor without author_id, or invalid rules;
// FAILED_PRECONDITION with reason kSelfTipReason when the tipper is one of
// the creators. Co-authors split the creators' share by weight with the
// largest-remainder method, ties to the smallest user id.
absl::StatusOr<TipSplit> SplitTip(const TipSplitRequest& request, const TipRules& rules);

}  // namespace clipforge::ledger
