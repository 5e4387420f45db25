#include "services/generation/events.h"

#include "base/sha256.h"

namespace clipforge::generation_service {

v1::EventEnvelope GenerationEvents::Created(const JobRecord& job) const {
  v1::EventEnvelope event = New(kCreatedSubject, job);
  v1::GenerationCreatedEvent* created = event.mutable_generation_created();
  created->set_job_id(job.job_id);
  created->set_user_id(job.user_id);
  created->set_remix_of_clip_id(job.spec.remix_of_clip_id());
  created->set_seconds(job.seconds);
  created->set_size(job.spec.size());
  created->set_quality(job.quality);
  created->set_tier(job.tier);
  created->set_model(job.renderer);
  // Consumers learn which prompt without carrying it on the bus.
  created->set_prompt_sha256(base::Sha256Hex(job.spec.prompt()));
  created->set_pending_review(job.status == v1::JOB_STATUS_PENDING_REVIEW);
  return event;
}

v1::EventEnvelope GenerationEvents::Started(const JobRecord& job) const {
  v1::EventEnvelope event = New(kStartedSubject, job);
  v1::GenerationStartedEvent* started = event.mutable_generation_started();
  started->set_job_id(job.job_id);
  started->set_user_id(job.user_id);
  started->set_attempt(job.attempt);
  started->set_lease_epoch(job.lease_epoch);
  started->set_worker_id(job.worker_id);
  return event;
}

v1::EventEnvelope GenerationEvents::Progress(const JobRecord& job) const {
  v1::EventEnvelope event = New(kProgressSubject, job);
  v1::GenerationProgressEvent* progress = event.mutable_generation_progress();
  progress->set_job_id(job.job_id);
  progress->set_user_id(job.user_id);
  progress->set_percent(job.progress_percent);
  progress->set_stage(job.stage);
  return event;
}

v1::EventEnvelope GenerationEvents::Completed(const JobRecord& job) const {
  v1::EventEnvelope event = New(kCompletedSubject, job);
  v1::GenerationCompletedEvent* completed = event.mutable_generation_completed();
  completed->set_job_id(job.job_id);
  completed->set_user_id(job.user_id);
  if (job.outputs) {
    *completed->mutable_video() = job.outputs->video();
    *completed->mutable_thumbnail() = job.outputs->thumbnail();
    *completed->mutable_spritesheet() = job.outputs->spritesheet();
    *completed->mutable_provenance() = job.outputs->provenance();
    *completed->mutable_duration() = job.outputs->duration();
    completed->set_width(job.outputs->width());
    completed->set_height(job.outputs->height());
    completed->set_renderer(job.outputs->renderer());
  }
  completed->set_seed(job.spec.seed());
  return event;
}

v1::EventEnvelope GenerationEvents::Failed(const JobRecord& job) const {
  v1::EventEnvelope event = New(kFailedSubject, job);
  v1::GenerationFailedEvent* failed = event.mutable_generation_failed();
  failed->set_job_id(job.job_id);
  failed->set_user_id(job.user_id);
  failed->set_code(job.failure_code);
  failed->set_message(job.failure_message);
  failed->set_attempts(job.attempt);
  return event;
}

v1::EventEnvelope GenerationEvents::Cancelled(const JobRecord& job, bool was_in_progress) const {
  v1::EventEnvelope event = New(kCancelledSubject, job);
  v1::GenerationCancelledEvent* cancelled = event.mutable_generation_cancelled();
  cancelled->set_job_id(job.job_id);
  cancelled->set_user_id(job.user_id);
  cancelled->set_was_in_progress(was_in_progress);
  return event;
}

}  // namespace clipforge::generation_service
