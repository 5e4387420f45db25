// Ledger accounts: the chart of accounts (what each kind holds, which way
// its balance normally runs, what it may never do) and an account's four
// TigerBeetle counters.
//
// Every transfer debits one account and credits another by the same amount
// (ledger_book.h). An account never stores a balance, only the debits and
// credits that reached it, pending (held by a two-phase transfer) and
// posted; a balance is derived from them, so it cannot drift from them.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "ledger/currency.h"
#include "ledger/money.h"

namespace clipforge::ledger {

// The chart of accounts, from the platform's point of view: money it holds
// for users or campaigns is a liability (credit-normal), money owed to it
// or spent by it is an asset or expense (debit-normal). The values are
// stored: never renumber.
enum class AccountKind : uint8_t {
  // A user's spendable money from top-ups; pays tips and campaigns.
  kUserWallet = 1,
  // A user's earnings still inside the chargeback window: not yet payable.
  kUserEarningsPending = 2,
  // A user's earnings that may be paid out (the API's tip jar).
  kUserEarningsAvailable = 3,
  // What a user owes the platform, e.g. a chargeback on a top-up already
  // spent.
  kUserReceivable = 4,
  // The platform's fees on tips and rewards.
  kPlatformFeeRevenue = 5,
  // A campaign's funded budget, held until rewarded or refunded.
  kCampaignEscrow = 6,
  // A campaign's daily reward allowance: credited with the day's limit,
  // debited by each reward, so the limit is a balance rule (TigerBeetle's
  // rate-limiting recipe) rather than a query.
  kCampaignDailyQuota = 7,
  // The creator fund's pool, split by fund runs.
  kCreatorFund = 8,
  // The platform's own money: the counterparty of grants, write-offs and
  // corrections. May run either way.
  kPlatformCapital = 9,
  // Payouts sent to the provider and not yet confirmed.
  kPayoutsInTransit = 10,
  // Money at the payment provider on its way in or out; swings both ways
  // with settlement timing.
  kProviderClearing = 11,
  // Chargebacks the platform could not recover.
  kChargebackLosses = 12,
  // A user's allowance under one velocity limit (velocity_limit.h): no
  // money, a count or an amount, credited once with the limit and held
  // against by each tip until the hold expires.
  kRateLimit = 13,
  // Where rate allowances come from and holds go: the platform's side of
  // every rate account. Unlimited.
  kRateCapacity = 14,
};

inline constexpr std::array<AccountKind, 14> kAllAccountKinds = {
    AccountKind::kUserWallet,         AccountKind::kUserEarningsPending, AccountKind::kUserEarningsAvailable,
    AccountKind::kUserReceivable,     AccountKind::kPlatformFeeRevenue,  AccountKind::kCampaignEscrow,
    AccountKind::kCampaignDailyQuota, AccountKind::kCreatorFund,         AccountKind::kPlatformCapital,
    AccountKind::kPayoutsInTransit,   AccountKind::kProviderClearing,    AccountKind::kChargebackLosses,
    AccountKind::kRateLimit,          AccountKind::kRateCapacity,
};

// "user_wallet", "platform_fee_revenue", ...: stable, for logs and storage.
absl::string_view AccountKindName(AccountKind kind);

// Whether the kind's balance is credits minus debits (money the platform
// holds for someone) rather than debits minus credits.
bool IsCreditNormal(AccountKind kind);

// Whether the kind belongs to one user (the API shows it to them; its
// history is kept for balance-as-of queries).
bool IsUserAccount(AccountKind kind);

// TigerBeetle's account flags. Both balance limits count pending amounts
// against the account, so a hold can never be posted into an overdraft.
struct AccountFlags {
  // debits_pending + debits_posted <= credits_posted: a credit-normal
  // account never goes below zero.
  bool debits_must_not_exceed_credits = false;
  // credits_pending + credits_posted <= debits_posted: the same for a
  // debit-normal account.
  bool credits_must_not_exceed_debits = false;
  // Keep the balance after every transfer (balance-as-of queries).
  bool history = false;

  friend bool operator==(const AccountFlags&, const AccountFlags&) = default;
};

// The flags an account of `kind` is opened with: a balance limit on every
// kind that must never run the wrong way (every kind but platform capital,
// provider clearing and rate capacity), history on user accounts.
AccountFlags DefaultAccountFlags(AccountKind kind);

struct Account {
  std::string id;
  AccountKind kind = AccountKind::kUserWallet;
  Currency currency;
  AccountFlags flags;
  // Each counter is at most INT64_MAX, and so is debits_pending +
  // debits_posted (and the same for credits): the book refuses a transfer
  // that would pass it (TransferResult::kOverflows*), so the balances below
  // never overflow.
  Micros debits_pending = 0;
  Micros debits_posted = 0;
  Micros credits_pending = 0;
  Micros credits_posted = 0;

  friend bool operator==(const Account&, const Account&) = default;
};

// Accounts by id.
using AccountTable = absl::flat_hash_map<std::string, Account>;

// A new, empty account of `kind` with DefaultAccountFlags(kind).
Account OpenAccount(std::string id, AccountKind kind, Currency currency);

// The posted balance in the kind's normal direction: credits_posted -
// debits_posted for a credit-normal kind, the reverse otherwise. Negative
// only for a kind without a balance limit.
Micros PostedBalance(const Account& account);

// The posted balance less what pending transfers hold against it (pending
// debits of a credit-normal kind, pending credits of a debit-normal one):
// what a new transfer out of the account may still take.
Micros AvailableBalance(const Account& account);

}  // namespace clipforge::ledger
