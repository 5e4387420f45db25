#include "ledger/currency.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace clipforge::ledger {

absl::StatusOr<Currency> Currency::FromCode(absl::string_view code) {
  bool valid = code.size() == 3;
  for (const char letter : code) valid = valid && letter >= 'A' && letter <= 'Z';
  if (!valid) {
    return absl::InvalidArgumentError(
        absl::StrCat("currency: must be an ISO 4217 code of 3 uppercase letters, e.g. \"USD\"; got \"",
                     absl::CEscape(code), "\""));
  }
  Currency currency;
  currency.letters_ = {code[0], code[1], code[2]};
  return currency;
}

}  // namespace clipforge::ledger
