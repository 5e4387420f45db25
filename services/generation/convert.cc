#include "services/generation/convert.h"

#include "services/generation/api_key_logic.h"
#include "services/generation/job_inputs.h"
#include "services/kit/proto_time.h"

namespace clipforge::generation_service {

void FillJob(const JobView& view, v1::GenerationJob* out) {
  const JobRecord& job = view.job;
  out->set_job_id(job.job_id);
  out->set_user_id(job.user_id);
  *out->mutable_spec() = job.spec;
  out->set_status(job.status);
  out->set_progress_percent(job.progress_percent);
  out->set_stage(job.stage);
  out->set_queue_position(view.queue_position);
  out->set_tier(job.tier);
  if (job.status == v1::JOB_STATUS_FAILED) {
    out->mutable_failure()->set_code(job.failure_code);
    out->mutable_failure()->set_message(job.failure_message);
  }
  if (job.status == v1::JOB_STATUS_COMPLETED && job.outputs) {
    *out->mutable_outputs() = *job.outputs;
    // Up to tens of kilobytes that only the feed uses: not worth every
    // GetJob, ListJobs and WatchJob answer.
    out->mutable_outputs()->clear_frame_hashes();
  }
  *out->mutable_create_time() = kit::ToTimestamp(job.create_time);
  if (job.start_time) *out->mutable_start_time() = kit::ToTimestamp(*job.start_time);
  if (job.finish_time) *out->mutable_finish_time() = kit::ToTimestamp(*job.finish_time);
  *out->mutable_update_time() = kit::ToTimestamp(job.update_time);
  if (job.status == v1::JOB_STATUS_COMPLETED && job.finish_time) {
    *out->mutable_expire_time() = kit::ToTimestamp(*job.finish_time + kOutputRetention);
  }
}

void FillApiKey(const ApiKeyRecord& key, v1::ApiKey* out) {
  out->set_key_id(key.key_id);
  out->set_name(key.name);
  out->set_prefix(ApiKeyPrefixOf(key.key_id));
  out->set_daily_seconds(key.daily_seconds);
  *out->mutable_create_time() = kit::ToTimestamp(key.create_time);
  if (key.last_use_time) *out->mutable_last_use_time() = kit::ToTimestamp(*key.last_use_time);
  if (key.revoke_time) *out->mutable_revoke_time() = kit::ToTimestamp(*key.revoke_time);
}

void FillAssignment(const JobRecord& job, const LeaseRules& rules, v1::JobAssignment* out) {
  out->set_job_id(job.job_id);
  out->set_lease_epoch(job.lease_epoch);
  if (job.lease_expires) *out->mutable_lease_expire_time() = kit::ToTimestamp(*job.lease_expires);
  *out->mutable_heartbeat_interval() = kit::ToDuration(rules.heartbeat_interval);
  out->set_attempt(job.attempt);
  out->set_max_attempts(job.max_attempts);
  *out->mutable_spec() = job.spec;
  out->set_user_id(job.user_id);
  out->set_tier(job.tier);
  for (v1::BlobRef& input : LeaseInputs(job)) *out->add_inputs() = std::move(input);
  if (job.parent_provenance) *out->mutable_parent_provenance() = *job.parent_provenance;
}

}  // namespace clipforge::generation_service
