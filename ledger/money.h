// Amounts of money: signed 64-bit integers of micros (a millionth of one
// unit of a currency, as the API's Money carries them), never floating
// point. Arithmetic on them is checked: a ledger that wraps around is worse
// than one that refuses.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ledger/currency.h"

namespace clipforge::ledger {

using Micros = int64_t;

inline constexpr Micros kMicrosPerUnit = 1'000'000;
// Rates (fees, royalties) are integers in parts per million so that 62.5
// basis points is exact: 6,250 ppm.
inline constexpr int64_t kPartsPerMillion = 1'000'000;

// For products and sums that may pass 2^63 before being divided back down
// or compared: two int64 values multiply exactly in it.
__extension__ typedef __int128 WideMicros;

// True with `sum` = a + b when it fits; false (and `sum` untouched) on
// overflow. The bool forms are for hot paths that map overflow to a result
// code of their own; the StatusOr forms below for everything else.
[[nodiscard]] inline bool TryAddMicros(Micros a, Micros b, Micros& sum) {
  Micros result = 0;
  if (__builtin_add_overflow(a, b, &result)) return false;
  sum = result;
  return true;
}
[[nodiscard]] inline bool TrySubtractMicros(Micros a, Micros b, Micros& difference) {
  Micros result = 0;
  if (__builtin_sub_overflow(a, b, &result)) return false;
  difference = result;
  return true;
}
[[nodiscard]] inline bool TryMultiplyMicros(Micros amount, int64_t factor, Micros& product) {
  Micros result = 0;
  if (__builtin_mul_overflow(amount, factor, &result)) return false;
  product = result;
  return true;
}

// a + b, a - b, amount * factor; OUT_OF_RANGE naming the operands when the
// result does not fit in Micros.
absl::StatusOr<Micros> CheckedAddMicros(Micros a, Micros b);
absl::StatusOr<Micros> CheckedSubtractMicros(Micros a, Micros b);
absl::StatusOr<Micros> CheckedMultiplyMicros(Micros amount, int64_t factor);

// floor(amount * numerator / denominator), exact for every int64 input (the
// product is taken in 128 bits); rounds toward negative infinity, so a
// share of a positive amount never rounds up. INVALID_ARGUMENT when
// denominator <= 0, OUT_OF_RANGE when the result does not fit in Micros.
absl::StatusOr<Micros> MultiplyRatioFloor(Micros amount, int64_t numerator, int64_t denominator);

// floor(amount * ppm / 1,000,000) for 0 <= amount and 0 <= ppm <=
// 1,000,000, where it always fits: the share of a rate.
Micros PartsPerMillionOf(Micros amount, int64_t ppm);

// "12.345678", "-0.000001", "0.000000": every micro shown, for messages and
// logs (never parsed back).
std::string FormatMicros(Micros amount);
// The same for sums over many accounts, which may pass 2^63.
std::string FormatWideMicros(WideMicros amount);
// "12.345678 USD".
std::string FormatMoney(Micros amount, Currency currency);

}  // namespace clipforge::ledger
