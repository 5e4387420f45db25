#include "ledger/fund_run.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"
#include "ledger/largest_remainder.h"

namespace clipforge::ledger {
namespace {

absl::Status CheckRules(const FundRules& r) {
  if (r.min_viewer_views < 1) return absl::InvalidArgumentError("rules.min_viewer_views: must be at least 1");
  if (r.max_counted_views < 1) return absl::InvalidArgumentError("rules.max_counted_views: must be at least 1");
  if (r.min_creator_viewers < 1) return absl::InvalidArgumentError("rules.min_creator_viewers: must be at least 1");
  int64_t lineage_total = 0;
  for (const int64_t ppm : r.lineage_ppm) {
    if (ppm < 0 || ppm > kPartsPerMillion) {
      return absl::InvalidArgumentError("rules.lineage_ppm: each rate must be 0 to 1,000,000");
    }
    lineage_total += ppm;
  }
  if (lineage_total > kPartsPerMillion) {
    return absl::InvalidArgumentError("rules.lineage_ppm: the rates must sum to at most 1,000,000");
  }
  if (r.fee_revenue_share_ppm < 0 || r.fee_revenue_share_ppm > kPartsPerMillion) {
    return absl::InvalidArgumentError("rules.fee_revenue_share_ppm: must be 0 to 1,000,000");
  }
  return absl::OkStatus();
}

// The canonical encoding of the inputs, hashed as it is written: integers
// as 8 little-endian bytes, strings length-prefixed, so that no two inputs
// encode alike. Buffered: a hundred million views are 1.2 GB of it.
class InputsHash {
 public:
  void Int(int64_t value) {
    char bytes[8];
    const auto bits = static_cast<uint64_t>(value);
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
    Append(absl::string_view(bytes, sizeof bytes));
  }
  void Str(absl::string_view value) {
    Int(static_cast<int64_t>(value.size()));
    Append(value);
  }
  std::string Finish() {
    hasher_.Update(buffer_);
    return hasher_.Finish();
  }

 private:
  static constexpr size_t kFlushAt = 1 << 16;
  void Append(absl::string_view bytes) {
    buffer_.append(bytes.data(), bytes.size());
    if (buffer_.size() >= kFlushAt) {
      hasher_.Update(buffer_);
      buffer_.clear();
    }
  }
  base::Sha256Hasher hasher_;
  std::string buffer_;
};

// Ids strictly increasing (so index order is id order), none empty or
// with the leaf format's separator.
absl::Status CheckIds(const std::vector<std::string>& ids, absl::string_view field) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty() || ids[i].find('|') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": \"", ids[i], "\" is empty or has a '|'"));
    }
    if (i > 0 && !(ids[i - 1] < ids[i])) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": \"", ids[i], "\" is out of order or listed twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckClips(const IndexedFundInputs& in) {
  if (in.clip_ids.size() != in.clips.size()) {
    return absl::InvalidArgumentError("clip_ids: one per clip");
  }
  if (in.clips.size() > std::numeric_limits<uint32_t>::max() ||
      in.creator_ids.size() > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError("clips: too many");
  }
  for (size_t c = 0; c < in.clips.size(); ++c) {
    const IndexedFundClip& clip = in.clips[c];
    if (clip.creator >= in.creator_ids.size()) {
      return absl::InvalidArgumentError(absl::StrCat("clips.creator: clip ", in.clip_ids[c], " names no creator"));
    }
    if (clip.originality_ppm < 0 || clip.originality_ppm > kPartsPerMillion) {
      return absl::InvalidArgumentError(absl::StrCat("clips.originality: clip ", in.clip_ids[c], " is not in [0, 1]"));
    }
    if (uint64_t{clip.first_ancestor} + clip.ancestor_count > in.ancestors.size()) {
      return absl::InvalidArgumentError(absl::StrCat("clips.ancestors: clip ", in.clip_ids[c], " is out of range"));
    }
  }
  for (const IndexedFundAncestor& a : in.ancestors) {
    // An ineligible ancestor's creator is never read (it may have none).
    if (a.eligible && a.creator >= in.creator_ids.size()) {
      return absl::InvalidArgumentError("ancestors.creator: out of range");
    }
  }
  return absl::OkStatus();
}

// The Merkle leaf hashes of the run's lines, in order.
std::vector<std::string> LineLeafHashes(const std::string& period, const std::vector<FundLine>& lines) {
  std::vector<std::string> leaves;
  leaves.reserve(lines.size());
  for (const FundLine& line : lines) leaves.push_back(MerkleLeafHash(FundLineLeaf(period, line)));
  return leaves;
}

}  // namespace

absl::StatusOr<Micros> FundPool(Micros allocation, Micros fee_revenue, const FundRules& rules) {
  if (allocation < 0) return absl::InvalidArgumentError("allocation: must not be negative");
  if (fee_revenue < 0) return absl::InvalidArgumentError("fee_revenue: must not be negative");
  if (rules.fee_revenue_share_ppm < 0 || rules.fee_revenue_share_ppm > kPartsPerMillion) {
    return absl::InvalidArgumentError("rules.fee_revenue_share_ppm: must be 0 to 1,000,000");
  }
  return CheckedAddMicros(allocation, PartsPerMillionOf(fee_revenue, rules.fee_revenue_share_ppm));
}

absl::StatusOr<FundRun> ComputeIndexedFundRun(const IndexedFundInputs& in, const FundRules& rules) {
  if (absl::Status checked = CheckRules(rules); !checked.ok()) return checked;
  if (in.period.empty() || in.period.find('|') != std::string::npos) {
    return absl::InvalidArgumentError("period: required, without '|'");
  }
  absl::StatusOr<Micros> pool = FundPool(in.allocation, in.fee_revenue, rules);
  if (!pool.ok()) return pool.status();
  if (absl::Status s = CheckIds(in.creator_ids, "creator_ids"); !s.ok()) return s;
  if (absl::Status s = CheckIds(in.clip_ids, "clip_ids"); !s.ok()) return s;
  if (absl::Status s = CheckClips(in); !s.ok()) return s;

  InputsHash hash;
  hash.Str("clipforge.fund.inputs.v1");
  hash.Str(in.period);
  for (const int64_t value : {in.allocation, in.fee_revenue, int64_t{rules.version}, rules.min_viewer_views,
                              rules.max_counted_views, rules.min_creator_viewers, rules.fee_revenue_share_ppm}) {
    hash.Int(value);
  }
  hash.Int(static_cast<int64_t>(rules.lineage_ppm.size()));
  for (const int64_t ppm : rules.lineage_ppm) hash.Int(ppm);
  hash.Int(static_cast<int64_t>(in.creator_ids.size()));
  for (const std::string& id : in.creator_ids) hash.Str(id);
  hash.Int(static_cast<int64_t>(in.clips.size()));
  for (size_t c = 0; c < in.clips.size(); ++c) {
    const IndexedFundClip& clip = in.clips[c];
    hash.Str(in.clip_ids[c]);
    hash.Int(clip.creator);
    hash.Int(clip.originality_ppm);
    hash.Int(clip.ancestor_count);
    for (uint32_t a = clip.first_ancestor; a < clip.first_ancestor + clip.ancestor_count; ++a) {
      hash.Int(in.ancestors[a].eligible ? int64_t{in.ancestors[a].creator} : -1);
    }
  }
  hash.Int(static_cast<int64_t>(in.views.size()));

  // Each qualified viewer's budget, over the clips they watched.
  std::vector<WideMicros> clip_points(in.clips.size(), 0);
  std::vector<int64_t> creator_viewers(in.creator_ids.size(), 0);
  int64_t qualified_viewers = 0;
  std::vector<std::pair<uint32_t, int64_t>> watched;  // clip, weight
  std::vector<uint32_t> watched_creators;
  for (size_t begin = 0; begin < in.views.size();) {
    const uint32_t viewer = in.views[begin].viewer;
    size_t end = begin;
    watched.clear();
    int64_t counted_total = 0;
    for (; end < in.views.size() && in.views[end].viewer == viewer; ++end) {
      const IndexedFundView& view = in.views[end];
      if (end > begin && view.clip <= in.views[end - 1].clip) {
        return absl::InvalidArgumentError(
            absl::StrCat("views: viewer ", viewer, " lists clip ", view.clip, " out of order or twice"));
      }
      if (view.clip >= in.clips.size()) return absl::InvalidArgumentError("views.clip: out of range");
      if (view.views < 0) return absl::InvalidArgumentError("views.views: must not be negative");
      hash.Int(view.viewer);
      hash.Int(view.clip);
      hash.Int(view.views);
      const int64_t counted = std::min<int64_t>(view.views, rules.max_counted_views);
      if (counted == 0) continue;
      counted_total += counted;
      // 0.5 + 0.5 x originality, in ppm.
      const int64_t factor_ppm = kPartsPerMillion / 2 + in.clips[view.clip].originality_ppm / 2;
      watched.emplace_back(view.clip, counted * factor_ppm);
    }
    if (end < in.views.size() && in.views[end].viewer < viewer) {
      return absl::InvalidArgumentError(absl::StrCat("views: viewer ", in.views[end].viewer, " is out of order"));
    }
    begin = end;
    if (counted_total < rules.min_viewer_views) continue;
    ++qualified_viewers;
    WideMicros weight_total = 0;
    for (const auto& [clip, weight] : watched) weight_total += weight;
    watched_creators.clear();
    for (const auto& [clip, weight] : watched) {
      clip_points[clip] += WideMicros{kViewerPoints} * weight / weight_total;
      watched_creators.push_back(in.clips[clip].creator);
    }
    std::sort(watched_creators.begin(), watched_creators.end());
    watched_creators.erase(std::unique(watched_creators.begin(), watched_creators.end()), watched_creators.end());
    for (const uint32_t creator : watched_creators) ++creator_viewers[creator];
  }

  // Clips' points to their creators, a share up each lineage.
  std::vector<WideMicros> creator_points(in.creator_ids.size(), 0);
  for (size_t c = 0; c < in.clips.size(); ++c) {
    const WideMicros points = clip_points[c];
    if (points == 0) continue;
    const IndexedFundClip& clip = in.clips[c];
    WideMicros kept = points;
    for (uint32_t d = 0; d < clip.ancestor_count && d < rules.lineage_ppm.size(); ++d) {
      const IndexedFundAncestor& ancestor = in.ancestors[clip.first_ancestor + d];
      // The creator's own ancestor clip or an ineligible one: the share
      // stays with the creator.
      if (!ancestor.eligible || ancestor.creator == clip.creator) continue;
      const WideMicros share = points * rules.lineage_ppm[d] / kPartsPerMillion;
      creator_points[ancestor.creator] += share;
      kept -= share;
    }
    creator_points[clip.creator] += kept;
  }

  // Each qualified viewer hands out kViewerPoints: a creator's points fit
  // in int64 below 2^31 viewers.
  if (qualified_viewers >= (int64_t{1} << 31)) {
    return absl::OutOfRangeError("views: more than 2^31 - 1 qualified viewers in one run");
  }
  FundRun run{
      .period = in.period, .rules = rules, .pool = *pool, .inputs_sha256 = hash.Finish(),
      .qualified_viewers = qualified_viewers};
  std::vector<uint32_t> paid;
  std::vector<int64_t> weights;
  std::vector<std::string> keys;
  for (uint32_t i = 0; i < in.creator_ids.size(); ++i) {
    if (creator_viewers[i] < rules.min_creator_viewers || creator_points[i] <= 0) continue;
    paid.push_back(i);
    weights.push_back(static_cast<int64_t>(creator_points[i]));
    keys.push_back(in.creator_ids[i]);
  }
  if (!paid.empty()) {
    absl::StatusOr<std::vector<Micros>> amounts = ApportionLargestRemainder(run.pool, weights, keys);
    if (!amounts.ok()) return amounts.status();
    for (size_t k = 0; k < paid.size(); ++k) {
      if ((*amounts)[k] == 0) continue;  // a sliver below one micro
      run.lines.push_back(FundLine{.creator_id = in.creator_ids[paid[k]],
                                   .amount = (*amounts)[k],
                                   .viewers = creator_viewers[paid[k]],
                                   .points = weights[k]});
    }
  }
  run.merkle_root = MerkleRoot(LineLeafHashes(run.period, run.lines));
  return run;
}

absl::StatusOr<FundRun> ComputeFundRun(FundInputs inputs, const FundRules& rules) {
  IndexedFundInputs indexed{.period = std::move(inputs.period),
                            .allocation = inputs.allocation,
                            .fee_revenue = inputs.fee_revenue};
  // Creators (clip authors and ancestors) and clips by id.
  std::sort(inputs.clips.begin(), inputs.clips.end(),
            [](const FundClip& a, const FundClip& b) { return a.clip_id < b.clip_id; });
  for (const FundClip& clip : inputs.clips) {
    if (!(clip.originality >= 0.0 && clip.originality <= 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat("clips.originality: clip ", clip.clip_id, " is not in [0, 1]"));
    }
    indexed.creator_ids.push_back(clip.creator_id);
    // An ineligible ancestor (deleted or banned) earns nothing and may have
    // no id left.
    for (const FundAncestor& a : clip.ancestors) {
      if (a.eligible) indexed.creator_ids.push_back(a.creator_id);
    }
  }
  std::sort(indexed.creator_ids.begin(), indexed.creator_ids.end());
  indexed.creator_ids.erase(std::unique(indexed.creator_ids.begin(), indexed.creator_ids.end()),
                            indexed.creator_ids.end());
  absl::flat_hash_map<std::string, uint32_t> creator_index;
  for (uint32_t i = 0; i < indexed.creator_ids.size(); ++i) creator_index[indexed.creator_ids[i]] = i;
  absl::flat_hash_map<std::string, uint32_t> clip_index;
  for (const FundClip& clip : inputs.clips) {
    clip_index.emplace(clip.clip_id, static_cast<uint32_t>(indexed.clips.size()));
    indexed.clip_ids.push_back(clip.clip_id);
    indexed.clips.push_back(IndexedFundClip{
        .creator = creator_index.at(clip.creator_id),
        .originality_ppm = static_cast<int32_t>(std::llround(clip.originality * kPartsPerMillion)),
        .first_ancestor = static_cast<uint32_t>(indexed.ancestors.size()),
        .ancestor_count = static_cast<uint32_t>(clip.ancestors.size())});
    for (const FundAncestor& a : clip.ancestors) {
      indexed.ancestors.push_back(a.eligible ? IndexedFundAncestor{.creator = creator_index.at(a.creator_id)}
                                             : IndexedFundAncestor{.creator = 0, .eligible = false});
    }
  }

  // Viewers by id; their views by viewer, then clip id (= clip index).
  std::vector<std::string> viewers;
  for (const FundView& view : inputs.views) viewers.push_back(view.viewer_id);
  std::sort(viewers.begin(), viewers.end());
  viewers.erase(std::unique(viewers.begin(), viewers.end()), viewers.end());
  absl::flat_hash_map<std::string, uint32_t> viewer_index;
  for (uint32_t i = 0; i < viewers.size(); ++i) viewer_index[viewers[i]] = i;
  indexed.views.reserve(inputs.views.size());
  for (const FundView& view : inputs.views) {
    if (view.viewer_id.empty()) return absl::InvalidArgumentError("views.viewer_id: required");
    const auto clip = clip_index.find(view.clip_id);
    if (clip == clip_index.end()) {
      return absl::InvalidArgumentError(absl::StrCat("views.clip_id: ", view.clip_id, " is not among the clips"));
    }
    if (view.views < 0 || view.views > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError("views.views: must be 0 to 2^31 - 1");
    }
    indexed.views.push_back(IndexedFundView{
        .viewer = viewer_index.at(view.viewer_id), .clip = clip->second, .views = static_cast<int32_t>(view.views)});
  }
  std::sort(indexed.views.begin(), indexed.views.end(), [](const IndexedFundView& a, const IndexedFundView& b) {
    return a.viewer != b.viewer ? a.viewer < b.viewer : a.clip < b.clip;
  });
  for (size_t i = 1; i < indexed.views.size(); ++i) {
    if (indexed.views[i].viewer == indexed.views[i - 1].viewer && indexed.views[i].clip == indexed.views[i - 1].clip) {
      return absl::InvalidArgumentError(absl::StrCat("views: viewer ", viewers[indexed.views[i].viewer], " and clip ",
                                                     indexed.clip_ids[indexed.views[i].clip], " are listed twice"));
    }
  }
  return ComputeIndexedFundRun(indexed, rules);
}

std::string FundLineLeaf(const std::string& period, const FundLine& line) {
  return absl::StrCat("clipforge.fund.v1|", period, "|", line.creator_id, "|", line.amount, "|", line.viewers, "|",
                      line.points);
}

absl::StatusOr<MerkleProof> FundLineProof(const FundRun& run, const std::string& creator_id) {
  const auto line = std::lower_bound(run.lines.begin(), run.lines.end(), creator_id,
                                     [](const FundLine& l, const std::string& id) { return l.creator_id < id; });
  if (line == run.lines.end() || line->creator_id != creator_id) {
    return absl::NotFoundError(absl::StrCat("creator ", creator_id, " has no line in fund run ", run.period));
  }
  return MerkleProofFor(LineLeafHashes(run.period, run.lines), static_cast<size_t>(line - run.lines.begin()));
}

}  // namespace clipforge::ledger
