#include "services/moderation/bank_logic.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/moderation/access.h"
#include "services/moderation/audit_logic.h"
#include "services/moderation/result_codecs.h"

namespace clipforge::moderation_service {
namespace {

constexpr base::TextRule kExternalIdRule{.min_chars = 0, .max_chars = 128};

std::string BankDetails(const HashBankRecord& bank) {
  base::JsonWriter json;
  json.BeginObject()
      .Key("name").String(bank.name)
      .Key("category").String(v1::ModerationCategory_Name(bank.category))
      .Key("decision").String(v1::ModerationDecision_Name(bank.decision))
      .Key("max_distance").Int(bank.max_distance)
      .Key("enabled").Bool(bank.enabled)
      .Key("version").Int(bank.version)
      .EndObject();
  return json.str();
}

// Why an entry cannot go in, or nullopt.
std::optional<EntryRejection> Reject(int32_t index, const BankEntryInput& entry) {
  if (entry.hash.size() != 32) {
    return EntryRejection{index, "BAD_FORMAT", absl::StrCat("a PDQ hash is 32 bytes, not ", entry.hash.size())};
  }
  base::FieldValidator v;
  v.Text("external_id", entry.external_id, kExternalIdRule);
  if (!v.ok()) return EntryRejection{index, "TOO_LONG", std::string(v.status().message())};
  return std::nullopt;
}

}  // namespace

absl::StatusOr<HashBankRecord> BankLogic::Create(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                 HashBankRecord bank) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "create hash banks"));
  HashBankRecord created;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(created, kit::RunIdempotent(tx, key, kBankCodec, [&]() -> absl::StatusOr<HashBankRecord> {
      HashBankRecord stored = bank;
      stored.bank_id = ids_.Next();
      stored.version = tx.BumpBanksVersion();
      stored.entry_count = 0;
      stored.create_time = stored.update_time = clock_.Now();
      if (!tx.InsertBank(stored)) return absl::AlreadyExistsError("bank.name: a bank of that name exists");
      CF_RETURN_IF_ERROR(
          tx.AppendEvent(events_.BankChanged(stored.bank_id, v1::CHANGE_KIND_CREATED, stored.version, 0)));
      CF_RETURN_IF_ERROR(
          AppendAudit(tx, caller, {"bank.created", stored.bank_id, BankDetails(stored)}, stored.create_time));
      return stored;
    }));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<HashBankRecord> BankLogic::Update(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                 const std::string& bank_id, const HashBankRecord& values,
                                                 const BankMask& mask) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "change hash banks"));
  HashBankRecord updated;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(updated, kit::RunIdempotent(tx, key, kBankCodec, [&]() -> absl::StatusOr<HashBankRecord> {
      const int64_t version = tx.BumpBanksVersion();
      std::optional<HashBankRecord> bank = tx.LockBank(bank_id);
      if (!bank) return absl::NotFoundError("bank.bank_id: no such bank");
      if (mask.name) bank->name = values.name;
      if (mask.description) bank->description = values.description;
      if (mask.decision) bank->decision = values.decision;
      if (mask.max_distance) bank->max_distance = values.max_distance;
      if (mask.source) bank->source = values.source;
      if (mask.enabled) bank->enabled = values.enabled;
      bank->version = version;
      bank->update_time = clock_.Now();
      if (!tx.UpdateBank(*bank)) return absl::AlreadyExistsError("bank.name: a bank of that name exists");
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.BankChanged(bank->bank_id, v1::CHANGE_KIND_UPDATED, version, 0)));
      CF_RETURN_IF_ERROR(AppendAudit(tx, caller, {"bank.updated", bank->bank_id, BankDetails(*bank)}, bank->update_time));
      return *std::move(bank);
    }));
    return absl::OkStatus();
  }));
  return updated;
}

absl::StatusOr<BankPage> BankLogic::List(const kit::Caller& caller, const std::string& after_name, int limit) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "list hash banks"));
  BankPage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    page.banks = tx.ListBanks(after_name, limit + 1);
    return absl::OkStatus();
  }));
  if (static_cast<int>(page.banks.size()) > limit) {
    page.banks.resize(static_cast<size_t>(limit));
    page.next_after_name = page.banks.back().name;
  }
  return page;
}

absl::StatusOr<ImportOutcome> BankLogic::Import(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                const std::string& bank_id,
                                                const std::vector<BankEntryInput>& entries) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "import hashes"));
  ImportOutcome outcome;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(outcome, kit::RunIdempotent(tx, key, kImportCodec, [&]() -> absl::StatusOr<ImportOutcome> {
      ImportOutcome result;
      std::vector<BankEntryInput> accepted;
      absl::flat_hash_set<std::string> in_batch;
      for (size_t i = 0; i < entries.size(); ++i) {
        if (std::optional<EntryRejection> rejection = Reject(static_cast<int32_t>(i), entries[i])) {
          ++result.rejected;
          if (result.rejections.size() < kMaxRejectionsShown) result.rejections.push_back(*std::move(rejection));
        } else if (!in_batch.insert(entries[i].hash).second) {
          ++result.duplicates;
        } else {
          accepted.push_back(entries[i]);
        }
      }
      result.version = tx.BumpBanksVersion();  // Locks: the count below is exact.
      std::optional<HashBankRecord> bank = tx.LockBank(bank_id);
      if (!bank) return absl::NotFoundError("bank_id: no such bank");
      if (tx.CountBankEntries() + static_cast<int64_t>(accepted.size()) > limits_.max_entries) {
        return absl::ResourceExhaustedError(
            absl::StrCat("entries: the banks hold at most ", limits_.max_entries, " hashes in all"));
      }
      const absl::Time now = clock_.Now();
      result.added = static_cast<int32_t>(tx.InsertBankEntries(bank_id, accepted, now));
      result.duplicates += static_cast<int32_t>(accepted.size()) - result.added;
      bank->entry_count += result.added;
      bank->version = result.version;
      bank->update_time = now;
      tx.UpdateBank(*bank);
      CF_RETURN_IF_ERROR(
          tx.AppendEvent(events_.BankChanged(bank_id, v1::CHANGE_KIND_UPDATED, result.version, result.added)));
      base::JsonWriter details;
      details.BeginObject()
          .Key("added").Int(result.added)
          .Key("duplicates").Int(result.duplicates)
          .Key("rejected").Int(result.rejected)
          .Key("entry_count").Int(bank->entry_count)
          .EndObject();
      CF_RETURN_IF_ERROR(AppendAudit(tx, caller, {"bank.imported", bank_id, details.str()}, now));
      return result;
    }));
    return absl::OkStatus();
  }));
  return outcome;
}

absl::StatusOr<AllowListRecord> BankLogic::AddAllowed(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                      AllowListRecord entry) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "change the allow-list"));
  if (entry.hash.size() != 32) return absl::InvalidArgumentError("entry.hash: a PDQ hash is 32 bytes");
  AllowListRecord added;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(added, kit::RunIdempotent(tx, key, kAllowCodec, [&]() -> absl::StatusOr<AllowListRecord> {
      const int64_t version = tx.BumpBanksVersion();
      if (!entry.bank_id.empty() && !tx.LockBank(entry.bank_id)) {
        return absl::NotFoundError("entry.bank_id: no such bank");
      }
      if (tx.CountAllowListEntries() >= limits_.max_allow_list) {
        return absl::ResourceExhaustedError(
            absl::StrCat("entry: the allow-list holds at most ", limits_.max_allow_list, " entries"));
      }
      AllowListRecord stored = entry;
      stored.entry_id = ids_.Next();
      stored.create_user_id = caller.user_id;
      stored.create_time = clock_.Now();
      tx.InsertAllowListEntry(stored);
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.BankChanged(stored.bank_id, v1::CHANGE_KIND_CREATED, version, 0)));
      base::JsonWriter details;
      details.BeginObject().Key("bank_id").String(stored.bank_id).Key("reason").String(stored.reason).EndObject();
      CF_RETURN_IF_ERROR(
          AppendAudit(tx, caller, {"allow_list.added", stored.entry_id, details.str()}, stored.create_time));
      return stored;
    }));
    return absl::OkStatus();
  }));
  return added;
}

absl::Status BankLogic::RemoveAllowed(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                      const std::string& entry_id) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "change the allow-list"));
  return store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    return kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
             const int64_t version = tx.BumpBanksVersion();
             const std::optional<AllowListRecord> removed = tx.DeleteAllowListEntry(entry_id);
             if (!removed) return absl::NotFoundError("entry_id: no such allow-list entry");
             CF_RETURN_IF_ERROR(
                 tx.AppendEvent(events_.BankChanged(removed->bank_id, v1::CHANGE_KIND_DELETED, version, 0)));
             base::JsonWriter details;
             details.BeginObject().Key("bank_id").String(removed->bank_id).EndObject();
             CF_RETURN_IF_ERROR(AppendAudit(tx, caller, {"allow_list.removed", entry_id, details.str()}, clock_.Now()));
             return entry_id;
           }).status();
  });
}

absl::StatusOr<AllowListPage> BankLogic::ListAllowed(const kit::Caller& caller, const std::string& bank_id,
                                                     const std::optional<AllowListCursor>& before, int limit) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "read the allow-list"));
  AllowListPage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    page.entries = tx.ListAllowList(bank_id, before, limit + 1);
    return absl::OkStatus();
  }));
  if (static_cast<int>(page.entries.size()) > limit) {
    page.entries.resize(static_cast<size_t>(limit));
    page.next = AllowListCursor{page.entries.back().create_time, page.entries.back().entry_id};
  }
  return page;
}

}  // namespace clipforge::moderation_service
