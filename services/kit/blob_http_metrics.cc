#include "services/kit/blob_http_metrics.h"

#include <string>

namespace clipforge::kit {

BlobHttpMetrics::BlobHttpMetrics(prometheus::Registry& registry)
    : refused_connections_(prometheus::BuildCounter()
                               .Name("clipforge_media_http_refused_connections_total")
                               .Help("Media endpoint connections closed at accept: the connection cap was reached.")
                               .Register(registry)
                               .Add({})) {
  auto& responses = prometheus::BuildCounter()
                        .Name("clipforge_media_http_responses_total")
                        .Help("Media endpoint responses by HTTP status code.")
                        .Register(registry);
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    by_status_[i] = &responses.Add({{"code", std::to_string(kStatuses[i])}});
  }
  other_status_ = &responses.Add({{"code", "other"}});
}

void BlobHttpMetrics::CountResponse(int status) {
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) {
      by_status_[i]->Increment();
      return;
    }
  }
  other_status_->Increment();
}

}  // namespace clipforge::kit
