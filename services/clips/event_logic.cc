#include "services/clips/event_logic.h"

#include "base/status_macros.h"
#include "services/clips/comment_logic.h"
#include "base/validation.h"

namespace clipforge::clips_service {
namespace {

// Rows changed per statement batch when an account goes.
constexpr int kDeletionBatch = 500;

}  // namespace

absl::Status EventLogic::ApplyUserEvent(ClipsTx& tx, const v1::EventEnvelope& event) {
  switch (event.payload_case()) {
    case v1::EventEnvelope::kUserRegistered: {
      const v1::UserRegisteredEvent& e = event.user_registered();
      tx.PutUser({.user_id = e.user_id(),
                  .handle = e.handle(),
                  .display_name = e.display_name(),
                  .analytics_opted_in = e.analytics_opted_in()});
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserProfileUpdated: {
      const v1::UserProfileUpdatedEvent& e = event.user_profile_updated();
      const std::map<std::string, UserRecord> known = tx.GetUsers({e.user_id()});
      UserRecord user = known.contains(e.user_id()) ? known.at(e.user_id()) : UserRecord{.user_id = e.user_id()};
      if (user.deleted) return absl::OkStatus();
      if (!e.handle().empty()) user.handle = e.handle();
      if (!e.display_name().empty()) user.display_name = e.display_name();
      tx.PutUser(user);
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserConsentChanged: {
      const v1::UserConsentChangedEvent& e = event.user_consent_changed();
      const std::map<std::string, UserRecord> known = tx.GetUsers({e.user_id()});
      UserRecord user = known.contains(e.user_id()) ? known.at(e.user_id()) : UserRecord{.user_id = e.user_id()};
      if (user.deleted) return absl::OkStatus();
      user.analytics_opted_in = e.opted_in();
      tx.PutUser(user);
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserFollowed:
      tx.SetFollow(event.user_followed().follower_id(), event.user_followed().followee_id(), true);
      return absl::OkStatus();
    case v1::EventEnvelope::kUserUnfollowed:
      tx.SetFollow(event.user_unfollowed().follower_id(), event.user_unfollowed().followee_id(), false);
      return absl::OkStatus();
    case v1::EventEnvelope::kUserBlocked: {
      // A block ends follows both ways (as the users service does).
      const v1::UserBlockedEvent& e = event.user_blocked();
      tx.SetBlock(e.blocker_id(), e.blocked_id(), true);
      tx.SetFollow(e.blocker_id(), e.blocked_id(), false);
      tx.SetFollow(e.blocked_id(), e.blocker_id(), false);
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserUnblocked:
      tx.SetBlock(event.user_unblocked().blocker_id(), event.user_unblocked().blocked_id(), false);
      return absl::OkStatus();
    case v1::EventEnvelope::kUserMuted:
      tx.SetMute(event.user_muted().muter_id(), event.user_muted().muted_id(), true);
      return absl::OkStatus();
    case v1::EventEnvelope::kUserUnmuted:
      tx.SetMute(event.user_unmuted().muter_id(), event.user_unmuted().muted_id(), false);
      return absl::OkStatus();
    case v1::EventEnvelope::kUserDeleted:
      return DeleteAccount(tx, event.user_deleted().user_id());
    default:
      return absl::OkStatus();
  }
}

absl::Status EventLogic::DeleteAccount(ClipsTx& tx, const std::string& user_id) {
  tx.ForgetUser(user_id);
  // Their clips become anonymous tombstones; the graph keeps their places.
  // Each batch drops out of the author's clips, so the next starts over.
  for (std::vector<std::string> ids = tx.ClipIdsOfAuthor(user_id, "", kDeletionBatch); !ids.empty();
       ids = tx.ClipIdsOfAuthor(user_id, "", kDeletionBatch)) {
    for (const std::string& clip_id : ids) {
      std::optional<ClipRecord> clip = tx.LockClip(clip_id);
      if (!clip) continue;
      const bool was_live = !clip->removed();
      if (was_live) clip->removal_reason = v1::REMOVAL_REASON_ACCOUNT_DELETED;
      clip->author_id.clear();
      clip->update_time = clock_.Now();
      tx.UpdateClip(*clip);
      if (was_live) CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Removed(*clip, user_id, "")));
    }
  }
  // Their comments go (a top-level one with replies stays as a tombstone).
  for (std::vector<std::string> ids = tx.CommentIdsOfUser(user_id, kDeletionBatch); !ids.empty();
       ids = tx.CommentIdsOfUser(user_id, kDeletionBatch)) {
    for (const std::string& comment_id : ids) {
      if (std::optional<CommentRecord> comment = tx.LockComment(comment_id)) RemoveComment(tx, *comment);
    }
  }
  // Their likes go, and the counts with them.
  for (std::vector<std::string> liked = tx.LikesOfUser(user_id, kDeletionBatch); !liked.empty();
       liked = tx.LikesOfUser(user_id, kDeletionBatch)) {
    for (const std::string& clip_id : liked) {
      if (tx.DeleteLike(clip_id, user_id)) tx.AdjustCounts(clip_id, {.likes = -1});
    }
  }
  return absl::OkStatus();
}

absl::Status EventLogic::ApplyModerationDecision(ClipsTx& tx, const v1::EventEnvelope& event) {
  if (!event.has_moderation_decided()) return absl::OkStatus();
  const v1::ModerationDecidedEvent& decision = event.moderation_decided();
  if (decision.target().kind() != v1::CONTENT_KIND_CLIP) return absl::OkStatus();
  const bool remove = decision.action() == v1::MODERATION_ACTION_REMOVE;
  const bool restore = decision.action() == v1::MODERATION_ACTION_RESTORE;
  if ((!remove && !restore) || !base::IsCanonicalUuid(decision.target().id())) return absl::OkStatus();
  std::optional<ClipRecord> clip = tx.LockClip(decision.target().id());
  if (!clip) return absl::OkStatus();  // Not a clip of this service: nothing to do.
  if (remove && !clip->removed()) {
    clip->removal_reason = v1::REMOVAL_REASON_MODERATION;
    clip->update_time = clock_.Now();
    tx.UpdateClip(*clip);
    return tx.AppendEvent(events_.Removed(*clip, clip->author_id, decision.decision_id()));
  }
  // Only what moderation removed comes back; an author's deletion stands.
  if (restore && clip->removal_reason == v1::REMOVAL_REASON_MODERATION) {
    clip->removal_reason = v1::REMOVAL_REASON_UNSPECIFIED;
    clip->update_time = clock_.Now();
    tx.UpdateClip(*clip);
    return tx.AppendEvent(events_.Updated(*clip, {"removed"}));
  }
  return absl::OkStatus();
}

}  // namespace clipforge::clips_service
