// The tipping service's Postgres store (role cf_tipping, schema tipping:
// migrations/0028): the ledger writer's batches and fence (ledger_store.h)
// and the directory and committed rows the logic reads
// (store_interface.h), every statement a named constant prepared once per
// connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/kit/pg_pool.h"
#include "services/tipping/ledger_store.h"
#include "services/tipping/store_interface.h"

namespace clipforge::tipping_service {

class PgTippingStore final : public LedgerStore, public TippingStore {
 public:
  // Every statement of the store (the outbox's included): the pool that
  // serves it registers them.
  static std::vector<kit::PreparedStatement> Statements();

  // `pool` is not owned; it connects as cf_tipping with Statements().
  explicit PgTippingStore(kit::PgPool& pool) : pool_(pool) {}

  // --- LedgerStore
  absl::StatusOr<int64_t> TakeFence(absl::string_view shard) override;
  absl::StatusOr<int64_t> RetakeFence(absl::string_view shard, int64_t held_epoch) override;
  absl::StatusOr<StoredLedger> LoadLedger() override;
  absl::Status CommitBatch(absl::string_view shard, const LedgerBatch& batch) override;
  absl::StatusOr<bool> BatchCommitted(int64_t sequence, absl::string_view hash) override;

  // --- TippingStore: the clip directory
  absl::Status PutClip(const ClipRecord& clip) override;
  absl::Status RemoveClip(absl::string_view clip_id) override;
  absl::Status SetClipTippable(absl::string_view clip_id, bool tippable) override;
  absl::Status MarkUserGone(absl::string_view user_id) override;
  absl::StatusOr<std::optional<ClipRecord>> GetClip(absl::string_view clip_id) override;
  absl::StatusOr<std::vector<ledger::TipAncestor>> Lineage(absl::string_view clip_id, int max_depth) override;
  absl::StatusOr<bool> UserGone(absl::string_view user_id) override;

  // --- TippingStore: committed ledger rows
  absl::StatusOr<std::optional<TipRecord>> GetTip(absl::string_view tip_id) override;
  absl::StatusOr<std::optional<TopUpRecord>> GetTopUp(absl::string_view top_up_id) override;
  absl::StatusOr<std::optional<ledger::Micros>> StoredTransferAmount(absl::string_view transfer_id) override;
  absl::StatusOr<std::optional<absl::Time>> FirstTopUpTime(absl::string_view user_id) override;
  absl::Status RecordTopUp(const TopUpRecord& top_up) override;
  absl::StatusOr<std::vector<ledger::Account>> GetAccounts(const std::vector<std::string>& ids) override;
  absl::StatusOr<ledger::Micros> BalanceAsOf(absl::string_view account_id, absl::Time as_of) override;
  absl::StatusOr<std::vector<EntryRecord>> ListEntries(absl::string_view account_id, absl::Time start,
                                                       absl::Time end, int64_t after_sequence, int limit) override;

  // --- TippingStore: auditing (full scans in one read-only snapshot, each
  // statement limited to 5 minutes)
  absl::StatusOr<LedgerAudit> AuditLedger(int max_samples) override;

 private:
  kit::PgPool& pool_;
};

}  // namespace clipforge::tipping_service
