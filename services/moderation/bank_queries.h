// The Postgres side of hash banks, their entries and the allow-list: the
// statements PgModerationTx and PgModerationStore run for them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "services/kit/pg_pool.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

class PgBankQueries {
 public:
  static std::vector<kit::PreparedStatement> Statements();

  // `txn` is not owned.
  explicit PgBankQueries(pqxx::transaction_base& txn) : txn_(txn) {}

  int64_t BumpBanksVersion();
  int64_t BanksVersion();
  int64_t CountBankEntries();
  bool InsertBank(HashBankRecord& bank);
  std::optional<HashBankRecord> LockBank(const std::string& bank_id);
  bool UpdateBank(const HashBankRecord& bank);
  std::vector<HashBankRecord> ListBanks(const std::string& after_name, int limit);
  int64_t InsertBankEntries(const std::string& bank_id, const std::vector<BankEntryInput>& entries, absl::Time now);
  void InsertAllowListEntry(const AllowListRecord& entry);
  std::optional<AllowListRecord> DeleteAllowListEntry(const std::string& entry_id);
  int64_t CountAllowListEntries();
  std::vector<AllowListRecord> ListAllowList(const std::string& bank_id, const std::optional<AllowListCursor>& before,
                                             int limit);
  // Reads the version, banks, entries and allow-list of the snapshot (the
  // caller's transaction is the snapshot; it adds the category policies).
  void LoadInto(BankSnapshot& snapshot);

 private:
  pqxx::transaction_base& txn_;
};

}  // namespace clipforge::moderation_service
