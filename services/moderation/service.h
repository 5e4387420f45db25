// ModerationService's gRPC adapter. Each handler validates the request
// (every bad field named), converts it, calls the logic and converts the
// result. CheckPrompt never blocks (the compiled policy is in memory) and
// runs on the gRPC thread; the rest wait for Postgres on the executor. A
// rule change (create, update, delete) answers once it is live on this
// instance (or after kLocalLiveWait): a client that changes a rule and then
// checks a text through the same server sees its change. (A category
// policy change is live here within moments, not waited for.)
// CheckVideo decodes and hashes on a compute slot (media work is CPU
// bound; the slots bound how much of it runs at once).
#pragma once

#include "clipforge/v1/moderation.grpc.pb.h"
#include "services/kit/call_runner.h"
#include "services/moderation/active_policy.h"
#include "base/clock.h"
#include "base/rate_limiter.h"
#include "services/kit/blob_store.h"
#include "services/kit/compute_slots.h"
#include "services/moderation/active_banks.h"
#include "services/moderation/appeal_logic.h"
#include "services/moderation/bank_logic.h"
#include "services/moderation/bank_reloader.h"
#include "services/moderation/media_screening.h"
#include "services/moderation/audit_logic.h"
#include "services/moderation/policy_reloader.h"
#include "services/moderation/report_logic.h"
#include "services/moderation/review_logic.h"
#include "services/moderation/rule_logic.h"

namespace clipforge::moderation_service {

// The logic the adapter calls; none of it owned.
struct ModerationLogic {
  RuleLogic& rules;
  AuditLogic& audit;
  ReportLogic& reports;
  ReviewLogic& review;
  AppealLogic& appeals;
  BankLogic& banks;
};

// What CheckVideo needs beside the logic; none of it owned.
struct MediaFilter {
  MediaScreening& screening;
  BankReloader& reloader;
};

// CheckPrompt's per-user rate limit (null: none); not owned.
struct CheckThrottle {
  base::KeyedRateLimiter* limiter = nullptr;
  const base::Clock& clock;
};

class ModerationServiceImpl final : public v1::ModerationService::CallbackService {
 public:
  // How long a change waits to be live here before it answers anyway.
  static constexpr absl::Duration kLocalLiveWait = absl::Seconds(2);

  // None of the arguments is owned.
  ModerationServiceImpl(const ActivePolicyHolder& policy, PolicyReloader& reloader, ModerationLogic logic,
                        MediaFilter media, CheckThrottle throttle, kit::CallRunner& runner)
      : policy_(policy),
        reloader_(reloader),
        rules_(logic.rules),
        audit_(logic.audit),
        reports_(logic.reports),
        review_(logic.review),
        appeals_(logic.appeals),
        banks_(logic.banks),
        media_(media),
        throttle_(throttle),
        runner_(runner) {}

  grpc::ServerUnaryReactor* CheckPrompt(grpc::CallbackServerContext*, const v1::CheckPromptRequest*,
                                        v1::CheckPromptResponse*) override;
  grpc::ServerUnaryReactor* ListRules(grpc::CallbackServerContext*, const v1::ListRulesRequest*,
                                      v1::ListRulesResponse*) override;
  grpc::ServerUnaryReactor* CreateRule(grpc::CallbackServerContext*, const v1::CreateRuleRequest*,
                                       v1::Rule*) override;
  grpc::ServerUnaryReactor* UpdateRule(grpc::CallbackServerContext*, const v1::UpdateRuleRequest*,
                                       v1::Rule*) override;
  grpc::ServerUnaryReactor* DeleteRule(grpc::CallbackServerContext*, const v1::DeleteRuleRequest*,
                                       google::protobuf::Empty*) override;
  grpc::ServerUnaryReactor* ListPolicies(grpc::CallbackServerContext*, const v1::ListPoliciesRequest*,
                                         v1::ListPoliciesResponse*) override;
  grpc::ServerUnaryReactor* UpdatePolicy(grpc::CallbackServerContext*, const v1::UpdatePolicyRequest*,
                                         v1::CategoryPolicy*) override;
  grpc::ServerUnaryReactor* ListAuditEntries(grpc::CallbackServerContext*, const v1::ListAuditEntriesRequest*,
                                             v1::ListAuditEntriesResponse*) override;
  grpc::ServerUnaryReactor* VerifyAuditChain(grpc::CallbackServerContext*, const v1::VerifyAuditChainRequest*,
                                             v1::VerifyAuditChainResponse*) override;

  // The media filter: hash banks, the allow-list, CheckVideo (bank_service.cc).
  grpc::ServerUnaryReactor* CheckVideo(grpc::CallbackServerContext*, const v1::CheckVideoRequest*,
                                       v1::CheckVideoResponse*) override;
  grpc::ServerUnaryReactor* ListHashBanks(grpc::CallbackServerContext*, const v1::ListHashBanksRequest*,
                                          v1::ListHashBanksResponse*) override;
  grpc::ServerUnaryReactor* CreateHashBank(grpc::CallbackServerContext*, const v1::CreateHashBankRequest*,
                                           v1::HashBank*) override;
  grpc::ServerUnaryReactor* UpdateHashBank(grpc::CallbackServerContext*, const v1::UpdateHashBankRequest*,
                                           v1::HashBank*) override;
  grpc::ServerUnaryReactor* ImportHashes(grpc::CallbackServerContext*, const v1::ImportHashesRequest*,
                                         v1::ImportHashesResponse*) override;
  grpc::ServerUnaryReactor* ListAllowListEntries(grpc::CallbackServerContext*, const v1::ListAllowListEntriesRequest*,
                                                 v1::ListAllowListEntriesResponse*) override;
  grpc::ServerUnaryReactor* AddAllowListEntry(grpc::CallbackServerContext*, const v1::AddAllowListEntryRequest*,
                                              v1::AllowListEntry*) override;
  grpc::ServerUnaryReactor* RemoveAllowListEntry(grpc::CallbackServerContext*, const v1::RemoveAllowListEntryRequest*,
                                                 google::protobuf::Empty*) override;

  // Reports, the review queue and appeals (case_service.cc).
  grpc::ServerUnaryReactor* CreateReport(grpc::CallbackServerContext*, const v1::CreateReportRequest*,
                                         v1::Report*) override;
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext*, const v1::GetReportRequest*,
                                      v1::Report*) override;
  grpc::ServerUnaryReactor* ListMyReports(grpc::CallbackServerContext*, const v1::ListMyReportsRequest*,
                                          v1::ListMyReportsResponse*) override;
  grpc::ServerUnaryReactor* ListCases(grpc::CallbackServerContext*, const v1::ListCasesRequest*,
                                      v1::ListCasesResponse*) override;
  grpc::ServerUnaryReactor* ClaimNextCase(grpc::CallbackServerContext*, const v1::ClaimNextCaseRequest*,
                                          v1::ClaimNextCaseResponse*) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext*, const v1::GetCaseRequest*,
                                    v1::ReviewCase*) override;
  grpc::ServerUnaryReactor* ReleaseCase(grpc::CallbackServerContext*, const v1::ReleaseCaseRequest*,
                                        google::protobuf::Empty*) override;
  grpc::ServerUnaryReactor* DecideCase(grpc::CallbackServerContext*, const v1::DecideCaseRequest*,
                                       v1::Decision*) override;
  grpc::ServerUnaryReactor* FileAppeal(grpc::CallbackServerContext*, const v1::FileAppealRequest*,
                                       v1::Appeal*) override;
  grpc::ServerUnaryReactor* GetAppeal(grpc::CallbackServerContext*, const v1::GetAppealRequest*,
                                      v1::Appeal*) override;
  grpc::ServerUnaryReactor* DecideAppeal(grpc::CallbackServerContext*, const v1::DecideAppealRequest*,
                                         v1::Appeal*) override;

 private:
  // Reloads now and waits (bounded) until `version` is live here.
  void AwaitLocallyLive(int64_t version);
  // The same for a banks version.
  void AwaitBanksLive(int64_t version);

  const ActivePolicyHolder& policy_;
  PolicyReloader& reloader_;
  RuleLogic& rules_;
  AuditLogic& audit_;
  ReportLogic& reports_;
  ReviewLogic& review_;
  AppealLogic& appeals_;
  BankLogic& banks_;
  MediaFilter media_;
  CheckThrottle throttle_;
  kit::CallRunner& runner_;
};

}  // namespace clipforge::moderation_service
