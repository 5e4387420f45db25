// The tipping service's rules over its stores and the ledger writer: tips
// (split, limited, booked), top-ups through a payment provider, balances
// and statements. No gRPC here: the service adapter validates the request's
// shape and converts; this decides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "ledger/account.h"
#include "ledger/currency.h"
#include "ledger/money.h"
#include "ledger/tip_split.h"
#include "ledger/velocity_limit.h"
#include "services/kit/caller.h"
#include "services/tipping/events.h"
#include "services/tipping/ledger_writer.h"
#include "services/tipping/payment_provider.h"
#include "services/tipping/records.h"
#include "services/tipping/store_interface.h"

namespace clipforge::tipping_service {

struct TippingConfig {
  // The one currency this instance books.
  ledger::Currency currency{"USD"};
  ledger::TipRules tip_rules;
  // Tips per minute per tipper, and the amount a day from a new wallet
  // (ledger/velocity_limit.h): one whose first top-up is more recent than
  // new_wallet_period, or that has none.
  ledger::VelocityLimit tips_per_minute = ledger::kTipsPerMinute;
  ledger::VelocityLimit new_wallet_tips_per_day = ledger::kNewWalletTipsPerDay;
  absl::Duration new_wallet_period = absl::Hours(24 * 7);
  // At most this many requests per group commit.
  int max_batch_requests = 2048;
  // How often the earnings release job runs.
  absl::Duration release_interval = absl::Minutes(1);
  // A top-up's range: 1.00 to 500.00 units.
  ledger::Micros min_top_up = 1 * ledger::kMicrosPerUnit;
  ledger::Micros max_top_up = 500 * ledger::kMicrosPerUnit;
};

// The reasons on refusals the client acts on.
inline constexpr absl::string_view kInsufficientFundsReason = "INSUFFICIENT_FUNDS";
inline constexpr absl::string_view kRequestIdReusedReason = "REQUEST_ID_REUSED";

struct SendTipInput {
  // The request id: the tip's id.
  std::string tip_id;
  std::string clip_id;
  ledger::Micros amount = 0;
  std::string message;
};

struct RefundInput {
  std::string request_id;
  std::string top_up_id;
  // Unset: all that is left unrefunded.
  std::optional<ledger::Micros> amount;
};

struct TopUpInput {
  std::string top_up_id;
  ledger::Micros amount = 0;
  std::string provider;
  std::string payment_method_token;
};

// What GetBalance shows of one account.
struct AccountBalanceView {
  std::string account_id;
  ledger::AccountKind kind = ledger::AccountKind::kUserWallet;
  ledger::Micros balance = 0;
  // Held by pending transfers (payouts in progress), included in balance.
  ledger::Micros held = 0;
};

struct StatementQuery {
  std::string account_id;
  absl::Time start = absl::InfinitePast();
  // Unset: now.
  std::optional<absl::Time> end;
  // Entries after this sequence (from the previous page).
  int64_t after_sequence = 0;
  int page_size = 50;
};

struct StatementPage {
  std::vector<EntryRecord> entries;
  // Set when more entries follow: the last entry's sequence.
  std::optional<int64_t> next_after_sequence;
  ledger::Micros opening_balance = 0;
  ledger::Micros closing_balance = 0;
  absl::Time end;
};

// The owner named by a user account's id ("user_wallet:<owner>:USD"),
// with its kind; none for another account.
struct AccountOwner {
  ledger::AccountKind kind;
  std::string owner_id;
};
std::optional<AccountOwner> UserAccountOwner(absl::string_view account_id);

class TippingLogic {
 public:
  // None is owned.
  TippingLogic(TippingStore& store, LedgerWriter& writer, const PaymentProviders& providers,
               const TippingEvents& events, const base::Clock& clock, TippingConfig config)
      : store_(store),
        writer_(writer),
        providers_(providers),
        events_(events),
        clock_(clock),
        config_(std::move(config)) {}

  const TippingConfig& config() const { return config_; }

  // Splits and books a tip from the caller's wallet. NOT_FOUND for a clip
  // that cannot be tipped; FAILED_PRECONDITION SELF_TIP, INSUFFICIENT_FUNDS;
  // RESOURCE_EXHAUSTED VELOCITY_LIMIT with the reset time; ALREADY_EXISTS
  // REQUEST_ID_REUSED naming what differs from the first request with the
  // id. A retry of a booked tip returns it as booked.
  absl::StatusOr<TipRecord> SendTip(const kit::Caller& caller, const SendTipInput& input);
  // A tip the caller sent or received a leg of (admins: any); NOT_FOUND
  // otherwise, so that ids of others' tips tell nothing.
  absl::StatusOr<TipRecord> GetTip(const kit::Caller& caller, absl::string_view tip_id);

  // Charges the provider and, when it succeeds, credits the caller's
  // wallet. A retry returns the stored top-up.
  absl::StatusOr<TopUpRecord> CreateTopUp(const kit::Caller& caller, const TopUpInput& input);

  // Pays all or part of a succeeded top-up back to its card, out of the
  // owner's wallet (the owner or an admin). Two phases: the wallet's money
  // and the top-up's refundable rest are held, the provider refunds, and
  // the holds are posted (or voided when the provider refuses). At most the
  // top-up's amount is ever refunded, however many refunds race (a ledger
  // account caps it). FAILED_PRECONDITION INSUFFICIENT_FUNDS when the
  // wallet no longer holds it, REFUND_EXCEEDS_TOP_UP past what is left,
  // NOT_REFUNDABLE for a top-up that did not succeed. A retry finishes or
  // answers the same refund.
  absl::StatusOr<TopUpRecord> RefundTopUp(const kit::Caller& caller, const RefundInput& input);

  // The wallet, pending earnings and tip jar of `user_id` (empty: the
  // caller; another user's: admins only), now or as of a past time.
  absl::StatusOr<std::vector<AccountBalanceView>> GetBalance(const kit::Caller& caller, absl::string_view user_id,
                                                             std::optional<absl::Time> as_of);
  // One page of a statement of one of the caller's accounts (admins: any).
  absl::StatusOr<StatementPage> ListEntries(const kit::Caller& caller, const StatementQuery& query);

  // The user accounts GetBalance shows, in order.
  std::vector<std::string> UserAccountIds(absl::string_view user_id) const;

 private:
  absl::StatusOr<TipRecord> AnswerRetriedTip(const kit::Caller& caller, const SendTipInput& input);
  absl::Status CheckMayRead(const kit::Caller& caller, absl::string_view owner_id) const;

  TippingStore& store_;
  LedgerWriter& writer_;
  const PaymentProviders& providers_;
  const TippingEvents& events_;
  const base::Clock& clock_;
  const TippingConfig config_;
};

}  // namespace clipforge::tipping_service
