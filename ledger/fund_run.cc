#include "ledger/fund_run.h"

#include <algorithm>
#include <cmath>
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

// A field of the canonical input encoding: length-prefixed, so that no
// choice of ids can make two different inputs encode alike.
void Field(base::Sha256Hasher& hasher, absl::string_view value) {
  hasher.Update(absl::StrCat(value.size(), ":"));
  hasher.Update(value);
}
void Field(base::Sha256Hasher& hasher, int64_t value) { Field(hasher, absl::StrCat(value)); }

// A clip as the run computes with it: ids replaced by indices.
struct IndexedClip {
  uint32_t creator = 0;
  int64_t factor_ppm = 0;  // 0.5 + 0.5 x originality
  std::vector<std::pair<uint32_t, bool>> ancestors;  // creator index, eligible
};

}  // namespace

absl::StatusOr<Micros> FundPool(Micros allocation, Micros fee_revenue, const FundRules& rules) {
  if (allocation < 0) return absl::InvalidArgumentError("allocation: must not be negative");
  if (fee_revenue < 0) return absl::InvalidArgumentError("fee_revenue: must not be negative");
  if (rules.fee_revenue_share_ppm < 0 || rules.fee_revenue_share_ppm > kPartsPerMillion) {
    return absl::InvalidArgumentError("rules.fee_revenue_share_ppm: must be 0 to 1,000,000");
  }
  return CheckedAddMicros(allocation, PartsPerMillionOf(fee_revenue, rules.fee_revenue_share_ppm));
}

absl::StatusOr<FundRun> ComputeFundRun(FundInputs inputs, const FundRules& rules) {
  if (absl::Status checked = CheckRules(rules); !checked.ok()) return checked;
  if (inputs.period.empty() || inputs.period.find('|') != std::string::npos) {
    return absl::InvalidArgumentError("period: required, without '|'");
  }
  absl::StatusOr<Micros> pool = FundPool(inputs.allocation, inputs.fee_revenue, rules);
  if (!pool.ok()) return pool.status();

  // The canonical order: clips by id, views by viewer then clip.
  std::sort(inputs.clips.begin(), inputs.clips.end(),
            [](const FundClip& a, const FundClip& b) { return a.clip_id < b.clip_id; });
  std::sort(inputs.views.begin(), inputs.views.end(), [](const FundView& a, const FundView& b) {
    return a.viewer_id != b.viewer_id ? a.viewer_id < b.viewer_id : a.clip_id < b.clip_id;
  });

  // Creators (clip authors and ancestors) by id, so that their indices
  // follow id order.
  std::vector<std::string> creators;
  for (const FundClip& clip : inputs.clips) {
    creators.push_back(clip.creator_id);
    for (const FundAncestor& a : clip.ancestors) creators.push_back(a.creator_id);
  }
  std::sort(creators.begin(), creators.end());
  creators.erase(std::unique(creators.begin(), creators.end()), creators.end());
  // The leaf format separates fields with '|' (FundLineLeaf).
  for (const std::string& creator : creators) {
    if (creator.empty() || creator.find('|') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("clips.creator_id: \"", creator, "\" is empty or has a '|'"));
    }
  }
  absl::flat_hash_map<std::string, uint32_t> creator_index;
  for (uint32_t i = 0; i < creators.size(); ++i) creator_index[creators[i]] = i;

  base::Sha256Hasher hasher;
  Field(hasher, "clipforge.fund.inputs.v1");
  Field(hasher, inputs.period);
  Field(hasher, inputs.allocation);
  Field(hasher, inputs.fee_revenue);
  Field(hasher, rules.version);
  Field(hasher, rules.min_viewer_views);
  Field(hasher, rules.max_counted_views);
  Field(hasher, rules.min_creator_viewers);
  for (const int64_t ppm : rules.lineage_ppm) Field(hasher, ppm);
  Field(hasher, rules.fee_revenue_share_ppm);

  std::vector<IndexedClip> clips;
  clips.reserve(inputs.clips.size());
  absl::flat_hash_map<std::string, uint32_t> clip_index;
  for (const FundClip& clip : inputs.clips) {
    if (clip.clip_id.empty()) return absl::InvalidArgumentError("clips.clip_id: required");
    if (!(clip.originality >= 0.0 && clip.originality <= 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat("clips.originality: clip ", clip.clip_id, " is not in [0, 1]"));
    }
    if (!clip_index.try_emplace(clip.clip_id, static_cast<uint32_t>(clips.size())).second) {
      return absl::InvalidArgumentError(absl::StrCat("clips.clip_id: ", clip.clip_id, " is listed twice"));
    }
    const int64_t originality_ppm = std::llround(clip.originality * kPartsPerMillion);
    IndexedClip indexed{.creator = creator_index.at(clip.creator_id),
                        .factor_ppm = kPartsPerMillion / 2 + originality_ppm / 2};
    Field(hasher, clip.clip_id);
    Field(hasher, clip.creator_id);
    Field(hasher, originality_ppm);
    Field(hasher, static_cast<int64_t>(clip.ancestors.size()));
    for (const FundAncestor& a : clip.ancestors) {
      indexed.ancestors.emplace_back(creator_index.at(a.creator_id), a.eligible);
      Field(hasher, a.creator_id);
      Field(hasher, a.eligible ? 1 : 0);
    }
    clips.push_back(std::move(indexed));
  }

  // Each qualified viewer's budget, over the clips they watched.
  std::vector<WideMicros> clip_points(clips.size(), 0);
  std::vector<int64_t> creator_viewers(creators.size(), 0);
  int64_t qualified_viewers = 0;
  std::vector<std::pair<uint32_t, int64_t>> watched;  // clip index, weight
  std::vector<uint32_t> watched_creators;
  for (size_t begin = 0; begin < inputs.views.size();) {
    const std::string& viewer = inputs.views[begin].viewer_id;
    if (viewer.empty()) return absl::InvalidArgumentError("views.viewer_id: required");
    size_t end = begin;
    watched.clear();
    int64_t counted_total = 0;
    for (; end < inputs.views.size() && inputs.views[end].viewer_id == viewer; ++end) {
      const FundView& view = inputs.views[end];
      if (end > begin && view.clip_id == inputs.views[end - 1].clip_id) {
        return absl::InvalidArgumentError(
            absl::StrCat("views: viewer ", viewer, " and clip ", view.clip_id, " are listed twice"));
      }
      if (view.views < 0) return absl::InvalidArgumentError("views.views: must not be negative");
      const auto clip = clip_index.find(view.clip_id);
      if (clip == clip_index.end()) {
        return absl::InvalidArgumentError(absl::StrCat("views.clip_id: ", view.clip_id, " is not among the clips"));
      }
      Field(hasher, viewer);
      Field(hasher, view.clip_id);
      Field(hasher, view.views);
      const int64_t counted = std::min(view.views, rules.max_counted_views);
      if (counted == 0) continue;
      counted_total += counted;
      watched.emplace_back(clip->second, counted * clips[clip->second].factor_ppm);
    }
    begin = end;
    if (counted_total < rules.min_viewer_views) continue;
    ++qualified_viewers;
    WideMicros weight_total = 0;
    for (const auto& [clip, weight] : watched) weight_total += weight;
    watched_creators.clear();
    for (const auto& [clip, weight] : watched) {
      clip_points[clip] += WideMicros{kViewerPoints} * weight / weight_total;
      watched_creators.push_back(clips[clip].creator);
    }
    std::sort(watched_creators.begin(), watched_creators.end());
    watched_creators.erase(std::unique(watched_creators.begin(), watched_creators.end()), watched_creators.end());
    for (const uint32_t creator : watched_creators) ++creator_viewers[creator];
  }

  // Clips' points to their creators, a share up each lineage.
  std::vector<WideMicros> creator_points(creators.size(), 0);
  for (size_t c = 0; c < clips.size(); ++c) {
    const WideMicros points = clip_points[c];
    if (points == 0) continue;
    WideMicros kept = points;
    const IndexedClip& clip = clips[c];
    for (size_t i = 0; i < clip.ancestors.size() && i < rules.lineage_ppm.size(); ++i) {
      const auto [ancestor, eligible] = clip.ancestors[i];
      // The creator's own ancestor clip or an ineligible one: the share
      // stays with the creator.
      if (!eligible || ancestor == clip.creator) continue;
      const WideMicros share = points * rules.lineage_ppm[i] / kPartsPerMillion;
      creator_points[ancestor] += share;
      kept -= share;
    }
    creator_points[clip.creator] += kept;
  }

  FundRun run{.period = inputs.period,
              .rules = rules,
              .pool = *pool,
              .inputs_sha256 = hasher.Finish(),
              .qualified_viewers = qualified_viewers};
  std::vector<uint32_t> paid;
  std::vector<int64_t> weights;
  std::vector<std::string> keys;
  for (uint32_t i = 0; i < creators.size(); ++i) {
    if (creator_viewers[i] < rules.min_creator_viewers || creator_points[i] <= 0) continue;
    paid.push_back(i);
    weights.push_back(static_cast<int64_t>(creator_points[i]));
    keys.push_back(creators[i]);
  }
  if (!paid.empty()) {
    absl::StatusOr<std::vector<Micros>> amounts = ApportionLargestRemainder(run.pool, weights, keys);
    if (!amounts.ok()) return amounts.status();
    for (size_t k = 0; k < paid.size(); ++k) {
      if ((*amounts)[k] == 0) continue;  // a sliver below one micro
      run.lines.push_back(FundLine{.creator_id = creators[paid[k]],
                                   .amount = (*amounts)[k],
                                   .viewers = creator_viewers[paid[k]],
                                   .points = weights[k]});
    }
  }
  std::vector<std::string> leaves;
  leaves.reserve(run.lines.size());
  for (const FundLine& line : run.lines) leaves.push_back(MerkleLeafHash(FundLineLeaf(run.period, line)));
  run.merkle_root = MerkleRoot(std::move(leaves));
  return run;
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
  std::vector<std::string> leaves;
  leaves.reserve(run.lines.size());
  for (const FundLine& l : run.lines) leaves.push_back(MerkleLeafHash(FundLineLeaf(run.period, l)));
  return MerkleProofFor(leaves, static_cast<size_t>(line - run.lines.begin()));
}

}  // namespace clipforge::ledger
