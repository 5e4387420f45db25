// TippingService requests checked and turned into the logic's inputs:
// every field's shape (ids, money, lengths, times, page sizes), so that bad
// input is INVALID_ARGUMENT naming the field before any work is done.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clipforge/v1/tipping.pb.h"
#include "ledger/currency.h"
#include "services/tipping/tipping_logic.h"

namespace clipforge::tipping_service {

// A tip's message: 0-140 characters, no control characters.
inline constexpr size_t kMaxTipMessageChars = 140;
// ListEntries' page size: 1-200, 50 when unset.
inline constexpr int kMaxEntriesPageSize = 200;
inline constexpr int kDefaultEntriesPageSize = 50;

// Money a client sends: in `currency`, positive, and a whole number of the
// currency's minor unit (a cent: 10,000 micros).
absl::StatusOr<ledger::Micros> ParseClientMoney(absl::string_view field, const v1::Money& money,
                                                ledger::Currency currency);

absl::StatusOr<SendTipInput> ParseSendTip(const v1::SendTipRequest& request, ledger::Currency currency);
absl::StatusOr<TopUpInput> ParseCreateTopUp(const v1::CreateTopUpRequest& request, ledger::Currency currency);
absl::StatusOr<RefundInput> ParseRefundTopUp(const v1::RefundTopUpRequest& request, ledger::Currency currency);
// The as-of time: none when unset; not in the future (after `now`).
absl::StatusOr<std::optional<absl::Time>> ParseAsOf(const v1::GetBalanceRequest& request, absl::Time now);
absl::StatusOr<StatementQuery> ParseListEntries(const v1::ListEntriesRequest& request);

// The opaque token of the page after the entry `after_sequence` of
// `account_id`; parsing checks it belongs to the same account.
std::string EntriesPageToken(absl::string_view account_id, int64_t after_sequence);

}  // namespace clipforge::tipping_service
