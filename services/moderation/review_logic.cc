#include "services/moderation/review_logic.h"

#include "absl/strings/str_cat.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "moderation/review_queue.h"
#include "services/kit/proto_time.h"
#include "services/moderation/access.h"
#include "services/moderation/audit_logic.h"
#include "services/moderation/review_rules.h"

namespace clipforge::moderation_service {
namespace {

// What the audit log keeps of a decision.
std::string DecisionDetails(const DecisionRecord& d) {
  base::JsonWriter json;
  json.BeginObject()
      .Key("decision_id").String(d.decision_id)
      .Key("case_id").String(d.case_id)
      .Key("action").String(v1::ModerationAction_Name(d.action))
      .Key("ground").String(v1::DecisionGround_Name(d.statement.ground()))
      .Key("ground_reference").String(d.statement.ground_reference())
      .Key("automated_detection").Bool(d.statement.automation().automated_detection())
      .Key("automated_decision").Bool(d.statement.automation().automated_decision());
  if (!d.appeal_id.empty()) json.Key("appeal_id").String(d.appeal_id);
  json.Key("categories").BeginArray();
  for (v1::ModerationCategory category : d.categories) json.String(v1::ModerationCategory_Name(category));
  json.EndArray().EndObject();
  return json.str();
}

}  // namespace

CaseView CaseViewOf(ModerationTx& tx, CaseRecord record, absl::Time now) {
  CaseView view;
  view.prior_decisions = tx.PriorDecisions(record.target, record.subject_user_id, kMaxPriorDecisions);
  view.display_priority = moderation::DisplayPriority(record.rank_micros, now);
  view.record = std::move(record);
  return view;
}

absl::Status RecordDecision(ModerationTx& tx, const ModerationEvents& events, const kit::Caller& caller,
                            CaseRecord& decided_case, const DecisionRecord& decision,
                            absl::string_view audit_action) {
  tx.InsertDecision(decision);
  decided_case.status = v1::CASE_STATUS_DECIDED;
  decided_case.decision_id = decision.decision_id;
  decided_case.claim_id.clear();
  decided_case.claim_user_id.clear();
  decided_case.claim_expire_time = absl::InfinitePast();
  decided_case.update_time = decision.create_time;
  tx.UpdateCase(decided_case);
  tx.CloseReports(decided_case.case_id,
                  decision.action == v1::MODERATION_ACTION_NO_ACTION ? v1::REPORT_STATUS_NO_ACTION
                                                                     : v1::REPORT_STATUS_ACTION_TAKEN,
                  decision.decision_id, decision.create_time);
  CF_RETURN_IF_ERROR(tx.AppendEvent(events.Decided(decision)));
  return AppendAudit(tx, caller,
                     {.action = audit_action,
                      .object_id = decision.decision_id,
                      .details_json = DecisionDetails(decision),
                      .target_kind = decision.target.kind,
                      .target_id = decision.target.id},
                     decision.create_time);
}

absl::StatusOr<CaseRecord> ReviewLogic::OpenFilterCase(const CaseRecord& finding, v1::ModerationDecision automatic) {
  CaseRecord opened;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    const absl::Time now = clock_.Now();
    const std::vector<CategoryPolicyRecord> policies = tx.ListPolicies();
    CaseRecord fresh = finding;
    fresh.case_id = ids_.Next();
    fresh.status = v1::CASE_STATUS_OPEN;
    fresh.create_time = fresh.update_time = now;
    Rerank(fresh, policies);
    ModerationTx::CaseSlot slot = tx.LockOrInsertUndecidedCase(fresh);
    if (slot.inserted) {
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Flagged(slot.record, automatic)));
    } else {
      // The latest finding replaces the evidence; categories accumulate.
      CaseRecord& merged = slot.record;
      for (v1::ModerationCategory category : finding.categories) AddCategory(merged, category);
      merged.prompt = finding.prompt;
      merged.text = finding.text;
      merged.evidence = finding.evidence;
      merged.update_time = now;
      Rerank(merged, policies);
      tx.UpdateCase(merged);
    }
    opened = std::move(slot.record);
    return absl::OkStatus();
  }));
  return opened;
}

absl::StatusOr<CasePage> ReviewLogic::List(const kit::Caller& caller, const QueueFilter& filter,
                                           const std::optional<QueueCursor>& after, int limit) {
  CF_RETURN_IF_ERROR(RequireModerator(caller, "read the review queue"));
  CasePage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    page = CasePage{};
    const absl::Time now = clock_.Now();
    std::vector<CaseRecord> cases = tx.ListQueue(filter, after, limit + 1);
    if (static_cast<int>(cases.size()) > limit) {
      cases.resize(static_cast<size_t>(limit));
      page.next = QueueCursor{cases.back().rank_micros, cases.back().case_id};
    }
    for (CaseRecord& record : cases) {
      // The list shows the queue; earlier decisions come with GetCase.
      page.cases.push_back({.display_priority = moderation::DisplayPriority(record.rank_micros, now)});
      page.cases.back().record = std::move(record);
    }
    page.open_count = tx.CountClaimable(filter, now);
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<std::optional<ClaimedCase>> ReviewLogic::ClaimNext(const kit::Caller& caller,
                                                                  const kit::IdempotencyKey& key,
                                                                  const QueueFilter& filter, absl::Duration hold) {
  CF_RETURN_IF_ERROR(RequireModerator(caller, "claim cases"));
  std::optional<ClaimedCase> claimed;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    claimed.reset();
    CF_ASSIGN_OR_RETURN(const std::optional<CaseClaim> claim,
                        kit::RunIdempotent(tx, key, kClaimCodec, [&]() -> absl::StatusOr<std::optional<CaseClaim>> {
      const absl::Time now = clock_.Now();
      if (tx.CountLiveClaims(caller.user_id, now) >= limits_.max_claims_per_moderator) {
        return absl::ResourceExhaustedError(absl::StrCat("claims: at most ", limits_.max_claims_per_moderator,
                                                         " held at once; decide or release one first"));
      }
      std::optional<CaseRecord> next = tx.LockNextClaimable(filter, caller.user_id, now);
      if (!next) return std::optional<CaseClaim>();
      next->status = v1::CASE_STATUS_CLAIMED;
      next->claim_id = ids_.Next();
      next->claim_user_id = caller.user_id;
      next->claim_expire_time = now + hold;
      next->update_time = now;
      tx.UpdateCase(*next);
      return std::optional<CaseClaim>(CaseClaim{next->case_id, next->claim_id, next->claim_expire_time});
    }));
    if (!claim) return absl::OkStatus();
    std::optional<CaseRecord> record = tx.GetCase(claim->case_id, /*lock=*/false);
    if (!record) return absl::InternalError("a claimed case is gone");
    claimed = ClaimedCase{CaseViewOf(tx, *std::move(record), clock_.Now()), *claim};
    return absl::OkStatus();
  }));
  return claimed;
}

absl::StatusOr<CaseView> ReviewLogic::Get(const kit::Caller& caller, const std::string& case_id) {
  CF_RETURN_IF_ERROR(RequireModerator(caller, "read cases"));
  CaseView view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    std::optional<CaseRecord> record = tx.GetCase(case_id, /*lock=*/false);
    if (!record) return absl::NotFoundError("case_id: no such case");
    view = CaseViewOf(tx, *std::move(record), clock_.Now());
    return absl::OkStatus();
  }));
  return view;
}

absl::Status ReviewLogic::Release(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                  const std::string& case_id, const std::string& claim_id) {
  CF_RETURN_IF_ERROR(RequireModerator(caller, "release cases"));
  return store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    return kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
             const absl::Time now = clock_.Now();
             std::optional<CaseRecord> record = tx.GetCase(case_id, /*lock=*/true);
             if (!record) return absl::NotFoundError("case_id: no such case");
             CF_RETURN_IF_ERROR(CheckClaim(*record, claim_id, caller, now));
             record->status = v1::CASE_STATUS_OPEN;
             record->claim_id.clear();
             record->claim_user_id.clear();
             record->claim_expire_time = absl::InfinitePast();
             record->update_time = now;
             tx.UpdateCase(*record);
             return case_id;
           }).status();
  });
}

absl::StatusOr<DecisionRecord> ReviewLogic::Decide(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                   const DecisionInput& input) {
  CF_RETURN_IF_ERROR(RequireModerator(caller, "decide cases"));
  DecisionRecord decided;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const std::string decision_id,
                        kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
      const absl::Time now = clock_.Now();
      std::optional<CaseRecord> record = tx.GetCase(input.case_id, /*lock=*/true);
      if (!record) return absl::NotFoundError("case_id: no such case");
      if (record->source == v1::CASE_SOURCE_APPEAL) {
        return absl::FailedPreconditionError("case_id: an appeal's case is decided with DecideAppeal");
      }
      CF_RETURN_IF_ERROR(CheckClaim(*record, input.claim_id, caller, now));
      CF_RETURN_IF_ERROR(CheckActionEnd(input.action, input.statement, now));
      DecisionRecord decision{.decision_id = ids_.Next(),
                              .case_id = record->case_id,
                              .target = record->target,
                              .subject_user_id = record->subject_user_id,
                              .action = input.action,
                              .categories = input.categories,
                              .statement = input.statement,
                              .moderator_id = caller.user_id,
                              .create_time = now,
                              .appeal_deadline = now + kAppealWindow};
      CF_RETURN_IF_ERROR(RecordDecision(tx, events_, caller, *record, decision, "case.decided"));
      return decision.decision_id;
    }));
    std::optional<DecisionRecord> decision = tx.GetDecision(decision_id);
    if (!decision) return absl::InternalError("a recorded decision is gone");
    decided = *std::move(decision);
    return absl::OkStatus();
  }));
  return decided;
}

}  // namespace clipforge::moderation_service
