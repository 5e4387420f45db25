// What the feed logic needs from storage: PgFeedStore (store.h) implements
// it over Postgres, the unit tests' fake in memory.
//
// The store is the feed's durable copy; the pools (feed_state.h) serve
// requests from memory and are rebuilt from it at start. FeedTx is one
// transaction: a change, its idempotency record and the consumed event
// commit together or not at all. Its methods report failure by throwing
// (the Postgres driver's exceptions, which Transact maps to a status).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clipforge/v1/events.pb.h"
#include "services/feed/records.h"
#include "services/kit/idempotency.h"

namespace clipforge::feed_service {

class FeedTx : public kit::IdempotencyLog {
 public:
  // --- Clips ---
  // Inserts the clip; false (nothing changed) when it is already there.
  virtual bool InsertClip(const FeedClipRecord& clip) = 0;
  // The clip, withdrawn or not.
  virtual std::optional<FeedClipRecord> GetClip(const std::string& clip_id) = 0;
  // Stores the clip's whole list of frame hashes (1 fps, in order) beside
  // its row, which InsertClip wrote.
  virtual void PutClipFrames(const std::string& clip_id, const std::vector<feed::FrameHash>& frames) = 0;
  // The stored frame lists of those of `clip_ids` that have one: what a
  // media near-duplicate found in the index is verified against.
  virtual absl::flat_hash_map<std::string, std::vector<feed::FrameHash>> ClipFrames(
      const std::vector<std::string>& clip_ids) = 0;
  // Deletes the clip and the viewers' likes, skips and seen rows of it
  // (deleted by its author, or with the account); false when it was not
  // there.
  virtual bool DeleteClip(const std::string& clip_id) = 0;
  // Withdraws the clip (removed by a moderator, or no longer public): kept
  // with its originality and counters, but not loaded into the pools.
  // False when it is not there or already withdrawn.
  virtual bool WithdrawClip(const std::string& clip_id) = 0;
  // Un-withdraws the clip and returns it (its counters as they are now);
  // none when it is not there or not withdrawn.
  virtual std::optional<FeedClipRecord> RestoreClip(const std::string& clip_id) = 0;
  // Replaces the clip's originality (score, copy flag, components, prompt
  // cluster, scoring time) with `clip`'s; false when it is not there.
  virtual bool UpdateOriginality(const FeedClipRecord& clip) = 0;
  // Adds `delta` to the clip's counters; false when the clip is not there.
  virtual bool AddCounts(const std::string& clip_id, const EngagementCounts& delta) = 0;
  // Live (not withdrawn) clips with clip_id > after_clip_id, by clip_id, at
  // most `limit`.
  virtual std::vector<FeedClipRecord> ClipsAfter(const std::string& after_clip_id, int limit) = 0;

  // --- Viewers ---
  virtual void SetFollow(const std::string& follower_id, const std::string& followee_id, bool follows) = 0;
  virtual void SetLike(const std::string& user_id, const std::string& clip_id, bool likes) = 0;
  virtual void SetConsent(const std::string& user_id, bool opted_in) = 0;
  virtual void PutFeedbackSetting(const FeedbackSetting& setting) = 0;
  virtual void PutWeights(const WeightsRecord& weights) = 0;
  virtual std::optional<WeightsRecord> GetWeights(const std::string& user_id) = 0;
  // Adds `delta` to the viewer's affinity for the creator (creating it).
  virtual void AddAffinity(const std::string& user_id, const std::string& creator_id, double delta) = 0;
  // Records an opted-in viewer's skip of the clip (personalization data);
  // a repeat moves its time to the newest, as the pools move it to the
  // newest end (so that a trim keeps the skips they keep).
  virtual void AddSkip(const std::string& user_id, const std::string& clip_id, absl::Time skipped_at) = 0;
  // Deletes the viewer's skips but the newest `keep` (by skipped_at, then
  // clip_id): the pools keep no more.
  virtual void TrimSkips(const std::string& user_id, int keep) = 0;
  // Records that an opted-in viewer saw the clip (personalization data:
  // the persistent seen-filter); a repeat keeps the first time.
  virtual void AddSeen(const std::string& user_id, const std::string& clip_id, absl::Time seen_at) = 0;
  // Deletes the viewer's seen rows but the newest `keep` (by seen_at, then
  // clip_id).
  virtual void TrimSeen(const std::string& user_id, int keep) = 0;
  // Erases the viewer's personalization data (affinity, skips, seen
  // clips); returns the rows erased.
  virtual int64_t ErasePersonalization(const std::string& user_id) = 0;
  // Erases everything kept of the user (account deleted): their settings,
  // follows both ways, likes, memberships (member counts follow),
  // personalization, reach penalty (with their appeal), and their clips
  // with the viewers' likes, skips and seen rows of them (the withdrawn
  // ones have no removal event to come).
  virtual void ForgetUser(const std::string& user_id) = 0;
  // Every viewer row the pools keep (loaded at start).
  virtual ViewerRows LoadViewers() = 0;

  // --- Themes ---
  // False when the slug is taken.
  virtual bool InsertTheme(const ThemeRecord& theme) = 0;
  virtual std::optional<ThemeRecord> GetTheme(const std::string& theme_id) = 0;
  // Every theme (there are hundreds, not millions).
  virtual std::vector<ThemeRecord> ListThemes() = 0;
  // Adds the membership (and counts it); false when already a member.
  virtual bool Join(const std::string& user_id, const std::string& theme_id) = 0;
  // Removes it (and uncounts it); false when not a member.
  virtual bool Leave(const std::string& user_id, const std::string& theme_id) = 0;
  virtual int64_t CountJoined(const std::string& user_id) = 0;

  // --- Reach penalties ---
  // The creator's latest penalty, running or not; none when never penalized.
  virtual std::optional<ReachPenaltyRecord> GetReachPenalty(const std::string& creator_id) = 0;
  // The same, its row locked until the transaction ends (read-write
  // transactions only): a change made from it (a new run, an appeal, a
  // decision) waits for a concurrent one instead of overwriting it.
  virtual std::optional<ReachPenaltyRecord> LockReachPenalty(const std::string& creator_id) = 0;
  // Inserts the creator's penalty or replaces it (with its appeal).
  virtual void PutReachPenalty(const ReachPenaltyRecord& penalty) = 0;
  // Every penalty not lifted (loaded at start; ended ones cost nothing).
  virtual std::vector<ReachPenaltyRecord> UnliftedReachPenalties() = 0;

  // --- Events ---
  // Appends an event to the outbox: published if and only if the
  // transaction commits. INVALID_ARGUMENT for an envelope without id or
  // type.
  virtual absl::Status AppendEvent(const v1::EventEnvelope& event) = 0;
};

enum class TxMode { kReadWrite, kReadOnly };

class FeedStore {
 public:
  virtual ~FeedStore() = default;
  // Runs `work` in one transaction, committed when it returns OK (and
  // rolled back otherwise). Storage failures become UNAVAILABLE or
  // INTERNAL; serialization failures are retried.
  virtual absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(FeedTx&)> work) = 0;
};

}  // namespace clipforge::feed_service
