// The tipping service with what it owns (its pool, store, ledger writer,
// payment providers, logic and the bus consumers) and its flags: one wiring
// used by `clipforged serve` and the test servers alike.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "services/kit/consumer_group.h"
#include "services/kit/grpc_server.h"
#include "services/kit/nats_client.h"
#include "services/kit/periodic.h"
#include "services/kit/pg_pool.h"
#include "services/kit/service_deps.h"
#include "services/kit/settings.h"
#include "services/tipping/earnings_release_logic.h"
#include "services/tipping/earnings_store.h"
#include "services/tipping/health_logic.h"
#include "services/tipping/ledger_writer.h"
#include "services/tipping/payment_provider.h"
#include "services/tipping/service.h"
#include "services/tipping/store.h"
#include "services/tipping/tipping_logic.h"

namespace clipforge::tipping_service {

class TippingComponent {
 public:
  static std::vector<kit::SettingSpec> Flags();
  static absl::StatusOr<TippingConfig> ConfigFrom(const kit::Settings& settings);

  // Starts the ledger writer at once (it takes the fence and loads the
  // books, retrying while the database is away; ready() says when), then
  // the bus consumers on `nats` (may be null: then the clip directory
  // changes only through the store). INVALID_ARGUMENT without a database
  // URL.
  static absl::StatusOr<std::unique_ptr<TippingComponent>> Create(const kit::ServiceDatabase& database,
                                                                   TippingConfig config, kit::ServiceDeps deps,
                                                                   kit::NatsClient* nats);
  ~TippingComponent();

  std::vector<kit::HostedService> hosted();
  // The writer holds the fence with the books loaded, and the consumers
  // run. False again once another instance fenced this one's writer out.
  bool ready() { return ready_.HasBeenNotified() && writer_.running(); }
  // Waits up to `timeout` for ready(); its value.
  bool AwaitReady(absl::Duration timeout) const { return ready_.WaitForNotificationWithTimeout(timeout); }
  PgTippingStore& store() { return store_; }
  LedgerWriter& writer() { return writer_; }

 private:
  TippingComponent(const kit::ServiceDatabase& database, TippingConfig config, kit::ServiceDeps deps,
                   kit::NatsClient* nats);
  void StartWriter();
  // The earnings release job's run (on the release timer).
  void ReleaseEarnings();

  kit::Logger& logger_;
  const base::Clock& clock_;
  kit::NatsClient* nats_;
  kit::PgPool pool_;
  PgTippingStore store_;
  LedgerWriter writer_;
  PaymentProviders providers_;
  TippingEvents events_;
  TippingLogic logic_;
  LedgerHealthLogic health_;
  TippingServiceImpl service_;
  PgEarningsStore earnings_store_;
  EarningsReleaseLogic earnings_release_;
  kit::ConsumerGroup consumers_;
  absl::Notification stop_;
  absl::Notification ready_;
  kit::Periodic release_timer_;
  // Last: joined before what it uses goes.
  std::thread starter_;
};

}  // namespace clipforge::tipping_service
