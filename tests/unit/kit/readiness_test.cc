// Readiness: an outage longer than the threshold turns a server's services
// NOT_SERVING, shorter blips do not, and it comes back by itself.
#include "services/kit/readiness.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>

#include "tests/support/kit_test_service.h"
#include "tests/support/raw_grpc.h"

namespace clipforge::kit {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TEST(ReadinessTrackerTest, ABlipShorterThanTheThresholdKeepsItReady) {
  ReadinessTracker tracker(absl::Seconds(5));
  tracker.Observe("postgres", false, kStart);
  tracker.Observe("postgres", false, kStart + absl::Seconds(4));
  EXPECT_TRUE(tracker.Ready(kStart + absl::Seconds(4)));
  tracker.Observe("postgres", true, kStart + absl::Seconds(4.5));
  tracker.Observe("postgres", false, kStart + absl::Seconds(6));
  EXPECT_TRUE(tracker.Ready(kStart + absl::Seconds(9)));  // The clock restarted at 6 s.
}

TEST(ReadinessTrackerTest, AnOutageAsLongAsTheThresholdMakesItUnreadyUntilBack) {
  ReadinessTracker tracker(absl::Seconds(5));
  tracker.Observe("nats", true, kStart);
  tracker.Observe("postgres", false, kStart);
  tracker.Observe("postgres", false, kStart + absl::Seconds(5));
  EXPECT_FALSE(tracker.Ready(kStart + absl::Seconds(5)));
  EXPECT_EQ(tracker.Down(kStart + absl::Seconds(5)), "postgres");
  tracker.Observe("nats", false, kStart + absl::Seconds(1));
  EXPECT_EQ(tracker.Down(kStart + absl::Seconds(7)), "nats,postgres");
  tracker.Observe("postgres", true, kStart + absl::Seconds(8));
  tracker.Observe("nats", true, kStart + absl::Seconds(8));
  EXPECT_TRUE(tracker.Ready(kStart + absl::Seconds(8)));
}

TEST(ReadinessTest, ConnectTimeoutIsAddedToBothDsnForms) {
  EXPECT_EQ(WithConnectTimeout("postgres://u@h/db", 2), "postgres://u@h/db?connect_timeout=2");
  EXPECT_EQ(WithConnectTimeout("postgresql://u@h/db?sslmode=require", 2),
            "postgresql://u@h/db?sslmode=require&connect_timeout=2");
  EXPECT_EQ(WithConnectTimeout("host=h dbname=db", 3), "host=h dbname=db connect_timeout=3");
  EXPECT_EQ(WithConnectTimeout("", 3), "connect_timeout=3");
}

TEST(ReadinessMonitorTest, AnOutageTurnsTheServicesNotServingAndBackWhileLivenessStays) {
  testing::KitTestServer server;
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.server->port()),
                                     grpc::InsecureChannelCredentials());
  const std::string service = "clipforge.testing.KitTestService";
  std::atomic<bool> database_up{true};
  ReadinessMonitor monitor({.period = absl::Milliseconds(20), .threshold = absl::Milliseconds(200)},
                           {{"postgres",
                             [&] {
                               return database_up ? absl::OkStatus() : absl::UnavailableError("refused");
                             }}},
                           [&](bool ready) { server.server->SetServing(ready); }, server.logger);
  EXPECT_EQ(testing::CheckHealth(channel, service).value(), 1);
  database_up = false;
  EXPECT_TRUE(testing::HealthBecomes(channel, service, 2, absl::Seconds(10)));
  EXPECT_EQ(testing::CheckHealth(channel, "").value(), 1);  // Liveness untouched.
  database_up = true;
  EXPECT_TRUE(testing::HealthBecomes(channel, service, 1, absl::Seconds(10)));
}

}  // namespace
}  // namespace clipforge::kit
