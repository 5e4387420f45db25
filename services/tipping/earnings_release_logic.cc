#include "services/tipping/earnings_release_logic.h"

#include <vector>

#include "base/status_macros.h"
#include "ledger/account.h"
#include "ledger/earnings_release.h"
#include "ledger/tip_transfers.h"
#include "services/tipping/tipping_logic.h"

namespace clipforge::tipping_service {

absl::StatusOr<EarningsReleaseRun> EarningsReleaseLogic::ReleaseDue(absl::Time now, int page_size, int max_pages) {
  EarningsReleaseRun run;
  const DueCreditsQuery query{.established_before = now - ledger::kEarningsHold,
                              .anyone_before = now - ledger::kNewCreatorEarningsHold,
                              .new_creator_period = ledger::kNewCreatorPeriod,
                              .limit = page_size};
  for (int page = 0; page < max_pages; ++page) {
    CF_ASSIGN_OR_RETURN(const std::vector<WaitingCredit> waiting, store_.DueCredits(query));
    LedgerRequest request;
    for (const WaitingCredit& credit : waiting) {
      const std::optional<AccountOwner> owner = UserAccountOwner(credit.account_id);
      const ledger::EarningsCredit earnings{
          .transfer_id = credit.transfer_id,
          .owner_id = owner.has_value() ? owner->owner_id : "",
          .amount = credit.amount,
          .release_at = ledger::EarningsReleaseAt(credit.credited_at, credit.first_earned_at)};
      // The rule decides; the store's bounds only narrow what is read.
      if (!owner.has_value() || !ledger::EarningsReleaseDue(earnings, now)) {
        ++run.skipped;
        continue;
      }
      request.accounts.push_back(ledger::OpenAccount(
          ledger::AccountIdOf(ledger::AccountKind::kUserEarningsAvailable, owner->owner_id, currency_),
          ledger::AccountKind::kUserEarningsAvailable, currency_));
      // Each release alone (not linked): one that cannot go does not hold
      // back the others.
      request.transfers.push_back(ledger::EarningsRelease(earnings, currency_));
    }
    if (!request.transfers.empty()) {
      CF_ASSIGN_OR_RETURN(const LedgerReply reply, writer_.Submit(std::move(request)));
      for (const ledger::TransferOutcome& outcome : reply.outcomes) {
        if (outcome.ok()) {
          ++run.released;
        } else if (outcome.result != ledger::TransferResult::kExists) {
          ++run.skipped;
        }
      }
    }
    if (static_cast<int>(waiting.size()) < page_size) break;
    // A full page of credits that were all skipped would come back again:
    // the next run (after new releases or time) goes on instead.
    if (run.released == 0) break;
  }
  return run;
}

}  // namespace clipforge::tipping_service
