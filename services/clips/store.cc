#include "services/clips/store.h"

#include <pqxx/pqxx>

#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/kit/pg_array.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_idempotency.h"
#include "services/kit/pg_time.h"
#include "services/kit/pg_transaction.h"
#include "services/kit/pg_tx_base.h"

namespace clipforge::clips_service {
namespace {

using kit::SqlMicros;
using kit::SqlTimestampParam;
using kit::ToMicros;

constexpr char kInsertClip[] = "clips_insert_clip";
constexpr char kGetClip[] = "clips_get_clip";
constexpr char kLockClip[] = "clips_lock_clip";
constexpr char kFindByJob[] = "clips_find_by_job";
constexpr char kUpdateClip[] = "clips_update_clip";
constexpr char kListByAuthor[] = "clips_list_by_author";
constexpr char kClipIdsOfAuthor[] = "clips_clip_ids_of_author";
constexpr char kAncestorsFrom[] = "clips_ancestors_from";
constexpr char kLockLineage[] = "clips_lock_lineage";
constexpr char kCountFork[] = "clips_count_fork";
constexpr char kCountDescendantsRoot[] = "clips_count_descendants_root";
constexpr char kCountDescendantsInner[] = "clips_count_descendants_inner";
constexpr char kGetClips[] = "clips_get_clips";
constexpr char kInsertLike[] = "clips_insert_like";
constexpr char kDeleteLike[] = "clips_delete_like";
constexpr char kLikedAmong[] = "clips_liked_among";
constexpr char kLikesOfUser[] = "clips_likes_of_user";
constexpr char kAdjustCounts[] = "clips_adjust_counts";
constexpr char kMarkView[] = "clips_mark_view";
constexpr char kSweepViewMarks[] = "clips_sweep_view_marks";
constexpr char kInsertComment[] = "clips_insert_comment";
constexpr char kGetComment[] = "clips_get_comment";
constexpr char kLockComment[] = "clips_lock_comment";
constexpr char kListTopComments[] = "clips_list_top_comments";
constexpr char kListReplies[] = "clips_list_replies";
constexpr char kTombstoneComment[] = "clips_tombstone_comment";
constexpr char kDeleteComment[] = "clips_delete_comment";
constexpr char kAdjustReplyCount[] = "clips_adjust_reply_count";
constexpr char kCommentIdsOfUser[] = "clips_comment_ids_of_user";
constexpr char kPutUser[] = "clips_put_user";
constexpr char kGetUsers[] = "clips_get_users";
constexpr char kInsertFollow[] = "clips_insert_follow";
constexpr char kDeleteFollow[] = "clips_delete_follow";
constexpr char kInsertBlock[] = "clips_insert_block";
constexpr char kDeleteBlock[] = "clips_delete_block";
constexpr char kInsertMute[] = "clips_insert_mute";
constexpr char kDeleteMute[] = "clips_delete_mute";
constexpr char kRelationsOf[] = "clips_relations_of";
constexpr char kForgetUser[] = "clips_forget_user";
constexpr char kForgetFollows[] = "clips_forget_follows";
constexpr char kForgetBlocks[] = "clips_forget_blocks";
constexpr char kForgetMutes[] = "clips_forget_mutes";

// The orders of descendants, each with its own statements (one for a root's
// subtree, one for an inner node's), indexed by the enum's value.
enum class Order { kBreadthFirst = 0, kNewest = 1, kMostLiked = 2, kMostForked = 3 };
constexpr Order kOrders[] = {Order::kBreadthFirst, Order::kNewest, Order::kMostLiked, Order::kMostForked};
constexpr const char* kDescendantsRoot[] = {"clips_descendants_root_breadth_first", "clips_descendants_root_newest",
                                            "clips_descendants_root_most_liked", "clips_descendants_root_most_forked"};
constexpr const char* kDescendantsInner[] = {"clips_descendants_inner_breadth_first", "clips_descendants_inner_newest",
                                             "clips_descendants_inner_most_liked",
                                             "clips_descendants_inner_most_forked"};

Order OrderOf(v1::DescendantOrder order) {
  switch (order) {
    case v1::DESCENDANT_ORDER_NEWEST:
      return Order::kNewest;
    case v1::DESCENDANT_ORDER_MOST_LIKED:
      return Order::kMostLiked;
    case v1::DESCENDANT_ORDER_MOST_FORKED:
      return Order::kMostForked;
    default:  // BREADTH_FIRST, and UNSPECIFIED means it.
      return Order::kBreadthFirst;
  }
}

// "No cursor" in keyset paging: newest-first pages start below the largest
// UUID, oldest-first ones above the nil UUID.
constexpr char kMaxUuid[] = "ffffffff-ffff-ffff-ffff-ffffffffffff";
constexpr char kNilUuid[] = "00000000-0000-0000-0000-000000000000";
// ... and below every depth (breadth first) or above every count.
constexpr int64_t kNoDepth = -1;
constexpr int64_t kNoCount = std::numeric_limits<int64_t>::max();

// Messages cross as hex (decode()/encode() in SQL).
std::string Hex(const google::protobuf::Message& message) {
  return absl::BytesToHexString(message.SerializeAsString());
}
template <typename Message>
Message FromHex(const pqxx::field& f) {
  Message message;
  if (!message.ParseFromString(absl::HexStringToBytes(f.as<std::string>()))) {
    throw std::runtime_error("clips: unreadable stored message");
  }
  return message;
}


// The non-empty ids among `ids` (an empty id is "none": an author whose
// account was deleted, say, and is no UUID).
std::vector<std::string> NonEmpty(const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    if (!id.empty()) out.push_back(id);
  }
  return out;
}

// A text[] column crosses as its elements in hex joined by ',' (no element
// can split another, whatever it holds); TagsSql is the SQL, TagsFromField
// reads it. (The driver's array parser splits unquoted elements at ';'.)
std::string TagsSql(const char* column) {
  return absl::StrCat("array_to_string(ARRAY(SELECT encode(convert_to(t.tag, 'UTF8'), 'hex') FROM unnest(", column,
                      ") WITH ORDINALITY t(tag, i) ORDER BY t.i), ',')");
}
std::vector<std::string> TagsFromField(const pqxx::field& f) {
  const std::string joined = f.as<std::string>();
  std::vector<std::string> tags;
  for (const absl::string_view hex : absl::StrSplit(joined, ',', absl::SkipEmpty())) {
    tags.push_back(absl::HexStringToBytes(hex));
  }
  return tags;
}

// Every clip query names clips.clips (or a row set of its columns) `c`.
const std::string kClipColumns = absl::StrCat(
    "c.clip_id::text, coalesce(c.author_id::text, ''), c.job_id::text, encode(c.spec, 'hex'), "
    "encode(c.media, 'hex'), coalesce(encode(c.diff, 'hex'), ''), coalesce(c.parent_id::text, ''), "
    "c.root_id::text, c.depth, c.title, c.caption, ",
    TagsSql("c.tags"),
    ", c.language, c.visibility, c.forking_allowed, coalesce(c.party_id::text, ''), c.removal_reason, "
    "c.like_count, c.view_count, c.comment_count, c.direct_fork_count, c.descendant_count, ",
    SqlMicros("c.created_at"), ", ", SqlMicros("c.updated_at"),
    ", c.c2pa IS NOT NULL, coalesce(encode(c.c2pa, 'hex'), '')");

ClipRecord ClipFromRow(const pqxx::row& r) {
  ClipRecord clip;
  clip.clip_id = r[0].as<std::string>();
  clip.author_id = r[1].as<std::string>();
  clip.job_id = r[2].as<std::string>();
  clip.spec = FromHex<v1::JobSpec>(r[3]);
  clip.media = FromHex<v1::JobOutputs>(r[4]);
  clip.diff = FromHex<v1::PromptDiff>(r[5]);  // NULL (an original) reads as the empty diff.
  clip.parent_id = r[6].as<std::string>();
  clip.root_id = r[7].as<std::string>();
  clip.depth = r[8].as<int32_t>();
  clip.title = r[9].as<std::string>();
  clip.caption = r[10].as<std::string>();
  clip.tags = TagsFromField(r[11]);  // Tags are never empty strings.
  clip.language = r[12].as<std::string>();
  clip.visibility = static_cast<v1::Visibility>(r[13].as<int>());
  clip.forking_allowed = r[14].as<bool>();
  clip.party_id = r[15].as<std::string>();
  clip.removal_reason = static_cast<v1::RemovalReason>(r[16].as<int>());
  clip.counts = ClipCounts{.likes = r[17].as<int64_t>(),
                           .views = r[18].as<int64_t>(),
                           .comments = r[19].as<int64_t>(),
                           .direct_forks = r[20].as<int64_t>(),
                           .descendants = r[21].as<int64_t>()};
  clip.create_time = absl::FromUnixMicros(r[22].as<int64_t>());
  clip.update_time = absl::FromUnixMicros(r[23].as<int64_t>());
  if (r[24].as<bool>()) clip.c2pa = FromHex<v1::C2paSummary>(r[25]);
  return clip;
}

std::optional<ClipRecord> FirstClip(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return ClipFromRow(r[0]);
}

std::vector<ClipRecord> Clips(const pqxx::result& r) {
  std::vector<ClipRecord> clips;
  clips.reserve(r.size());
  for (const pqxx::row& row : r) clips.push_back(ClipFromRow(row));
  return clips;
}

// Every comment query names clips.comments `cm`. A NULL author (a
// tombstone, or an account deleted) and a NULL parent (a top-level
// comment) read as empty.
const std::string kCommentColumns = absl::StrCat(
    "cm.comment_id::text, cm.clip_id::text, coalesce(cm.author_id::text, ''), "
    "coalesce(cm.parent_comment_id::text, ''), cm.text, cm.reply_count, cm.deleted, ",
    SqlMicros("cm.created_at"));

CommentRecord CommentFromRow(const pqxx::row& r) {
  return CommentRecord{.comment_id = r[0].as<std::string>(),
                       .clip_id = r[1].as<std::string>(),
                       .author_id = r[2].as<std::string>(),
                       .parent_comment_id = r[3].as<std::string>(),
                       .text = r[4].as<std::string>(),
                       .reply_count = r[5].as<int32_t>(),
                       .deleted = r[6].as<bool>(),
                       .create_time = absl::FromUnixMicros(r[7].as<int64_t>())};
}

std::optional<CommentRecord> FirstComment(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return CommentFromRow(r[0]);
}

std::vector<CommentRecord> Comments(const pqxx::result& r) {
  std::vector<CommentRecord> comments;
  comments.reserve(r.size());
  for (const pqxx::row& row : r) comments.push_back(CommentFromRow(row));
  return comments;
}

// A listing leaves out the comments whose author the viewer (parameter
// `viewer`, text: empty for none) blocks or mutes, each by the table's
// primary key. No viewer (NULL) and no author (a tombstone: NULL) compare
// as unknown, so neither leaves anything out.
std::string NotHiddenSql(int viewer) {
  return absl::StrCat("NOT EXISTS (SELECT 1 FROM clips.blocks b WHERE b.blocker_id = nullif($", viewer,
                      ", '')::uuid AND b.blocked_id = cm.author_id) AND NOT EXISTS (SELECT 1 FROM clips.mutes m "
                      "WHERE m.muter_id = nullif($",
                      viewer, ", '')::uuid AND m.muted_id = cm.author_id)");
}

// --- The graph's SQL ---

// An inner node's subtree within the levels, walked down parent_id
// (clips_by_parent), a level at a time and no deeper than the last level:
// $1 the node, $2 its depth, $3 the deepest level. Tombstones are walked
// through (they stay nodes). Carries what the orders sort by, so that a
// page is chosen before the full rows are read.
constexpr char kWalkDown[] =
    "WITH RECURSIVE down(clip_id, depth, like_count, descendant_count) AS ("
    "SELECT c.clip_id, c.depth, c.like_count, c.descendant_count FROM clips.clips c WHERE c.parent_id = "
    "$1::uuid AND c.depth > $2::bigint AND c.depth <= $3::bigint "
    "UNION ALL "
    "SELECT c.clip_id, c.depth, c.like_count, c.descendant_count FROM down d JOIN clips.clips c ON c.parent_id = "
    "d.clip_id WHERE d.depth < $3::bigint) ";

// The node and its ancestors up to the root: $1 the node.
constexpr char kWalkUp[] =
    "WITH RECURSIVE up(clip_id, parent_id) AS ("
    "SELECT clip_id, parent_id FROM clips.clips WHERE clip_id = $1::uuid "
    "UNION ALL "
    "SELECT p.clip_id, p.parent_id FROM up JOIN clips.clips p ON p.clip_id = up.parent_id) ";

// A descending count order's rows after the cursor ($4 the count, $5 the
// clip id), for rows named `t`.
std::string CountAfterSql(const std::string& t, const char* column) {
  return absl::StrCat("(", t, ".", column, " < $4::bigint OR (", t, ".", column, " = $4::bigint AND ", t,
                      ".clip_id < $5::uuid))");
}

// The rows after the cursor in `order`: breadth first ($4 the depth, $5 the
// clip id), newest ($4 the clip id), most liked or forked ($4 the count, $5
// the clip id).
std::string AfterSql(Order order, const std::string& t) {
  switch (order) {
    case Order::kNewest:
      return absl::StrCat(t, ".clip_id < $4::uuid");
    case Order::kMostLiked:
      return CountAfterSql(t, "like_count");
    case Order::kMostForked:
      return CountAfterSql(t, "descendant_count");
    case Order::kBreadthFirst:
      break;
  }
  return absl::StrCat("(", t, ".depth > $4::bigint OR (", t, ".depth = $4::bigint AND ", t,
                      ".clip_id < $5::uuid))");
}

std::string OrderBySql(Order order, const std::string& t) {
  switch (order) {
    case Order::kNewest:
      return absl::StrCat(t, ".clip_id DESC");
    case Order::kMostLiked:
      return absl::StrCat(t, ".like_count DESC, ", t, ".clip_id DESC");
    case Order::kMostForked:
      return absl::StrCat(t, ".descendant_count DESC, ", t, ".clip_id DESC");
    case Order::kBreadthFirst:
      break;
  }
  return absl::StrCat(t, ".depth, ", t, ".clip_id DESC");
}

// The limit's parameter: after the cursor's one (newest) or two.
std::string LimitParam(Order order) { return order == Order::kNewest ? "$5::bigint" : "$6::bigint"; }

// A page of descendants. Parameters: $1 the top clip, $2 its depth, $3 the
// deepest level (its depth + max_levels), then the cursor (AfterSql) and
// the limit.
std::string DescendantsSql(bool root, Order order) {
  const std::string limit = LimitParam(order);
  if (!root) {
    // The walk, the page chosen on the walk's narrow rows, then its full
    // rows.
    return absl::StrCat(kWalkDown, ", page AS (SELECT d.clip_id FROM down d WHERE ", AfterSql(order, "d"),
                        " ORDER BY ", OrderBySql(order, "d"), " LIMIT ", limit, ") SELECT ", kClipColumns,
                        " FROM clips.clips c JOIN page p ON p.clip_id = c.clip_id ORDER BY ", OrderBySql(order, "c"));
  }
  // A root's subtree is every clip with its root_id (clips_by_root).
  if (order == Order::kBreadthFirst) {
    // Two ranges of clips_by_root (root_id, depth, clip_id DESC), each read
    // in index order from the cursor on: the rest of the cursor's level,
    // then the deeper levels. (One condition "depth > key OR (depth = key
    // AND clip_id < id)" is no index range: a late page of a wide level
    // would read every row before it.)
    return absl::StrCat(
        "SELECT ", kClipColumns, " FROM ((SELECT * FROM clips.clips WHERE root_id = $1::uuid AND depth = $4::bigint "
        "AND depth > $2::bigint AND depth <= $3::bigint AND clip_id < $5::uuid ORDER BY clip_id DESC LIMIT ",
        limit, ") UNION ALL (SELECT * FROM clips.clips WHERE root_id = $1::uuid AND depth > greatest($2::bigint, "
        "$4::bigint) AND depth <= $3::bigint ORDER BY depth, clip_id DESC LIMIT ",
        limit, ")) c ORDER BY ", OrderBySql(order, "c"), " LIMIT ", limit);
  }
  return absl::StrCat("SELECT ", kClipColumns, " FROM clips.clips c WHERE c.root_id = $1::uuid AND c.depth > "
                      "$2::bigint AND c.depth <= $3::bigint AND ",
                      AfterSql(order, "c"), " ORDER BY ", OrderBySql(order, "c"), " LIMIT ", limit);
}

const kit::PgIdempotencyLog& Idempotency() {
  static const kit::PgIdempotencyLog log("clips");
  return log;
}

class PgClipsTx final : public kit::PgTxBase<ClipsTx> {
 public:
  explicit PgClipsTx(pqxx::work& txn) : PgTxBase(txn, Idempotency()) {}

  // --- Clips ---
  void InsertClip(const ClipRecord& c) override {
    // An original's diff is NULL; a fork's is stored even when empty (the
    // same prompt). The counters take their defaults (zero).
    const bool null_diff = c.diff.spans_size() == 0 && c.parent_id.empty();
    txn_.exec_prepared(kInsertClip, c.clip_id, c.author_id, c.job_id, Hex(c.spec), Hex(c.media), c.spec.prompt(),
                       null_diff, Hex(c.diff), c.parent_id, c.root_id, c.depth, c.title, c.caption,
                       kit::PgTextArray(c.tags), c.language, static_cast<int>(c.visibility), c.forking_allowed,
                       c.party_id, static_cast<int>(c.removal_reason), ToMicros(c.create_time),
                       ToMicros(c.update_time), c.c2pa.has_value(), c.c2pa ? Hex(*c.c2pa) : std::string());
  }
  std::optional<ClipRecord> GetClip(const std::string& clip_id) override {
    return FirstClip(txn_.exec_prepared(kGetClip, clip_id));
  }
  std::optional<ClipRecord> LockClip(const std::string& clip_id) override {
    return FirstClip(txn_.exec_prepared(kLockClip, clip_id));
  }
  std::optional<ClipRecord> FindByJob(const std::string& job_id) override {
    return FirstClip(txn_.exec_prepared(kFindByJob, job_id));
  }
  void UpdateClip(const ClipRecord& c) override {
    txn_.exec_prepared(kUpdateClip, c.clip_id, c.title, c.caption, kit::PgTextArray(c.tags), c.language,
                       static_cast<int>(c.visibility), c.forking_allowed, static_cast<int>(c.removal_reason),
                       c.author_id, ToMicros(c.update_time));
  }
  std::vector<ClipRecord> ListByAuthor(const std::string& author_id, const std::string& after_clip_id,
                                       int limit) override {
    if (author_id.empty() || limit <= 0) return {};
    return Clips(txn_.exec_prepared(kListByAuthor, author_id,
                                    after_clip_id.empty() ? std::string(kMaxUuid) : after_clip_id, limit));
  }
  std::vector<std::string> ClipIdsOfAuthor(const std::string& author_id, const std::string& after_clip_id,
                                           int limit) override {
    std::vector<std::string> ids;
    if (author_id.empty() || limit <= 0) return ids;
    for (const pqxx::row& r : txn_.exec_prepared(kClipIdsOfAuthor, author_id,
                                                 after_clip_id.empty() ? std::string(kNilUuid) : after_clip_id,
                                                 limit)) {
      ids.push_back(r[0].as<std::string>());
    }
    return ids;
  }

  // --- The graph ---
  std::vector<ClipRecord> AncestorsFrom(const std::string& start, int limit) override {
    if (start.empty() || limit <= 0) return {};
    return Clips(txn_.exec_prepared(kAncestorsFrom, start, limit));
  }
  void CountNewFork(const std::string& parent_id) override {
    std::vector<std::string> lineage;
    for (const pqxx::row& r : txn_.exec_prepared(kLockLineage, parent_id)) lineage.push_back(r[0].as<std::string>());
    if (lineage.empty()) return;  // No such parent: nothing to count.
    txn_.exec_prepared(kCountFork, parent_id, kit::PgTextArray(lineage));
  }
  std::vector<ClipRecord> Descendants(const ClipRecord& top, const DescendantQuery& query) override {
    if (query.limit <= 0) return {};
    const Order order = OrderOf(query.order);
    const bool root = top.clip_id == top.root_id;
    const char* name = (root ? kDescendantsRoot : kDescendantsInner)[static_cast<int>(order)];
    const int64_t deepest = int64_t{top.depth} + query.max_levels;
    const std::string after_id = query.after ? query.after->clip_id : std::string(kMaxUuid);
    if (order == Order::kNewest) {
      return Clips(txn_.exec_prepared(name, top.clip_id, top.depth, deepest, after_id, query.limit));
    }
    const int64_t key = query.after ? query.after->key : (order == Order::kBreadthFirst ? kNoDepth : kNoCount);
    return Clips(txn_.exec_prepared(name, top.clip_id, top.depth, deepest, key, after_id, query.limit));
  }
  int64_t CountDescendants(const ClipRecord& top, int32_t max_levels, int64_t cap) override {
    if (cap <= 0) return 0;
    const bool root = top.clip_id == top.root_id;
    const int64_t deepest = int64_t{top.depth} + max_levels;
    return txn_
        .exec_prepared1(root ? kCountDescendantsRoot : kCountDescendantsInner, top.clip_id, top.depth, deepest, cap)[0]
        .as<int64_t>();
  }
  std::vector<ClipRecord> GetClips(const std::vector<std::string>& clip_ids) override {
    const std::vector<std::string> ids = NonEmpty(clip_ids);
    if (ids.empty()) return {};
    return Clips(txn_.exec_prepared(kGetClips, kit::PgTextArray(ids)));
  }

  // --- Likes and views ---
  bool InsertLike(const std::string& clip_id, const std::string& user_id, absl::Time now) override {
    return !txn_.exec_prepared(kInsertLike, clip_id, user_id, ToMicros(now)).empty();
  }
  bool DeleteLike(const std::string& clip_id, const std::string& user_id) override {
    return !txn_.exec_prepared(kDeleteLike, clip_id, user_id).empty();
  }
  std::vector<std::string> LikedAmong(const std::string& user_id, const std::vector<std::string>& clip_ids) override {
    std::vector<std::string> liked;
    const std::vector<std::string> ids = NonEmpty(clip_ids);
    if (user_id.empty() || ids.empty()) return liked;
    for (const pqxx::row& r : txn_.exec_prepared(kLikedAmong, user_id, kit::PgTextArray(ids))) {
      liked.push_back(r[0].as<std::string>());
    }
    return liked;
  }
  std::vector<std::string> LikesOfUser(const std::string& user_id, int limit) override {
    std::vector<std::string> liked;
    if (user_id.empty() || limit <= 0) return liked;
    for (const pqxx::row& r : txn_.exec_prepared(kLikesOfUser, user_id, limit)) liked.push_back(r[0].as<std::string>());
    return liked;
  }
  ClipCounts AdjustCounts(const std::string& clip_id, const CountDelta& delta) override {
    const pqxx::row r = txn_.exec_prepared1(kAdjustCounts, clip_id, delta.likes, delta.views, delta.comments);
    return ClipCounts{.likes = r[0].as<int64_t>(),
                      .views = r[1].as<int64_t>(),
                      .comments = r[2].as<int64_t>(),
                      .direct_forks = r[3].as<int64_t>(),
                      .descendants = r[4].as<int64_t>()};
  }
  bool MarkView(const std::string& clip_id, const std::string& viewer_id, absl::Time now,
                absl::Duration window) override {
    return !txn_
                .exec_prepared(kMarkView, clip_id, viewer_id, ToMicros(now), absl::ToInt64Microseconds(window))
                .empty();
  }
  int SweepViewMarks(absl::Time before, int limit) override {
    if (limit <= 0) return 0;
    return static_cast<int>(txn_.exec_prepared(kSweepViewMarks, ToMicros(before), limit).affected_rows());
  }

  // --- Comments ---
  void InsertComment(const CommentRecord& c) override {
    // The reply count and the deleted flag take their defaults (0, false).
    txn_.exec_prepared(kInsertComment, c.comment_id, c.clip_id, c.author_id, c.parent_comment_id, c.text,
                       ToMicros(c.create_time));
  }
  std::optional<CommentRecord> GetComment(const std::string& comment_id) override {
    return FirstComment(txn_.exec_prepared(kGetComment, comment_id));
  }
  std::optional<CommentRecord> LockComment(const std::string& comment_id) override {
    return FirstComment(txn_.exec_prepared(kLockComment, comment_id));
  }
  std::vector<CommentRecord> ListComments(const std::string& clip_id, const std::string& parent_comment_id,
                                          const std::string& viewer_id, const std::string& after_comment_id,
                                          int limit) override {
    if (clip_id.empty() || limit <= 0) return {};
    if (parent_comment_id.empty()) {
      return Comments(txn_.exec_prepared(kListTopComments, clip_id,
                                         after_comment_id.empty() ? std::string(kMaxUuid) : after_comment_id,
                                         viewer_id, limit));
    }
    return Comments(txn_.exec_prepared(kListReplies, clip_id, parent_comment_id,
                                       after_comment_id.empty() ? std::string(kNilUuid) : after_comment_id,
                                       viewer_id, limit));
  }
  void TombstoneComment(const std::string& comment_id) override {
    txn_.exec_prepared(kTombstoneComment, comment_id);
  }
  void DeleteComment(const std::string& comment_id) override { txn_.exec_prepared(kDeleteComment, comment_id); }
  void AdjustReplyCount(const std::string& comment_id, int32_t delta) override {
    txn_.exec_prepared(kAdjustReplyCount, comment_id, delta);
  }
  std::vector<std::string> CommentIdsOfUser(const std::string& user_id, int limit) override {
    std::vector<std::string> ids;
    if (user_id.empty() || limit <= 0) return ids;
    for (const pqxx::row& r : txn_.exec_prepared(kCommentIdsOfUser, user_id, limit)) {
      ids.push_back(r[0].as<std::string>());
    }
    return ids;
  }

  // --- The users service's data ---
  void PutUser(const UserRecord& u) override {
    txn_.exec_prepared(kPutUser, u.user_id, u.handle, u.display_name, u.analytics_opted_in, u.deleted);
  }
  std::map<std::string, UserRecord> GetUsers(const std::vector<std::string>& user_ids) override {
    std::map<std::string, UserRecord> users;
    const std::vector<std::string> ids = NonEmpty(user_ids);
    if (ids.empty()) return users;
    for (const pqxx::row& r : txn_.exec_prepared(kGetUsers, kit::PgTextArray(ids))) {
      UserRecord u{.user_id = r[0].as<std::string>(),
                   .handle = r[1].as<std::string>(),
                   .display_name = r[2].as<std::string>(),
                   .analytics_opted_in = r[3].as<bool>(),
                   .deleted = r[4].as<bool>()};
      std::string key = u.user_id;
      users.emplace(std::move(key), std::move(u));
    }
    return users;
  }
  void SetFollow(const std::string& follower_id, const std::string& followee_id, bool follows) override {
    txn_.exec_prepared(follows ? kInsertFollow : kDeleteFollow, follower_id, followee_id);
  }
  void SetBlock(const std::string& blocker_id, const std::string& blocked_id, bool blocks) override {
    txn_.exec_prepared(blocks ? kInsertBlock : kDeleteBlock, blocker_id, blocked_id);
  }
  void SetMute(const std::string& muter_id, const std::string& muted_id, bool mutes) override {
    txn_.exec_prepared(mutes ? kInsertMute : kDeleteMute, muter_id, muted_id);
  }
  std::map<std::string, Relation> RelationsOf(const std::string& viewer_id,
                                              const std::vector<std::string>& author_ids) override {
    std::map<std::string, Relation> relations;
    const std::vector<std::string> ids = NonEmpty(author_ids);
    if (viewer_id.empty() || ids.empty()) return relations;
    for (const pqxx::row& r : txn_.exec_prepared(kRelationsOf, viewer_id, kit::PgTextArray(ids))) {
      relations[r[0].as<std::string>()] = Relation{.follows = r[1].as<bool>(), .blocked_by_author = r[2].as<bool>()};
    }
    return relations;
  }
  void ForgetUser(const std::string& user_id) override {
    txn_.exec_prepared(kForgetUser, user_id);
    txn_.exec_prepared(kForgetFollows, user_id);
    txn_.exec_prepared(kForgetBlocks, user_id);
    txn_.exec_prepared(kForgetMutes, user_id);
  }
};

}  // namespace

std::vector<kit::PreparedStatement> PgClipsStore::Statements() {
  std::vector<kit::PreparedStatement> statements = {
      {kInsertClip,
       absl::StrCat("INSERT INTO clips.clips (clip_id, author_id, job_id, spec, media, prompt, diff, parent_id, "
                    "root_id, depth, title, caption, tags, language, visibility, forking_allowed, party_id, "
                    "removal_reason, created_at, updated_at, c2pa) VALUES ($1::uuid, nullif($2, '')::uuid, "
                    "$3::uuid, decode($4, 'hex'), decode($5, 'hex'), $6, CASE WHEN $7::boolean THEN NULL ELSE "
                    "decode($8, 'hex') END, nullif($9, '')::uuid, $10::uuid, $11, $12, $13, $14::text[], $15, $16, "
                    "$17, nullif($18, '')::uuid, $19, ",
                    SqlTimestampParam(20), ", ", SqlTimestampParam(21),
                    ", CASE WHEN $22::boolean THEN decode($23, 'hex') END)")},
      {kGetClip, absl::StrCat("SELECT ", kClipColumns, " FROM clips.clips c WHERE c.clip_id = $1::uuid")},
      // NO KEY UPDATE: the weakest lock that orders writers; a clip's
      // changes never touch its keys.
      {kLockClip, absl::StrCat("SELECT ", kClipColumns,
                               " FROM clips.clips c WHERE c.clip_id = $1::uuid FOR NO KEY UPDATE")},
      {kFindByJob, absl::StrCat("SELECT ", kClipColumns, " FROM clips.clips c WHERE c.job_id = $1::uuid")},
      {kUpdateClip,
       absl::StrCat("UPDATE clips.clips SET title = $2, caption = $3, tags = $4::text[], language = $5, "
                    "visibility = $6, forking_allowed = $7, removal_reason = $8, author_id = nullif($9, '')::uuid, "
                    "updated_at = ",
                    SqlTimestampParam(10), " WHERE clip_id = $1::uuid")},
      {kListByAuthor,
       absl::StrCat("SELECT ", kClipColumns, " FROM clips.clips c WHERE c.author_id = $1::uuid AND "
                    "c.removal_reason = 0 AND c.clip_id < $2::uuid ORDER BY c.clip_id DESC LIMIT $3")},
      {kClipIdsOfAuthor,
       "SELECT clip_id::text FROM clips.clips WHERE author_id = $1::uuid AND clip_id > $2::uuid ORDER BY clip_id "
       "LIMIT $3"},
      // The walk up stops after `limit` rows ($2): n counts them, so a
      // page of a 10,000-deep lineage costs a page of steps.
      {kAncestorsFrom,
       absl::StrCat("WITH RECURSIVE up(clip_id, parent_id, n) AS (SELECT clip_id, parent_id, 1 FROM clips.clips "
                    "WHERE clip_id = $1::uuid UNION ALL SELECT p.clip_id, p.parent_id, up.n + 1 FROM up JOIN "
                    "clips.clips p ON p.clip_id = up.parent_id WHERE up.n < $2::integer) SELECT ",
                    kClipColumns, " FROM clips.clips c JOIN up ON up.clip_id = c.clip_id ORDER BY c.depth DESC "
                    "LIMIT $2::integer")},
      // Locks the parent and its ancestors root first (ORDER BY is applied
      // before the locking clause, so the rows are locked in depth order).
      // Every publish in one tree locks the ancestors it shares with
      // another (a common prefix of both lineages, from the root down) in
      // the same order, so two concurrent publishes wait for each other
      // instead of deadlocking, whatever their parents. NO KEY UPDATE is
      // the lock the count UPDATE takes anyway. (There is no foreign key
      // from a fork to its parent: migration 0020 says why.)
      {kLockLineage, absl::StrCat(kWalkUp, "SELECT c.clip_id::text FROM clips.clips c JOIN up ON up.clip_id = "
                                           "c.clip_id ORDER BY c.depth FOR NO KEY UPDATE OF c")},
      // Then the counts of the rows locked ($2): one more descendant for
      // each, one more direct fork for the parent ($1).
      {kCountFork,
       "UPDATE clips.clips SET descendant_count = descendant_count + 1, direct_fork_count = direct_fork_count + "
       "CASE WHEN clip_id = $1::uuid THEN 1 ELSE 0 END WHERE clip_id = ANY($2::uuid[])"},
      // Counted up to the cap ($4): the LIMIT stops the scan (and the walk
      // down, which runs only as far as it is read).
      {kCountDescendantsRoot,
       "SELECT count(*) FROM (SELECT 1 FROM clips.clips c WHERE c.root_id = $1::uuid AND c.depth > $2::bigint AND "
       "c.depth <= $3::bigint LIMIT $4::bigint) s"},
      {kCountDescendantsInner,
       absl::StrCat(kWalkDown, "SELECT count(*) FROM (SELECT 1 FROM down LIMIT $4::bigint) s")},
      {kGetClips, absl::StrCat("SELECT ", kClipColumns, " FROM clips.clips c WHERE c.clip_id = ANY($1::uuid[])")},
      {kInsertLike,
       absl::StrCat("INSERT INTO clips.likes (clip_id, user_id, created_at) VALUES ($1::uuid, $2::uuid, ",
                    SqlTimestampParam(3), ") ON CONFLICT (clip_id, user_id) DO NOTHING RETURNING 1")},
      {kDeleteLike, "DELETE FROM clips.likes WHERE clip_id = $1::uuid AND user_id = $2::uuid RETURNING 1"},
      {kLikedAmong,
       "SELECT clip_id::text FROM clips.likes WHERE user_id = $1::uuid AND clip_id = ANY($2::uuid[])"},
      {kLikesOfUser, "SELECT clip_id::text FROM clips.likes WHERE user_id = $1::uuid LIMIT $2"},
      {kAdjustCounts,
       "UPDATE clips.clips SET like_count = like_count + $2::bigint, view_count = view_count + $3::bigint, "
       "comment_count = comment_count + $4::bigint WHERE clip_id = $1::uuid RETURNING like_count, view_count, "
       "comment_count, direct_fork_count, descendant_count"},
      // Counts (a row comes back) when there is no mark or the mark is at
      // least the window ($4, microseconds) old; the mark moves to now then.
      {kMarkView,
       absl::StrCat("INSERT INTO clips.view_marks AS m (clip_id, viewer_id, counted_at) VALUES ($1::uuid, $2::uuid, ",
                    SqlTimestampParam(3),
                    ") ON CONFLICT (clip_id, viewer_id) DO UPDATE SET counted_at = EXCLUDED.counted_at WHERE "
                    "m.counted_at <= EXCLUDED.counted_at - $4::bigint * interval '1 microsecond' "
                    "RETURNING 1")},
      // A batch, the oldest first (view_marks_by_time), deleted by ctid (a
      // TID scan); a mark refreshed meanwhile has moved (new ctid, new
      // time) and is kept.
      {kSweepViewMarks,
       absl::StrCat("DELETE FROM clips.view_marks WHERE ctid = ANY(ARRAY(SELECT ctid FROM clips.view_marks WHERE "
                    "counted_at < ",
                    SqlTimestampParam(1), " ORDER BY counted_at LIMIT $2)) AND counted_at < ", SqlTimestampParam(1))},
      // A new comment: its reply count and deleted flag take their
      // defaults.
      {kInsertComment,
       absl::StrCat("INSERT INTO clips.comments (comment_id, clip_id, author_id, parent_comment_id, text, "
                    "created_at) VALUES ($1::uuid, $2::uuid, nullif($3, '')::uuid, nullif($4, '')::uuid, $5, ",
                    SqlTimestampParam(6), ")")},
      {kGetComment, absl::StrCat("SELECT ", kCommentColumns, " FROM clips.comments cm WHERE cm.comment_id = "
                                 "$1::uuid")},
      // NO KEY UPDATE, as for clips: a comment's changes never touch its
      // key, and replies inserted under it (KEY SHARE, by the foreign key)
      // need not wait.
      {kLockComment, absl::StrCat("SELECT ", kCommentColumns, " FROM clips.comments cm WHERE cm.comment_id = "
                                  "$1::uuid FOR NO KEY UPDATE")},
      // A clip's top-level comments newest first (comments_top) below the
      // cursor ($2); $3 the viewer, $4 the limit.
      {kListTopComments,
       absl::StrCat("SELECT ", kCommentColumns, " FROM clips.comments cm WHERE cm.clip_id = $1::uuid AND "
                    "cm.parent_comment_id IS NULL AND cm.comment_id < $2::uuid AND ",
                    NotHiddenSql(3), " ORDER BY cm.comment_id DESC LIMIT $4")},
      // A comment's ($2) replies on the clip ($1) oldest first
      // (comments_replies) above the cursor ($3); $4 the viewer, $5 the
      // limit.
      {kListReplies,
       absl::StrCat("SELECT ", kCommentColumns, " FROM clips.comments cm WHERE cm.parent_comment_id = $2::uuid "
                    "AND cm.clip_id = $1::uuid AND cm.comment_id > $3::uuid AND ",
                    NotHiddenSql(4), " ORDER BY cm.comment_id LIMIT $5")},
      {kTombstoneComment,
       "UPDATE clips.comments SET deleted = true, text = '', author_id = NULL WHERE comment_id = $1::uuid"},
      {kDeleteComment, "DELETE FROM clips.comments WHERE comment_id = $1::uuid"},
      {kAdjustReplyCount,
       "UPDATE clips.comments SET reply_count = reply_count + $2::integer WHERE comment_id = $1::uuid"},
      // comments_by_author.
      {kCommentIdsOfUser, "SELECT comment_id::text FROM clips.comments WHERE author_id = $1::uuid LIMIT $2"},
      // A user marked deleted stays deleted (a late event does not bring
      // them back).
      {kPutUser,
       "INSERT INTO clips.users AS u (user_id, handle, display_name, analytics, deleted) VALUES ($1::uuid, $2, $3, "
       "$4, $5) ON CONFLICT (user_id) DO UPDATE SET handle = EXCLUDED.handle, display_name = EXCLUDED.display_name, "
       "analytics = EXCLUDED.analytics, deleted = u.deleted OR EXCLUDED.deleted"},
      {kGetUsers,
       "SELECT user_id::text, handle, display_name, analytics, deleted FROM clips.users WHERE user_id = "
       "ANY($1::uuid[])"},
      {kInsertFollow,
       "INSERT INTO clips.follows (follower_id, followee_id) VALUES ($1::uuid, $2::uuid) ON CONFLICT DO NOTHING"},
      {kDeleteFollow, "DELETE FROM clips.follows WHERE follower_id = $1::uuid AND followee_id = $2::uuid"},
      {kInsertBlock,
       "INSERT INTO clips.blocks (blocker_id, blocked_id) VALUES ($1::uuid, $2::uuid) ON CONFLICT DO NOTHING"},
      {kDeleteBlock, "DELETE FROM clips.blocks WHERE blocker_id = $1::uuid AND blocked_id = $2::uuid"},
      {kInsertMute,
       "INSERT INTO clips.mutes (muter_id, muted_id) VALUES ($1::uuid, $2::uuid) ON CONFLICT DO NOTHING"},
      {kDeleteMute, "DELETE FROM clips.mutes WHERE muter_id = $1::uuid AND muted_id = $2::uuid"},
      // Per author among $2 with a relation to the viewer ($1): whether the
      // viewer follows them, whether they blocked the viewer (both by the
      // tables' primary keys).
      {kRelationsOf,
       "SELECT author_id::text, bool_or(follows), bool_or(blocked) FROM (SELECT followee_id AS author_id, true AS "
       "follows, false AS blocked FROM clips.follows WHERE follower_id = $1::uuid AND followee_id = "
       "ANY($2::uuid[]) UNION ALL SELECT blocker_id, false, true FROM clips.blocks WHERE blocked_id = $1::uuid AND "
       "blocker_id = ANY($2::uuid[])) r GROUP BY author_id"},
      {kForgetUser,
       "INSERT INTO clips.users (user_id, handle, display_name, deleted) VALUES ($1::uuid, '', '', true) ON "
       "CONFLICT (user_id) DO UPDATE SET handle = '', display_name = '', deleted = true"},
      {kForgetFollows, "DELETE FROM clips.follows WHERE follower_id = $1::uuid OR followee_id = $1::uuid"},
      {kForgetBlocks, "DELETE FROM clips.blocks WHERE blocker_id = $1::uuid OR blocked_id = $1::uuid"},
      {kForgetMutes, "DELETE FROM clips.mutes WHERE muter_id = $1::uuid OR muted_id = $1::uuid"},
  };
  for (const Order order : kOrders) {
    statements.push_back({kDescendantsRoot[static_cast<int>(order)], DescendantsSql(/*root=*/true, order)});
    statements.push_back({kDescendantsInner[static_cast<int>(order)], DescendantsSql(/*root=*/false, order)});
  }
  for (kit::PreparedStatement& s : Idempotency().Statements()) statements.push_back(std::move(s));
  statements.push_back(kit::OutboxWriter::Statement());
  return statements;
}

absl::Status PgClipsStore::InTransaction(pqxx::work& txn, absl::FunctionRef<absl::Status(ClipsTx&)> work) {
  PgClipsTx tx(txn);
  return work(tx);
}

absl::Status PgClipsStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(ClipsTx&)> work) {
  const kit::TxnOptions options{.read_only = mode == TxMode::kReadOnly};
  return kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) {
    PgClipsTx tx(txn);
    return work(tx);
  });
}

}  // namespace clipforge::clips_service
