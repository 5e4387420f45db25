#include "tests/unit/clips_service/fake_clips_store.h"

#include <algorithm>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/uuid.h"
#include "base/validation.h"
#include "tests/support/fake_outbox.h"

namespace clipforge::clips_service::testing {
namespace {

// What the driver's exceptions become once Transact maps them: a unique
// key -> ALREADY_EXISTS, a CHECK or foreign key -> FAILED_PRECONDITION.
struct Violation {
  absl::Status status;
};

[[noreturn]] void Fail(absl::Status status) { throw Violation{std::move(status)}; }

void Check(bool ok, absl::string_view constraint) {
  if (!ok) Fail(absl::FailedPreconditionError(absl::StrCat("check violation: ", constraint)));
}

// Postgres text lengths count characters.
size_t Chars(const std::string& text) { return base::Utf8Length(text).value_or(text.size()); }

void CheckUuid(const std::string& value, absl::string_view column, bool nullable = false) {
  if (nullable && value.empty()) return;
  Check(base::ParseUuid(value).ok(), absl::StrCat(column, " is a uuid"));
}

// The CHECK constraints of clips.clips (migrations/0017) and its uuid
// columns (an empty id stands for NULL where the column allows it).
void CheckClip(const ClipRecord& c) {
  CheckUuid(c.clip_id, "clip_id");
  CheckUuid(c.author_id, "author_id", /*nullable=*/true);
  CheckUuid(c.job_id, "job_id");
  CheckUuid(c.parent_id, "parent_id", /*nullable=*/true);
  CheckUuid(c.root_id, "root_id");
  CheckUuid(c.party_id, "party_id", /*nullable=*/true);
  Check(c.spec.ByteSizeLong() <= 65536, "length(spec) <= 65536");
  Check(c.media.ByteSizeLong() <= 65536, "length(media) <= 65536");
  Check(Chars(c.prompt()) <= 8000, "length(prompt) <= 8000");
  Check(c.diff.ByteSizeLong() <= 262144, "length(diff) <= 262144");
  Check(c.depth >= 0, "depth >= 0");
  Check(Chars(c.title) <= 400, "length(title) <= 400");
  Check(Chars(c.caption) <= 8800, "length(caption) <= 8800");
  Check(c.tags.size() <= 32, "cardinality(tags) <= 32");
  Check(Chars(c.language) <= 35, "length(language) <= 35");
  Check(c.visibility >= 1 && c.visibility <= 4, "visibility BETWEEN 1 AND 4");
  Check(c.counts.likes >= 0, "like_count >= 0");
  Check(c.counts.views >= 0, "view_count >= 0");
  Check(c.counts.comments >= 0, "comment_count >= 0");
  Check(c.counts.direct_forks >= 0, "direct_fork_count >= 0");
  Check(c.counts.descendants >= 0, "descendant_count >= 0");
  Check(c.parent_id.empty() == (c.depth == 0), "(parent_id IS NULL) = (depth = 0)");
  Check(!c.parent_id.empty() || c.root_id == c.clip_id, "parent_id IS NOT NULL OR root_id = clip_id");
}

// The CHECK constraints of clips.comments (migrations/0019) and its uuid
// columns.
void CheckComment(const CommentRecord& c) {
  CheckUuid(c.comment_id, "comment_id");
  CheckUuid(c.clip_id, "clip_id");
  CheckUuid(c.author_id, "author_id", /*nullable=*/true);
  CheckUuid(c.parent_comment_id, "parent_comment_id", /*nullable=*/true);
  Check(Chars(c.text) <= 2000, "length(text) <= 2000");
  Check(c.reply_count >= 0, "reply_count >= 0");
  Check(!c.deleted || (c.text.empty() && c.author_id.empty()), "NOT deleted OR (text = '' AND author_id IS NULL)");
}

size_t Limit(int limit) { return static_cast<size_t>(std::max(limit, 0)); }

bool BreadthFirst(v1::DescendantOrder order) {
  // UNSPECIFIED (and anything unknown) reads as breadth first.
  return order != v1::DESCENDANT_ORDER_NEWEST && order != v1::DESCENDANT_ORDER_MOST_LIKED &&
         order != v1::DESCENDANT_ORDER_MOST_FORKED;
}

// What a GraphCursor's key holds for `order`.
int64_t KeyOf(const ClipRecord& c, v1::DescendantOrder order) {
  switch (order) {
    case v1::DESCENDANT_ORDER_NEWEST: return 0;
    case v1::DESCENDANT_ORDER_MOST_LIKED: return c.counts.likes;
    case v1::DESCENDANT_ORDER_MOST_FORKED: return c.counts.descendants;
    default: return c.depth;
  }
}

// True when `a` comes before `b` in `order`: breadth first is depth ASC,
// clip_id DESC; newest clip_id DESC; the others key DESC, clip_id DESC.
bool Before(const ClipRecord& a, const ClipRecord& b, v1::DescendantOrder order) {
  if (BreadthFirst(order)) {
    if (a.depth != b.depth) return a.depth < b.depth;
    return a.clip_id > b.clip_id;
  }
  if (order == v1::DESCENDANT_ORDER_NEWEST) return a.clip_id > b.clip_id;
  const int64_t ka = KeyOf(a, order), kb = KeyOf(b, order);
  if (ka != kb) return ka > kb;
  return a.clip_id > b.clip_id;
}

// True when `c` comes strictly after the cursor in `order`.
bool PastCursor(const ClipRecord& c, v1::DescendantOrder order, const GraphCursor& cursor) {
  if (BreadthFirst(order)) {
    return c.depth > cursor.key || (c.depth == cursor.key && c.clip_id < cursor.clip_id);
  }
  if (order == v1::DESCENDANT_ORDER_NEWEST) return c.clip_id < cursor.clip_id;
  const int64_t key = KeyOf(c, order);
  return key < cursor.key || (key == cursor.key && c.clip_id < cursor.clip_id);
}

class FakeTx final : public ClipsTx {
 public:
  FakeTx(FakeClipsState& s, bool read_only) : s_(s), read_only_(read_only) {}

  // --- Clips ---
  void InsertClip(const ClipRecord& clip) override {
    Write();
    ClipRecord row = clip;
    row.counts = {};  // The counters take their defaults.
    CheckClip(row);
    if (s_.clips.count(row.clip_id) > 0) Fail(absl::AlreadyExistsError("unique violation: clips_pkey"));
    for (const auto& [id, c] : s_.clips) {
      if (c.job_id == row.job_id) Fail(absl::AlreadyExistsError("unique violation: clips_job_id_key"));
    }
    if (!row.parent_id.empty() && s_.clips.count(row.parent_id) == 0) {
      Fail(absl::FailedPreconditionError("foreign key violation: clips_parent_id_fkey"));
    }
    s_.clips[row.clip_id] = std::move(row);
  }
  std::optional<ClipRecord> GetClip(const std::string& clip_id) override {
    const auto it = s_.clips.find(clip_id);
    if (it == s_.clips.end()) return std::nullopt;
    return it->second;
  }
  std::optional<ClipRecord> LockClip(const std::string& clip_id) override { return GetClip(clip_id); }
  std::optional<ClipRecord> FindByJob(const std::string& job_id) override {
    for (const auto& [id, c] : s_.clips) {
      if (c.job_id == job_id) return c;
    }
    return std::nullopt;
  }
  void UpdateClip(const ClipRecord& clip) override {
    Write();
    const auto it = s_.clips.find(clip.clip_id);
    if (it == s_.clips.end()) return;  // UPDATE: no row, no change.
    // Only the columns the UPDATE sets.
    ClipRecord row = it->second;
    row.title = clip.title;
    row.caption = clip.caption;
    row.tags = clip.tags;
    row.language = clip.language;
    row.visibility = clip.visibility;
    row.forking_allowed = clip.forking_allowed;
    row.removal_reason = clip.removal_reason;
    row.author_id = clip.author_id;
    row.update_time = clip.update_time;
    CheckClip(row);
    it->second = std::move(row);
  }
  std::vector<ClipRecord> ListByAuthor(const std::string& author_id, const std::string& after_clip_id,
                                       int limit) override {
    std::vector<ClipRecord> out;
    if (author_id.empty()) return out;  // author_id = NULL matches nothing.
    // Newest first: descending clip_id.
    for (auto it = s_.clips.rbegin(); it != s_.clips.rend() && out.size() < Limit(limit); ++it) {
      const ClipRecord& c = it->second;
      if (c.author_id != author_id || c.removed()) continue;
      if (!after_clip_id.empty() && !(c.clip_id < after_clip_id)) continue;
      out.push_back(c);
    }
    return out;
  }
  std::vector<std::string> ClipIdsOfAuthor(const std::string& author_id, const std::string& after_clip_id,
                                           int limit) override {
    std::vector<std::string> out;
    if (author_id.empty()) return out;
    for (const auto& [id, c] : s_.clips) {  // In id order.
      if (out.size() >= Limit(limit)) break;
      if (c.author_id != author_id) continue;
      if (!after_clip_id.empty() && !(id > after_clip_id)) continue;
      out.push_back(id);
    }
    return out;
  }

  // --- The graph ---
  std::vector<ClipRecord> AncestorsFrom(const std::string& start, int limit) override {
    std::vector<ClipRecord> out;
    std::string id = start;
    while (!id.empty() && out.size() < Limit(limit)) {
      const auto it = s_.clips.find(id);
      if (it == s_.clips.end()) break;
      out.push_back(it->second);
      if (out.size() > s_.clips.size()) throw std::logic_error("the parent links make a cycle");
      id = it->second.parent_id;
    }
    return out;
  }
  void CountNewFork(const std::string& parent_id) override {
    Write();
    // The parent and its ancestors (locked root first in Postgres; one
    // thread here).
    const std::vector<ClipRecord> chain = AncestorsFrom(parent_id, static_cast<int>(s_.clips.size()) + 1);
    if (chain.empty()) return;  // UPDATE: no row, no change.
    s_.clips.at(parent_id).counts.direct_forks += 1;
    for (const ClipRecord& c : chain) s_.clips.at(c.clip_id).counts.descendants += 1;
  }
  std::vector<ClipRecord> Descendants(const ClipRecord& top, const DescendantQuery& query) override {
    std::vector<ClipRecord> out;
    for (const ClipRecord& c : Subtree(top, query.max_levels)) {
      if (query.after && !PastCursor(c, query.order, *query.after)) continue;
      out.push_back(c);
    }
    std::sort(out.begin(), out.end(),
              [&](const ClipRecord& a, const ClipRecord& b) { return Before(a, b, query.order); });
    if (out.size() > Limit(query.limit)) out.resize(Limit(query.limit));
    return out;
  }
  int64_t CountDescendants(const ClipRecord& top, int32_t max_levels, int64_t cap) override {
    const auto n = static_cast<int64_t>(Subtree(top, max_levels).size());
    return std::min(n, std::max<int64_t>(cap, 0));
  }
  std::vector<ClipRecord> GetClips(const std::vector<std::string>& clip_ids) override {
    // "In no particular order": the reverse of the request's (without
    // repeats), so that logic relying on an order shows up.
    std::vector<ClipRecord> out;
    for (auto it = clip_ids.rbegin(); it != clip_ids.rend(); ++it) {
      const auto found = s_.clips.find(*it);
      if (found == s_.clips.end()) continue;
      const bool seen = std::any_of(out.begin(), out.end(), [&](const ClipRecord& c) { return c.clip_id == *it; });
      if (!seen) out.push_back(found->second);
    }
    return out;
  }

  // --- Likes and views ---
  bool InsertLike(const std::string& clip_id, const std::string& user_id, absl::Time now) override {
    Write();
    CheckUuid(user_id, "user_id");
    if (s_.clips.count(clip_id) == 0) Fail(absl::FailedPreconditionError("foreign key violation: likes_clip_id_fkey"));
    // ON CONFLICT DO NOTHING.
    return s_.likes.try_emplace({clip_id, user_id}, now).second;
  }
  bool DeleteLike(const std::string& clip_id, const std::string& user_id) override {
    Write();
    return s_.likes.erase({clip_id, user_id}) > 0;
  }
  std::vector<std::string> LikedAmong(const std::string& user_id, const std::vector<std::string>& clip_ids) override {
    std::vector<std::string> out;
    for (const std::string& id : clip_ids) {
      if (s_.likes.count({id, user_id}) > 0 && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
    return out;
  }
  std::vector<std::string> LikesOfUser(const std::string& user_id, int limit) override {
    std::vector<std::string> out;
    for (const auto& [key, time] : s_.likes) {
      if (out.size() >= Limit(limit)) break;
      if (key.second == user_id) out.push_back(key.first);
    }
    return out;
  }
  ClipCounts AdjustCounts(const std::string& clip_id, const CountDelta& delta) override {
    Write();
    const auto it = s_.clips.find(clip_id);
    if (it == s_.clips.end()) {
      throw std::logic_error("AdjustCounts of a clip that is not there (RETURNING gave no row)");
    }
    ClipCounts counts = it->second.counts;
    counts.likes += delta.likes;
    counts.views += delta.views;
    counts.comments += delta.comments;
    Check(counts.likes >= 0, "like_count >= 0");
    Check(counts.views >= 0, "view_count >= 0");
    Check(counts.comments >= 0, "comment_count >= 0");
    it->second.counts = counts;
    return counts;
  }
  bool MarkView(const std::string& clip_id, const std::string& viewer_id, absl::Time now,
                absl::Duration window) override {
    Write();
    CheckUuid(viewer_id, "viewer_id");
    if (s_.clips.count(clip_id) == 0) {
      Fail(absl::FailedPreconditionError("foreign key violation: view_marks_clip_id_fkey"));
    }
    // INSERT ... ON CONFLICT DO UPDATE SET counted_at = now WHERE
    // counted_at <= now - window: a view that does not count leaves the
    // mark of the last one that did.
    const auto [it, inserted] = s_.view_marks.try_emplace({clip_id, viewer_id}, now);
    if (inserted) return true;
    if (it->second <= now - window) {
      it->second = now;
      return true;
    }
    return false;
  }
  int SweepViewMarks(absl::Time before, int limit) override {
    Write();
    std::vector<std::pair<absl::Time, std::pair<std::string, std::string>>> old;
    for (const auto& [key, counted] : s_.view_marks) {
      if (counted < before) old.emplace_back(counted, key);
    }
    std::sort(old.begin(), old.end());  // The oldest first.
    if (old.size() > Limit(limit)) old.resize(Limit(limit));
    for (const auto& [counted, key] : old) s_.view_marks.erase(key);
    return static_cast<int>(old.size());
  }

  // --- Comments ---
  void InsertComment(const CommentRecord& comment) override {
    Write();
    CommentRecord row = comment;
    row.reply_count = 0;  // The reply count and the flag take their defaults.
    row.deleted = false;
    CheckComment(row);
    if (s_.comments.count(row.comment_id) > 0) Fail(absl::AlreadyExistsError("unique violation: comments_pkey"));
    if (s_.clips.count(row.clip_id) == 0) {
      Fail(absl::FailedPreconditionError("foreign key violation: comments_clip_id_fkey"));
    }
    if (!row.parent_comment_id.empty() && s_.comments.count(row.parent_comment_id) == 0) {
      Fail(absl::FailedPreconditionError("foreign key violation: comments_parent_comment_id_fkey"));
    }
    s_.comments[row.comment_id] = std::move(row);
  }
  std::optional<CommentRecord> GetComment(const std::string& comment_id) override {
    const auto it = s_.comments.find(comment_id);
    if (it == s_.comments.end()) return std::nullopt;
    return it->second;
  }
  std::optional<CommentRecord> LockComment(const std::string& comment_id) override { return GetComment(comment_id); }
  std::vector<CommentRecord> ListComments(const std::string& clip_id, const std::string& parent_comment_id,
                                          const std::string& viewer_id, const std::string& after_comment_id,
                                          int limit) override {
    std::vector<CommentRecord> out;
    const auto listed = [&](const CommentRecord& c) {
      return c.clip_id == clip_id && c.parent_comment_id == parent_comment_id && !Hidden(viewer_id, c.author_id);
    };
    if (parent_comment_id.empty()) {
      // Top-level comments newest first: descending comment_id.
      for (auto it = s_.comments.rbegin(); it != s_.comments.rend() && out.size() < Limit(limit); ++it) {
        const CommentRecord& c = it->second;
        if (!after_comment_id.empty() && !(c.comment_id < after_comment_id)) continue;
        if (listed(c)) out.push_back(c);
      }
      return out;
    }
    // Replies oldest first: ascending comment_id.
    for (auto it = s_.comments.begin(); it != s_.comments.end() && out.size() < Limit(limit); ++it) {
      const CommentRecord& c = it->second;
      if (!after_comment_id.empty() && !(c.comment_id > after_comment_id)) continue;
      if (listed(c)) out.push_back(c);
    }
    return out;
  }
  void TombstoneComment(const std::string& comment_id) override {
    Write();
    const auto it = s_.comments.find(comment_id);
    if (it == s_.comments.end()) return;  // UPDATE: no row, no change.
    CommentRecord row = it->second;
    row.deleted = true;
    row.text.clear();
    row.author_id.clear();
    CheckComment(row);
    it->second = std::move(row);
  }
  void DeleteComment(const std::string& comment_id) override {
    Write();
    // Replies refer to their parent (no ON DELETE action).
    for (const auto& [id, c] : s_.comments) {
      if (c.parent_comment_id == comment_id) {
        Fail(absl::FailedPreconditionError("foreign key violation: comments_parent_comment_id_fkey"));
      }
    }
    s_.comments.erase(comment_id);
  }
  void AdjustReplyCount(const std::string& comment_id, int32_t delta) override {
    Write();
    const auto it = s_.comments.find(comment_id);
    if (it == s_.comments.end()) return;  // UPDATE: no row, no change.
    CommentRecord row = it->second;
    row.reply_count += delta;
    CheckComment(row);
    it->second = std::move(row);
  }
  std::vector<std::string> CommentIdsOfUser(const std::string& user_id, int limit) override {
    std::vector<std::string> out;
    if (user_id.empty()) return out;  // author_id = NULL matches nothing.
    for (const auto& [id, c] : s_.comments) {
      if (out.size() >= Limit(limit)) break;
      if (c.author_id == user_id) out.push_back(id);
    }
    return out;
  }

  // --- The users service's data ---
  void PutUser(const UserRecord& user) override {
    Write();
    CheckUuid(user.user_id, "user_id");
    Check(Chars(user.handle) <= 30, "length(handle) <= 30");
    Check(Chars(user.display_name) <= 200, "length(display_name) <= 200");
    // INSERT ... ON CONFLICT DO UPDATE of the handle, the name and the
    // consent; a user marked deleted stays deleted (a late event does not
    // bring them back).
    const auto [it, inserted] = s_.users.try_emplace(user.user_id, user);
    if (inserted) return;
    it->second.handle = user.handle;
    it->second.display_name = user.display_name;
    it->second.analytics_opted_in = user.analytics_opted_in;
    it->second.deleted = it->second.deleted || user.deleted;
  }
  std::map<std::string, UserRecord> GetUsers(const std::vector<std::string>& user_ids) override {
    std::map<std::string, UserRecord> out;
    for (const std::string& id : user_ids) {
      const auto it = s_.users.find(id);
      if (it != s_.users.end()) out[id] = it->second;
    }
    return out;
  }
  void SetFollow(const std::string& follower_id, const std::string& followee_id, bool follows) override {
    Write();
    CheckUuid(follower_id, "follower_id");
    CheckUuid(followee_id, "followee_id");
    if (follows) {
      s_.follows.emplace(follower_id, followee_id);
    } else {
      s_.follows.erase({follower_id, followee_id});
    }
  }
  void SetBlock(const std::string& blocker_id, const std::string& blocked_id, bool blocks) override {
    Write();
    CheckUuid(blocker_id, "blocker_id");
    CheckUuid(blocked_id, "blocked_id");
    if (blocks) {
      s_.blocks.emplace(blocker_id, blocked_id);
    } else {
      s_.blocks.erase({blocker_id, blocked_id});
    }
  }
  void SetMute(const std::string& muter_id, const std::string& muted_id, bool mutes) override {
    Write();
    CheckUuid(muter_id, "muter_id");
    CheckUuid(muted_id, "muted_id");
    if (mutes) {
      s_.mutes.emplace(muter_id, muted_id);
    } else {
      s_.mutes.erase({muter_id, muted_id});
    }
  }
  std::map<std::string, Relation> RelationsOf(const std::string& viewer_id,
                                              const std::vector<std::string>& author_ids) override {
    std::map<std::string, Relation> out;
    if (viewer_id.empty()) return out;
    for (const std::string& author : author_ids) {
      if (author.empty()) continue;
      const Relation relation{.follows = s_.follows.count({viewer_id, author}) > 0,
                              .blocked_by_author = s_.blocks.count({author, viewer_id}) > 0};
      if (relation.follows || relation.blocked_by_author) out[author] = relation;
    }
    return out;
  }
  void ForgetUser(const std::string& user_id) override {
    Write();
    CheckUuid(user_id, "user_id");
    UserRecord& user = s_.users[user_id];  // Upserted: a late registration finds it deleted.
    user.user_id = user_id;
    user.handle.clear();
    user.display_name.clear();
    user.deleted = true;
    std::erase_if(s_.follows, [&](const auto& f) { return f.first == user_id || f.second == user_id; });
    std::erase_if(s_.blocks, [&](const auto& b) { return b.first == user_id || b.second == user_id; });
    std::erase_if(s_.mutes, [&](const auto& m) { return m.first == user_id || m.second == user_id; });
  }

  // --- Outbox and idempotency ---
  absl::Status AppendEvent(const v1::EventEnvelope& event) override {
    Write();
    CF_RETURN_IF_ERROR(clipforge::testing::CheckOutboxEnvelope(event));
    s_.events.push_back(event);
    return absl::OkStatus();
  }
  std::optional<kit::IdempotencyRecord> FindIdempotency(const std::string& caller_id,
                                                        const std::string& request_id) override {
    const auto it = s_.idempotency.find({caller_id, request_id});
    if (it == s_.idempotency.end()) return std::nullopt;
    return it->second;
  }
  void SaveIdempotency(const kit::IdempotencyKey& key, const std::string& result) override {
    Write();
    CheckUuid(key.caller_id, "caller_id");
    CheckUuid(key.request_id, "request_id");
    const auto [it, inserted] = s_.idempotency.try_emplace(
        {key.caller_id, key.request_id}, kit::IdempotencyRecord{key.method, key.fingerprint, result});
    if (!inserted) Fail(absl::AlreadyExistsError("unique violation: idempotency_pkey"));
  }

 private:
  void Write() const {
    if (read_only_) throw std::logic_error("write in a read-only transaction");
  }

  // True when `viewer_id` blocks or mutes `author_id`. No viewer and no
  // author (a tombstone) hide nothing: NULL in the SQL's comparisons.
  bool Hidden(const std::string& viewer_id, const std::string& author_id) const {
    if (viewer_id.empty() || author_id.empty()) return false;
    return s_.blocks.count({viewer_id, author_id}) > 0 || s_.mutes.count({viewer_id, author_id}) > 0;
  }

  // `top`'s descendants at depths top.depth + 1 through top.depth +
  // max_levels, found by walking down the parent links level by level.
  std::vector<ClipRecord> Subtree(const ClipRecord& top, int32_t max_levels) const {
    std::vector<ClipRecord> out;
    if (max_levels <= 0) return out;
    std::map<std::string, std::vector<const ClipRecord*>> children;
    for (const auto& [id, c] : s_.clips) {
      if (!c.parent_id.empty()) children[c.parent_id].push_back(&c);
    }
    std::vector<std::string> level{top.clip_id};
    for (int32_t below = 1; below <= max_levels && !level.empty(); ++below) {
      std::vector<std::string> next;
      for (const std::string& id : level) {
        const auto it = children.find(id);
        if (it == children.end()) continue;
        for (const ClipRecord* child : it->second) {
          out.push_back(*child);
          next.push_back(child->clip_id);
        }
      }
      if (out.size() > s_.clips.size()) throw std::logic_error("the parent links make a cycle");
      level = std::move(next);
    }
    return out;
  }

  FakeClipsState& s_;
  const bool read_only_;
};

}  // namespace

absl::Status FakeClipsStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(ClipsTx&)> work) {
  return state_.Transact([&](FakeClipsState& copy) -> absl::Status {
    FakeTx tx(copy, mode == TxMode::kReadOnly);
    try {
      return work(tx);
    } catch (const Violation& v) {
      return v.status;
    } catch (const std::logic_error& e) {
      return absl::InternalError(e.what());
    }
  });
}

}  // namespace clipforge::clips_service::testing
