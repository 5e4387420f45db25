#include "services/kit/event_factory.h"

#include "google/protobuf/util/time_util.h"

namespace clipforge::kit {

v1::EventEnvelope EventFactory::New(absl::string_view type, absl::string_view aggregate_type,
                                    absl::string_view aggregate_id) const {
  v1::EventEnvelope envelope;
  envelope.set_event_id(ids_.Next());
  envelope.set_type(std::string(type));
  envelope.set_aggregate_type(std::string(aggregate_type));
  envelope.set_aggregate_id(std::string(aggregate_id));
  *envelope.mutable_occurred_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(clock_.Now()));
  return envelope;
}

}  // namespace clipforge::kit
