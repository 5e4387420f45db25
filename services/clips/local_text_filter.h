// TextFilter answered by the moderation service hosted in the same process:
// its live prompt policy is called directly. A deployment that runs clips
// apart from moderation needs a gRPC client behind the same interface (not
// built yet).
#pragma once

#include "services/clips/text_filter.h"
#include "services/moderation/active_policy.h"

namespace clipforge::clips_service {

class LocalTextFilter final : public TextFilter {
 public:
  // Not owned.
  explicit LocalTextFilter(const moderation_service::ActivePolicyHolder& policy) : policy_(policy) {}

  absl::StatusOr<TextVerdict> Check(const std::string& text, v1::TextSurface surface) override;

 private:
  const moderation_service::ActivePolicyHolder& policy_;
};

}  // namespace clipforge::clips_service
