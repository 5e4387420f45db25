#include "services/tipping/health_logic.h"

#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/role.h"
#include "base/status_macros.h"

namespace clipforge::tipping_service {
namespace {

// Gathers problem lines up to the cap, counting those left out.
class HealthProblemList {
 public:
  void Add(std::string line) {
    if (static_cast<int>(lines_.size()) < kMaxLedgerHealthProblems - 1) {
      lines_.push_back(std::move(line));
    } else {
      left_out_.push_back(std::move(line));
    }
  }

  // A failed check: its count, then its samples.
  void AddCheck(const LedgerAuditCheck& check, absl::string_view what) {
    if (check.failing == 0) return;
    Add(absl::StrCat("stored rows: ", check.failing, " ", what));
    for (const std::string& sample : check.samples) Add(absl::StrCat("  ", sample));
  }

  // The lines, the last one saying how many more there were when they did
  // not all fit.
  std::vector<std::string> Take() && {
    if (left_out_.size() == 1) {
      lines_.push_back(std::move(left_out_.front()));
    } else if (!left_out_.empty()) {
      lines_.push_back(absl::StrCat("... and ", left_out_.size(), " more"));
    }
    return std::move(lines_);
  }

 private:
  std::vector<std::string> lines_;
  std::vector<std::string> left_out_;
};

}  // namespace

absl::StatusOr<LedgerHealthReport> LedgerHealthLogic::Check(const kit::Caller& caller) {
  if (!caller.HasRole(base::Role::kAdmin)) {
    return absl::PermissionDeniedError("ledger health: admins only");
  }
  {
    absl::MutexLock lock(&mu_);
    if (running_) return absl::AbortedError("ledger health: a check is already running; retry when it ends");
    running_ = true;
  }
  absl::Cleanup done = [this] {
    absl::MutexLock lock(&mu_);
    running_ = false;
  };

  LedgerHealthReport report;
  report.check_time = clock_.Now();
  CF_ASSIGN_OR_RETURN(const LedgerAudit audit, store_.AuditLedger(kMaxLedgerHealthProblems));
  const std::vector<std::string> in_memory = writer_.CheckInvariants();

  HealthProblemList problems;
  for (const std::string& problem : in_memory) problems.Add(absl::StrCat("books in memory: ", problem));
  bool totals_balance = true;
  for (const LedgerAudit::CurrencyTotal& total : audit.totals) {
    report.totals.push_back({.currency = total.currency, .sum = total.posted});
    if (total.posted != 0) {
      totals_balance = false;
      problems.Add(absl::StrCat("stored rows: ", total.currency,
                                ": credits_posted - debits_posted over all accounts is ",
                                ledger::FormatMicros(total.posted), ", not 0"));
    }
    if (total.pending != 0) {
      totals_balance = false;
      problems.Add(absl::StrCat("stored rows: ", total.currency,
                                ": credits_pending - debits_pending over all accounts is ",
                                ledger::FormatMicros(total.pending), ", not 0"));
    }
  }
  problems.AddCheck(audit.limit_breaches, "accounts past their balance limit (below zero)");
  problems.AddCheck(audit.counter_mismatches, "accounts whose counters differ from their transfers");
  problems.AddCheck(audit.unbalanced_transfers, "transfers whose entries are not one debit and one credit of them");
  problems.AddCheck(audit.balance_mismatches, "accounts whose posted balance differs from their entries");
  problems.AddCheck(audit.chain_breaks, "batches that break the hash chain");
  problems.AddCheck(audit.incomplete_tips, "tips whose legs are not booked as the tip says");

  report.negative_balance_accounts = audit.limit_breaches.failing;
  report.unbalanced_transfers = audit.unbalanced_transfers.failing;
  report.balance_mismatches = audit.balance_mismatches.failing;
  report.accounts_checked = audit.accounts;
  report.entries_checked = audit.entries;
  report.healthy = in_memory.empty() && totals_balance && audit.limit_breaches.failing == 0 &&
                   audit.counter_mismatches.failing == 0 && audit.unbalanced_transfers.failing == 0 &&
                   audit.balance_mismatches.failing == 0 && audit.chain_breaks.failing == 0 &&
                   audit.incomplete_tips.failing == 0;
  report.problems = std::move(problems).Take();
  return report;
}

}  // namespace clipforge::tipping_service
