// An in-memory GenerationStore for the generation logic's unit tests.
// Transactions are serialized and atomic: work runs on a copy of the state,
// which replaces the state only when the work returns OK, so a failed call
// provably leaves nothing behind. Each GenerationTx method does what its
// statement in services/generation/store.cc does (the same filters, order
// and limits; the table's unique keys and CHECK constraints fail the
// transaction as the driver's exceptions would after Transact maps them).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "services/generation/store_interface.h"
#include "tests/support/copy_on_write_state.h"

namespace clipforge::generation_service::testing {

struct FakeGenerationState {
  std::map<std::string, UserQueueState> users;  // By user_id.
  int64_t queue_clock = 0;
  std::map<std::string, JobRecord> jobs;  // By job_id.
  // By (job_id, lease_epoch, variant).
  std::map<std::tuple<std::string, int64_t, int>, UploadRecord> uploads;
  std::map<std::tuple<std::string, std::string, int>, UserUploadRecord> user_uploads;
  std::map<std::string, WorkerCredentialRecord> credentials;  // By credential_id.
  std::map<std::string, ApiKeyRecord> api_keys;                // By key_id.
  std::map<std::pair<std::string, std::string>, kit::IdempotencyRecord> idempotency;
  std::vector<v1::EventEnvelope> events;
};

class FakeGenerationStore final : public GenerationStore {
 public:
  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(GenerationTx&)> work) override;

  FakeGenerationState state() const { return state_.snapshot(); }
  // Replaces the state (a test planting what the logic would not write).
  void set_state(FakeGenerationState state) { state_.Replace(std::move(state)); }
  // Transactions run (committed or not).
  int transactions() const { return state_.transactions(); }

 private:
  clipforge::testing::CopyOnWriteState<FakeGenerationState> state_;
};

}  // namespace clipforge::generation_service::testing
