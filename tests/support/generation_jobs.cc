#include "tests/support/generation_jobs.h"

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"
#include "services/kit/proto_time.h"

namespace clipforge::testing {

v1::JobSpec DraftSpec(const std::string& prompt, const std::string& remix_of) {
  v1::JobSpec spec;
  spec.set_prompt(prompt);
  spec.set_seconds(4);
  spec.set_size("720x1280");
  spec.set_seed(7);
  spec.set_quality(v1::GENERATION_QUALITY_DRAFT);
  spec.set_remix_of_clip_id(remix_of);
  return spec;
}

namespace {

// The placeholder bytes of one output of `job_id`.
std::string PlaceholderOf(const std::string& job_id, const char* kind) { return absl::StrCat(kind, " of ", job_id); }

constexpr const char* kKinds[] = {"video", "thumbnail", "provenance"};

}  // namespace

v1::JobOutputs OutputsOf(const std::string& job_id) {
  v1::JobOutputs outputs;
  const auto blob = [&](v1::BlobRef* ref, const char* kind, const char* type) {
    const std::string bytes = PlaceholderOf(job_id, kind);
    ref->set_sha256(base::Sha256Hex(bytes));
    ref->set_content_type(type);
    ref->set_size_bytes(static_cast<int64_t>(bytes.size()));
  };
  blob(outputs.mutable_video(), kKinds[0], "video/mp4");
  blob(outputs.mutable_thumbnail(), kKinds[1], "image/jpeg");
  blob(outputs.mutable_provenance(), kKinds[2], "application/c2pa");
  outputs.set_width(720);
  outputs.set_height(1280);
  *outputs.mutable_duration() = kit::ToDuration(absl::Seconds(4));
  return outputs;
}

absl::Status StoreOutputs(const kit::BlobStore& blobs, const std::string& job_id) {
  for (const char* kind : kKinds) {
    absl::StatusOr<std::string> stored = blobs.Put(PlaceholderOf(job_id, kind));
    if (!stored.ok()) return stored.status();
  }
  return absl::OkStatus();
}

generation_service::JobRecord JobIn(v1::JobStatus status, const std::string& job_id, const std::string& user_id,
                                    const v1::JobSpec& spec, absl::Time now) {
  generation_service::JobRecord job;
  job.job_id = job_id;
  job.user_id = user_id;
  job.request_id = job_id;
  job.status = status;
  job.spec = spec;
  job.renderer = "procedural-1";
  job.seconds = spec.seconds();
  job.pixels = 720 * 1280;
  job.quality = spec.quality();
  job.quota_seconds = spec.seconds();
  job.fingerprint = base::Sha256Hex(job_id);
  job.create_time = job.update_time = now;
  if (status == v1::JOB_STATUS_COMPLETED) {
    job.outputs = OutputsOf(job_id);
    job.progress_percent = 100;
    job.finish_time = now;
  }
  return job;
}

}  // namespace clipforge::testing
