#include "services/generation/account_deletions.h"

#include "services/generation/store.h"

namespace clipforge::generation_service {

kit::ConsumerOptions AccountDeletionsConsumer() {
  return {.durable = "generation-account-deletions",
          .filter_subject = "clipforge.user.deleted",
          .inbox_table = "generation.inbox",
          .dead_letter_table = "generation.dead_letter"};
}

kit::EventHandler AccountDeletionHandler(JobLogic& jobs) {
  return [&jobs](pqxx::work& txn, const v1::EventEnvelope& event) -> absl::Status {
    if (!event.has_user_deleted()) return absl::OkStatus();
    return PgGenerationStore::InTransaction(
        txn, [&](GenerationTx& tx) { return jobs.ApplyAccountDeleted(tx, event.user_deleted().user_id()); });
  };
}

}  // namespace clipforge::generation_service
