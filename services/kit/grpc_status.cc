#include "services/kit/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace clipforge::kit {
namespace {

absl::string_view ServerFaultText(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable: return "service unavailable; retry later";
    case absl::StatusCode::kUnknown: return "outcome unknown; check before retrying";
    case absl::StatusCode::kDataLoss: return "data loss";
    default: return "internal error";
  }
}

// AIP-193: the status again, with an ErrorInfo naming the reason, for the
// grpc-status-details-bin trailer. Server faults carry the request id.
std::string RichDetails(const absl::Status& status, const grpc::StatusCode code, const std::string& message,
                        absl::string_view request_id) {
  google::rpc::ErrorInfo info;
  // An error whose rule named no reason gets its code's UPPER_SNAKE name.
  info.set_reason(base::ReasonOf(status).value_or(absl::StatusCodeToString(status.code())));
  info.set_domain(std::string(kErrorDomain));
  if (!request_id.empty()) (*info.mutable_metadata())["request_id"] = std::string(request_id);
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  rich.set_message(message);
  rich.add_details()->PackFrom(info);
  return rich.SerializeAsString();
}

}  // namespace

absl::Status WithPrivateDetail(absl::Status status, absl::string_view detail) {
  if (!status.ok()) status.SetPayload(kPrivateDetailUrl, absl::Cord(detail));
  return status;
}

std::optional<std::string> PrivateDetailOf(const absl::Status& status) {
  const auto detail = status.GetPayload(kPrivateDetailUrl);
  if (!detail) return std::nullopt;
  return std::string(*detail);
}

bool IsServerFault(absl::StatusCode code) {
  return code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kDataLoss || code == absl::StatusCode::kUnavailable;
}

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view request_id) {
  if (status.ok()) return grpc::Status::OK;
  // Canonical codes share their numbers between Abseil and gRPC.
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string text(status.message());
  if (IsServerFault(status.code())) {
    text = std::string(ServerFaultText(status.code()));
    if (!request_id.empty()) absl::StrAppend(&text, " (request_id ", request_id, ")");
  }
  std::string details = RichDetails(status, code, text, request_id);
  return grpc::Status(code, std::move(text), std::move(details));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace clipforge::kit
