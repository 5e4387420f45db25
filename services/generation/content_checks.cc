#include "services/generation/content_checks.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/error_reason.h"

namespace clipforge::generation_service {

std::string CategoryNames(const std::vector<v1::ModerationCategory>& categories) {
  return absl::StrJoin(categories, ", ", [](std::string* out, v1::ModerationCategory category) {
    absl::StrAppend(out, v1::ModerationCategory_Name(category));
  });
}

absl::Status BlockedByPolicy(absl::string_view field, absl::string_view reason, const Verdict& verdict) {
  const std::string names = CategoryNames(verdict.categories);
  return base::WithReason(absl::FailedPreconditionError(absl::StrCat(
                              field, ": blocked by the content policy (", names.empty() ? "no category" : names, ")")),
                          reason);
}

}  // namespace clipforge::generation_service
