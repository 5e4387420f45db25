#include "services/moderation/bank_queries.h"

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/kit/pg_time.h"
#include "services/moderation/pg_values.h"

namespace clipforge::moderation_service {
namespace {

using kit::SqlMicros;
using kit::SqlTimestampParam;
using kit::TimeFromMicros;
using kit::ToMicros;

constexpr char kBumpBanksVersion[] = "moderation_bump_banks_version";
constexpr char kBanksVersion[] = "moderation_banks_version";
constexpr char kCountBankEntries[] = "moderation_count_bank_entries";
constexpr char kInsertBank[] = "moderation_insert_bank";
constexpr char kLockBank[] = "moderation_lock_bank";
constexpr char kUpdateBank[] = "moderation_update_bank";
constexpr char kListBanks[] = "moderation_list_banks";
constexpr char kInsertBankEntries[] = "moderation_insert_bank_entries";
constexpr char kInsertAllow[] = "moderation_insert_allow";
constexpr char kDeleteAllow[] = "moderation_delete_allow";
constexpr char kCountAllow[] = "moderation_count_allow";
constexpr char kListAllow[] = "moderation_list_allow";
constexpr char kEnabledBanks[] = "moderation_enabled_banks";
constexpr char kEnabledBankEntries[] = "moderation_enabled_bank_entries";
constexpr char kAllAllow[] = "moderation_all_allow";

const std::string kBankColumns = absl::StrCat(
    "bank_id::text, seq, name, description, category, decision, hash_type, max_distance, source, enabled, "
    "entry_count, version, ",
    SqlMicros("created_at"), ", ", SqlMicros("updated_at"));

HashBankRecord BankFromRow(const pqxx::row& r) {
  return {.bank_id = r[0].as<std::string>(),
          .seq = r[1].as<int32_t>(),
          .name = r[2].as<std::string>(),
          .description = r[3].as<std::string>(),
          .category = static_cast<v1::ModerationCategory>(r[4].as<int>()),
          .decision = static_cast<v1::ModerationDecision>(r[5].as<int>()),
          .hash_type = static_cast<v1::HashType>(r[6].as<int>()),
          .max_distance = r[7].as<int32_t>(),
          .source = r[8].as<std::string>(),
          .enabled = r[9].as<bool>(),
          .entry_count = r[10].as<int64_t>(),
          .version = r[11].as<int64_t>(),
          .create_time = TimeFromMicros(r[12]),
          .update_time = TimeFromMicros(r[13])};
}

const std::string kAllowColumns = absl::StrCat("entry_id::text, coalesce(bank_id::text, ''), encode(hash, 'hex'), "
                                               "reason, create_user_id::text, ",
                                               SqlMicros("created_at"));

AllowListRecord AllowFromRow(const pqxx::row& r) {
  return {.entry_id = r[0].as<std::string>(),
          .bank_id = r[1].as<std::string>(),
          .hash = Unhex(r[2]),
          .reason = r[3].as<std::string>(),
          .create_user_id = r[4].as<std::string>(),
          .create_time = TimeFromMicros(r[5])};
}

// Hex strings (from bytes we hold) as a Postgres text[] literal: hex and
// the entry's external ids, which may hold anything, are quoted and
// escaped.
std::string TextArray(const std::vector<std::string>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ",", [](std::string* out, const std::string& v) {
                        std::string escaped;
                        for (char c : v) {
                          if (c == '"' || c == '\\') escaped.push_back('\\');
                          escaped.push_back(c);
                        }
                        absl::StrAppend(out, "\"", escaped, "\"");
                      }), "}");
}

}  // namespace

std::vector<kit::PreparedStatement> PgBankQueries::Statements() {
  return {
      {kBumpBanksVersion, "UPDATE moderation.banks_state SET version = version + 1 RETURNING version"},
      {kBanksVersion, "SELECT version FROM moderation.banks_state"},
      {kCountBankEntries, "SELECT coalesce(sum(entry_count), 0)::bigint FROM moderation.hash_banks"},
      {kInsertBank,
       absl::StrCat("INSERT INTO moderation.hash_banks (bank_id, name, description, category, decision, hash_type, "
                    "max_distance, source, enabled, version, created_at, updated_at) VALUES ($1::uuid, $2, $3, $4, "
                    "$5, $6, $7, $8, $9, $10, ", SqlTimestampParam(11), ", ", SqlTimestampParam(11),
                    ") ON CONFLICT (name) DO NOTHING RETURNING seq")},
      {kLockBank, absl::StrCat("SELECT ", kBankColumns, " FROM moderation.hash_banks WHERE bank_id = $1::uuid FOR UPDATE")},
      {kUpdateBank,
       absl::StrCat("UPDATE moderation.hash_banks SET name = $2, description = $3, decision = $4, max_distance = $5, "
                    "source = $6, enabled = $7, entry_count = $8, version = $9, updated_at = ", SqlTimestampParam(10),
                    " WHERE bank_id = $1::uuid AND NOT EXISTS (SELECT 1 FROM moderation.hash_banks o WHERE o.name = "
                    "$2 AND o.bank_id <> $1::uuid)")},
      {kListBanks, absl::StrCat("SELECT ", kBankColumns, " FROM moderation.hash_banks WHERE name > $1 ORDER BY name "
                                "LIMIT $2")},
      // gen_random_uuid(): entry ids are never exposed as more than handles.
      {kInsertBankEntries,
       absl::StrCat("INSERT INTO moderation.bank_entries (entry_id, bank_id, hash, external_id, created_at) SELECT "
                    "gen_random_uuid(), $1::uuid, decode(h, 'hex'), e, ", SqlTimestampParam(4),
                    " FROM unnest($2::text[], $3::text[]) AS t(h, e) ON CONFLICT (bank_id, hash) DO NOTHING")},
      {kInsertAllow,
       absl::StrCat("INSERT INTO moderation.allow_list (entry_id, bank_id, hash, reason, create_user_id, created_at) "
                    "VALUES ($1::uuid, NULLIF($2, '')::uuid, decode($3, 'hex'), $4, $5::uuid, ",
                    SqlTimestampParam(6), ")")},
      {kDeleteAllow, absl::StrCat("DELETE FROM moderation.allow_list WHERE entry_id = $1::uuid RETURNING ",
                                  kAllowColumns)},
      {kCountAllow, "SELECT count(*) FROM moderation.allow_list"},
      {kListAllow,
       absl::StrCat("SELECT ", kAllowColumns, " FROM moderation.allow_list WHERE ($1 = '' OR bank_id = "
                    "NULLIF($1, '')::uuid) AND ($2::bigint = 0 OR (created_at, entry_id) < (", SqlTimestampParam(2),
                    ", $3::uuid)) ORDER BY created_at DESC, entry_id DESC LIMIT $4")},
      {kEnabledBanks, absl::StrCat("SELECT ", kBankColumns, " FROM moderation.hash_banks WHERE enabled ORDER BY seq")},
      {kEnabledBankEntries,
       "SELECT e.entry_id::text, b.seq, encode(e.hash, 'hex'), e.external_id FROM moderation.bank_entries e JOIN "
       "moderation.hash_banks b USING (bank_id) WHERE b.enabled"},
      {kAllAllow, absl::StrCat("SELECT ", kAllowColumns, " FROM moderation.allow_list")},
  };
}

int64_t PgBankQueries::BumpBanksVersion() { return txn_.exec_prepared1(kBumpBanksVersion)[0].as<int64_t>(); }
int64_t PgBankQueries::BanksVersion() { return txn_.exec_prepared1(kBanksVersion)[0].as<int64_t>(); }
int64_t PgBankQueries::CountBankEntries() { return txn_.exec_prepared1(kCountBankEntries)[0].as<int64_t>(); }

bool PgBankQueries::InsertBank(HashBankRecord& b) {
  const pqxx::result r = txn_.exec_prepared(kInsertBank, b.bank_id, b.name, b.description,
                                            static_cast<int>(b.category), static_cast<int>(b.decision),
                                            static_cast<int>(b.hash_type), b.max_distance, b.source, b.enabled,
                                            b.version, ToMicros(b.create_time));
  if (r.empty()) return false;
  b.seq = r[0][0].as<int32_t>();
  return true;
}

std::optional<HashBankRecord> PgBankQueries::LockBank(const std::string& bank_id) {
  const pqxx::result r = txn_.exec_prepared(kLockBank, bank_id);
  if (r.empty()) return std::nullopt;
  return BankFromRow(r[0]);
}

bool PgBankQueries::UpdateBank(const HashBankRecord& b) {
  return txn_.exec_prepared(kUpdateBank, b.bank_id, b.name, b.description, static_cast<int>(b.decision),
                            b.max_distance, b.source, b.enabled, b.entry_count, b.version, ToMicros(b.update_time))
             .affected_rows() == 1;
}

std::vector<HashBankRecord> PgBankQueries::ListBanks(const std::string& after_name, int limit) {
  std::vector<HashBankRecord> banks;
  for (const pqxx::row& row : txn_.exec_prepared(kListBanks, after_name, limit)) banks.push_back(BankFromRow(row));
  return banks;
}

int64_t PgBankQueries::InsertBankEntries(const std::string& bank_id, const std::vector<BankEntryInput>& entries,
                                         absl::Time now) {
  std::vector<std::string> hashes;
  std::vector<std::string> external_ids;
  hashes.reserve(entries.size());
  external_ids.reserve(entries.size());
  for (const BankEntryInput& entry : entries) {
    hashes.push_back(absl::BytesToHexString(entry.hash));
    external_ids.push_back(entry.external_id);
  }
  return txn_.exec_prepared(kInsertBankEntries, bank_id, TextArray(hashes), TextArray(external_ids), ToMicros(now))
      .affected_rows();
}

void PgBankQueries::InsertAllowListEntry(const AllowListRecord& a) {
  txn_.exec_prepared(kInsertAllow, a.entry_id, a.bank_id, absl::BytesToHexString(a.hash), a.reason, a.create_user_id,
                     ToMicros(a.create_time));
}

std::optional<AllowListRecord> PgBankQueries::DeleteAllowListEntry(const std::string& entry_id) {
  const pqxx::result r = txn_.exec_prepared(kDeleteAllow, entry_id);
  if (r.empty()) return std::nullopt;
  return AllowFromRow(r[0]);
}

int64_t PgBankQueries::CountAllowListEntries() { return txn_.exec_prepared1(kCountAllow)[0].as<int64_t>(); }

std::vector<AllowListRecord> PgBankQueries::ListAllowList(const std::string& bank_id,
                                                          const std::optional<AllowListCursor>& before, int limit) {
  std::vector<AllowListRecord> entries;
  const pqxx::result r =
      txn_.exec_prepared(kListAllow, bank_id, before ? ToMicros(before->create_time) : int64_t{0},
                         before ? before->entry_id : std::string(kNilUuid), limit);
  for (const pqxx::row& row : r) entries.push_back(AllowFromRow(row));
  return entries;
}

void PgBankQueries::LoadInto(BankSnapshot& snapshot) {
  snapshot.version = BanksVersion();
  for (const pqxx::row& row : txn_.exec_prepared(kEnabledBanks)) snapshot.banks.push_back(BankFromRow(row));
  const pqxx::result entries = txn_.exec_prepared(kEnabledBankEntries);
  snapshot.entries.reserve(entries.size());
  for (const pqxx::row& row : entries) {
    snapshot.entries.push_back({.entry_id = row[0].as<std::string>(),
                                .bank_seq = row[1].as<int32_t>(),
                                .hash = Unhex(row[2]),
                                .external_id = row[3].as<std::string>()});
  }
  for (const pqxx::row& row : txn_.exec_prepared(kAllAllow)) snapshot.allow_list.push_back(AllowFromRow(row));
}

}  // namespace clipforge::moderation_service
