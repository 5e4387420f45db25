// The services clipforged can host, by the names used in --services. A
// service whose issue has not landed is hosted as its generated base class,
// which answers UNIMPLEMENTED for every method.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include <grpcpp/impl/service_type.h>

#include "services/kit/grpc_server.h"

namespace clipforge::clipforged {

// "users", "generation", "clips", "feed", "tipping", "moderation", "party",
// and "relay" (the outbox relay: a background loop, no gRPC service).
const std::vector<std::string>& KnownServiceNames();

// Parses "all" or a comma-separated list; INVALID_ARGUMENT naming an
// unknown service.
absl::StatusOr<std::set<std::string>> ParseServiceList(const std::string& list);

// Owns the gRPC service objects for the selected names.
class ServiceCatalog {
 public:
  explicit ServiceCatalog(const std::set<std::string>& selected);
  const std::vector<kit::HostedService>& hosted() const { return hosted_; }

 private:
  // Hosts the generated base of `Api` (every method UNIMPLEMENTED).
  template <typename Api>
  void Host();

  std::vector<std::unique_ptr<grpc::Service>> owned_;
  std::vector<kit::HostedService> hosted_;
};

}  // namespace clipforge::clipforged
