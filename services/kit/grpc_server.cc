#include "services/kit/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/resource_quota.h>

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <climits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clipforge::kit {
namespace {

// The paths this server serves: the hosted services' methods (from their
// compiled-in descriptors), health and reflection.
absl::flat_hash_set<std::string> KnownMethods(const GrpcServerOptions& options,
                                              const std::vector<HostedService>& services) {
  absl::flat_hash_set<std::string> known = {"/grpc.health.v1.Health/Check",
                                            "/grpc.health.v1.Health/Watch"};
  if (options.reflection) {
    known.insert("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");
  }
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const HostedService& hosted : services) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(hosted.name);
    if (service == nullptr) continue;  // Its calls are then labelled unknown.
    for (int i = 0; i < service->method_count(); ++i) {
      known.insert(absl::StrCat("/", service->full_name(), "/", service->method(i)->name()));
    }
  }
  return known;
}

// gRPC's duration arguments are int milliseconds; longer ones saturate.
int Millis(absl::Duration d) {
  return static_cast<int>(std::clamp<int64_t>(absl::ToInt64Milliseconds(d), 0, INT_MAX));
}

void ApplyTransportLimits(const TransportLimits& limits, grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, limits.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, Millis(limits.max_connection_idle));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, Millis(limits.max_connection_age));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             Millis(limits.max_connection_age_grace));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             Millis(limits.min_client_ping_interval));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, limits.max_ping_strikes);
  grpc::ResourceQuota quota("clipforged-transport");
  quota.Resize(static_cast<size_t>(limits.memory_quota_bytes));
  quota.SetMaxThreads(limits.max_threads);
  builder.SetResourceQuota(quota);
}

// Puts server reflection on this one builder, or keeps it off. gRPC's own
// switch (InitProtoReflectionServerBuilderPlugin) is process-wide and cannot
// be undone, so a server that wants it off could not have it off.
class ReflectionOption final : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool enabled) : enabled_(enabled) {}
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    const std::string reflection = grpc::reflection::ProtoServerReflectionPlugin().name();
    std::erase_if(*plugins, [&](const auto& plugin) { return plugin->name() == reflection; });
    if (enabled_) plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
  }

 private:
  bool enabled_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const GrpcServerOptions& options, const std::vector<HostedService>& services,
    Logger& logger, RpcMetrics& metrics, base::UuidV7Generator& ids, const base::Clock& clock) {
  // A process-wide switch that must be set before the builder.
  grpc::EnableDefaultHealthCheckService(true);

  auto server = std::unique_ptr<GrpcServer>(new GrpcServer());
  server->cap_ = std::make_unique<DeadlineCap>(clock);

  grpc::ServerBuilder builder;
  // TLS when the options carry credentials; plaintext otherwise (loopback,
  // or TLS terminated at the mesh/ingress).
  builder.AddListeningPort(
      options.address,
      options.credentials != nullptr ? options.credentials : grpc::InsecureServerCredentials(),
      &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  ApplyTransportLimits(options.transport, builder);
  for (const HostedService& hosted : services) builder.RegisterService(hosted.service);
  builder.SetOption(std::make_unique<ReflectionOption>(options.reflection));
  if (services.empty() && !options.reflection) {
    // Nothing then needs a polled completion queue and gRPC refuses to
    // start; health still has to answer (a relay-only pod). This queue only
    // ever sees the server's shutdown, which Shutdown drains.
    server->idle_queue_ = builder.AddCompletionQueue(/*is_frequently_polled=*/true);
  }

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<CallObserverFactory>(
      options.observer, KnownMethods(options, services), logger, metrics, ids, *server->cap_,
      clock));
  builder.experimental().SetInterceptorCreators(std::move(factories));

  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("grpc: cannot listen on ", options.address));
  }
  grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService();
  for (const HostedService& hosted : services) {
    if (hosted.built) server->built_.push_back(hosted.name);
  }
  server->SetServing(true);
  health->SetServingStatus(true);
  return server;
}

void GrpcServer::SetServing(bool serving) {
  // After Shutdown the health service refuses changes (stays NOT_SERVING).
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  for (const std::string& name : built_) health->SetServingStatus(name, serving);
}

GrpcServer::~GrpcServer() { Shutdown(absl::ZeroDuration()); }

void GrpcServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->Shutdown();  // Everything reports NOT_SERVING.
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  server_->Wait();
  if (idle_queue_ != nullptr) {
    idle_queue_->Shutdown();
    void* tag;
    bool ok;
    while (idle_queue_->Next(&tag, &ok)) {
    }
  }
}

}  // namespace clipforge::kit
