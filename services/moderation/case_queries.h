// The Postgres side of reports, review cases, decisions and appeals: the
// statements PgModerationTx runs for those ModerationTx methods (kept apart
// from store.cc, which holds rules, policies and the audit log).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "services/kit/pg_pool.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

class PgCaseQueries {
 public:
  static std::vector<kit::PreparedStatement> Statements();

  // `txn` is not owned.
  explicit PgCaseQueries(pqxx::work& txn) : txn_(txn) {}

  std::optional<ReportRecord> FindOpenReport(const std::string& reporter_id, const TargetRef& target);
  int64_t CountReportsSince(const std::string& reporter_id, absl::Time since);
  void InsertReport(const ReportRecord& report);
  std::optional<ReportRecord> GetReport(const std::string& report_id);
  std::vector<ReportRecord> ListReports(const std::string& reporter_id, const std::optional<ReportCursor>& before,
                                        int limit);
  void CloseReports(const std::string& case_id, v1::ReportStatus status, const std::string& decision_id,
                    absl::Time now);
  bool HasReportedCase(const std::string& case_id, const std::string& user_id);

  ModerationTx::CaseSlot LockOrInsertUndecidedCase(const CaseRecord& fresh);
  void InsertCase(const CaseRecord& record);
  void UpdateCase(const CaseRecord& record);
  std::optional<CaseRecord> GetCase(const std::string& case_id, bool lock);
  std::optional<CaseRecord> LockNextClaimable(const QueueFilter& filter, const std::string& moderator_id,
                                              absl::Time now);
  int64_t CountLiveClaims(const std::string& moderator_id, absl::Time now);
  std::vector<CaseRecord> ListQueue(const QueueFilter& filter, const std::optional<QueueCursor>& after, int limit);
  int64_t CountClaimable(const QueueFilter& filter, absl::Time now);

  void InsertDecision(const DecisionRecord& decision);
  std::optional<DecisionRecord> GetDecision(const std::string& decision_id);
  std::vector<DecisionRecord> PriorDecisions(const TargetRef& target, const std::string& subject_user_id, int limit);

  void InsertAppeal(const AppealRecord& appeal);
  std::optional<AppealRecord> GetAppeal(const std::string& appeal_id, bool lock);
  std::optional<AppealRecord> FindAppeal(const std::string& decision_id, const std::string& appellant_id);
  void UpdateAppeal(const AppealRecord& appeal);

 private:
  pqxx::work& txn_;
};

}  // namespace clipforge::moderation_service
