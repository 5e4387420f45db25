// The media endpoint's counters (blob_http_server.h), built once: responses
// by status code and connections refused at the cap. The code label takes
// only the statuses the server sends, so the label set is bounded.
#pragma once

#include <array>
#include <utility>

#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace clipforge::kit {

class BlobHttpMetrics {
 public:
  explicit BlobHttpMetrics(prometheus::Registry& registry);

  // One response sent with `status` (any other status counts as "other").
  void CountResponse(int status);
  // One connection closed at accept because the server was at its cap.
  void CountRefusedConnection() { refused_connections_.Increment(); }

 private:
  static constexpr std::array<int, 10> kStatuses = {200, 206, 304, 400, 403, 404, 405, 416, 431, 500};

  std::array<prometheus::Counter*, kStatuses.size()> by_status_{};
  prometheus::Counter* other_status_ = nullptr;
  prometheus::Counter& refused_connections_;
};

}  // namespace clipforge::kit
