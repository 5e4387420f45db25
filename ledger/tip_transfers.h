// From a tip's split (tip_split.h) to the ledger transfers that carry it
// out, and the account ids those name: the step between deciding a tip and
// applying it to a book (ledger_book.h) or a store.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "ledger/account.h"
#include "ledger/currency.h"
#include "ledger/tip_split.h"
#include "ledger/transfer.h"

namespace clipforge::ledger {

// The id of the account of `kind` that `owner_id` holds in `currency`:
// one account per (kind, owner, currency), so the id is derived, never
// looked up: "user_wallet:<owner>:USD". Platform accounts have no owner
// ("platform_fee_revenue::USD"); a campaign's accounts are owned by the
// campaign.
std::string AccountIdOf(AccountKind kind, absl::string_view owner_id, Currency currency);

// The transfers of a tip of `split` by `tipper_id`: one per leg, in the
// split's order, each debiting the tipper's wallet (the fee crediting
// platform fee revenue; royalties and creator shares the recipient's
// pending earnings, held before they become available), coded by leg
// kind and stamped with the split's rules version. Ids are
// "<tip_id>/<leg index>", so a retried tip names the same transfers and is
// recognised. The whole tip is one linked chain: a wallet short of the
// gross fails every leg and moves nothing.
std::vector<Transfer> TipTransfers(absl::string_view tip_id, absl::string_view tipper_id, const TipSplit& split,
                                   Currency currency);

}  // namespace clipforge::ledger
