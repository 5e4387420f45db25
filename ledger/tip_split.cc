#include "ledger/tip_split.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "base/status_macros.h"
#include "ledger/largest_remainder.h"

namespace clipforge::ledger {
namespace {

absl::Status CheckTipRequest(const TipSplitRequest& request, const TipRules& rules) {
  if (request.gross < rules.min_tip || request.gross > rules.max_tip) {
    return absl::InvalidArgumentError(absl::StrCat(
        "amount: must be from ", FormatMicros(rules.min_tip), " to ", FormatMicros(rules.max_tip), " (",
        rules.min_tip, " to ", rules.max_tip, " micros); got ", FormatMicros(request.gross)));
  }
  if (request.tipper_id.empty()) return absl::InvalidArgumentError("tipper_id: must not be empty");
  if (request.creators.empty()) return absl::InvalidArgumentError("creators: at least one creator is required");
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 0; i < request.creators.size(); ++i) {
    const TipCreator& creator = request.creators[i];
    if (creator.user_id.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("creators[", i, "].user_id: must not be empty"));
    }
    if (!seen.insert(creator.user_id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("creators[", i, "].user_id: ", creator.user_id, " is listed more than once"));
    }
    if (creator.weight < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("creators[", i, "].weight: must be positive, got ", creator.weight));
    }
  }
  const size_t depths = std::min(request.lineage.size(), kMaxRoyaltyDepth);
  for (size_t i = 0; i < depths; ++i) {
    if (request.lineage[i].eligible && request.lineage[i].author_id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("lineage[", i, "].author_id: must not be empty for an eligible ancestor"));
    }
  }
  if (seen.contains(request.tipper_id)) {
    return base::WithReason(
        absl::FailedPreconditionError("tipper_id: a creator of the clip cannot tip it"), kSelfTipReason);
  }
  return absl::OkStatus();
}

bool AncestorEarnsRoyalty(const TipAncestor& ancestor, const TipSplitRequest& request) {
  if (!ancestor.eligible || ancestor.author_id == request.tipper_id) return false;
  return std::none_of(request.creators.begin(), request.creators.end(),
                      [&ancestor](const TipCreator& creator) { return creator.user_id == ancestor.author_id; });
}

}  // namespace

absl::Status ValidateTipRules(const TipRules& rules) {
  if (rules.version < 1) return absl::InvalidArgumentError("rules.version: must be positive");
  if (rules.fee_ppm < 0 || rules.fee_ppm > kPartsPerMillion) {
    return absl::InvalidArgumentError(
        absl::StrCat("rules.fee_ppm: must be 0 to ", kPartsPerMillion, ", got ", rules.fee_ppm));
  }
  int64_t royalty_sum = 0;
  for (size_t depth = 0; depth < rules.royalty_ppm.size(); ++depth) {
    const int64_t ppm = rules.royalty_ppm[depth];
    if (ppm < 0 || ppm > kPartsPerMillion) {
      return absl::InvalidArgumentError(
          absl::StrCat("rules.royalty_ppm[", depth, "]: must be 0 to ", kPartsPerMillion, ", got ", ppm));
    }
    royalty_sum += ppm;
  }
  if (royalty_sum > kPartsPerMillion) {
    return absl::InvalidArgumentError(
        absl::StrCat("rules.royalty_ppm: must sum to at most ", kPartsPerMillion, ", got ", royalty_sum));
  }
  if (rules.min_tip < 1 || rules.max_tip < rules.min_tip) {
    return absl::InvalidArgumentError(absl::StrCat("rules.min_tip, rules.max_tip: need 0 < min_tip <= max_tip, got ",
                                                   rules.min_tip, " and ", rules.max_tip));
  }
  return absl::OkStatus();
}

absl::StatusOr<TipRules> TipRulesOfVersion(int version) {
  if (version == 1) return TipRules{};
  return absl::NotFoundError(absl::StrCat("tip rules version ", version, " is unknown"));
}

absl::StatusOr<TipSplit> SplitTip(const TipSplitRequest& request, const TipRules& rules) {
  CF_RETURN_IF_ERROR(ValidateTipRules(rules));
  CF_RETURN_IF_ERROR(CheckTipRequest(request, rules));

  const size_t depths = std::min(request.lineage.size(), kMaxRoyaltyDepth);
  TipSplit split;
  split.legs.reserve(1 + depths + request.creators.size());
  split.rules_version = rules.version;
  split.gross = request.gross;
  split.fee = PartsPerMillionOf(request.gross, rules.fee_ppm);
  split.net = request.gross - split.fee;
  if (split.fee > 0) split.legs.push_back({TipLegKind::kPlatformFee, "", "", 0, split.fee});

  for (size_t i = 0; i < depths; ++i) {
    const TipAncestor& ancestor = request.lineage[i];
    if (!AncestorEarnsRoyalty(ancestor, request)) continue;
    const Micros royalty = PartsPerMillionOf(split.net, rules.royalty_ppm[i]);
    if (royalty == 0) continue;
    split.royalties += royalty;
    const int depth = static_cast<int>(i) + 1;
    split.legs.push_back({TipLegKind::kRoyalty, ancestor.author_id, ancestor.clip_id, depth, royalty});
  }
  // The royalty rates sum to at most 100%, each rounded down: this is
  // never negative.
  split.creators_share = split.net - split.royalties;

  std::vector<int64_t> weights;
  std::vector<std::string> user_ids;
  weights.reserve(request.creators.size());
  user_ids.reserve(request.creators.size());
  for (const TipCreator& creator : request.creators) {
    weights.push_back(creator.weight);
    user_ids.push_back(creator.user_id);
  }
  CF_ASSIGN_OR_RETURN(const std::vector<Micros> shares,
                      ApportionLargestRemainder(split.creators_share, weights, user_ids));
  for (size_t i = 0; i < shares.size(); ++i) {
    if (shares[i] == 0) continue;
    const TipLegKind kind = i == 0 ? TipLegKind::kCreatorShare : TipLegKind::kCoAuthorShare;
    split.legs.push_back({kind, request.creators[i].user_id, request.clip_id, 0, shares[i]});
  }
  return split;
}

}  // namespace clipforge::ledger
