// The creator fund's monthly run: a pool split among creators by what
// qualified viewers watched, computed so that anyone holding the inputs
// gets the same lines to the micro, and a creator can check their line
// against the published root (ledger/merkle.h).
//
// The split, user-centric: every qualified viewer's month counts once. A
// viewer qualifies with at least min_viewer_views counted views in the
// month; a (viewer, clip) pair counts at most max_counted_views views, so
// replaying one clip cannot buy a creator more than a fair share of the
// viewer. Each qualified viewer hands out kViewerPoints points over the
// clips they watched, in proportion to counted views x (0.5 + 0.5 x the
// clip's originality), so original work earns up to twice a copy's share.
// A clip's points pass partly up its fork lineage (the tip royalty rates,
// tip_split.h: 5%, 2.5%, 1.25% and 0.625% to the nearest four ancestors;
// an ineligible ancestor's share, or the creator's own, stays with the
// creator). A creator is paid when at least min_creator_viewers qualified
// viewers watched their own clips; the pool is then split over the paid
// creators' points by the largest-remainder method (ties to the smaller
// creator id), so the lines sum to the pool exactly.
//
// Determinism: integer arithmetic only (originality enters as parts per
// million, rounded once), inputs taken in a canonical order (creators and
// clips by id, views by viewer then clip), and the inputs' SHA-256 over a
// canonical binary encoding published with the run: rerunning a period
// gives bit-identical lines, hash and root.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/merkle.h"
#include "ledger/money.h"

namespace clipforge::ledger {

// What a qualified viewer hands out. 2^32 keeps any creator's points (at
// most one viewer budget per viewer) below 2^63 up to two billion viewers.
inline constexpr int64_t kViewerPoints = int64_t{1} << 32;

struct FundRules {
  int32_t version = 1;
  // Counted views a viewer needs in the month to count at all.
  int64_t min_viewer_views = 5;
  // Views of one clip by one viewer counted at most.
  int64_t max_counted_views = 10;
  // Qualified viewers of a creator's own clips needed to be paid.
  int64_t min_creator_viewers = 3;
  // Of a clip's points, to its ancestors nearest first (parts per million).
  std::vector<int64_t> lineage_ppm = {50'000, 25'000, 12'500, 6'250};
  // Of the month's fee revenue, into the pool (parts per million).
  int64_t fee_revenue_share_ppm = 100'000;
};

// A fork ancestor of a clip, nearest first. Ineligible: deleted or banned
// (its creator id may then be empty).
struct FundAncestor {
  std::string creator_id;
  bool eligible = true;
};

struct FundClip {
  std::string clip_id;
  std::string creator_id;
  double originality = 1.0;  // [0, 1]; rounded to ppm once
  std::vector<FundAncestor> ancestors;
};

// Views of a clip by a viewer in the period (satisfied views).
struct FundView {
  std::string viewer_id;
  std::string clip_id;
  int64_t views = 0;
};

struct FundInputs {
  std::string period;  // "2026-11"
  Micros allocation = 0;
  Micros fee_revenue = 0;
  std::vector<FundClip> clips;
  std::vector<FundView> views;
};

// One creator's payout.
struct FundLine {
  std::string creator_id;
  Micros amount = 0;
  int64_t viewers = 0;  // qualified viewers of their own clips
  int64_t points = 0;   // own clips' points kept plus lineage points received
};

struct FundRun {
  std::string period;
  FundRules rules;
  Micros pool = 0;
  std::string inputs_sha256;  // 32 raw bytes over the canonical inputs
  int64_t qualified_viewers = 0;
  // Paid creators, by creator id; amounts sum to `pool` (or there are none
  // when no creator qualified, and the pool stays in the fund).
  std::vector<FundLine> lines;
  std::string merkle_root;  // 32 raw bytes over FundLineLeaf of `lines`
};

// The same inputs with ids replaced by dense indices: what a period of a
// hundred million views is fed as (12 bytes a view instead of two
// strings). Viewers are indices only: their ids are not part of the run.
struct IndexedFundClip {
  uint32_t creator = 0;  // into creator_ids
  int32_t originality_ppm = 1'000'000;  // [0, 1,000,000]
  uint32_t first_ancestor = 0;  // into ancestors
  uint32_t ancestor_count = 0;
};
struct IndexedFundAncestor {
  uint32_t creator = 0;  // not read when ineligible
  bool eligible = true;
};
struct IndexedFundView {
  uint32_t viewer = 0;
  uint32_t clip = 0;
  int32_t views = 0;
};
struct IndexedFundInputs {
  std::string period;
  Micros allocation = 0;
  Micros fee_revenue = 0;
  std::vector<std::string> creator_ids;  // strictly increasing: index order is id order
  std::vector<std::string> clip_ids;     // strictly increasing, one per clip
  std::vector<IndexedFundClip> clips;
  std::vector<IndexedFundAncestor> ancestors;
  std::vector<IndexedFundView> views;  // strictly increasing by (viewer, clip)
};

// allocation + the rules' share of the fee revenue (rounded down).
absl::StatusOr<Micros> FundPool(Micros allocation, Micros fee_revenue, const FundRules& rules);

// The run. INVALID_ARGUMENT naming the field for a malformed input: an
// empty period, negative amounts or views, a clip listed twice, a view of
// an unknown clip, a (viewer, clip) pair listed twice, more than 2^31 - 1
// views of one clip by one viewer, an originality outside [0, 1], rules
// out of range.
absl::StatusOr<FundRun> ComputeFundRun(FundInputs inputs, const FundRules& rules = {});

// The run over indexed inputs (ComputeFundRun builds them from ids, so
// both give the same run, hash and root). INVALID_ARGUMENT naming the
// field for ids out of order or with a '|', an index out of range, views
// out of order or negative, an originality outside [0, 1,000,000].
absl::StatusOr<FundRun> ComputeIndexedFundRun(const IndexedFundInputs& inputs, const FundRules& rules = {});

// A line as its Merkle leaf: "clipforge.fund.v1|<period>|<creator id>|
// <amount>|<viewers>|<points>", so that a proof binds the period too.
std::string FundLineLeaf(const std::string& period, const FundLine& line);

// The proof of `creator_id`'s line; NOT_FOUND when it has none.
absl::StatusOr<MerkleProof> FundLineProof(const FundRun& run, const std::string& creator_id);

}  // namespace clipforge::ledger
