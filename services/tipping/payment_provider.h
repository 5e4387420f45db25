// Money in through a payment provider, shaped like Stripe's payment
// intents: the service asks the provider to charge a payment method for an
// amount under an idempotency key (the top-up's id, so a retried top-up is
// one charge), and learns whether it succeeded.
//
// The default provider is the sandbox: no network, outcomes scripted by the
// payment method token, as Stripe's test tokens are ("tok_visa" succeeds,
// "tok_chargeDeclined" fails), so every path of a top-up can be driven
// from a test or the CLI.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/currency.h"
#include "ledger/money.h"

namespace clipforge::tipping_service {

struct PaymentIntent {
  // The provider's id of the payment, at most 128 characters.
  std::string reference;
  // For the provider's client SDK to confirm the payment.
  std::string client_secret;
  bool succeeded = false;
  // Why it failed, when it did ("card_declined").
  std::string failure_reason;
};

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  // "sandbox", "stripe": what CreateTopUpRequest.provider names.
  virtual absl::string_view name() const = 0;
  // Charges `payment_method_token` for `amount`. The same idempotency key
  // gives the same intent. INVALID_ARGUMENT naming payment_method_token
  // for a token the provider rejects outright; UNAVAILABLE when the
  // provider cannot be reached.
  virtual absl::StatusOr<PaymentIntent> CreateIntent(absl::string_view idempotency_key, ledger::Micros amount,
                                                     ledger::Currency currency,
                                                     absl::string_view payment_method_token) = 0;
  // Pays `amount` of the payment `reference` back to its payment method;
  // the same idempotency key refunds once. The refund's reference.
  // FAILED_PRECONDITION when the provider refuses it.
  virtual absl::StatusOr<std::string> Refund(absl::string_view idempotency_key, absl::string_view reference,
                                             ledger::Micros amount, ledger::Currency currency) = 0;
};

// The sandbox's tokens: tok_visa and tok_mastercard succeed;
// tok_chargeDeclined and tok_insufficientFunds fail (reasons
// "card_declined", "insufficient_funds"). The reference is derived from the
// idempotency key, so a retry sees the same intent.
class SandboxPaymentProvider final : public PaymentProvider {
 public:
  absl::string_view name() const override { return "sandbox"; }
  absl::StatusOr<PaymentIntent> CreateIntent(absl::string_view idempotency_key, ledger::Micros amount,
                                             ledger::Currency currency,
                                             absl::string_view payment_method_token) override;
  // Every refund of a sandbox payment succeeds.
  absl::StatusOr<std::string> Refund(absl::string_view idempotency_key, absl::string_view reference,
                                     ledger::Micros amount, ledger::Currency currency) override;
};

// The providers an instance enables, by name.
class PaymentProviders {
 public:
  void Add(std::unique_ptr<PaymentProvider> provider) { providers_.push_back(std::move(provider)); }
  // Null when `name` is not enabled.
  PaymentProvider* Find(absl::string_view name) const;

 private:
  std::vector<std::unique_ptr<PaymentProvider>> providers_;
};

}  // namespace clipforge::tipping_service
