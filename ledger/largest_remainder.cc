#include "ledger/largest_remainder.h"

#include <algorithm>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clipforge::ledger {
namespace {

// `tie_rank[i]`: the place of weight i when remainders are equal (lower
// first); a permutation of 0..n-1.
absl::StatusOr<std::vector<Micros>> ApportionWithTieRank(Micros total, std::span<const int64_t> weights,
                                                         const std::vector<size_t>& tie_rank) {
  if (total < 0) return absl::InvalidArgumentError(absl::StrCat("total: must not be negative, got ", total));
  if (weights.empty()) return absl::InvalidArgumentError("weights: must not be empty");
  // Wide: n weights below 2^63 sum below 2^127, and total * weight is
  // below 2^126.
  WideMicros weight_sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < 0) {
      return absl::InvalidArgumentError(absl::StrCat("weights[", i, "]: must not be negative, got ", weights[i]));
    }
    weight_sum += weights[i];
  }
  if (weight_sum == 0) return absl::InvalidArgumentError("weights: must not all be zero");

  std::vector<Micros> shares(weights.size());
  std::vector<WideMicros> remainders(weights.size());
  Micros floored = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const WideMicros quota_numerator = static_cast<WideMicros>(total) * weights[i];
    shares[i] = static_cast<Micros>(quota_numerator / weight_sum);
    remainders[i] = quota_numerator % weight_sum;
    floored += shares[i];  // at most total: no overflow
  }
  // Fewer than n, and every remainder among the largest `left` is
  // positive (they sum to left * weight_sum, each below weight_sum), so a
  // zero weight never gets one.
  const Micros left = total - floored;
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (remainders[a] != remainders[b]) return remainders[a] > remainders[b];
    return tie_rank[a] < tie_rank[b];
  });
  for (Micros k = 0; k < left; ++k) ++shares[order[static_cast<size_t>(k)]];
  return shares;
}

}  // namespace

absl::StatusOr<std::vector<Micros>> ApportionLargestRemainder(Micros total, std::span<const int64_t> weights) {
  std::vector<size_t> by_index(weights.size());
  std::iota(by_index.begin(), by_index.end(), size_t{0});
  return ApportionWithTieRank(total, weights, by_index);
}

absl::StatusOr<std::vector<Micros>> ApportionLargestRemainder(Micros total, std::span<const int64_t> weights,
                                                              std::span<const std::string> keys) {
  if (keys.size() != weights.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("keys: must have one key per weight: ", keys.size(), " keys, ", weights.size(), " weights"));
  }
  std::vector<size_t> by_key(weights.size());
  std::iota(by_key.begin(), by_key.end(), size_t{0});
  std::stable_sort(by_key.begin(), by_key.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<size_t> tie_rank(weights.size());
  for (size_t rank = 0; rank < by_key.size(); ++rank) tie_rank[by_key[rank]] = rank;
  return ApportionWithTieRank(total, weights, tie_rank);
}

}  // namespace clipforge::ledger
