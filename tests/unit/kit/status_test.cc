#include <gtest/gtest.h>

#include "services/kit/grpc_status.h"
#include "base/error_reason.h"
#include "base/status_macros.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace clipforge::kit {
namespace {

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("x: must be even");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  CF_ASSIGN_OR_RETURN(const int half, Half(x));
  CF_ASSIGN_OR_RETURN(const int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int x) {
  CF_RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, PropagateFirstError) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_EQ(Quarter(6).status().message(), "x: must be even");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).code(), absl::StatusCode::kInvalidArgument);
}

TEST(GrpcStatusTest, EveryCanonicalCodeMapsToTheSameGrpcCode) {
  for (int code = 0; code <= 16; ++code) {
    const absl::Status status(static_cast<absl::StatusCode>(code), code ? "why" : "");
    const grpc::Status grpc_status = ToGrpcStatus(status);
    EXPECT_EQ(static_cast<int>(grpc_status.error_code()), code);
    if (!IsServerFault(status.code())) {
      EXPECT_EQ(FromGrpcStatus(grpc_status), status);
    }
  }
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("clip_id: no such clip")).error_message(),
            "clip_id: no such clip");
}

TEST(GrpcStatusTest, ServerFaultsAndPrivateDetailsNeverReachTheClient) {
  const absl::Status db = WithPrivateDetail(
      absl::UnavailableError("database unavailable"),
      "could not connect to server: Connection refused. Is the server running on host \"db.internal\"");
  const grpc::Status sent = ToGrpcStatus(db, "req-42");
  EXPECT_EQ(sent.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(sent.error_message(), "service unavailable; retry later (request_id req-42)");
  EXPECT_EQ(sent.error_details().find("db.internal"), std::string::npos);
  EXPECT_EQ(ToGrpcStatus(absl::InternalError("pqxx: constraint \"x_key\"")).error_message(), "internal error");

  const absl::Status conflict =
      WithPrivateDetail(absl::AlreadyExistsError("database: conflicts with an existing row"),
                        "duplicate key value violates unique constraint \"accounts_handle_key\"");
  EXPECT_EQ(ToGrpcStatus(conflict).error_message(), "database: conflicts with an existing row");
  EXPECT_EQ(ToGrpcStatus(conflict).error_details().find("accounts_handle_key"), std::string::npos);
  EXPECT_EQ(PrivateDetailOf(conflict), "duplicate key value violates unique constraint \"accounts_handle_key\"");
  EXPECT_EQ(PrivateDetailOf(absl::NotFoundError("x")), std::nullopt);
}

// The grpc-status-details-bin payload of `sent`, unpacked.
struct Rich {
  google::rpc::Status status;
  google::rpc::ErrorInfo info;
};
Rich RichOf(const grpc::Status& sent) {
  Rich rich;
  EXPECT_TRUE(rich.status.ParseFromString(sent.error_details()));
  EXPECT_EQ(rich.status.details_size(), 1);
  if (rich.status.details_size() == 1) {
    EXPECT_TRUE(rich.status.details(0).UnpackTo(&rich.info));
  }
  return rich;
}

TEST(GrpcStatusTest, EveryErrorCarriesAnErrorInfoWithItsReasonAsAip193Asks) {
  const grpc::Status taken =
      ToGrpcStatus(base::WithReason(absl::AlreadyExistsError("handle: is taken"), "HANDLE_TAKEN"), "req-7");
  const Rich rich = RichOf(taken);
  EXPECT_EQ(rich.status.code(), static_cast<int>(grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(rich.status.message(), "handle: is taken");
  EXPECT_EQ(rich.info.reason(), "HANDLE_TAKEN");
  EXPECT_EQ(rich.info.domain(), "clipforge.dev");
  EXPECT_EQ(rich.info.metadata().at("request_id"), "req-7");

  // No reason named: the code's name. A server fault: the fixed text.
  EXPECT_EQ(RichOf(ToGrpcStatus(absl::InvalidArgumentError("handle: too short"))).info.reason(),
            "INVALID_ARGUMENT");
  const Rich fault = RichOf(ToGrpcStatus(absl::InternalError("pqxx: constraint \"x_key\""), "req-8"));
  EXPECT_EQ(fault.info.reason(), "INTERNAL");
  EXPECT_EQ(fault.status.message(), "internal error (request_id req-8)");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).error_details().empty());
}

}  // namespace
}  // namespace clipforge::kit
