#include "services/feed/events.h"

#include "feed/originality.h"

namespace clipforge::feed_service {

v1::EventEnvelope FeedEvents::OriginalityScored(const FeedClipRecord& clip, v1::OriginalityTrigger trigger,
                                                double previous) const {
  v1::EventEnvelope event = factory_.New(kOriginalityScoredSubject, "feed", clip.clip_id);
  v1::FeedOriginalityScoredEvent* scored = event.mutable_feed_originality_scored();
  scored->set_clip_id(clip.clip_id);
  scored->set_creator_id(clip.creator_id);
  scored->set_originality(clip.originality);
  scored->set_is_copy(clip.is_copy);
  scored->set_trigger(trigger);
  if (trigger == v1::ORIGINALITY_TRIGGER_LATER_MATCH) scored->set_previous_originality(previous);
  // The original a copy is dropped for: the earliest clip matched by the
  // match that cost the most (the prompt, the picture, or the parent a
  // fork barely changed; originality.h lists matches earliest first).
  const feed::OriginalityComponent* strongest = nullptr;
  for (const feed::OriginalityComponent& c : clip.components) {
    v1::OriginalityScoreComponent* component = scored->add_components();
    component->set_name(c.name);
    component->set_factor(c.factor);
    for (const std::string& id : c.clip_ids) component->add_matched_clip_ids(id);
    const bool names_originals =
        c.name == feed::kPromptComponent || c.name == feed::kMediaComponent || c.name == feed::kForkComponent;
    if (names_originals && !c.clip_ids.empty() && (strongest == nullptr || c.factor < strongest->factor)) {
      strongest = &c;
    }
  }
  if (clip.is_copy && strongest != nullptr) scored->set_original_clip_id(strongest->clip_ids.front());
  return event;
}

}  // namespace clipforge::feed_service
