// The logic's records as TippingService messages.
#pragma once

#include <vector>

#include "clipforge/v1/tipping.pb.h"
#include "services/tipping/health_logic.h"
#include "services/tipping/records.h"
#include "services/tipping/tipping_logic.h"

namespace clipforge::tipping_service {

void FillTip(const TipRecord& tip, v1::Tip* out);
void FillTopUp(const TopUpRecord& top_up, v1::TopUp* out);
void FillBalances(const std::vector<AccountBalanceView>& balances, ledger::Currency currency, absl::Time as_of,
                  v1::GetBalanceResponse* out);
void FillStatement(const StatementPage& page, absl::string_view account_id, ledger::Currency currency,
                   v1::ListEntriesResponse* out);
void FillLedgerHealth(const LedgerHealthReport& report, v1::LedgerHealth* out);

}  // namespace clipforge::tipping_service
