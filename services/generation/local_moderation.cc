#include "services/generation/local_moderation.h"

#include <memory>

#include "base/status_macros.h"

namespace clipforge::generation_service {

absl::StatusOr<Verdict> LocalModeration::CheckPrompt(const CheckOnBehalf& who, const std::string& prompt) {
  (void)who;  // CreateJob's own limits bound how often one user checks.
  const std::shared_ptr<const moderation_service::ActivePolicy> policy = policy_.Get();
  if (policy == nullptr) return absl::UnavailableError("the prompt policy is not loaded yet; retry");
  CF_ASSIGN_OR_RETURN(const moderation_service::CheckResult result,
                      policy->Check(prompt, /*locale=*/"", v1::TEXT_SURFACE_PROMPT));
  return Verdict{.decision = result.decision, .categories = result.categories};
}

absl::Status LocalModeration::RequestPromptReview(const std::string& job_id, const std::string& user_id,
                                                  const std::string& prompt, const Verdict& verdict) {
  (void)user_id;  // A case names a user as its subject only when the target is the user.
  moderation_service::CaseRecord finding{
      .target = moderation_service::TargetRef{.kind = v1::CONTENT_KIND_GENERATION_JOB, .id = job_id},
      .source = v1::CASE_SOURCE_PROMPT_FILTER,
      .categories = verdict.categories,
      .prompt = prompt};
  return review_.OpenFilterCase(finding, v1::MODERATION_DECISION_REVIEW).status();
}

absl::StatusOr<Verdict> LocalModeration::CheckVideo(const std::string& job_id, const std::string& user_id,
                                                    const v1::BlobRef& video) {
  (void)user_id;
  CF_ASSIGN_OR_RETURN(const moderation_service::MediaCheck check,
                      screening_.Screen(video.sha256(), moderation_service::TargetRef{
                                                            .kind = v1::CONTENT_KIND_GENERATION_JOB, .id = job_id}));
  Verdict verdict{.decision = check.decision, .categories = check.categories};
  verdict.frame_hashes.reserve(check.frame_hashes.size());
  for (const moderation::PdqHash& hash : check.frame_hashes) {
    verdict.frame_hashes.push_back(moderation_service::PdqBytes(hash));
  }
  return verdict;
}

absl::StatusOr<Verdict> LocalModeration::CheckImage(const std::string& user_id, const v1::BlobRef& image) {
  CF_ASSIGN_OR_RETURN(const moderation_service::MediaCheck check,
                      screening_.Screen(image.sha256(), moderation_service::TargetRef{.kind = v1::CONTENT_KIND_USER,
                                                                                      .id = user_id}));
  return Verdict{.decision = check.decision, .categories = check.categories};
}

}  // namespace clipforge::generation_service
