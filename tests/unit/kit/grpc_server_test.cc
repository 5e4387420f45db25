// The kit's server plumbing, end to end over loopback: request ids, the auth
// gate, validation, the receive-size limit, health, reflection, metrics and
// the deadline cap.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "tests/support/kit_test_service.h"
#include "tests/support/raw_grpc.h"

namespace clipforge::testing {
namespace {

// grpc_server_handled_total by (grpc_method, grpc_code).
using HandledCounts = std::map<std::pair<std::string, std::string>, double>;
HandledCounts Handled(prometheus::Registry& registry) {
  HandledCounts counts;
  for (const auto& family : registry.Collect()) {
    if (family.name != "grpc_server_handled_total") continue;
    for (const auto& metric : family.metric) {
      std::string method, code;
      for (const auto& label : metric.label) {
        if (label.name == "grpc_method") method = label.value;
        if (label.name == "grpc_code") code = label.value;
      }
      counts[{method, code}] = metric.counter.value;
    }
  }
  return counts;
}


std::shared_ptr<grpc::Channel> ChannelTo(const KitTestServer& server) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(server.server->port()),
                             grpc::InsecureChannelCredentials());
}

// A channel to `server` that one Echo has connected (READY).
std::shared_ptr<grpc::Channel> ConnectedChannel(const KitTestServer& server) {
  auto channel = ChannelTo(server);
  grpc::ClientContext ctx;
  EchoResponse response;
  EXPECT_TRUE(KitTestService::NewStub(channel)->Echo(&ctx, EchoRequest(), &response).ok());
  return channel;
}

// Waits (on the channel's own state events, up to 10 s) for a connected
// channel to lose its connection; true when the server closed it.
bool ServerClosesTheConnection(grpc::Channel& channel) {
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
  grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/false);
  while (state == GRPC_CHANNEL_READY) {
    if (!channel.WaitForStateChange(state, deadline)) return false;
    state = channel.GetState(false);
  }
  return true;
}

TEST(GrpcServerTest, AnIdleConnectionIsClosedAfterTheIdleLimit) {
  kit::GrpcServerOptions options;
  options.transport.max_connection_idle = absl::Milliseconds(300);
  KitTestServer server(options);
  auto channel = ConnectedChannel(server);
  ASSERT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_TRUE(ServerClosesTheConnection(*channel));
}

TEST(GrpcServerTest, AnOldConnectionIsAskedToGoAwayAfterTheAgeLimit) {
  kit::GrpcServerOptions options;
  options.transport.max_connection_age = absl::Milliseconds(300);
  options.transport.max_connection_age_grace = absl::Milliseconds(100);
  KitTestServer server(options);
  auto channel = ConnectedChannel(server);
  EXPECT_TRUE(ServerClosesTheConnection(*channel));
  // The client reconnects and keeps working.
  grpc::ClientContext again;
  EchoResponse response;
  EXPECT_TRUE(KitTestService::NewStub(channel)->Echo(&again, EchoRequest(), &response).ok());
}

TEST(GrpcServerTest, ADefaultConnectionStaysOpenWhileIdleForAShortWhile) {
  // The control for the two tests above: without the limits the same wait
  // ends with the connection still up (so those tests can fail).
  KitTestServer server;
  auto channel = ConnectedChannel(server);
  EXPECT_FALSE(channel->WaitForStateChange(
      GRPC_CHANNEL_READY, std::chrono::system_clock::now() + std::chrono::seconds(1)));
}

TEST(GrpcServerTest, CallsResetBeforeTheirFirstMessageAreCountedNotLogged) {
  char* log = nullptr;
  size_t log_size = 0;
  FILE* sink = open_memstream(&log, &log_size);
  ASSERT_NE(sink, nullptr);
  {
    KitTestServer server({}, sink);
    auto channel = ChannelTo(server);
    constexpr char kEcho[] = "/clipforge.testing.KitTestService/Echo";
    constexpr int kResets = 20;
    // A rapid-reset client: HEADERS, then RST_STREAM, never a message.
    grpc::GenericStub stub(channel);
    grpc::CompletionQueue cq;
    for (int i = 0; i < kResets; ++i) {
      grpc::ClientContext ctx;
      auto call = stub.PrepareCall(&ctx, kEcho, &cq);
      call->StartCall(reinterpret_cast<void*>(1));
      void* tag = nullptr;
      bool ok = false;
      ASSERT_TRUE(cq.Next(&tag, &ok));
      ctx.TryCancel();
      grpc::Status status;
      call->Finish(&status, reinterpret_cast<void*>(2));
      ASSERT_TRUE(cq.Next(&tag, &ok));
      EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
    }
    // The server sees the resets asynchronously: wait (5 s at most) until
    // it has counted them all (under whatever code gRPC answered them).
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    double counted = 0;
    while (absl::Now() < deadline) {
      counted = 0;
      for (const auto& [key, value] : Handled(*server.registry)) {
        if (key.first == kEcho) counted += value;
      }
      if (counted >= kResets) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_EQ(counted, kResets);
    // A real call is still logged.
    auto echo = server.NewStub();
    grpc::ClientContext ctx;
    EchoResponse response;
    ASSERT_TRUE(echo->Echo(&ctx, EchoRequest(), &response).ok());
    cq.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq.Next(&tag, &ok)) {
    }
  }
  std::fclose(sink);
  const std::string text(log, log_size);
  std::free(log);
  size_t rpc_lines = 0;
  for (size_t at = text.find("\"event\":\"rpc\""); at != std::string::npos;
       at = text.find("\"event\":\"rpc\"", at + 1)) {
    ++rpc_lines;
  }
  EXPECT_EQ(rpc_lines, 1u) << text.substr(0, 2000);
}

TEST(GrpcServerTest, EchoAssignsRequestIdAndReturnsItInHeaders) {
  KitTestServer server;
  auto stub = server.NewStub();
  grpc::ClientContext ctx;
  EchoRequest request;
  request.set_text("héllo");
  EchoResponse response;
  ASSERT_TRUE(stub->Echo(&ctx, request, &response).ok());
  EXPECT_EQ(response.text(), "héllo");
  EXPECT_EQ(response.request_id().size(), 36u);  // A generated UUIDv7.
  EXPECT_EQ(response.request_id()[14], '7');
  const auto header = ctx.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(header, ctx.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(header->second.data(), header->second.size()), response.request_id());
}

TEST(GrpcServerTest, KeepsAValidClientRequestIdAndReplacesAnInvalidOne) {
  KitTestServer server;
  auto stub = server.NewStub();
  EchoResponse response;
  grpc::ClientContext good;
  good.AddMetadata("x-request-id", "client-req_42.a");
  ASSERT_TRUE(stub->Echo(&good, EchoRequest(), &response).ok());
  EXPECT_EQ(response.request_id(), "client-req_42.a");

  grpc::ClientContext bad;
  bad.AddMetadata("x-request-id", std::string(65, 'x'));
  ASSERT_TRUE(stub->Echo(&bad, EchoRequest(), &response).ok());
  EXPECT_EQ(response.request_id().size(), 36u);
}

TEST(GrpcServerTest, InvalidUtf8IsInvalidArgumentNamingTheField) {
  KitTestServer server;
  auto stub = server.NewStub();
  grpc::ClientContext ctx;
  EchoRequest request;
  request.set_text("bad \xC0\xAF byte");
  EchoResponse response;
  // protobuf's own UTF-8 check for proto3 strings may refuse it first on
  // either side; either way the call must fail cleanly, not crash.
  const grpc::Status status = stub->Echo(&ctx, request, &response);
  EXPECT_FALSE(status.ok());
}

TEST(GrpcServerTest, TooLongTextIsInvalidArgumentNamingTheField) {
  KitTestServer server;
  auto stub = server.NewStub();
  grpc::ClientContext ctx;
  EchoRequest request;
  request.set_text(std::string(101, 'a'));
  EchoResponse response;
  const grpc::Status status = stub->Echo(&ctx, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("text: must be at most 100 characters"), std::string::npos)
      << status.error_message();
}

TEST(GrpcServerTest, ExecutorPathValidatesAndAnswersLikeTheInlineOne) {
  KitTestServer server;
  auto stub = server.NewStub();
  EchoRequest request;
  request.set_text("on the executor");
  EchoResponse response;
  grpc::ClientContext ok;
  ASSERT_TRUE(stub->EchoBlocking(&ok, request, &response).ok());
  EXPECT_EQ(response.text(), "on the executor");
  EXPECT_EQ(response.request_id().size(), 36u);
  request.set_text(std::string(101, 'x'));
  grpc::ClientContext bad;
  EXPECT_EQ(stub->EchoBlocking(&bad, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(GrpcServerTest, OversizeMessageIsResourceExhausted) {
  kit::GrpcServerOptions options;
  options.max_receive_message_bytes = 64 * 1024;
  KitTestServer server(options);
  auto stub = server.NewStub();
  grpc::ClientContext ctx;
  EchoRequest request;
  request.set_padding(std::string(65 * 1024, 'p'));
  EchoResponse response;
  EXPECT_EQ(stub->Echo(&ctx, request, &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST(GrpcServerTest, AuthenticatedMethodRefusesMissingMalformedAndUnknownTokens) {
  KitTestServer server;
  server.verifier->Add("good-token", kit::Caller{"0190a3c4-0000-7000-8000-000000000001", {}});
  auto stub = server.NewStub();
  WhoAmIResponse response;

  grpc::ClientContext none;
  EXPECT_EQ(stub->WhoAmI(&none, WhoAmIRequest(), &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext malformed;
  malformed.AddMetadata("authorization", "Basic good-token");
  EXPECT_EQ(stub->WhoAmI(&malformed, WhoAmIRequest(), &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext unknown;
  unknown.AddMetadata("authorization", "Bearer forged");
  EXPECT_EQ(stub->WhoAmI(&unknown, WhoAmIRequest(), &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  grpc::ClientContext good;
  good.AddMetadata("authorization", "Bearer good-token");
  ASSERT_TRUE(stub->WhoAmI(&good, WhoAmIRequest(), &response).ok());
  EXPECT_EQ(response.user_id(), "0190a3c4-0000-7000-8000-000000000001");
}

TEST(GrpcServerTest, HealthReportsEachHostedServiceAndUnknownOnes) {
  KitTestServer server;
  auto channel = ChannelTo(server);
  EXPECT_EQ(CheckHealth(channel, "").value(), 1);
  EXPECT_EQ(CheckHealth(channel, "clipforge.testing.KitTestService").value(), 1);
  EXPECT_EQ(CheckHealth(channel, "no.such.Service").status().code(), absl::StatusCode::kNotFound);
}

TEST(GrpcServerTest, ReflectionListsServicesUnlessDisabled) {
  // ServerReflectionRequest{list_services = 7: ""}
  const std::string list_services("\x3A\x00", 2);
  const std::string method = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  {
    kit::GrpcServerOptions options;
    options.reflection = true;
    KitTestServer server(options);
    auto response = RawBidiOnce(ChannelTo(server), method, list_services);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_NE(response->find("clipforge.testing.KitTestService"), std::string::npos);
    EXPECT_NE(response->find("grpc.health.v1.Health"), std::string::npos);
  }
  {
    kit::GrpcServerOptions options;
    options.reflection = false;
    KitTestServer server(options);
    auto response = RawBidiOnce(ChannelTo(server), method, list_services);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kUnimplemented) << response.status();
  }
}

TEST(GrpcServerTest, ReflectionIsOffUnlessAskedFor) {
  EXPECT_FALSE(kit::GrpcServerOptions().reflection);
}

// A relay-only process hosts no gRPC service of its own; with reflection off
// its port still has to come up and answer health checks.
TEST(GrpcServerTest, AServerHostingNoServiceStillAnswersHealth) {
  KitTestServer pieces;  // For the logger, metrics and clocks only.
  kit::GrpcServerOptions options;
  options.address = "127.0.0.1:0";
  options.reflection = false;
  auto server = kit::GrpcServer::Start(options, {}, pieces.logger, pieces.metrics, pieces.ids,
                                       pieces.clock);
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                     grpc::InsecureChannelCredentials());
  EXPECT_EQ(CheckHealth(channel, "").value(), 1);
  (*server)->Shutdown(absl::Seconds(1));
}

TEST(GrpcServerTest, MetricsCountCallsByMethodAndCode) {
  KitTestServer server;
  auto stub = server.NewStub();
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext ctx;
    EchoResponse response;
    ASSERT_TRUE(stub->Echo(&ctx, EchoRequest(), &response).ok());
  }
  grpc::ClientContext ctx;
  WhoAmIResponse response;
  (void)stub->WhoAmI(&ctx, WhoAmIRequest(), &response);

  const HandledCounts handled = Handled(*server.registry);
  EXPECT_EQ(handled.at({"/clipforge.testing.KitTestService/Echo", "OK"}), 3);
  EXPECT_EQ(handled.at({"/clipforge.testing.KitTestService/WhoAmI", "UNAUTHENTICATED"}), 1);
}

size_t CountSeries(prometheus::Registry& registry) {
  size_t series = 0;
  for (const auto& family : registry.Collect()) series += family.metric.size();
  return series;
}

TEST(GrpcServerTest, UnknownMethodPathsShareOneMetricSeries) {
  KitTestServer server;
  auto channel = ChannelTo(server);
  // The first unknown call creates the one series all unknown calls share.
  EXPECT_EQ(RawUnaryCall(channel, "/no.such.Service/First", "").status().code(),
            absl::StatusCode::kUnimplemented);
  const size_t before = CountSeries(*server.registry);
  constexpr int kCalls = 50'000;
  const absl::Time give_up = absl::Now() + absl::Seconds(120);
  int made = 0;
  for (; made < kCalls && absl::Now() < give_up; ++made) {
    (void)RawUnaryCall(channel, "/no.such.Service/M" + std::to_string(made), "");
  }
  ASSERT_EQ(made, kCalls) << "ran out of time";
  EXPECT_EQ(CountSeries(*server.registry), before);

  const HandledCounts handled = Handled(*server.registry);
  for (const auto& [series, count] : handled) {
    EXPECT_EQ(series.first.find("no.such"), std::string::npos) << series.first;
  }
  EXPECT_EQ(handled.at({kit::kUnknownMethodLabel, "UNIMPLEMENTED"}), kCalls + 1);
}

// Waits (up to 10 s) until the server has counted a `method` call ended
// with `code`.
bool ServerEnded(KitTestServer& server, const std::string& method, const std::string& code) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (absl::Now() < give_up) {
    if (Handled(*server.registry)[{method, code}] > 0) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

constexpr int64_t kPourBytes = int64_t{64} << 20;

// Reads a Pour stream to its end; the bytes it carried.
int64_t ReadAll(grpc::ClientReader<v1::DataChunk>& reader) {
  int64_t received = 0;
  v1::DataChunk chunk;
  while (reader.Read(&chunk)) received += static_cast<int64_t>(chunk.data().size());
  return received;
}

TEST(GrpcServerTest, AStreamWhoseClientStopsReadingIsEndedAfterTheWriteTimeout) {
  KitTestServer server;
  server.service.pour_stream = {.chunk_bytes = 1 << 20, .write_timeout = absl::Milliseconds(300)};
  auto stub = server.NewStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  PourRequest request;
  request.set_bytes(kPourBytes);
  auto reader = stub->Pour(&ctx, request);
  // The client reads nothing, so the server's writes stall on flow control
  // until the write timeout ends the call.
  EXPECT_TRUE(ServerEnded(server, "/clipforge.testing.KitTestService/Pour", "CANCELLED"));
  EXPECT_LT(ReadAll(*reader), kPourBytes);
  EXPECT_FALSE(reader->Finish().ok());
}

TEST(GrpcServerTest, AStreamWhoseClientKeepsReadingGetsEverything) {
  KitTestServer server;
  server.service.pour_stream = {.chunk_bytes = 1 << 20, .write_timeout = absl::Seconds(2)};
  auto stub = server.NewStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  PourRequest request;
  request.set_bytes(kPourBytes);
  auto reader = stub->Pour(&ctx, request);
  const int64_t received = ReadAll(*reader);
  const grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(received, kPourBytes);
}

TEST(GrpcServerTest, DeadlineCapEndsCallsThatAskForNoDeadline) {
  kit::GrpcServerOptions options;
  options.observer.max_stream_deadline = absl::Milliseconds(300);
  KitTestServer server(options);
  auto stub = server.NewStub();
  grpc::ClientContext ctx;  // No deadline: gRPC would wait forever.
  const absl::Time start = absl::Now();
  auto reader = stub->Hang(&ctx, HangRequest());
  HangResponse response;
  EXPECT_FALSE(reader->Read(&response));
  const grpc::Status status = reader->Finish();
  // The server's limit is a deadline: the client learns that, not that
  // something cancelled its call.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // And the metrics say so too (the observer records once the call ends).
  const std::string hang = "/clipforge.testing.KitTestService/Hang";
  EXPECT_TRUE(ServerEnded(server, hang, "DEADLINE_EXCEEDED"));
  EXPECT_EQ((Handled(*server.registry)[{hang, "DEADLINE_EXCEEDED"}]), 1);
}

}  // namespace
}  // namespace clipforge::testing
