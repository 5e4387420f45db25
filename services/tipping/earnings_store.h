// Where the earnings release job (earnings_release_logic.h) finds the tip
// credits still waiting in pending earnings: tipping.unreleased_earnings,
// kept by a trigger on the ledger's transfers (migration 0029), so that the
// job reads what waits rather than every transfer ever made.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ledger/money.h"
#include "services/kit/pg_pool.h"

namespace clipforge::tipping_service {

struct WaitingCredit {
  // The tip leg that credited pending earnings.
  std::string transfer_id;
  std::string account_id;
  ledger::Micros amount = 0;
  absl::Time credited_at;
  // When the account was first credited (a creator's first earning).
  absl::Time first_earned_at;
};

// Which waiting credits to read: those of established creators credited at
// or before `established_before`, and any credited at or before
// `anyone_before`; a creator is new while a credit comes within
// `new_creator_period` of their first earning.
struct DueCreditsQuery {
  absl::Time established_before;
  absl::Time anyone_before;
  absl::Duration new_creator_period;
  int limit = 500;
};

class EarningsStore {
 public:
  virtual ~EarningsStore() = default;
  // The waiting credits the query selects, oldest first.
  virtual absl::StatusOr<std::vector<WaitingCredit>> DueCredits(const DueCreditsQuery& query) = 0;
};

class PgEarningsStore final : public EarningsStore {
 public:
  static std::vector<kit::PreparedStatement> Statements();
  // `pool` is not owned; it connects as cf_tipping with Statements().
  explicit PgEarningsStore(kit::PgPool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<WaitingCredit>> DueCredits(const DueCreditsQuery& query) override;

 private:
  kit::PgPool& pool_;
};

}  // namespace clipforge::tipping_service
