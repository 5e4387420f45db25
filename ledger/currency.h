// A currency: an ISO 4217 code of three uppercase ASCII letters ("USD").
// The ledger partitions money by it the way TigerBeetle partitions by
// `ledger`: a transfer moves money between two accounts of one currency,
// and the books must balance in each currency on its own.
//
// Held as three bytes rather than a std::string so that accounts, transfers
// and the per-currency totals copy and hash it for nothing.
#pragma once

#include <array>
#include <compare>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::ledger {

class Currency {
 public:
  // No currency: what a default-constructed transfer carries until one is
  // set. The book refuses it on accounts; on a post or void it means "the
  // pending transfer's".
  constexpr Currency() = default;

  // A currency from a literal, checked when compiling: Currency("USD")
  // compiles, Currency("usd") does not.
  consteval explicit Currency(const char (&code)[4]) : letters_{code[0], code[1], code[2]} {
    for (const char letter : letters_) {
      if (letter < 'A' || letter > 'Z') CurrencyLiteralMustBeThreeUppercaseLetters();
    }
  }

  // The currency `code` names: exactly three uppercase ASCII letters, else
  // INVALID_ARGUMENT naming `currency`. Whether the instance accepts that
  // currency is configuration, not this type's business.
  static absl::StatusOr<Currency> FromCode(absl::string_view code);

  // "USD"; "" for no currency.
  absl::string_view code() const {
    return empty() ? absl::string_view() : absl::string_view(letters_.data(), letters_.size());
  }
  constexpr bool empty() const { return letters_[0] == '\0'; }

  friend constexpr bool operator==(const Currency&, const Currency&) = default;
  // By code, so that per-currency reports come out in a stable order.
  friend constexpr auto operator<=>(const Currency&, const Currency&) = default;

  template <typename H>
  friend H AbslHashValue(H state, const Currency& currency) {
    return H::combine(std::move(state), currency.letters_[0], currency.letters_[1], currency.letters_[2]);
  }

 private:
  // Not constexpr on purpose: reaching it while compiling a bad literal is
  // the compile error.
  static void CurrencyLiteralMustBeThreeUppercaseLetters() {}

  std::array<char, 3> letters_{};
};

}  // namespace clipforge::ledger
