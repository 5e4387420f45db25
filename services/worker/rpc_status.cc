#include "services/worker/rpc_status.h"

#include <string>

#include "base/error_reason.h"
#include "clipforge/v1/common.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/kit/grpc_status.h"

namespace clipforge::worker {
namespace {

std::string ErrorDetailReason(const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  const auto it = trailers.find("clipforge-error-bin");
  if (it == trailers.end()) return "";
  v1::ErrorDetail detail;
  if (!detail.ParseFromArray(it->second.data(), static_cast<int>(it->second.size()))) return "";
  return detail.reason();
}

std::string ErrorInfoReason(const grpc::Status& status) {
  google::rpc::Status rich;
  if (status.error_details().empty() || !rich.ParseFromString(status.error_details())) return "";
  for (const google::protobuf::Any& detail : rich.details()) {
    google::rpc::ErrorInfo info;
    if (detail.UnpackTo(&info)) return info.reason();
  }
  return "";
}

}  // namespace

absl::Status StatusFromRpc(const grpc::Status& status, const grpc::ClientContext& context) {
  absl::Status converted = kit::FromGrpcStatus(status);
  if (converted.ok()) return converted;
  std::string reason = ErrorDetailReason(context);
  if (reason.empty()) reason = ErrorInfoReason(status);
  if (!reason.empty()) converted = base::WithReason(std::move(converted), reason);
  return converted;
}

bool IsLeaseLost(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition && base::ReasonOf(status) == kLeaseLostReason;
}

bool IsTransient(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable || status.code() == absl::StatusCode::kDeadlineExceeded;
}

}  // namespace clipforge::worker
