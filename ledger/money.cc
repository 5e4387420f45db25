#include "ledger/money.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clipforge::ledger {
namespace {

absl::Status MoneyOverflow(absl::string_view operation, Micros a, Micros b) {
  return absl::OutOfRangeError(
      absl::StrCat("amount overflow: ", FormatMicros(a), " ", operation, " ", FormatMicros(b),
                   " does not fit in 64-bit micros"));
}

}  // namespace

absl::StatusOr<Micros> CheckedAddMicros(Micros a, Micros b) {
  Micros sum = 0;
  if (!TryAddMicros(a, b, sum)) return MoneyOverflow("+", a, b);
  return sum;
}

absl::StatusOr<Micros> CheckedSubtractMicros(Micros a, Micros b) {
  Micros difference = 0;
  if (!TrySubtractMicros(a, b, difference)) return MoneyOverflow("-", a, b);
  return difference;
}

absl::StatusOr<Micros> CheckedMultiplyMicros(Micros amount, int64_t factor) {
  Micros product = 0;
  if (!TryMultiplyMicros(amount, factor, product)) {
    return absl::OutOfRangeError(absl::StrCat("amount overflow: ", FormatMicros(amount), " * ", factor,
                                              " does not fit in 64-bit micros"));
  }
  return product;
}

absl::StatusOr<Micros> MultiplyRatioFloor(Micros amount, int64_t numerator, int64_t denominator) {
  if (denominator <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("denominator: must be positive, got ", denominator));
  }
  const WideMicros product = static_cast<WideMicros>(amount) * numerator;
  WideMicros quotient = product / denominator;
  // C++ division truncates toward zero; floor differs for a negative
  // product that does not divide evenly.
  if (product % denominator != 0 && product < 0) --quotient;
  if (quotient > std::numeric_limits<Micros>::max() || quotient < std::numeric_limits<Micros>::min()) {
    return absl::OutOfRangeError(absl::StrCat("amount overflow: ", FormatMicros(amount), " * ", numerator, " / ",
                                              denominator, " does not fit in 64-bit micros"));
  }
  return static_cast<Micros>(quotient);
}

Micros PartsPerMillionOf(Micros amount, int64_t ppm) {
  // amount * ppm / 1e6 <= amount for ppm <= 1e6: it always fits.
  return static_cast<Micros>(static_cast<WideMicros>(amount) * ppm / kPartsPerMillion);
}

std::string FormatWideMicros(WideMicros amount) {
  __extension__ typedef unsigned __int128 WideMagnitude;
  // The magnitude as unsigned, so that the most negative value negates.
  WideMagnitude magnitude = amount < 0 ? WideMagnitude{0} - static_cast<WideMagnitude>(amount)
                                       : static_cast<WideMagnitude>(amount);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  // At least one digit before the point: "0.000001".
  while (digits.size() < 7) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  digits.insert(digits.size() - 6, 1, '.');
  if (amount < 0) digits.insert(digits.begin(), '-');
  return digits;
}

std::string FormatMicros(Micros amount) { return FormatWideMicros(amount); }

std::string FormatMoney(Micros amount, Currency currency) {
  return absl::StrCat(FormatMicros(amount), " ", currency.code());
}

}  // namespace clipforge::ledger
