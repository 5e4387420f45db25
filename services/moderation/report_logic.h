// Users' reports: a report merges into its target's one undecided
// report case (opening it if needed), and its reporter later reads what
// became of it (an outcome receipt, without who decided).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"
#include "services/moderation/events.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

struct ReportLimits {
  // Reports one user may file per day: one account cannot flood the queue.
  int64_t max_reports_per_day = 50;
};

// A report with its outcome once decided.
struct ReportView {
  ReportRecord report;
  std::optional<DecisionRecord> outcome;
};

struct ReportPage {
  std::vector<ReportView> reports;
  std::optional<ReportCursor> next;  // Unset on the last page.
};

class ReportLogic {
 public:
  ReportLogic(ModerationStore& store, const base::Clock& clock, base::UuidV7Generator& ids,
              const ModerationEvents& events, ReportLimits limits = {})
      : store_(store), clock_(clock), ids_(ids), events_(events), limits_(limits) {}

  // Files `input` (target, reason, details) for the caller. A second report
  // on the same target while the first is open returns the first.
  // INVALID_ARGUMENT for reporting oneself; RESOURCE_EXHAUSTED past the
  // daily limit.
  absl::StatusOr<ReportView> Create(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                    const ReportRecord& input);
  // The caller's own report (NOT_FOUND for anyone else's).
  absl::StatusOr<ReportView> Get(const kit::Caller& caller, const std::string& report_id);
  // The caller's reports, newest first, `limit` after `before`.
  absl::StatusOr<ReportPage> ListMine(const kit::Caller& caller, const std::optional<ReportCursor>& before,
                                      int limit);

 private:
  ReportView ViewOf(ModerationTx& tx, ReportRecord report);

  ModerationStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  const ModerationEvents& events_;
  const ReportLimits limits_;
};

}  // namespace clipforge::moderation_service
