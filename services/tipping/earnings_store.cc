#include "services/tipping/earnings_store.h"

#include "absl/strings/str_cat.h"
#include "services/kit/pg_time.h"
#include "services/kit/pg_transaction.h"

namespace clipforge::tipping_service {
namespace {

constexpr char kDueCredits[] = "tipping_due_credits";

}  // namespace

std::vector<kit::PreparedStatement> PgEarningsStore::Statements() {
  // A credit is due for an established creator once it is old enough and
  // came after their new-creator period; for anyone once it is older than
  // the new creators' hold. The index on (credited_at, transfer_id) serves
  // the second bound; the first reads only what the second does not.
  return {{kDueCredits,
           absl::StrCat("SELECT u.transfer_id, u.account_id, u.amount, ", kit::SqlMicros("u.credited_at"), ", ",
                        kit::SqlMicros("f.first_earned_at"),
                        " FROM tipping.unreleased_earnings u JOIN tipping.first_earnings f USING (account_id)"
                        " WHERE (u.credited_at <= ",
                        kit::SqlTimestampParam(1), " AND u.credited_at - f.first_earned_at >= $3::bigint * interval "
                        "'1 microsecond') OR u.credited_at <= ",
                        kit::SqlTimestampParam(2), " ORDER BY u.credited_at, u.transfer_id LIMIT $4")}};
}

absl::StatusOr<std::vector<WaitingCredit>> PgEarningsStore::DueCredits(const DueCreditsQuery& query) {
  std::vector<WaitingCredit> credits;
  const absl::Status read = kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    credits.clear();
    const pqxx::result rows =
        txn.exec_prepared(kDueCredits, kit::ToMicros(query.established_before), kit::ToMicros(query.anyone_before),
                          absl::ToInt64Microseconds(query.new_creator_period), query.limit);
    for (const pqxx::row& row : rows) {
      credits.push_back({.transfer_id = row[0].as<std::string>(),
                         .account_id = row[1].as<std::string>(),
                         .amount = row[2].as<int64_t>(),
                         .credited_at = kit::TimeFromMicros(row[3]),
                         .first_earned_at = kit::TimeFromMicros(row[4])});
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return credits;
}

}  // namespace clipforge::tipping_service
