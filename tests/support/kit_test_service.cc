#include "tests/support/kit_test_service.h"

#include <grpcpp/create_channel.h>

#include "absl/status/status.h"
#include "services/kit/call_observer.h"
#include "services/kit/grpc_status.h"
#include "base/validation.h"

namespace clipforge::testing {

absl::StatusOr<kit::Caller> StaticTokenVerifier::Verify(absl::string_view token) const {
  const auto it = tokens_.find(token);
  if (it == tokens_.end()) return absl::UnauthenticatedError("invalid token");
  return it->second;
}

namespace {

absl::Status DoEcho(grpc::CallbackServerContext* ctx, const EchoRequest* request,
                    EchoResponse* response) {
  base::FieldValidator v;
  v.Text("text", request->text(), {.max_chars = 100});
  if (!v.ok()) return v.status();
  response->set_text(request->text());
  response->set_request_id(std::string(kit::RequestIdOf(*ctx)));
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* KitTestServiceImpl::Echo(grpc::CallbackServerContext* ctx,
                                                   const EchoRequest* request,
                                                   EchoResponse* response) {
  return runner_.PublicInline(ctx, [=] { return DoEcho(ctx, request, response); });
}

grpc::ServerUnaryReactor* KitTestServiceImpl::EchoBlocking(grpc::CallbackServerContext* ctx,
                                                           const EchoRequest* request,
                                                           EchoResponse* response) {
  return runner_.Public(ctx, [=] { return DoEcho(ctx, request, response); });
}

grpc::ServerUnaryReactor* KitTestServiceImpl::WhoAmI(grpc::CallbackServerContext* ctx,
                                                     const WhoAmIRequest*,
                                                     WhoAmIResponse* response) {
  return runner_.Authenticated(ctx, [response](const kit::Caller& caller) {
    response->set_user_id(caller.user_id);
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<HangResponse>* KitTestServiceImpl::Hang(grpc::CallbackServerContext*,
                                                                 const HangRequest*) {
  // Writes nothing and finishes only when the call is cancelled.
  class Reactor final : public grpc::ServerWriteReactor<HangResponse> {
    void OnCancel() override { Finish(grpc::Status::CANCELLED); }
    void OnDone() override { delete this; }
  };
  return new Reactor();
}

grpc::ServerWriteReactor<v1::DataChunk>* KitTestServiceImpl::Pour(grpc::CallbackServerContext* ctx,
                                                                 const PourRequest* request) {
  auto* writer = new kit::ChunkWriter(ctx, pour_stream);
  writer->Send(std::string(static_cast<size_t>(request->bytes()), '\0'), "application/octet-stream");
  return writer;
}

grpc::ServerWriteReactor<v1::DataChunk>* KitTestServiceImpl::PourBlob(grpc::CallbackServerContext* ctx,
                                                                     const PourBlobRequest* request) {
  auto* writer = new kit::FileChunkWriter(ctx, pour_stream);
  // Opened in the reaction, which a service must not do (Open may block);
  // a test's local store answers at once.
  absl::StatusOr<kit::BlobFile> file = pour_blobs != nullptr
                                           ? pour_blobs->Open(request->sha256())
                                           : absl::FailedPreconditionError("no blob store to pour from");
  if (!file.ok()) {
    writer->Fail(kit::ToGrpcStatus(file.status()));
    return writer;
  }
  writer->Send(*std::move(file), request->offset(), request->length(), "application/octet-stream",
               request->sha256());
  return writer;
}

KitTestServer::KitTestServer(kit::GrpcServerOptions options, FILE* sink)
    : log_sink(sink != nullptr ? sink : std::fopen("/dev/null", "w")), logger(log_sink, clock) {
  options.address = "127.0.0.1:0";
  auto started = kit::GrpcServer::Start(
      options, {{std::string(KitTestService::service_full_name()), &service}}, logger, metrics, ids,
      clock);
  if (!started.ok()) std::abort();
  server = *std::move(started);
}

KitTestServer::~KitTestServer() {
  server->Shutdown(absl::Seconds(1));
  executor.Drain();
}

std::unique_ptr<KitTestService::Stub> KitTestServer::NewStub() const {
  return KitTestService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server->port()), grpc::InsecureChannelCredentials()));
}

}  // namespace clipforge::testing
