// Every event the generation service emits, built in one place: the logic
// appends what these return to the outbox, in the transaction of the change
// they describe.
#pragma once

#include "clipforge/v1/events.pb.h"
#include "services/generation/records.h"
#include "services/kit/event_factory.h"

namespace clipforge::generation_service {

inline constexpr char kCreatedSubject[] = "clipforge.generation.created";
inline constexpr char kStartedSubject[] = "clipforge.generation.started";
inline constexpr char kProgressSubject[] = "clipforge.generation.progress";
inline constexpr char kCompletedSubject[] = "clipforge.generation.completed";
inline constexpr char kFailedSubject[] = "clipforge.generation.failed";
inline constexpr char kCancelledSubject[] = "clipforge.generation.cancelled";

class GenerationEvents {
 public:
  // `factory` stamps ids and times; not owned.
  explicit GenerationEvents(const kit::EventFactory& factory) : factory_(factory) {}

  v1::EventEnvelope Created(const JobRecord& job) const;
  v1::EventEnvelope Started(const JobRecord& job) const;
  v1::EventEnvelope Progress(const JobRecord& job) const;
  v1::EventEnvelope Completed(const JobRecord& job) const;
  v1::EventEnvelope Failed(const JobRecord& job) const;
  v1::EventEnvelope Cancelled(const JobRecord& job, bool was_in_progress) const;

 private:
  v1::EventEnvelope New(const char* subject, const JobRecord& job) const {
    return factory_.New(subject, "generation", job.job_id);
  }

  const kit::EventFactory& factory_;
};

}  // namespace clipforge::generation_service
