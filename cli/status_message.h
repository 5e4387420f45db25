// Adding to a failure's message on its way up, e.g. what the user can do
// next, without losing what rides along with it (the exit code and the
// server's reason, see errors.h).
#pragma once

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace clipforge::cli {

// `status` with `suffix` appended to its message; its code and payloads kept.
// OK stays OK.
inline absl::Status WithMessageSuffix(const absl::Status& status, absl::string_view suffix) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(status.message(), suffix));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace clipforge::cli
