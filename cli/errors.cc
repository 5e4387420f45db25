#include "cli/errors.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace clipforge::cli {
namespace {

constexpr absl::string_view kExitPayload = "type.clipforge.dev/cli.ExitCode";
constexpr absl::string_view kReasonPayload = "type.clipforge.dev/cli.Reason";

bool IsLetter(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); }

// Seconds named in free text: "in 30 s", "30s", "30 seconds", "2 minutes".
int64_t SecondsInMessage(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) continue;
    if (i > 0 && (absl::ascii_isdigit(static_cast<unsigned char>(text[i - 1])) ||
                  IsLetter(text[i - 1]) || text[i - 1] == '.')) {
      continue;
    }
    size_t end = i;
    while (end < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[end]))) ++end;
    int64_t number = 0;
    if (!absl::SimpleAtoi(text.substr(i, end - i), &number)) continue;
    size_t unit = end;
    while (unit < text.size() && text[unit] == ' ') ++unit;
    size_t unit_end = unit;
    while (unit_end < text.size() && IsLetter(text[unit_end])) ++unit_end;
    const std::string word = absl::AsciiStrToLower(text.substr(unit, unit_end - unit));
    if (word == "s" || word == "sec" || word == "secs" || word == "second" || word == "seconds") {
      return number;
    }
    if (word == "min" || word == "mins" || word == "minute" || word == "minutes") {
      return number * 60;
    }
    i = end;
  }
  return -1;
}

int64_t CeilSeconds(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return 0;
  return static_cast<int64_t>(std::ceil(absl::FDivDuration(d, absl::Seconds(1))));
}

std::string Violations(const v1::ErrorDetail& detail) {
  std::vector<std::string> parts;
  for (const v1::FieldViolation& v : detail.field_violations()) {
    const std::string& why = v.description().empty() ? v.reason() : v.description();
    parts.push_back(v.field().empty() ? why : absl::StrCat(v.field(), ": ", why));
  }
  return absl::StrJoin(parts, "; ");
}

// "the server said" part: the server's message, or the code when it is empty.
std::string ServerText(const RpcFailure& f) {
  if (!f.message.empty()) return f.message;
  return CodeName(static_cast<absl::StatusCode>(f.code));
}

std::string RateLimitText(const RpcFailure& f, absl::Time now) {
  const v1::LimitExceeded& limit = f.detail.limit_exceeded();
  const int64_t seconds = RetryAfterSeconds(f, now);
  const bool named_quota =
      !limit.limit().empty() && limit.limit().find("attempt") == std::string::npos;
  std::string text = named_quota ? absl::StrCat("limit reached (", limit.limit(), ": ",
                                                limit.used_value(), " of ", limit.limit_value(),
                                                limit.unit().empty() || limit.unit() == "count"
                                                    ? ""
                                                    : absl::StrCat(" ", limit.unit()),
                                                ")")
                                 : std::string("too many attempts");
  if (seconds >= 0) return absl::StrCat(text, "; try again in ", seconds, " s");
  return absl::StrCat(text, "; try again later (", ServerText(f), ")");
}

// A connection that failed for TLS reasons: an untrusted certificate, a
// handshake with a server that does not speak TLS, or a plaintext client
// cut off by a TLS server. gRPC reports all of them as UNAVAILABLE in its
// own words, which would otherwise read as "cannot reach the server".
std::optional<std::string> TransportMismatch(const RpcFailure& f, const DescribeOptions& options) {
  if (f.code != grpc::StatusCode::UNAVAILABLE) return std::nullopt;
  const std::string message = absl::AsciiStrToLower(f.message);
  if (options.tls) {
    if (absl::StrContains(message, "certificate_verify_failed") ||
        absl::StrContains(message, "certificate verify failed")) {
      return absl::StrCat("the server at ", options.server,
                          " presented a TLS certificate that is not trusted: pass --ca-file=FILE "
                          "naming the CA that signed it (or set CLIPFORGE_CA_FILE)");
    }
    if (absl::StrContains(message, "handshake") || absl::StrContains(message, "ssl")) {
      return absl::StrCat("the TLS handshake with the server at ", options.server,
                          " failed (if the server does not use TLS, pass --plaintext): ",
                          f.message);
    }
    return std::nullopt;
  }
  if (absl::StrContains(message, "socket closed") || absl::StrContains(message, "connection reset") ||
      absl::StrContains(message, "end of file") || absl::StrContains(message, "broken pipe")) {
    return absl::StrCat("the server at ", options.server,
                        " closed the connection: if it serves TLS, connect with TLS "
                        "(--ca-file=FILE; plaintext is the default only for loopback servers, "
                        "or with --plaintext)");
  }
  return std::nullopt;
}

}  // namespace

absl::Status WithExitCode(absl::Status status, int exit_code) {
  if (!status.ok()) status.SetPayload(kExitPayload, absl::Cord(absl::StrCat(exit_code)));
  return status;
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (!status.ok() && !reason.empty()) status.SetPayload(kReasonPayload, absl::Cord(reason));
  return status;
}

absl::Status UsageError(absl::string_view message) {
  return WithExitCode(absl::InvalidArgumentError(message), kExitUsage);
}

absl::Status NotLoggedInError(absl::string_view message) {
  return WithExitCode(absl::UnauthenticatedError(message), kExitNotLoggedIn);
}

int ExitCodeOf(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (const auto payload = status.GetPayload(kExitPayload)) {
    int code = 0;
    if (absl::SimpleAtoi(std::string(*payload), &code)) return code;
  }
  return absl::IsUnauthenticated(status) ? kExitNotLoggedIn : kExitFailure;
}

std::string ReasonOf(const absl::Status& status) {
  if (const auto payload = status.GetPayload(kReasonPayload)) return std::string(*payload);
  return "";
}

std::string CodeName(absl::StatusCode code) { return absl::StatusCodeToString(code); }

int64_t RetryAfterSeconds(const RpcFailure& failure, absl::Time now) {
  const v1::ErrorDetail& detail = failure.detail;
  if (detail.has_retry_after()) {
    return CeilSeconds(absl::Seconds(detail.retry_after().seconds()) +
                       absl::Nanoseconds(detail.retry_after().nanos()));
  }
  if (detail.limit_exceeded().has_reset_time()) {
    const auto& t = detail.limit_exceeded().reset_time();
    return CeilSeconds(absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos()) - now);
  }
  return SecondsInMessage(failure.message);
}

absl::Status DescribeRpcFailure(const RpcFailure& f, const DescribeOptions& options) {
  const absl::StatusCode code = static_cast<absl::StatusCode>(f.code);
  const std::string& reason = f.detail.reason();
  const auto described = [&](std::string message) {
    return WithReason(absl::Status(code, message), reason);
  };
  const std::string unreachable =
      absl::StrCat("cannot reach the server at ", options.server, " (is `scripts/run` running?)");
  if (std::optional<std::string> tls = TransportMismatch(f, options)) return described(*tls);

  switch (f.code) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::INVALID_ARGUMENT: {
      const std::string violations = Violations(f.detail);
      return described(absl::StrCat("invalid input: ", violations.empty() ? ServerText(f) : violations));
    }
    case grpc::StatusCode::UNAUTHENTICATED:
      if (reason == "BAD_CREDENTIALS") {
        return WithExitCode(described("wrong handle, email or password"), kExitFailure);
      }
      return WithExitCode(described("not logged in — run `clipforge login`"), kExitNotLoggedIn);
    case grpc::StatusCode::PERMISSION_DENIED:
      if (reason == "BAD_PASSWORD" || absl::StrContains(f.message, "BAD_PASSWORD") ||
          absl::StartsWith(f.message, "password:")) {
        return described("wrong password");
      }
      return described(absl::StrCat("permission denied: ", ServerText(f)));
    case grpc::StatusCode::NOT_FOUND:
      return described(absl::StrCat("not found: ", ServerText(f)));
    case grpc::StatusCode::ALREADY_EXISTS:
      // Servers without an ErrorDetail name the field first ("handle: is taken").
      if (reason == "HANDLE_TAKEN" || (reason.empty() && absl::StartsWith(f.message, "handle"))) {
        return described("that handle is taken");
      }
      if (reason == "EMAIL_TAKEN" || (reason.empty() && absl::StartsWith(f.message, "email"))) {
        return described("that email address is already registered");
      }
      if (reason == "REQUEST_ID_REUSED" ||
          (reason.empty() && absl::StartsWith(f.message, "request_id"))) {
        return described(absl::StrCat("request id reused with different parameters: ", ServerText(f)));
      }
      return described(absl::StrCat("already exists: ", ServerText(f)));
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return described(RateLimitText(f, options.now));
    case grpc::StatusCode::FAILED_PRECONDITION:
      if (reason == "BLOCKED") return described("not allowed: one of you blocks the other");
      if (reason == "LAST_ADMIN") {
        return described("you are the last admin: grant ROLE_ADMIN to someone else first");
      }
      return described(absl::StrCat("not possible right now: ", ServerText(f)));
    case grpc::StatusCode::ABORTED:
      return described(absl::StrCat("conflict, try again: ", ServerText(f)));
    case grpc::StatusCode::UNAVAILABLE:
      if (!f.reached_server) return described(unreachable);
      return described(absl::StrCat("the server is unavailable, try again: ", ServerText(f)));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      if (!f.reached_server) return described(unreachable);
      return described(absl::StrCat("the server did not answer within ",
                                    absl::FormatDuration(options.timeout)));
    case grpc::StatusCode::UNIMPLEMENTED:
      return described(absl::StrCat("the server at ", options.server,
                                    " does not support this command (UNIMPLEMENTED)"));
    case grpc::StatusCode::CANCELLED:
      return described("cancelled");
    default:
      return described(absl::StrCat("server error (", CodeName(code), "): ", ServerText(f)));
  }
}

}  // namespace clipforge::cli
