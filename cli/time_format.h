// Times as the CLI shows and stores them: RFC 3339 in UTC, whole seconds.
#pragma once

#include <string>

#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace clipforge::cli {

// "2024-05-01T12:00:00Z" (fractions of a second are dropped).
std::string FormatRfc3339(absl::Time time);
// Accepts any RFC 3339 time ("Z" or an offset, with or without fractions).
absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text);

absl::Time FromProto(const google::protobuf::Timestamp& timestamp);
google::protobuf::Timestamp ToProto(absl::Time time);
// "" for an unset timestamp.
std::string FormatProtoTime(const google::protobuf::Timestamp& timestamp);

}  // namespace clipforge::cli
