// An in-memory TippingStore for the tipping logic's unit tests: the clip
// directory in maps, and the committed rows (tips, top-ups, accounts,
// entries) read from the batches a FakeLedgerStore committed, so that a
// read sees exactly what the writer committed, as it does over Postgres.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "services/tipping/store_interface.h"
#include "tests/unit/tipping_service/fake_ledger_store.h"

namespace clipforge::tipping_service::testing {

class FakeTippingStore final : public TippingStore {
 public:
  // `ledger` is not owned.
  explicit FakeTippingStore(const FakeLedgerStore& ledger) : ledger_(ledger) {}

  absl::Status PutClip(const ClipRecord& clip) override;
  absl::Status RemoveClip(absl::string_view clip_id) override;
  absl::Status SetClipTippable(absl::string_view clip_id, bool tippable) override;
  absl::Status MarkUserGone(absl::string_view user_id) override;
  absl::StatusOr<std::optional<ClipRecord>> GetClip(absl::string_view clip_id) override;
  absl::StatusOr<std::vector<ledger::TipAncestor>> Lineage(absl::string_view clip_id, int max_depth) override;
  absl::StatusOr<bool> UserGone(absl::string_view user_id) override;

  absl::StatusOr<std::optional<TipRecord>> GetTip(absl::string_view tip_id) override;
  absl::StatusOr<std::optional<TopUpRecord>> GetTopUp(absl::string_view top_up_id) override;
  absl::StatusOr<std::optional<ledger::Micros>> StoredTransferAmount(absl::string_view transfer_id) override;
  absl::StatusOr<std::optional<absl::Time>> FirstTopUpTime(absl::string_view user_id) override;
  absl::Status RecordTopUp(const TopUpRecord& top_up) override;
  absl::StatusOr<std::vector<ledger::Account>> GetAccounts(const std::vector<std::string>& ids) override;
  absl::StatusOr<ledger::Micros> BalanceAsOf(absl::string_view account_id, absl::Time as_of) override;
  absl::StatusOr<std::vector<EntryRecord>> ListEntries(absl::string_view account_id, absl::Time start,
                                                       absl::Time end, int64_t after_sequence, int limit) override;

  // The checks of the Postgres store's audit, over the committed batches
  // (with the tampering below applied), in C++.
  absl::StatusOr<LedgerAudit> AuditLedger(int max_samples) override;

  // What AuditLedger reads, changed as a bad write or someone editing rows
  // would: `change` runs on the stored account `id` (a new one with zero
  // counters and no currency when none is stored).
  void TamperAccount(const std::string& id, std::function<void(ledger::Account&)> change);
  // The stored previous_hash of batch `sequence`.
  void TamperPreviousHash(int64_t sequence, std::string previous_hash);

 private:
  std::vector<EntryRecord> EntriesOf(absl::string_view account_id) const;

  const FakeLedgerStore& ledger_;
  absl::Mutex mu_;
  std::map<std::string, ClipRecord, std::less<>> clips_ ABSL_GUARDED_BY(mu_);
  std::set<std::string, std::less<>> gone_users_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, TopUpRecord, std::less<>> recorded_top_ups_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, std::function<void(ledger::Account&)>>> account_tampers_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, std::string> previous_hash_tampers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::tipping_service::testing
