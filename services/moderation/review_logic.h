// The review queue: cases from the filters and from reports, claimed one
// at a time under a lease, and decided with an action and a statement of
// reasons. A decision closes the case's reports with a receipt, emits
// clipforge.moderation.decided through the outbox and enters the audit
// log, all in one transaction.
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
#include "services/moderation/result_codecs.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

struct ReviewLimits {
  // Live claims one moderator may hold at once: nobody hoards the queue.
  int64_t max_claims_per_moderator = 5;
};

// A case as a moderator sees it.
struct CaseView {
  CaseRecord record;
  std::vector<DecisionRecord> prior_decisions;  // Newest first.
  int32_t display_priority = 0;                 // 0-100.
};

struct CasePage {
  std::vector<CaseView> cases;
  std::optional<QueueCursor> next;  // Unset on the last page.
  int64_t open_count = 0;
};

struct ClaimedCase {
  CaseView view;
  CaseClaim claim;
};

// What a moderator decides.
struct DecisionInput {
  std::string case_id;
  std::string claim_id;
  v1::ModerationAction action = v1::MODERATION_ACTION_UNSPECIFIED;
  std::vector<v1::ModerationCategory> categories;
  v1::StatementOfReasons statement;  // Validated by the adapter.
};

class ReviewLogic {
 public:
  ReviewLogic(ModerationStore& store, const base::Clock& clock, base::UuidV7Generator& ids,
              const ModerationEvents& events, ReviewLimits limits = {})
      : store_(store), clock_(clock), ids_(ids), events_(events), limits_(limits) {}

  // Puts a filter's finding in the queue: merges into the target's
  // undecided case from the same source, or opens one (emitting flagged).
  // `finding` holds the target, subject, source, categories, prompt or
  // text, and evidence.
  absl::StatusOr<CaseRecord> OpenFilterCase(const CaseRecord& finding, v1::ModerationDecision automatic);

  // Moderators only, each.
  absl::StatusOr<CasePage> List(const kit::Caller& caller, const QueueFilter& filter,
                                const std::optional<QueueCursor>& after, int limit);
  // The next claimable case (never one about the caller or one the caller
  // must not judge), held for `hold`; none when the queue is empty.
  absl::StatusOr<std::optional<ClaimedCase>> ClaimNext(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                       const QueueFilter& filter, absl::Duration hold);
  absl::StatusOr<CaseView> Get(const kit::Caller& caller, const std::string& case_id);
  absl::Status Release(const kit::Caller& caller, const kit::IdempotencyKey& key, const std::string& case_id,
                       const std::string& claim_id);
  // FAILED_PRECONDITION for a case decided already, an appeal's case (see
  // AppealLogic), or a claim that is not the caller's live one.
  absl::StatusOr<DecisionRecord> Decide(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                        const DecisionInput& input);

 private:
  ModerationStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  const ModerationEvents& events_;
  const ReviewLimits limits_;
};

// Stores `decision` on its case (decided, claim cleared), closes the case's
// open reports with a receipt, emits decided and appends `audit_action` to
// the audit log: what DecideCase and DecideAppeal share.
absl::Status RecordDecision(ModerationTx& tx, const ModerationEvents& events, const kit::Caller& caller,
                            CaseRecord& decided_case, const DecisionRecord& decision,
                            absl::string_view audit_action);

// The earlier decisions a moderator sees beside a case.
CaseView CaseViewOf(ModerationTx& tx, CaseRecord record, absl::Time now);

}  // namespace clipforge::moderation_service
