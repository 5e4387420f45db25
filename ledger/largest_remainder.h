// Splitting an integer amount in proportion to integer weights so that the
// shares sum to it exactly: the largest-remainder (Hamilton) method. Every
// share is its exact quota total * w / sum(w) rounded down, or one micro
// more; the micros that rounding down leaves over go one each to the
// largest fractional remainders. Used for co-authors' shares of a tip and
// for the creator fund's split of a pool.
//
// Ties between equal remainders are broken by a fixed rule, never by
// chance or container order, so that every replica (and every audit)
// computes the same split.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/money.h"

namespace clipforge::ledger {

// `total` (>= 0) split over `weights` (each >= 0, not all zero; a zero
// weight gets nothing): one share per weight, in order. Ties go to the
// lower index. INVALID_ARGUMENT naming `total` or `weights` otherwise.
absl::StatusOr<std::vector<Micros>> ApportionLargestRemainder(Micros total, std::span<const int64_t> weights);

// The same with ties going to the smaller key (keys[i] belongs to
// weights[i], byte-wise order), then to the lower index among equal keys:
// a rule that does not depend on the order the caller listed them in.
// INVALID_ARGUMENT also when `keys` and `weights` differ in size.
absl::StatusOr<std::vector<Micros>> ApportionLargestRemainder(Micros total, std::span<const int64_t> weights,
                                                              std::span<const std::string> keys);

}  // namespace clipforge::ledger
