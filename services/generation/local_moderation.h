// ContentChecks answered by the moderation service hosted in the same
// process (the one-command deployment and the tests): the prompt policy
// and the media filter are called directly, with no network hop and no
// service credential. A deployment that runs generation apart from
// moderation needs a gRPC client behind the same interface (not built yet).
#pragma once

#include "services/generation/content_checks.h"
#include "services/moderation/active_policy.h"
#include "services/moderation/media_screening.h"
#include "services/moderation/review_logic.h"

namespace clipforge::generation_service {

class LocalModeration final : public ContentChecks {
 public:
  // Neither is owned.
  LocalModeration(const moderation_service::ActivePolicyHolder& policy,
                  moderation_service::MediaScreening& screening, moderation_service::ReviewLogic& review)
      : policy_(policy), screening_(screening), review_(review) {}

  absl::StatusOr<Verdict> CheckPrompt(const CheckOnBehalf& who, const std::string& prompt) override;
  absl::Status RequestPromptReview(const std::string& job_id, const std::string& user_id, const std::string& prompt,
                                   const Verdict& verdict) override;
  absl::StatusOr<Verdict> CheckVideo(const std::string& job_id, const std::string& user_id,
                                     const v1::BlobRef& video) override;
  absl::StatusOr<Verdict> CheckImage(const std::string& user_id, const v1::BlobRef& image) override;

 private:
  const moderation_service::ActivePolicyHolder& policy_;
  moderation_service::MediaScreening& screening_;
  moderation_service::ReviewLogic& review_;
};

}  // namespace clipforge::generation_service
