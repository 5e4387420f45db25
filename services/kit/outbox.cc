#include "services/kit/outbox.h"

#include <pqxx/binarystring>

#include "absl/strings/match.h"
#include "google/protobuf/util/time_util.h"

namespace clipforge::kit {
namespace {
constexpr char kInsertName[] = "cf_outbox_insert";
}  // namespace

PreparedStatement OutboxWriter::Statement() {
  return {kInsertName,
          "INSERT INTO bus.outbox (event_id, subject, aggregate_id, envelope) "
          "VALUES ($1::uuid, $2, $3, $4)"};
}

absl::Status OutboxWriter::Append(pqxx::work& txn, const v1::EventEnvelope& envelope) {
  if (envelope.event_id().empty() || !absl::StartsWith(envelope.type(), "clipforge.")) {
    return absl::InvalidArgumentError("outbox: envelope needs an event_id and a clipforge.* type");
  }
  const std::string bytes = envelope.SerializeAsString();
  txn.exec_prepared(kInsertName, envelope.event_id(), envelope.type(), envelope.aggregate_id(),
                    pqxx::binarystring(bytes.data(), bytes.size()));
  return absl::OkStatus();
}

}  // namespace clipforge::kit
