// The generation service's stored records: a job with its lease, an output a
// worker uploaded under a lease, and a worker credential. Proto enums and
// messages name the values (this is the service layer, not the core).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::generation_service {

struct JobRecord {
  std::string job_id;
  std::string user_id;
  std::string request_id;
  v1::JobStatus status = v1::JOB_STATUS_UNSPECIFIED;
  v1::Tier tier = v1::TIER_FREE;
  // With the seed and size always set (the server fills them in).
  v1::JobSpec spec;
  // What the queue filters on, derived from `spec`.
  std::string renderer;  // The renderer's name, e.g. "procedural-1".
  // The effect kinds it needs applied (job_inputs.h's EffectKinds).
  std::vector<std::string> effects;
  int32_t seconds = 0;
  int64_t pixels = 0;
  v1::GenerationQuality quality = v1::GENERATION_QUALITY_DRAFT;
  int32_t quota_seconds = 0;
  std::string fingerprint;  // generation::SpecFingerprint.
  std::string api_key_id;   // The API key it was created with; empty for none.
  int64_t queue_tag = 0;
  // The lease: the epoch is the fencing token of every worker call.
  int64_t lease_epoch = 0;
  std::optional<absl::Time> lease_expires;
  std::string worker_id;
  std::string lease_request_id;
  std::string lease_credential;
  int32_t attempt = 0;
  int32_t max_attempts = 3;
  int32_t progress_percent = 0;
  std::string stage;
  v1::GenerationFailureCode failure_code = v1::GENERATION_FAILURE_CODE_UNSPECIFIED;
  std::string failure_message;
  std::optional<v1::JobOutputs> outputs;
  // For a remix: the parent clip's C2PA manifest store, which the new
  // manifest names as an ingredient.
  std::optional<v1::BlobRef> parent_provenance;
  absl::Time create_time;
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> finish_time;
  absl::Time update_time;
  int64_t version = 1;

  bool finished() const {
    return status == v1::JOB_STATUS_COMPLETED || status == v1::JOB_STATUS_FAILED ||
           status == v1::JOB_STATUS_CANCELLED;
  }
};

// An output blob a worker uploaded for one lease of a job; CompleteJob may
// name only these.
struct UploadRecord {
  std::string job_id;
  int64_t lease_epoch = 0;
  v1::ContentVariant variant = v1::CONTENT_VARIANT_UNSPECIFIED;
  v1::BlobRef blob;
};

// How long an upload is kept after it was uploaded or last used by a job.
inline constexpr absl::Duration kUploadRetention = absl::Hours(24 * 7);

// A blob a user uploaded (UploadMedia), usable only by them.
struct UserUploadRecord {
  std::string user_id;
  v1::UploadKind kind = v1::UPLOAD_KIND_UNSPECIFIED;
  v1::BlobRef blob;
  absl::Time create_time;
  absl::Time expire_time;
};

// A user's API key (only its secret's hash).
struct ApiKeyRecord {
  std::string key_id;
  std::string user_id;
  std::string name;
  std::string secret_sha256;  // 32 raw bytes.
  int32_t daily_seconds = 0;  // 0: the tier's quota only.
  absl::Time create_time;
  std::optional<absl::Time> last_use_time;
  std::optional<absl::Time> revoke_time;
};

struct WorkerCredentialRecord {
  std::string credential_id;
  std::string name;
  std::string secret_sha256;  // 32 raw bytes.
  absl::Time create_time;
  std::optional<absl::Time> revoke_time;
};

// Where a page of a user's jobs starts: after this job id (ids are UUIDv7,
// so their order is creation order).
struct JobCursor {
  std::string before_job_id;
};

}  // namespace clipforge::generation_service
