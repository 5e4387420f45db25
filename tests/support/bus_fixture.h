// A migrated Postgres plus a JetStream-enabled nats-server, and the helpers
// bus tests share: producing test events through the outbox, and reading
// back everything the stream holds.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "services/kit/logger.h"
#include "services/kit/nats_client.h"
#include "services/kit/outbox.h"
#include "services/kit/outbox_relay.h"
#include "services/kit/pg_pool.h"
#include "tests/support/test_servers.h"

namespace clipforge::testing {

struct StreamMessage {
  std::string subject;
  std::string message_id;  // Nats-Msg-Id header.
  v1::EventEnvelope envelope;
};

class BusFixture {
 public:
  // `durable`: Postgres with fsync on (benchmarks); tests run without.
  explicit BusFixture(bool durable = false);
  ~BusFixture();

  TestPostgres& pg() { return *pg_; }
  TestNats& nats() { return *nats_; }

  // A pool as a producing service (role cf_feed) with the outbox statement.
  kit::PgPool& producer_pool() { return *producer_pool_; }
  // A superuser pool for assertions.
  kit::PgPool& admin_pool() { return *admin_pool_; }
  kit::NatsClient& nats_client() { return *nats_client_; }
  kit::Logger& logger() { return logger_; }

  std::unique_ptr<kit::OutboxRelay> NewRelay(kit::RelayOptions options = {});
  // The relay's own pool (role cf_bus), created by NewRelay.
  kit::PgPool& relay_pool() { return *relay_pool_; }

  // Commits one transaction appending `count` TestPing events for
  // `aggregate_id` with n = first_n, first_n+1, ...; returns their ids.
  std::vector<std::string> Produce(const std::string& aggregate_id, int count, int64_t first_n = 0);

  // Runs the relay until a pass publishes nothing.
  int Drain(kit::OutboxRelay& relay);

  // Every message in the CLIPFORGE stream on `filter`, in stream order.
  std::vector<StreamMessage> ReadStream(const std::string& filter = "clipforge.>");

  int64_t Scalar(const std::string& sql);

  kit::EventFactory& events() { return events_; }

 private:
  std::unique_ptr<TestPostgres> pg_;
  std::unique_ptr<TestNats> nats_;
  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory events_{ids_, clock_};
  std::FILE* log_sink_;
  kit::Logger logger_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<kit::PgPool> producer_pool_;
  std::unique_ptr<kit::PgPool> admin_pool_;
  std::unique_ptr<kit::PgPool> relay_pool_;
  std::unique_ptr<kit::NatsClient> nats_client_;
  int reader_count_ = 0;
};

}  // namespace clipforge::testing
