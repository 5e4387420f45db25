#include "services/generation/review_decisions.h"

#include <vector>

#include "services/generation/store.h"

namespace clipforge::generation_service {

kit::ConsumerOptions ReviewDecisionsConsumer() {
  return {.durable = "generation-review-decisions",
          .filter_subject = "clipforge.moderation.decided",
          .inbox_table = "generation.inbox",
          .dead_letter_table = "generation.dead_letter"};
}

bool ClearsPrompt(v1::ModerationAction action) {
  return action == v1::MODERATION_ACTION_NO_ACTION || action == v1::MODERATION_ACTION_LABEL ||
         action == v1::MODERATION_ACTION_RESTORE;
}

kit::EventHandler ReviewDecisionHandler(JobLogic& jobs) {
  return [&jobs](pqxx::work& txn, const v1::EventEnvelope& event) -> absl::Status {
    if (!event.has_moderation_decided()) return absl::OkStatus();
    const v1::ModerationDecidedEvent& decided = event.moderation_decided();
    // Decisions about clips, users and the rest are other services' concern.
    if (decided.target().kind() != v1::CONTENT_KIND_GENERATION_JOB) return absl::OkStatus();
    std::vector<v1::ModerationCategory> categories;
    for (int category : decided.categories()) categories.push_back(static_cast<v1::ModerationCategory>(category));
    return PgGenerationStore::InTransaction(txn, [&](GenerationTx& tx) {
      return jobs.ApplyReview(tx, decided.target().id(), ClearsPrompt(decided.action()), categories);
    });
  };
}

}  // namespace clipforge::generation_service
