#include "tests/support/error_reason.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace clipforge::testing {

std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status rich;
  google::rpc::ErrorInfo info;
  if (!rich.ParseFromString(status.error_details()) || rich.details_size() != 1 ||
      !rich.details(0).UnpackTo(&info)) {
    return "";
  }
  return info.reason();
}

}  // namespace clipforge::testing
