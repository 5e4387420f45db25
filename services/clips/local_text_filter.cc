#include "services/clips/local_text_filter.h"

#include "base/status_macros.h"

namespace clipforge::clips_service {

absl::StatusOr<TextVerdict> LocalTextFilter::Check(const std::string& text, v1::TextSurface surface) {
  const std::shared_ptr<const moderation_service::ActivePolicy> policy = policy_.Get();
  if (policy == nullptr) return absl::UnavailableError("the text policy is not loaded yet; retry");
  CF_ASSIGN_OR_RETURN(const moderation_service::CheckResult result, policy->Check(text, /*locale=*/"", surface));
  // REVIEW shows the text: a comment held back until a moderator looks
  // would be a conversation held back with it.
  return TextVerdict{.blocked = result.decision == v1::MODERATION_DECISION_BLOCK, .categories = result.categories};
}

}  // namespace clipforge::clips_service
