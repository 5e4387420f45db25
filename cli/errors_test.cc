#include "cli/errors.h"

#include <gtest/gtest.h>

namespace clipforge::cli {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1714564800);

absl::Status Describe(grpc::StatusCode code, std::string message, v1::ErrorDetail detail = {},
                      bool reached = true) {
  RpcFailure failure;
  failure.code = code;
  failure.message = std::move(message);
  failure.detail = std::move(detail);
  failure.reached_server = reached;
  return DescribeRpcFailure(failure, {.server = "127.0.0.1:50051", .now = kNow});
}

TEST(ErrorsTest, ExitCodes) {
  EXPECT_EQ(ExitCodeOf(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeOf(absl::NotFoundError("x")), kExitFailure);
  EXPECT_EQ(ExitCodeOf(absl::InvalidArgumentError("x")), kExitFailure);
  EXPECT_EQ(ExitCodeOf(UsageError("x")), kExitUsage);
  EXPECT_EQ(ExitCodeOf(absl::UnauthenticatedError("x")), kExitNotLoggedIn);
  EXPECT_EQ(ExitCodeOf(NotLoggedInError("x")), kExitNotLoggedIn);
  EXPECT_EQ(ExitCodeOf(WithExitCode(absl::UnauthenticatedError("x"), kExitFailure)), kExitFailure);
  EXPECT_EQ(CodeName(absl::StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
}

TEST(ErrorsTest, InvalidInputNamesTheFields) {
  v1::ErrorDetail detail;
  auto* v = detail.add_field_violations();
  v->set_field("handle");
  v->set_reason("TOO_SHORT");
  v->set_description("must be 3-30 characters");
  const absl::Status status = Describe(grpc::StatusCode::INVALID_ARGUMENT, "bad request", detail);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "invalid input: handle: must be 3-30 characters");
  EXPECT_EQ(ExitCodeOf(status), kExitFailure);
  EXPECT_EQ(Describe(grpc::StatusCode::INVALID_ARGUMENT, "email: must contain one @").message(),
            "invalid input: email: must contain one @");
}

TEST(ErrorsTest, UnreachableServerSaysWhere) {
  const absl::Status status =
      Describe(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses", {}, false);
  EXPECT_EQ(status.message(),
            "cannot reach the server at 127.0.0.1:50051 (is `scripts/run` running?)");
  EXPECT_EQ(ExitCodeOf(status), kExitFailure);
  EXPECT_EQ(Describe(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded", {}, false).message(),
            status.message());
  EXPECT_EQ(Describe(grpc::StatusCode::UNAVAILABLE, "database is down").message(),
            "the server is unavailable, try again: database is down");
}

// gRPC's own words for TLS failures (as gRPC 1.51 on OpenSSL 3 writes them)
// read as TLS problems, not as an unreachable server.
TEST(ErrorsTest, TlsMismatchesAreNamed) {
  const auto describe = [](absl::string_view message, bool tls) {
    RpcFailure failure;
    failure.code = grpc::StatusCode::UNAVAILABLE;
    failure.message = std::string(message);
    failure.reached_server = false;
    return DescribeRpcFailure(failure, {.server = "api.example:443", .now = kNow, .tls = tls});
  };
  absl::Status s = describe(
      "failed to connect to all addresses; last error: UNKNOWN: ipv4:10.0.0.1:443: Ssl handshake "
      "failed: SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed",
      /*tls=*/true);
  EXPECT_NE(s.message().find("not trusted"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("--ca-file"), absl::string_view::npos) << s;
  s = describe("failed to connect to all addresses; last error: UNKNOWN: ipv4:10.0.0.1:443: Ssl "
               "handshake failed: SSL_ERROR_SSL: error:0A00010B:SSL routines::wrong version number",
               /*tls=*/true);
  EXPECT_NE(s.message().find("--plaintext"), absl::string_view::npos) << s;
  s = describe("failed to connect to all addresses; last error: UNAVAILABLE: ipv4:10.0.0.1:443: "
               "Socket closed",
               /*tls=*/false);
  EXPECT_NE(s.message().find("TLS"), absl::string_view::npos) << s;
  // Plain refusals stay "cannot reach".
  s = describe("failed to connect to all addresses; last error: UNKNOWN: ipv4:10.0.0.1:443: "
               "Failed to connect to remote host: Connection refused",
               /*tls=*/true);
  EXPECT_NE(s.message().find("cannot reach"), absl::string_view::npos) << s;
}

TEST(ErrorsTest, UnauthenticatedMeansLogIn) {
  const absl::Status status = Describe(grpc::StatusCode::UNAUTHENTICATED, "token expired");
  EXPECT_EQ(status.message(), "not logged in — run `clipforge login`");
  EXPECT_EQ(ExitCodeOf(status), kExitNotLoggedIn);
  v1::ErrorDetail detail;
  detail.set_reason("BAD_CREDENTIALS");
  const absl::Status bad = Describe(grpc::StatusCode::UNAUTHENTICATED, "", detail);
  EXPECT_EQ(bad.message(), "wrong handle, email or password");
  EXPECT_EQ(ExitCodeOf(bad), kExitFailure);
  EXPECT_EQ(ReasonOf(bad), "BAD_CREDENTIALS");
}

TEST(ErrorsTest, ReasonsBecomePlainWords) {
  v1::ErrorDetail detail;
  detail.set_reason("HANDLE_TAKEN");
  const absl::Status taken = Describe(grpc::StatusCode::ALREADY_EXISTS, "handle exists", detail);
  EXPECT_EQ(taken.message(), "that handle is taken");
  EXPECT_EQ(ReasonOf(taken), "HANDLE_TAKEN");
  detail.set_reason("BAD_PASSWORD");
  EXPECT_EQ(Describe(grpc::StatusCode::PERMISSION_DENIED, "", detail).message(), "wrong password");
  EXPECT_EQ(Describe(grpc::StatusCode::PERMISSION_DENIED, "admins only").message(),
            "permission denied: admins only");
  EXPECT_EQ(Describe(grpc::StatusCode::NOT_FOUND, "user not found").message(),
            "not found: user not found");
  EXPECT_EQ(Describe(grpc::StatusCode::UNIMPLEMENTED, "").message(),
            "the server at 127.0.0.1:50051 does not support this command (UNIMPLEMENTED)");
  EXPECT_EQ(ReasonOf(Describe(grpc::StatusCode::INTERNAL, "boom")), "");
}

TEST(ErrorsTest, FieldFirstMessagesWorkWithoutADetail) {
  EXPECT_EQ(Describe(grpc::StatusCode::ALREADY_EXISTS, "handle: is taken").message(),
            "that handle is taken");
  EXPECT_EQ(Describe(grpc::StatusCode::ALREADY_EXISTS, "email: is already registered").message(),
            "that email address is already registered");
  EXPECT_EQ(Describe(grpc::StatusCode::PERMISSION_DENIED, "password: incorrect (BAD_PASSWORD)")
                .message(),
            "wrong password");
  EXPECT_EQ(Describe(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "too many login attempts; retry in 17 s").message(),
            "too many attempts; try again in 17 s");
}

TEST(ErrorsTest, RateLimitsSayWhenToRetry) {
  v1::ErrorDetail detail;
  detail.mutable_retry_after()->set_seconds(29);
  detail.mutable_retry_after()->set_nanos(500000000);
  EXPECT_EQ(Describe(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down", detail).message(),
            "too many attempts; try again in 30 s");

  v1::ErrorDetail reset;
  reset.mutable_limit_exceeded()->set_limit("exports_per_day");
  reset.mutable_limit_exceeded()->set_limit_value(3);
  reset.mutable_limit_exceeded()->set_used_value(3);
  reset.mutable_limit_exceeded()->set_unit("count");
  reset.mutable_limit_exceeded()->mutable_reset_time()->set_seconds(absl::ToUnixSeconds(kNow) + 3600);
  EXPECT_EQ(Describe(grpc::StatusCode::RESOURCE_EXHAUSTED, "", reset).message(),
            "limit reached (exports_per_day: 3 of 3); try again in 3600 s");

  EXPECT_EQ(Describe(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "login_attempts: too many attempts, retry in 45s").message(),
            "too many attempts; try again in 45 s");
  EXPECT_EQ(Describe(grpc::StatusCode::RESOURCE_EXHAUSTED, "quota").message(),
            "too many attempts; try again later (quota)");
}

TEST(ErrorsTest, RetryAfterSecondsReadsMessages) {
  const auto from = [](std::string message) {
    RpcFailure f;
    f.message = std::move(message);
    return RetryAfterSeconds(f, kNow);
  };
  EXPECT_EQ(from("try again in 12 s"), 12);
  EXPECT_EQ(from("wait 7 seconds"), 7);
  EXPECT_EQ(from("retry in 2 minutes"), 120);
  EXPECT_EQ(from("ipv4:127.0.0.1:50051 refused"), -1);
  EXPECT_EQ(from("v2s is not a time"), -1);
  EXPECT_EQ(from("3 attempts, 60s left"), 60);
}

TEST(ErrorsTest, EveryCodeGivesOneLine) {
  for (int code = 1; code <= 16; ++code) {
    const absl::Status status = Describe(static_cast<grpc::StatusCode>(code), "why");
    EXPECT_EQ(static_cast<int>(status.code()), code);
    EXPECT_FALSE(status.message().empty());
    EXPECT_EQ(status.message().find('\n'), absl::string_view::npos);
    EXPECT_EQ(ExitCodeOf(status), code == 16 ? kExitNotLoggedIn : kExitFailure) << code;
  }
}

}  // namespace
}  // namespace clipforge::cli
