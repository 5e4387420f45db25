#include "services/kit/outbox.h"

#include <pqxx/binarystring>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "services/kit/pg_array.h"
#include "google/protobuf/util/time_util.h"

namespace clipforge::kit {
namespace {
constexpr char kInsertName[] = "cf_outbox_insert";
constexpr char kInsertAllName[] = "cf_outbox_insert_all";

absl::Status CheckEnvelope(const v1::EventEnvelope& envelope) {
  if (envelope.event_id().empty() || !absl::StartsWith(envelope.type(), "clipforge.")) {
    return absl::InvalidArgumentError("outbox: envelope needs an event_id and a clipforge.* type");
  }
  return absl::OkStatus();
}

// One field of every envelope as a text[] literal.
std::string TextArray(const std::vector<v1::EventEnvelope>& envelopes,
                      const std::string& (v1::EventEnvelope::*field)() const) {
  PgArray array;
  for (const v1::EventEnvelope& envelope : envelopes) array.Text((envelope.*field)());
  return array.Literal();
}
}  // namespace

PreparedStatement OutboxWriter::Statement() {
  return {kInsertName,
          "INSERT INTO bus.outbox (event_id, subject, aggregate_id, envelope) "
          "VALUES ($1::uuid, $2, $3, $4)"};
}

PreparedStatement OutboxWriter::BatchStatement() {
  // The envelopes travel as hex text (no escaping inside the array), and
  // WITH ORDINALITY keeps their order in the outbox's sequence.
  return {kInsertAllName,
          "INSERT INTO bus.outbox (event_id, subject, aggregate_id, envelope) "
          "SELECT e.event_id::uuid, e.subject, e.aggregate_id, decode(e.envelope, 'hex') "
          "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY "
          "AS e(event_id, subject, aggregate_id, envelope, position) ORDER BY e.position"};
}

absl::Status OutboxWriter::AppendAll(pqxx::work& txn, const std::vector<v1::EventEnvelope>& envelopes) {
  if (envelopes.empty()) return absl::OkStatus();
  for (const v1::EventEnvelope& envelope : envelopes) {
    if (absl::Status checked = CheckEnvelope(envelope); !checked.ok()) return checked;
  }
  std::string bytes = "{";
  for (const v1::EventEnvelope& envelope : envelopes) {
    if (bytes.size() > 1) bytes += ',';
    bytes += absl::BytesToHexString(envelope.SerializeAsString());
  }
  bytes += '}';
  txn.exec_prepared(kInsertAllName, TextArray(envelopes, &v1::EventEnvelope::event_id),
                    TextArray(envelopes, &v1::EventEnvelope::type),
                    TextArray(envelopes, &v1::EventEnvelope::aggregate_id), bytes);
  return absl::OkStatus();
}

absl::Status OutboxWriter::Append(pqxx::work& txn, const v1::EventEnvelope& envelope) {
  if (absl::Status checked = CheckEnvelope(envelope); !checked.ok()) return checked;
  const std::string bytes = envelope.SerializeAsString();
  txn.exec_prepared(kInsertName, envelope.event_id(), envelope.type(), envelope.aggregate_id(),
                    pqxx::binarystring(bytes.data(), bytes.size()));
  return absl::OkStatus();
}

}  // namespace clipforge::kit
