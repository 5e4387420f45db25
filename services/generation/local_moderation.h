// ContentChecks answered by the moderation service hosted in the same
// process (the one-command deployment and the tests): the prompt policy
// and the media filter are called directly, with no network hop and no
// service credential. A deployment that runs generation apart from
// moderation needs a gRPC client behind the same interface (not built yet).
#pragma once

#include "services/generation/content_checks.h"
#include "services/moderation/active_policy.h"
#include "services/moderation/media_screening.h"

namespace clipforge::generation_service {

class LocalModeration final : public ContentChecks {
 public:
  // Neither is owned.
  LocalModeration(const moderation_service::ActivePolicyHolder& policy,
                  moderation_service::MediaScreening& screening)
      : policy_(policy), screening_(screening) {}

  absl::StatusOr<Verdict> CheckPrompt(const CheckOnBehalf& who, const std::string& prompt) override;
  absl::StatusOr<Verdict> CheckVideo(const std::string& job_id, const std::string& user_id,
                                     const v1::BlobRef& video) override;

 private:
  const moderation_service::ActivePolicyHolder& policy_;
  moderation_service::MediaScreening& screening_;
};

}  // namespace clipforge::generation_service
