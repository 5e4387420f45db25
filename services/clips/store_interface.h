// What the clips logic needs from storage: PgClipsStore (store.h)
// implements it over Postgres, the unit tests' fake in memory.
//
// ClipsTx is one transaction: a change, its counters, its idempotency
// record and its event commit together or not at all. Its methods report
// failure by throwing (the Postgres driver's exceptions, which Transact
// maps to a status); logic never catches them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clipforge/v1/clips.pb.h"
#include "clipforge/v1/events.pb.h"
#include "services/clips/records.h"
#include "services/kit/idempotency.h"

namespace clipforge::clips_service {

// Where a descending keyset page resumes: after (key, clip_id) in the
// order's terms. `key` is the depth (breadth first), the like count (most
// liked) or the descendant count (most forked); unused for newest.
struct GraphCursor {
  int64_t key = 0;
  std::string clip_id;
};

struct DescendantQuery {
  // Descendants at depths top.depth + 1 through top.depth + max_levels.
  int32_t max_levels = 1;
  v1::DescendantOrder order = v1::DESCENDANT_ORDER_BREADTH_FIRST;
  std::optional<GraphCursor> after;
  int limit = 20;
};

// Count deltas applied to one clip.
struct CountDelta {
  int64_t likes = 0;
  int64_t views = 0;
  int64_t comments = 0;
};

class ClipsTx : public kit::IdempotencyLog {
 public:
  // --- Clips ---
  virtual void InsertClip(const ClipRecord& clip) = 0;
  virtual std::optional<ClipRecord> GetClip(const std::string& clip_id) = 0;
  // Also locks the clip's row until the transaction ends.
  virtual std::optional<ClipRecord> LockClip(const std::string& clip_id) = 0;
  virtual std::optional<ClipRecord> FindByJob(const std::string& job_id) = 0;
  // Writes the editable fields (title through forking_allowed), the
  // removal reason and the author (cleared on account deletion), and sets
  // update_time.
  virtual void UpdateClip(const ClipRecord& clip) = 0;
  // The author's live clips, newest first, after `after_clip_id` (empty:
  // from the newest), at most `limit`.
  virtual std::vector<ClipRecord> ListByAuthor(const std::string& author_id, const std::string& after_clip_id,
                                               int limit) = 0;
  // Every clip of the author, live or not (account deletion), at most
  // `limit` after `after_clip_id` in id order.
  virtual std::vector<std::string> ClipIdsOfAuthor(const std::string& author_id, const std::string& after_clip_id,
                                                   int limit) = 0;

  // --- The graph ---
  // `start` and its ancestors, nearest first (start, its parent, ... up to
  // the root), at most `limit`.
  virtual std::vector<ClipRecord> AncestorsFrom(const std::string& start, int limit) = 0;
  // A new clip was published under `parent_id`: locks the parent's
  // ancestors and the parent (root first, so that concurrent publishes in
  // one tree take their locks in one order), adds one to the parent's
  // direct forks and to every one's descendants.
  virtual void CountNewFork(const std::string& parent_id) = 0;
  // `top`'s descendants as `query` says.
  virtual std::vector<ClipRecord> Descendants(const ClipRecord& top, const DescendantQuery& query) = 0;
  // How many descendants `top` has within `max_levels`, counted up to
  // `cap`.
  virtual int64_t CountDescendants(const ClipRecord& top, int32_t max_levels, int64_t cap) = 0;
  // Clips by id (the ones that exist), in no particular order.
  virtual std::vector<ClipRecord> GetClips(const std::vector<std::string>& clip_ids) = 0;

  // --- Likes and views ---
  // False when the like was already there.
  virtual bool InsertLike(const std::string& clip_id, const std::string& user_id, absl::Time now) = 0;
  // False when there was no like.
  virtual bool DeleteLike(const std::string& clip_id, const std::string& user_id) = 0;
  // Which of `clip_ids` the user likes.
  virtual std::vector<std::string> LikedAmong(const std::string& user_id,
                                              const std::vector<std::string>& clip_ids) = 0;
  // The clips the user likes (account deletion), at most `limit`.
  virtual std::vector<std::string> LikesOfUser(const std::string& user_id, int limit) = 0;
  // Applies `delta` to the clip's counters and returns them after it.
  virtual ClipCounts AdjustCounts(const std::string& clip_id, const CountDelta& delta) = 0;
  // Records a view at `now`; true when it counts (the viewer's last counted
  // view of the clip is older than `window`, or there is none).
  virtual bool MarkView(const std::string& clip_id, const std::string& viewer_id, absl::Time now,
                        absl::Duration window) = 0;
  // Forgets view marks counted before `before`, at most `limit`; returns
  // how many.
  virtual int SweepViewMarks(absl::Time before, int limit) = 0;

  // --- Comments ---
  virtual void InsertComment(const CommentRecord& comment) = 0;
  virtual std::optional<CommentRecord> GetComment(const std::string& comment_id) = 0;
  // Also locks the comment's row until the transaction ends.
  virtual std::optional<CommentRecord> LockComment(const std::string& comment_id) = 0;
  // Top-level comments of the clip (parent empty) newest first, or one
  // comment's replies oldest first, after `after_comment_id` (empty: from
  // the start), at most `limit`; comments whose author `viewer_id` blocks
  // or mutes are left out.
  virtual std::vector<CommentRecord> ListComments(const std::string& clip_id, const std::string& parent_comment_id,
                                                  const std::string& viewer_id,
                                                  const std::string& after_comment_id, int limit) = 0;
  // Makes the comment a tombstone (deleted, no author, no text).
  virtual void TombstoneComment(const std::string& comment_id) = 0;
  virtual void DeleteComment(const std::string& comment_id) = 0;
  // Adds `delta` to a top-level comment's reply count.
  virtual void AdjustReplyCount(const std::string& comment_id, int32_t delta) = 0;
  // The ids of the user's comments (account deletion), at most `limit`.
  virtual std::vector<std::string> CommentIdsOfUser(const std::string& user_id, int limit) = 0;

  // --- The users service's data ---
  // Inserts or replaces the user's handle and display name.
  virtual void PutUser(const UserRecord& user) = 0;
  // The users among `user_ids` this service knows.
  virtual std::map<std::string, UserRecord> GetUsers(const std::vector<std::string>& user_ids) = 0;
  virtual void SetFollow(const std::string& follower_id, const std::string& followee_id, bool follows) = 0;
  virtual void SetBlock(const std::string& blocker_id, const std::string& blocked_id, bool blocks) = 0;
  virtual void SetMute(const std::string& muter_id, const std::string& muted_id, bool mutes) = 0;
  // How `viewer_id` stands to each of `author_ids` (authors without a
  // relation are left out).
  virtual std::map<std::string, Relation> RelationsOf(const std::string& viewer_id,
                                                      const std::vector<std::string>& author_ids) = 0;
  // Marks the user deleted (handle and name cleared) and forgets their
  // follows, blocks and mutes, both ways.
  virtual void ForgetUser(const std::string& user_id) = 0;

  // Appends an event to the outbox: published if and only if the
  // transaction commits.
  virtual absl::Status AppendEvent(const v1::EventEnvelope& event) = 0;
};

enum class TxMode { kReadWrite, kReadOnly };

class ClipsStore {
 public:
  virtual ~ClipsStore() = default;
  // Runs `work` in one transaction and commits when it returns OK. Work may
  // run more than once (transient failures are retried), so it must have no
  // effect outside the transaction.
  virtual absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(ClipsTx&)> work) = 0;
};

}  // namespace clipforge::clips_service
