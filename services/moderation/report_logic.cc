#include "services/moderation/report_logic.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/moderation/result_codecs.h"
#include "services/moderation/review_rules.h"

namespace clipforge::moderation_service {

ReportView ReportLogic::ViewOf(ModerationTx& tx, ReportRecord report) {
  ReportView view{.report = std::move(report)};
  if (!view.report.decision_id.empty()) view.outcome = tx.GetDecision(view.report.decision_id);
  return view;
}

absl::StatusOr<ReportView> ReportLogic::Create(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                               const ReportRecord& input) {
  if (input.target.kind == v1::CONTENT_KIND_USER && input.target.id == caller.user_id) {
    return absl::InvalidArgumentError("target.id: you cannot report yourself");
  }
  ReportView created;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const std::string report_id,
                        kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
      const absl::Time now = clock_.Now();
      const std::vector<CategoryPolicyRecord> policies = tx.ListPolicies();
      CaseRecord fresh{.case_id = ids_.Next(),
                       .target = input.target,
                       // A user target is its own subject; other content's
                       // owner is known to the service that holds it.
                       .subject_user_id = input.target.kind == v1::CONTENT_KIND_USER ? input.target.id : "",
                       .source = v1::CASE_SOURCE_USER_REPORT,
                       .categories = {input.reason},
                       .report_count = 1,
                       .create_time = now,
                       .update_time = now};
      Rerank(fresh, policies);
      // Locks the target's case first: every report on one target
      // serializes here, so the open-report check below is exact.
      ModerationTx::CaseSlot slot = tx.LockOrInsertUndecidedCase(fresh);
      if (std::optional<ReportRecord> earlier = tx.FindOpenReport(caller.user_id, input.target)) {
        return earlier->report_id;  // Nothing changes: the case already counts it.
      }
      if (tx.CountReportsSince(caller.user_id, now - absl::Hours(24)) >= limits_.max_reports_per_day) {
        return absl::ResourceExhaustedError(
            absl::StrCat("reports: at most ", limits_.max_reports_per_day, " a day; try again tomorrow"));
      }
      CaseRecord& target_case = slot.record;
      if (slot.inserted) {
        CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Flagged(target_case, v1::MODERATION_DECISION_REVIEW)));
      } else {
        target_case.report_count += 1;
        AddCategory(target_case, input.reason);
        target_case.update_time = now;
        Rerank(target_case, policies);
        tx.UpdateCase(target_case);
      }
      ReportRecord report = input;
      report.report_id = ids_.Next();
      report.reporter_id = caller.user_id;
      report.status = v1::REPORT_STATUS_OPEN;
      report.case_id = target_case.case_id;
      report.create_time = report.update_time = now;
      tx.InsertReport(report);
      return report.report_id;
    }));
    std::optional<ReportRecord> report = tx.GetReport(report_id);
    if (!report) return absl::InternalError("a recorded report is gone");
    created = ViewOf(tx, *std::move(report));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<ReportView> ReportLogic::Get(const kit::Caller& caller, const std::string& report_id) {
  ReportView view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    std::optional<ReportRecord> report = tx.GetReport(report_id);
    // Someone else's report is as absent as a missing one.
    if (!report || report->reporter_id != caller.user_id) return absl::NotFoundError("report_id: no such report");
    view = ViewOf(tx, *std::move(report));
    return absl::OkStatus();
  }));
  return view;
}

absl::StatusOr<ReportPage> ReportLogic::ListMine(const kit::Caller& caller, const std::optional<ReportCursor>& before,
                                                 int limit) {
  ReportPage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    page = ReportPage{};
    std::vector<ReportRecord> reports = tx.ListReports(caller.user_id, before, limit + 1);
    if (static_cast<int>(reports.size()) > limit) {
      reports.resize(static_cast<size_t>(limit));
      page.next = ReportCursor{reports.back().create_time, reports.back().report_id};
    }
    for (ReportRecord& report : reports) page.reports.push_back(ViewOf(tx, std::move(report)));
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace clipforge::moderation_service
