#include "base/error_reason.h"

#include "absl/strings/cord.h"

namespace clipforge::base {

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (!status.ok()) status.SetPayload(kErrorReasonUrl, absl::Cord(reason));
  return status;
}

std::optional<std::string> ReasonOf(const absl::Status& status) {
  const auto reason = status.GetPayload(kErrorReasonUrl);
  if (!reason) return std::nullopt;
  return std::string(*reason);
}

}  // namespace clipforge::base
