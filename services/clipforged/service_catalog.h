// The services clipforged can host, by the names used in --services. A
// service whose issue has not landed is hosted as its generated base class,
// which answers UNIMPLEMENTED for every method.
#pragma once

#include <map>
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

// The gRPC services for the selected names: the implemented ones as given,
// the rest as their generated bases (owned here).
class ServiceCatalog {
 public:
  ServiceCatalog(const std::set<std::string>& selected,
                 const std::map<std::string, std::vector<kit::HostedService>>& implemented);
  const std::vector<kit::HostedService>& hosted() const { return hosted_; }

 private:
  // Hosts the generated base of `Api` (every method UNIMPLEMENTED).
  template <typename Api>
  void Host();

  std::vector<std::unique_ptr<grpc::Service>> owned_;
  std::vector<kit::HostedService> hosted_;
};

}  // namespace clipforge::clipforged
