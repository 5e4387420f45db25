#include "services/feed/event_logic.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "base/status_macros.h"
#include "feed/frame_index.h"
#include "feed/media_match.h"
#include "feed/reach_penalty.h"
#include "services/feed/frame_bytes.h"
#include "services/kit/proto_time.h"

namespace clipforge::feed_service {
namespace {

// The event's frame hashes; an entry that is not a 32-byte hash is
// skipped (the producer's bug, not a reason to refuse the clip).
std::vector<feed::FrameHash> FramesOf(const v1::ClipPublishedEvent& e) {
  std::vector<feed::FrameHash> frames;
  frames.reserve(static_cast<size_t>(e.frame_hashes_size()));
  for (const std::string& bytes : e.frame_hashes()) {
    if (std::optional<feed::FrameHash> frame = FrameHashFromBytes(bytes)) frames.push_back(*frame);
  }
  return frames;
}

// The frames the in-memory index keeps of a clip (feed::FrameIndex picks
// the same ones again from these at a rebuild).
std::vector<feed::FrameHash> IndexedFramesOf(const std::vector<feed::FrameHash>& frames) {
  std::vector<feed::FrameHash> indexed;
  for (const size_t position : feed::IndexedFramePositions(frames.size())) indexed.push_back(frames[position]);
  return indexed;
}

// The clip as its publish event described it, from its stored record.
PublishedClip PublishedClipOf(const FeedClipRecord& record) {
  return PublishedClip{.clip_id = record.clip_id,
                       .creator_id = record.creator_id,
                       .parent_clip_id = record.parent_clip_id,
                       .root_clip_id = record.root_clip_id,
                       .prompt = record.prompt,
                       .tags = record.tags,
                       .published_at = record.published_at};
}

// The creator's penalty once `run` counts: a new one when none ran at the
// run's last copy (never penalized, ended or lifted), replacing the last
// with its appeal; the running one extended when the run ends it later.
// None when nothing changes: a run counted already (a redelivered copy, a
// copy that completes no new run).
std::optional<ReachPenaltyRecord> PenaltyAfterRun(const std::string& creator_id,
                                                  const std::optional<ReachPenaltyRecord>& current,
                                                  const feed::MassRepostRun& run,
                                                  const std::vector<RecentCopy>& copies) {
  if (current && feed::ReachPenaltyRuns(current->until, current->lifted_at.has_value(), run.started_at)) {
    if (run.until <= current->until) return std::nullopt;
    ReachPenaltyRecord extended = *current;
    extended.until = run.until;
    extended.copies += 1;
    return extended;
  }
  if (current && run.started_at <= current->started_at) return std::nullopt;
  ReachPenaltyRecord started{
      .creator_id = creator_id, .started_at = run.started_at, .until = run.until, .copies = run.copies};
  for (const RecentCopy& copy : copies) {
    if (copy.published_at >= run.first_copy_at && copy.published_at <= run.started_at) {
      started.copy_clip_ids.push_back(copy.clip_id);
    }
  }
  return started;
}

}  // namespace

absl::Status EventLogic::ApplyClipEvent(FeedTx& tx, const v1::EventEnvelope& event) {
  switch (event.payload_case()) {
    case v1::EventEnvelope::kClipPublished:
      return Publish(tx, event.clip_published(), kit::FromTimestamp(event.occurred_at()));
    case v1::EventEnvelope::kClipRemoved:
      Remove(tx, event.clip_removed());
      return absl::OkStatus();
    case v1::EventEnvelope::kClipUpdated:
      return Update(tx, event.clip_updated());
    case v1::EventEnvelope::kClipLiked: {
      const v1::ClipLikedEvent& e = event.clip_liked();
      Count(tx, e.clip_id(), {.likes = 1});
      // An explicit like: forks of it are candidates, personalized or not.
      tx.SetLike(e.user_id(), e.clip_id(), true);
      state_.SetLike(e.user_id(), e.clip_id(), true);
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kClipUnliked: {
      const v1::ClipUnlikedEvent& e = event.clip_unliked();
      Count(tx, e.clip_id(), {.likes = -1});
      tx.SetLike(e.user_id(), e.clip_id(), false);
      state_.SetLike(e.user_id(), e.clip_id(), false);
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kClipForked:
      Count(tx, event.clip_forked().parent_clip_id(), {.forks = 1});
      return absl::OkStatus();
    default:
      // Views are counted from the feed's own feedback (SEEN, COMPLETE),
      // which says which feed slot the clip was in.
      return absl::OkStatus();
  }
}

absl::Status EventLogic::Publish(FeedTx& tx, const v1::ClipPublishedEvent& e, absl::Time published_at) {
  const PublishedClip clip{.clip_id = e.clip_id(),
                           .creator_id = e.author_id(),
                           .parent_clip_id = e.parent_clip_id(),
                           .root_clip_id = e.root_clip_id(),
                           .prompt = e.prompt(),
                           .tags = {e.tags().begin(), e.tags().end()},
                           .published_at = published_at};
  const std::vector<feed::FrameHash> frames = FramesOf(e);
  FeedClipRecord record = state_.Assess(clip, clock_.Now(), CheckMedia(tx, clip, frames));
  record.indexed_frames = IndexedFramesOf(frames);
  // A clip published private, followers-only or unlisted is kept
  // withdrawn: made public later, it comes with its originality at publish.
  record.withdrawn = e.visibility() != v1::VISIBILITY_PUBLIC;
  if (tx.InsertClip(record)) {
    if (!frames.empty()) tx.PutClipFrames(record.clip_id, frames);
    CF_RETURN_IF_ERROR(tx.AppendEvent(events_.OriginalityScored(record, v1::ORIGINALITY_TRIGGER_PUBLISHED)));
  } else {
    // A redelivery: the stored record (its originality against the clips
    // before it, withdrawn or not since) is the one to serve.
    if (std::optional<FeedClipRecord> stored = tx.GetClip(e.clip_id())) record = *std::move(stored);
  }
  // A private clip waits for being made public: it reaches no one, so it
  // is no one's original yet, and only public copies are reposts.
  if (record.withdrawn) return absl::OkStatus();
  state_.AddClip(record);
  if (record.is_copy) CheckMassRepost(tx, record);
  return RescoreLater(tx, record, frames);
}

absl::Status EventLogic::RescoreLater(FeedTx& tx, const FeedClipRecord& earlier,
                                      const std::vector<feed::FrameHash>& frames) {
  const std::vector<std::string> later = state_.LaterMatchCandidates(PublishedClipOf(earlier), frames);
  if (later.empty()) return absl::OkStatus();  // the usual case: events come in publish order
  const absl::flat_hash_map<std::string, std::vector<feed::FrameHash>> later_frames = tx.ClipFrames(later);
  for (const std::string& clip_id : later) {
    std::optional<FeedClipRecord> clip = tx.GetClip(clip_id);
    if (!clip) continue;
    const PublishedClip published = PublishedClipOf(*clip);
    const auto frames_of = later_frames.find(clip_id);
    const FeedClipRecord rescored =
        state_.Assess(published, clock_.Now(),
                      CheckMedia(tx, published, frames_of == later_frames.end() ? std::vector<feed::FrameHash>{}
                                                                                 : frames_of->second));
    // The new match only adds overlap, which never raises a score; a score
    // that did not drop (a redelivered late clip, a match too weak to
    // count) changes nothing. A higher one (an earlier match deleted
    // since) is not taken either: a late clip adds matches, it never
    // forgives one.
    const bool became_copy = rescored.is_copy && !clip->is_copy;
    if (rescored.originality >= clip->originality && !became_copy) continue;
    const double previous = clip->originality;
    clip->originality = rescored.originality;
    // Never forgiven here either: a copy whose original went since stays
    // one (the pools and the stored row agree on it).
    clip->is_copy = clip->is_copy || rescored.is_copy;
    clip->components = rescored.components;
    clip->prompt_cluster_id = rescored.prompt_cluster_id;
    clip->originality_time = rescored.originality_time;
    tx.UpdateOriginality(*clip);
    CF_RETURN_IF_ERROR(tx.AppendEvent(events_.OriginalityScored(*clip, v1::ORIGINALITY_TRIGGER_LATER_MATCH, previous)));
    if (clip->withdrawn) continue;
    state_.AddClip(*clip);
    if (clip->is_copy) CheckMassRepost(tx, *clip);
  }
  return absl::OkStatus();
}

MediaEvidence EventLogic::CheckMedia(FeedTx& tx, const PublishedClip& clip,
                                     const std::vector<feed::FrameHash>& frames) {
  MediaEvidence evidence;
  if (frames.empty()) return evidence;
  // The index proposes; the stored frame lists decide.
  std::vector<FrameMatchCandidate> earlier = state_.FrameMatchCandidates(clip, frames);
  std::vector<std::string> ids;
  ids.reserve(earlier.size() + 1);
  for (const FrameMatchCandidate& candidate : earlier) ids.push_back(candidate.clip_id);
  if (!clip.parent_clip_id.empty()) ids.push_back(clip.parent_clip_id);
  const absl::flat_hash_map<std::string, std::vector<feed::FrameHash>> stored = tx.ClipFrames(ids);
  // Earliest first, so that the first matched is the original.
  std::sort(earlier.begin(), earlier.end(), [](const FrameMatchCandidate& a, const FrameMatchCandidate& b) {
    return a.published_at != b.published_at ? a.published_at < b.published_at : a.clip_id < b.clip_id;
  });
  for (const FrameMatchCandidate& candidate : earlier) {
    const auto it = stored.find(candidate.clip_id);
    if (it == stored.end()) continue;
    const double share = feed::MatchedShare(frames, it->second);
    if (share < feed::kMediaPenaltyStart) continue;
    evidence.matches.overlap = std::max(evidence.matches.overlap, share);
    if (evidence.matches.clip_ids.size() < kMaxMatchedIds) evidence.matches.clip_ids.push_back(candidate.clip_id);
  }
  if (!clip.parent_clip_id.empty()) {
    if (const auto it = stored.find(clip.parent_clip_id); it != stored.end() && !it->second.empty()) {
      evidence.parent_matched_share = feed::MatchedShare(frames, it->second);
    }
  }
  return evidence;
}

void EventLogic::CheckMassRepost(FeedTx& tx, const FeedClipRecord& copy) {
  const std::vector<RecentCopy> copies = state_.RecentCopies(copy.creator_id);
  // Fewer copies than a run needs: no need to read the stored penalty.
  if (copies.size() < static_cast<size_t>(feed::kMassRepostCopies)) return;
  std::vector<absl::Time> times;
  times.reserve(copies.size());
  for (const RecentCopy& c : copies) times.push_back(c.published_at);
  const std::optional<ReachPenaltyRecord> current = tx.LockReachPenalty(copy.creator_id);
  // A lifted penalty forgave the copies up to its lift (the pools dropped
  // them then; a rebuild loads them again from the clips).
  const absl::Time forgiven = current && current->lifted_at ? *current->lifted_at : absl::InfinitePast();
  const std::optional<feed::MassRepostRun> run = feed::LatestMassRepostRun(times, forgiven);
  if (!run) return;
  const std::optional<ReachPenaltyRecord> next = PenaltyAfterRun(copy.creator_id, current, *run, copies);
  if (!next) return;
  tx.PutReachPenalty(*next);
  state_.PenalizeReach(next->creator_id, next->until);
}

void EventLogic::Remove(FeedTx& tx, const v1::ClipRemovedEvent& e) {
  if (e.reason() == v1::REMOVAL_REASON_MODERATION) {
    Withdraw(tx, e.clip_id());
    return;
  }
  tx.DeleteClip(e.clip_id());
  state_.RemoveClip(e.clip_id());
}

absl::Status EventLogic::Update(FeedTx& tx, const v1::ClipUpdatedEvent& e) {
  if (e.visibility() == v1::VISIBILITY_UNSPECIFIED) return absl::OkStatus();  // says nothing of it
  if (e.visibility() != v1::VISIBILITY_PUBLIC) {
    Withdraw(tx, e.clip_id());
    return absl::OkStatus();
  }
  // Only a withdrawn clip comes back, so a public clip's edit, a
  // redelivered restore and a clip the feed never stored change nothing.
  std::optional<FeedClipRecord> restored = tx.RestoreClip(e.clip_id());
  if (!restored) return absl::OkStatus();
  state_.AddClip(*restored);
  // A copy going public counts toward mass reposting (at its publish
  // time) as if it had been published public: copies published private
  // and flipped together are a run too.
  if (restored->is_copy) CheckMassRepost(tx, *restored);
  // Clips published after it while it was private or removed were scored
  // without it.
  const absl::flat_hash_map<std::string, std::vector<feed::FrameHash>> frames = tx.ClipFrames({restored->clip_id});
  const auto own = frames.find(restored->clip_id);
  return RescoreLater(tx, *restored, own == frames.end() ? std::vector<feed::FrameHash>{} : own->second);
}

void EventLogic::Withdraw(FeedTx& tx, const std::string& clip_id) {
  tx.WithdrawClip(clip_id);
  // Whatever the store says: after a failed commit the pools may hold a
  // clip the store has withdrawn (event_logic.h).
  state_.RemoveClip(clip_id);
}

void EventLogic::Count(FeedTx& tx, const std::string& clip_id, const EngagementCounts& delta) {
  if (tx.AddCounts(clip_id, delta)) state_.AddCounts(clip_id, delta);
}

void EventLogic::SetHidden(FeedTx& tx, const std::string& user_id, const std::string& creator_id, bool hidden) {
  FeedbackSetting setting{.user_id = user_id,
                          .scope = FeedbackScope::kCreator,
                          .key = creator_id,
                          .hidden = hidden,
                          .set_at = clock_.Now()};
  if (std::optional<FeedbackSetting> current = state_.FeedbackSettingOf(user_id, FeedbackScope::kCreator, creator_id)) {
    setting.multiplier = current->multiplier;
  }
  tx.PutFeedbackSetting(setting);
  state_.PutFeedbackSetting(setting);
}

absl::Status EventLogic::ApplyUserEvent(FeedTx& tx, const v1::EventEnvelope& event) {
  switch (event.payload_case()) {
    case v1::EventEnvelope::kUserRegistered: {
      const v1::UserRegisteredEvent& e = event.user_registered();
      tx.SetConsent(e.user_id(), e.analytics_opted_in());
      state_.SetConsent(e.user_id(), e.analytics_opted_in());
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserConsentChanged: {
      // Withdrawing consent erases the personalization data in the same
      // transaction that records the event: one processing cycle.
      const v1::UserConsentChangedEvent& e = event.user_consent_changed();
      tx.SetConsent(e.user_id(), e.opted_in());
      if (!e.opted_in()) tx.ErasePersonalization(e.user_id());
      state_.SetConsent(e.user_id(), e.opted_in());
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserFollowed: {
      const v1::UserFollowedEvent& e = event.user_followed();
      tx.SetFollow(e.follower_id(), e.followee_id(), true);
      state_.SetFollow(e.follower_id(), e.followee_id(), true);
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserUnfollowed: {
      const v1::UserUnfollowedEvent& e = event.user_unfollowed();
      tx.SetFollow(e.follower_id(), e.followee_id(), false);
      state_.SetFollow(e.follower_id(), e.followee_id(), false);
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserBlocked: {
      // A block ends follows both ways and hides each from the other.
      const v1::UserBlockedEvent& e = event.user_blocked();
      for (const auto& [a, b] : {std::pair(e.blocker_id(), e.blocked_id()), std::pair(e.blocked_id(), e.blocker_id())}) {
        tx.SetFollow(a, b, false);
        state_.SetFollow(a, b, false);
        SetHidden(tx, a, b, true);
      }
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserUnblocked: {
      const v1::UserUnblockedEvent& e = event.user_unblocked();
      SetHidden(tx, e.blocker_id(), e.blocked_id(), false);
      SetHidden(tx, e.blocked_id(), e.blocker_id(), false);
      return absl::OkStatus();
    }
    case v1::EventEnvelope::kUserMuted:
      SetHidden(tx, event.user_muted().muter_id(), event.user_muted().muted_id(), true);
      return absl::OkStatus();
    case v1::EventEnvelope::kUserUnmuted:
      SetHidden(tx, event.user_unmuted().muter_id(), event.user_unmuted().muted_id(), false);
      return absl::OkStatus();
    case v1::EventEnvelope::kUserDeleted: {
      const std::string& user_id = event.user_deleted().user_id();
      tx.ForgetUser(user_id);
      state_.ForgetUser(user_id);
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace clipforge::feed_service
