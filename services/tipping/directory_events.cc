#include "services/tipping/directory_events.h"

namespace clipforge::tipping_service {
namespace {

// Who may see a clip may tip it. Followers-only clips are left out: the
// directory does not know who follows whom.
bool Tippable(v1::Visibility visibility) {
  return visibility == v1::VISIBILITY_PUBLIC || visibility == v1::VISIBILITY_UNLISTED ||
         visibility == v1::VISIBILITY_UNSPECIFIED;
}

}  // namespace

absl::Status ApplyDirectoryEvent(TippingStore& store, const v1::EventEnvelope& event) {
  switch (event.payload_case()) {
    case v1::EventEnvelope::kClipPublished: {
      const v1::ClipPublishedEvent& e = event.clip_published();
      return store.PutClip({.clip_id = e.clip_id(),
                            .author_id = e.author_id(),
                            .parent_clip_id = e.parent_clip_id(),
                            .tippable = Tippable(e.visibility())});
    }
    case v1::EventEnvelope::kClipUpdated: {
      const v1::ClipUpdatedEvent& e = event.clip_updated();
      // A moderator's restore comes as an update back to public.
      if (e.visibility() == v1::VISIBILITY_UNSPECIFIED) return absl::OkStatus();
      return store.SetClipTippable(e.clip_id(), Tippable(e.visibility()));
    }
    case v1::EventEnvelope::kClipRemoved: {
      const v1::ClipRemovedEvent& e = event.clip_removed();
      // A moderation removal can be reversed (an update restores it); a
      // deletion cannot.
      if (e.reason() == v1::REMOVAL_REASON_MODERATION) return store.SetClipTippable(e.clip_id(), false);
      return store.RemoveClip(e.clip_id());
    }
    case v1::EventEnvelope::kUserDeleted:
      return store.MarkUserGone(event.user_deleted().user_id());
    default:
      return absl::OkStatus();
  }
}

}  // namespace clipforge::tipping_service
