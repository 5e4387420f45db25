#include "services/kit/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

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
  if (IsServerFault(status.code())) {
    std::string text(ServerFaultText(status.code()));
    if (!request_id.empty()) absl::StrAppend(&text, " (request_id ", request_id, ")");
    return grpc::Status(code, text);
  }
  return grpc::Status(code, std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace clipforge::kit
