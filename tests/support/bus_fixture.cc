#include "tests/support/bus_fixture.h"

#include <gtest/gtest.h>
#include <pqxx/nontransaction>

#include "services/kit/migrator.h"
#include "services/kit/pg_transaction.h"
#include "base/status_macros.h"

namespace clipforge::testing {

BusFixture::BusFixture(bool durable)
    : pg_(TestPostgres::Start(durable)),
      nats_(TestNats::Start()),
      log_sink_(stderr),
      logger_(log_sink_, clock_, kit::LogLevel::kWarn) {
  auto migrations = kit::LoadMigrations(CF_MIGRATIONS_DIR);
  if (!migrations.ok() || !kit::ApplyMigrations(pg_->dsn(), *migrations).ok()) std::abort();
  // The bus tests publish clipforge.test.* events as cf_feed.
  {
    pqxx::connection admin(pg_->dsn());
    pqxx::nontransaction(admin).exec(
        "INSERT INTO bus.subject_grants (role_name, prefix) VALUES ('cf_feed', 'clipforge.test.')");
  }
  producer_pool_ = std::make_unique<kit::PgPool>(kit::PgPoolOptions{
      .dsn = pg_->dsn(),
      .size = 8,
      .role = "cf_feed",
      .statements = {kit::OutboxWriter::Statement(), kit::OutboxWriter::BatchStatement()}});
  admin_pool_ = std::make_unique<kit::PgPool>(kit::PgPoolOptions{.dsn = pg_->dsn(), .size = 2});
  auto client = kit::NatsClient::Connect({.url = nats_->url(), .client_name = "bus-test"});
  if (!client.ok()) std::abort();
  nats_client_ = *std::move(client);
  if (!kit::EnsureStream(nats_client_->jetstream(), kit::StreamSpec{}).ok()) std::abort();
}

BusFixture::~BusFixture() = default;

std::unique_ptr<kit::OutboxRelay> BusFixture::NewRelay(kit::RelayOptions options) {
  relay_pool_ = std::make_unique<kit::PgPool>(kit::PgPoolOptions{
      .dsn = pg_->dsn(), .size = 1, .role = "cf_bus", .statements = kit::OutboxRelay::Statements(options)});
  auto relay = kit::OutboxRelay::Create(*relay_pool_, nats_client_->connection(), options, logger_, *registry_);
  if (!relay.ok()) std::abort();
  return *std::move(relay);
}

std::vector<std::string> BusFixture::Produce(const std::string& aggregate_id, int count, int64_t first_n) {
  std::vector<std::string> ids;
  const absl::Status status = kit::RunInTransaction(*producer_pool_, [&](pqxx::work& txn) {
    ids.clear();
    for (int i = 0; i < count; ++i) {
      v1::EventEnvelope envelope = events_.New("clipforge.test.ping", "test", aggregate_id);
      envelope.mutable_test_ping()->set_n(first_n + i);
      CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, envelope));
      ids.push_back(envelope.event_id());
    }
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  return ids;
}

int BusFixture::Drain(kit::OutboxRelay& relay) {
  int total = 0;
  for (;;) {
    absl::StatusOr<int> published = relay.RunOnce();
    EXPECT_TRUE(published.ok()) << published.status();
    if (!published.ok() || *published == 0) return total;
    total += *published;
  }
}

std::vector<StreamMessage> BusFixture::ReadStream(const std::string& filter) {
  // A fresh durable per read, starting from the first message.
  const std::string durable = "reader-" + std::to_string(++reader_count_);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = "CLIPFORGE";
  so.Config.AckPolicy = js_AckNone;
  so.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* raw = nullptr;
  jsErrCode err;
  EXPECT_EQ(js_PullSubscribe(&raw, nats_client_->jetstream(), filter.c_str(), durable.c_str(), nullptr,
                             &so, &err),
            NATS_OK);
  kit::NatsPtr<natsSubscription> sub(raw);
  std::vector<StreamMessage> out;
  for (;;) {
    natsMsgList list{};
    const natsStatus s = natsSubscription_Fetch(&list, sub.get(), 1000, 500, &err);
    if (s != NATS_OK) break;
    for (int i = 0; i < list.Count; ++i) {
      natsMsg* msg = list.Msgs[i];
      StreamMessage m;
      m.subject = natsMsg_GetSubject(msg);
      const char* id = nullptr;
      if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK) m.message_id = id;
      m.envelope.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
      out.push_back(std::move(m));
    }
    natsMsgList_Destroy(&list);
  }
  js_DeleteConsumer(nats_client_->jetstream(), "CLIPFORGE", durable.c_str(), nullptr, nullptr);
  return out;
}

int64_t BusFixture::Scalar(const std::string& sql) {
  int64_t value = -1;
  const absl::Status status = kit::RunInTransaction(*admin_pool_, [&](pqxx::work& txn) {
    value = txn.exec1(sql)[0].as<int64_t>();
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  return value;
}

}  // namespace clipforge::testing
