#include "services/clipforged/service_catalog.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clipforge/v1/moderation.grpc.pb.h"
#include "clipforge/v1/party.grpc.pb.h"
#include "clipforge/v1/users.grpc.pb.h"

namespace clipforge::clipforged {

const std::vector<std::string>& KnownServiceNames() {
  static const std::vector<std::string> kNames = {"users", "generation", "clips", "feed",
                                                  "tipping", "moderation", "party", "relay"};
  return kNames;
}

absl::StatusOr<std::set<std::string>> ParseServiceList(const std::string& list) {
  const auto& known = KnownServiceNames();
  if (absl::StripAsciiWhitespace(list) == "all") return std::set<std::string>(known.begin(), known.end());
  std::set<std::string> selected;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    const std::string name(absl::StripAsciiWhitespace(part));
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError(absl::StrCat("--services: unknown service '", name,
                                                     "' (known: all, ", absl::StrJoin(known, ", "), ")"));
    }
    selected.insert(name);
  }
  if (selected.empty()) return absl::InvalidArgumentError("--services: name at least one service");
  return selected;
}

template <typename Api>
void ServiceCatalog::Host() {
  auto service = std::make_unique<typename Api::CallbackService>();
  hosted_.push_back({std::string(Api::service_full_name()), service.get(), /*built=*/false});
  owned_.push_back(std::move(service));
}

ServiceCatalog::ServiceCatalog(const std::set<std::string>& selected,
                               const std::map<std::string, std::vector<kit::HostedService>>& implemented) {
  for (const auto& [name, services] : implemented) {
    if (selected.contains(name)) hosted_.insert(hosted_.end(), services.begin(), services.end());
  }
  const auto unbuilt = [&](const char* name) { return selected.contains(name) && !implemented.contains(name); };
  // Each issue implements its service and drops its line here.
  if (unbuilt("users")) Host<v1::UsersService>();
  if (unbuilt("moderation")) Host<v1::ModerationService>();
  if (unbuilt("party")) Host<v1::PartyService>();
}

}  // namespace clipforge::clipforged
