// What the generation logic asks moderation: is this prompt allowed, is
// this rendered video allowed. ModerationClient (moderation_client.h)
// answers over gRPC; unit tests answer from a table.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clipforge/v1/common.pb.h"

namespace clipforge::generation_service {

struct Verdict {
  v1::ModerationDecision decision = v1::MODERATION_DECISION_ALLOW;
  std::vector<v1::ModerationCategory> categories;
  // CheckVideo only: the PDQ hashes (32 bytes each, as PdqBytes writes
  // them) of the frames the media filter sampled once a second, in order,
  // for the feed's near-duplicate search. Empty for prompts and images,
  // and when not computed.
  std::vector<std::string> frame_hashes;
};

// The categories' enum names, comma-separated ("" for none).
std::string CategoryNames(const std::vector<v1::ModerationCategory>& categories);

// What a BLOCK verdict on the content in `field` answers:
// FAILED_PRECONDITION with `reason`, naming the categories.
absl::Status BlockedByPolicy(absl::string_view field, absl::string_view reason, const Verdict& verdict);

// Who a prompt check is for: moderation rate-limits checks per user, so
// the user's own credentials travel with it (opaque here).
struct CheckOnBehalf {
  std::string user_id;
  std::string authorization;  // The caller's "authorization" metadata.
};

class ContentChecks {
 public:
  virtual ~ContentChecks() = default;
  virtual absl::StatusOr<Verdict> CheckPrompt(const CheckOnBehalf& who, const std::string& prompt) = 0;
  // Puts the prompt of job `job_id` (owned by `user_id`), which the filter
  // said REVIEW, before a moderator; their decision comes back as a
  // clipforge.moderation.decided event about the job. Asking again for the
  // same job is harmless (one open case per job).
  virtual absl::Status RequestPromptReview(const std::string& job_id, const std::string& user_id,
                                           const std::string& prompt, const Verdict& verdict) = 0;
  // The rendered video of `job_id` (owned by `user_id`), stored as `video`.
  virtual absl::StatusOr<Verdict> CheckVideo(const std::string& job_id, const std::string& user_id,
                                             const v1::BlobRef& video) = 0;
  // An image `user_id` uploaded (a sticker, an avatar), stored as `image`;
  // anything not allowed opens a case about the user.
  virtual absl::StatusOr<Verdict> CheckImage(const std::string& user_id, const v1::BlobRef& image) = 0;
};

}  // namespace clipforge::generation_service
