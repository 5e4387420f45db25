#include "services/tipping/payment_provider.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"

namespace clipforge::tipping_service {

absl::StatusOr<PaymentIntent> SandboxPaymentProvider::CreateIntent(absl::string_view idempotency_key,
                                                                   ledger::Micros amount, ledger::Currency currency,
                                                                   absl::string_view payment_method_token) {
  PaymentIntent intent;
  // Stable per key (a retry sees the same payment) and per charge.
  base::Sha256Hasher hasher;
  hasher.Update(idempotency_key);
  hasher.Update(absl::StrCat("/", amount, "/", currency.code()));
  intent.reference = absl::StrCat("sbx_pi_", absl::BytesToHexString(hasher.Finish()).substr(0, 24));
  intent.client_secret = absl::StrCat(intent.reference, "_secret");
  if (payment_method_token == "tok_visa" || payment_method_token == "tok_mastercard") {
    intent.succeeded = true;
  } else if (payment_method_token == "tok_chargeDeclined") {
    intent.failure_reason = "card_declined";
  } else if (payment_method_token == "tok_insufficientFunds") {
    intent.failure_reason = "insufficient_funds";
  } else {
    return absl::InvalidArgumentError(
        "payment_method_token: not a sandbox token (tok_visa, tok_mastercard, tok_chargeDeclined, "
        "tok_insufficientFunds)");
  }
  return intent;
}

absl::StatusOr<std::string> SandboxPaymentProvider::Refund(absl::string_view idempotency_key,
                                                           absl::string_view reference, ledger::Micros amount,
                                                           ledger::Currency currency) {
  if (!absl::StartsWith(reference, "sbx_pi_")) {
    return absl::FailedPreconditionError("the sandbox made no such payment");
  }
  base::Sha256Hasher hasher;
  hasher.Update(idempotency_key);
  hasher.Update(absl::StrCat("/", reference, "/", amount, "/", currency.code()));
  return absl::StrCat("sbx_re_", absl::BytesToHexString(hasher.Finish()).substr(0, 24));
}

PaymentProvider* PaymentProviders::Find(absl::string_view name) const {
  for (const auto& provider : providers_) {
    if (provider->name() == name) return provider.get();
  }
  return nullptr;
}

}  // namespace clipforge::tipping_service
