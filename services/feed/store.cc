#include "services/feed/store.h"

#include <pqxx/pqxx>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/feed/frame_bytes.h"
#include "services/kit/pg_array.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_idempotency.h"
#include "services/kit/pg_time.h"
#include "services/kit/pg_transaction.h"

namespace clipforge::feed_service {
namespace {

using kit::SqlMicros;
using kit::SqlTimestampParam;
using kit::TimeFromMicros;
using kit::ToMicros;

constexpr char kInsertClip[] = "feed_insert_clip";
constexpr char kGetClip[] = "feed_get_clip";
constexpr char kUpdateOriginality[] = "feed_update_originality";
constexpr char kPutClipFrames[] = "feed_put_clip_frames";
constexpr char kClipFrames[] = "feed_clip_frames";
constexpr char kDeleteClip[] = "feed_delete_clip";
constexpr char kDeleteClipLikes[] = "feed_delete_clip_likes";
constexpr char kDeleteClipSkips[] = "feed_delete_clip_skips";
constexpr char kDeleteClipSeen[] = "feed_delete_clip_seen";
constexpr char kWithdrawClip[] = "feed_withdraw_clip";
constexpr char kRestoreClip[] = "feed_restore_clip";
constexpr char kAddCounts[] = "feed_add_counts";
constexpr char kClipsAfter[] = "feed_clips_after";
constexpr char kInsertFollow[] = "feed_insert_follow";
constexpr char kDeleteFollow[] = "feed_delete_follow";
constexpr char kInsertLike[] = "feed_insert_like";
constexpr char kDeleteLike[] = "feed_delete_like";
constexpr char kSetConsent[] = "feed_set_consent";
constexpr char kPutFeedbackSetting[] = "feed_put_feedback_setting";
constexpr char kPutWeights[] = "feed_put_weights";
constexpr char kGetWeights[] = "feed_get_weights";
constexpr char kAddAffinity[] = "feed_add_affinity";
constexpr char kEraseAffinity[] = "feed_erase_affinity";
constexpr char kInsertSkip[] = "feed_insert_skip";
constexpr char kEraseSkips[] = "feed_erase_skips";
constexpr char kInsertSeen[] = "feed_insert_seen";
constexpr char kTrimSeen[] = "feed_trim_seen";
constexpr char kTrimSkips[] = "feed_trim_skips";
constexpr char kEraseSeen[] = "feed_erase_seen";
constexpr char kForgetFollows[] = "feed_forget_follows";
constexpr char kForgetLikes[] = "feed_forget_likes";
constexpr char kForgetConsent[] = "feed_forget_consent";
constexpr char kForgetFeedback[] = "feed_forget_feedback";
constexpr char kForgetWeights[] = "feed_forget_weights";
constexpr char kForgetMemberships[] = "feed_forget_memberships";
constexpr char kAllFollows[] = "feed_all_follows";
constexpr char kAllLikes[] = "feed_all_likes";
constexpr char kAllOptedIn[] = "feed_all_opted_in";
constexpr char kAllFeedback[] = "feed_all_feedback";
constexpr char kAllWeights[] = "feed_all_weights";
constexpr char kAllMemberships[] = "feed_all_memberships";
constexpr char kAllAffinity[] = "feed_all_affinity";
constexpr char kAllSkips[] = "feed_all_skips";
constexpr char kAllSeen[] = "feed_all_seen";
constexpr char kInsertTheme[] = "feed_insert_theme";
constexpr char kGetTheme[] = "feed_get_theme";
constexpr char kListThemes[] = "feed_list_themes";
constexpr char kJoin[] = "feed_join";
constexpr char kLeave[] = "feed_leave";
constexpr char kCountJoined[] = "feed_count_joined";
constexpr char kGetReachPenalty[] = "feed_get_reach_penalty";
constexpr char kLockReachPenalty[] = "feed_lock_reach_penalty";
constexpr char kPutReachPenalty[] = "feed_put_reach_penalty";
constexpr char kUnliftedReachPenalties[] = "feed_unlifted_reach_penalties";
constexpr char kForgetReachPenalty[] = "feed_forget_reach_penalty";
constexpr char kForgetClipRows[] = "feed_forget_clip_rows";
constexpr char kForgetClips[] = "feed_forget_clips";

// "No cursor" in keyset paging by clip id: every page starts above the nil
// UUID.
constexpr char kNilUuid[] = "00000000-0000-0000-0000-000000000000";

// A text[] column crosses as its elements in hex joined by ',', each behind
// an 'x' so that an empty element (a component that matched nothing) still
// counts as one; TextArraySql is the SQL, TextArrayFromField reads it. (The
// driver's array parser splits unquoted elements at ';'.)
std::string TextArraySql(const char* column) {
  return absl::StrCat("array_to_string(ARRAY(SELECT 'x' || encode(convert_to(t.v, 'UTF8'), 'hex') FROM unnest(",
                      column, ") WITH ORDINALITY t(v, i) ORDER BY t.i), ',')");
}
std::vector<std::string> TextArrayFromField(const pqxx::field& f) {
  const std::string joined = f.as<std::string>();
  std::vector<std::string> values;
  for (const absl::string_view piece : absl::StrSplit(joined, ',', absl::SkipEmpty())) {
    values.push_back(absl::HexStringToBytes(piece.substr(1)));
  }
  return values;
}

// Doubles cross as text, exact both ways: written shortest round-trip
// (std::to_chars) and cast in SQL ($n::float8), read from Postgres's own
// output (shortest exact while extra_float_digits >= 1, the default since
// Postgres 12) with std::from_chars, never through a stream's precision.
std::string Float8Text(double d) {
  if (std::isnan(d)) return "NaN";  // Whatever its sign bit, one spelling.
  char buf[32];                     // The longest double is 24 characters.
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}
double ParseFloat8(absl::string_view text) {
  double d = 0.0;
  const std::from_chars_result r = std::from_chars(text.data(), text.data() + text.size(), d);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    throw std::runtime_error("feed: unreadable stored double");
  }
  return d;
}
double Float8(const pqxx::field& f) { return ParseFloat8(absl::string_view(f.c_str(), f.size())); }

// A float8[] literal of `values` (no element needs quoting).
std::string Float8ArrayLiteral(const std::vector<double>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ",", [](std::string* out, double d) { out->append(Float8Text(d)); }),
                      "}");
}
// A float8[] column crosses as its elements joined by ',' (Postgres's output
// of a double never holds one).
std::string Float8ArraySql(const char* column) { return absl::StrCat("array_to_string(", column, ", ',')"); }
std::vector<double> Float8ArrayFromField(const pqxx::field& f) {
  const std::string joined = f.as<std::string>();
  std::vector<double> values;
  for (const absl::string_view piece : absl::StrSplit(joined, ',', absl::SkipEmpty())) {
    values.push_back(ParseFloat8(piece));
  }
  return values;
}

// The prompt cluster's uint64 is stored as the bigint of the same bits.
int64_t ClusterToSql(uint64_t cluster) { return std::bit_cast<int64_t>(cluster); }
uint64_t ClusterFromField(const pqxx::field& f) { return std::bit_cast<uint64_t>(f.as<int64_t>()); }

// --- Originality components: four parallel arrays (migration 0022) ---

struct ComponentArrays {
  std::string names;      // text[]
  std::string penalties;  // float8[]
  std::string factors;    // float8[]
  std::string matches;    // text[]: each component's clip ids joined by ','
};

ComponentArrays ArraysOf(const std::vector<feed::OriginalityComponent>& components) {
  std::vector<std::string> names, matches;
  std::vector<double> penalties, factors;
  for (const feed::OriginalityComponent& c : components) {
    names.push_back(c.name);
    penalties.push_back(c.penalty);
    factors.push_back(c.factor);
    matches.push_back(absl::StrJoin(c.clip_ids, ","));  // Clip ids are UUIDs: never ',' or empty.
  }
  return ComponentArrays{.names = kit::PgTextArray(names),
                         .penalties = Float8ArrayLiteral(penalties),
                         .factors = Float8ArrayLiteral(factors),
                         .matches = kit::PgTextArray(matches)};
}

std::vector<feed::OriginalityComponent> ComponentsFromFields(const pqxx::field& names_field,
                                                             const pqxx::field& penalties_field,
                                                             const pqxx::field& factors_field,
                                                             const pqxx::field& matches_field) {
  const std::vector<std::string> names = TextArrayFromField(names_field);
  const std::vector<double> penalties = Float8ArrayFromField(penalties_field);
  const std::vector<double> factors = Float8ArrayFromField(factors_field);
  const std::vector<std::string> matches = TextArrayFromField(matches_field);
  if (penalties.size() != names.size() || factors.size() != names.size() || matches.size() != names.size()) {
    throw std::runtime_error("feed: stored originality components disagree in length");
  }
  std::vector<feed::OriginalityComponent> components(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    components[i] = feed::OriginalityComponent{
        .name = names[i],
        .penalty = penalties[i],
        .factor = factors[i],
        .clip_ids = absl::StrSplit(matches[i], ',', absl::SkipEmpty()),
    };
  }
  return components;
}

// --- Clips ---

// Every clip query names feed.clips `c`. A NULL parent (an original) reads
// as empty.
const std::string kClipColumns = absl::StrCat(
    "c.clip_id::text, c.creator_id::text, coalesce(c.parent_clip_id::text, ''), c.root_clip_id::text, c.prompt, ",
    TextArraySql("c.tags"), ", ", SqlMicros("c.published_at"), ", c.prompt_cluster_id, c.originality, c.is_copy, ",
    TextArraySql("c.component_names"), ", ", Float8ArraySql("c.component_penalties"), ", ",
    Float8ArraySql("c.component_factors"), ", ", TextArraySql("c.component_matches"), ", ",
    SqlMicros("c.originality_time"),
    ", c.impressions, c.satisfied_views, c.likes, c.forks, c.shares, c.skips, c.hides, c.exploration_impressions, "
    "c.withdrawn, coalesce(encode(c.indexed_frames, 'hex'), '')");

FeedClipRecord ClipFromRow(const pqxx::row& r) {
  FeedClipRecord clip;
  clip.clip_id = r[0].as<std::string>();
  clip.creator_id = r[1].as<std::string>();
  clip.parent_clip_id = r[2].as<std::string>();
  clip.root_clip_id = r[3].as<std::string>();
  clip.prompt = r[4].as<std::string>();
  clip.tags = TextArrayFromField(r[5]);
  clip.published_at = TimeFromMicros(r[6]);
  clip.prompt_cluster_id = ClusterFromField(r[7]);
  clip.originality = Float8(r[8]);
  clip.is_copy = r[9].as<bool>();
  clip.components = ComponentsFromFields(r[10], r[11], r[12], r[13]);
  clip.originality_time = TimeFromMicros(r[14]);
  clip.counts = EngagementCounts{.impressions = r[15].as<int64_t>(),
                                 .satisfied_views = r[16].as<int64_t>(),
                                 .likes = r[17].as<int64_t>(),
                                 .forks = r[18].as<int64_t>(),
                                 .shares = r[19].as<int64_t>(),
                                 .skips = r[20].as<int64_t>(),
                                 .hides = r[21].as<int64_t>(),
                                 .exploration_impressions = r[22].as<int64_t>()};
  clip.withdrawn = r[23].as<bool>();
  clip.indexed_frames = FramesFromBytes(absl::HexStringToBytes(r[24].as<std::string>()));
  return clip;
}

// --- Viewers ---

// Every weights query names feed.weights `w`. A NULL update time (never
// set) reads as absent.
const std::string kWeightsColumns = absl::StrCat(
    "w.user_id::text, w.originality, w.freshness, w.following_vs_discovery, w.exploration_share, ",
    TextArraySql("w.theme_ids"), ", ", Float8ArraySql("w.theme_weight_values"),
    ", w.update_time IS NOT NULL, coalesce(", SqlMicros("w.update_time"), ", 0)");

WeightsRecord WeightsFromRow(const pqxx::row& r) {
  WeightsRecord w;
  w.user_id = r[0].as<std::string>();
  w.originality = Float8(r[1]);
  w.freshness = Float8(r[2]);
  w.following_vs_discovery = Float8(r[3]);
  w.exploration_share = Float8(r[4]);
  const std::vector<std::string> theme_ids = TextArrayFromField(r[5]);
  const std::vector<double> values = Float8ArrayFromField(r[6]);
  if (values.size() != theme_ids.size()) throw std::runtime_error("feed: stored theme weights disagree in length");
  for (size_t i = 0; i < theme_ids.size(); ++i) w.theme_weights.emplace_back(theme_ids[i], values[i]);
  if (r[7].as<bool>()) w.update_time = TimeFromMicros(r[8]);
  return w;
}

// Every feedback query names feed.feedback_settings `f`.
const std::string kFeedbackColumns =
    absl::StrCat("f.user_id::text, f.scope, f.key, f.multiplier, f.hidden, ", SqlMicros("f.set_at"));

FeedbackSetting FeedbackFromRow(const pqxx::row& r) {
  return FeedbackSetting{.user_id = r[0].as<std::string>(),
                         .scope = static_cast<FeedbackScope>(r[1].as<int>()),
                         .key = r[2].as<std::string>(),
                         .multiplier = Float8(r[3]),
                         .hidden = r[4].as<bool>(),
                         .set_at = TimeFromMicros(r[5])};
}

// Rows of two ids.
std::vector<std::pair<std::string, std::string>> Pairs(const pqxx::result& result) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(result.size());
  for (const pqxx::row& r : result) pairs.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
  return pairs;
}

// --- Themes ---

// Every theme query names feed.themes `t`.
const std::string kThemeColumns =
    absl::StrCat("t.theme_id::text, t.slug, t.display_name, t.description, ", TextArraySql("t.tags"),
                 ", t.member_count, ", SqlMicros("t.create_time"));

ThemeRecord ThemeFromRow(const pqxx::row& r) {
  return ThemeRecord{.theme_id = r[0].as<std::string>(),
                     .slug = r[1].as<std::string>(),
                     .display_name = r[2].as<std::string>(),
                     .description = r[3].as<std::string>(),
                     .tags = TextArrayFromField(r[4]),
                     .member_count = r[5].as<int64_t>(),
                     .create_time = TimeFromMicros(r[6])};
}

// --- Reach penalties ---

// Every penalty query names feed.reach_penalties `p`. A NULL time reads as
// absent (a flag, then 0), NULL text as empty; the copies' ids cross
// joined by ',' (UUIDs hold none).
const std::string kReachPenaltyColumns = absl::StrCat(
    "p.creator_id::text, ", SqlMicros("p.started_at"), ", ", SqlMicros("p.until"),
    ", p.copies, array_to_string(p.copy_clip_ids, ','), p.lifted_at IS NOT NULL, coalesce(", SqlMicros("p.lifted_at"),
    ", 0), p.appealed_at IS NOT NULL, coalesce(p.appeal_statement, ''), coalesce(", SqlMicros("p.appealed_at"),
    ", 0), coalesce(p.appeal_decision, ''), coalesce(p.decided_by::text, ''), p.decided_at IS NOT NULL, coalesce(",
    SqlMicros("p.decided_at"), ", 0), coalesce(p.decision_note, '')");

// The appeal_decision column's words (migration 0024); NULL while none.
constexpr char kUpheldDecision[] = "upheld";
constexpr char kLiftedDecision[] = "lifted";

std::string ReachDecisionText(ReachAppealDecision decision) {
  switch (decision) {
    case ReachAppealDecision::kNone: return "";
    case ReachAppealDecision::kUpheld: return kUpheldDecision;
    case ReachAppealDecision::kLifted: return kLiftedDecision;
  }
  return "";
}

ReachAppealDecision ReachDecisionFromField(const pqxx::field& f) {
  const std::string text = f.as<std::string>();
  if (text.empty()) return ReachAppealDecision::kNone;
  if (text == kUpheldDecision) return ReachAppealDecision::kUpheld;
  if (text == kLiftedDecision) return ReachAppealDecision::kLifted;
  throw std::runtime_error("feed: unknown stored reach appeal decision");
}

ReachPenaltyRecord ReachPenaltyFromRow(const pqxx::row& r) {
  ReachPenaltyRecord p;
  p.creator_id = r[0].as<std::string>();
  p.started_at = TimeFromMicros(r[1]);
  p.until = TimeFromMicros(r[2]);
  p.copies = r[3].as<int>();
  p.copy_clip_ids = absl::StrSplit(r[4].as<std::string>(), ',', absl::SkipEmpty());
  if (r[5].as<bool>()) p.lifted_at = TimeFromMicros(r[6]);
  if (r[7].as<bool>()) {
    p.appeal_statement = r[8].as<std::string>();
    p.appealed_at = TimeFromMicros(r[9]);
  }
  p.decision = ReachDecisionFromField(r[10]);
  p.decided_by = r[11].as<std::string>();
  if (r[12].as<bool>()) p.decided_at = TimeFromMicros(r[13]);
  p.decision_note = r[14].as<std::string>();
  return p;
}

const kit::PgIdempotencyLog& Idempotency() {
  static const kit::PgIdempotencyLog log("feed");
  return log;
}

// FeedTx declares no AppendEvent (the feed appends no events), so this is
// not a kit::PgTxBase, which implements one; the idempotency log is
// implemented as PgTxBase does it.
class PgFeedTx final : public FeedTx {
 public:
  // `txn` is not owned.
  explicit PgFeedTx(pqxx::work& txn) : txn_(txn) {}

  std::optional<kit::IdempotencyRecord> FindIdempotency(const std::string& caller_id,
                                                        const std::string& request_id) override {
    return Idempotency().Find(txn_, caller_id, request_id);
  }
  void SaveIdempotency(const kit::IdempotencyKey& key, const std::string& result) override {
    Idempotency().Save(txn_, key, result);
  }

  // --- Clips ---
  bool InsertClip(const FeedClipRecord& c) override {
    const ComponentArrays arrays = ArraysOf(c.components);
    const EngagementCounts& n = c.counts;
    return !txn_
                .exec_prepared(kInsertClip, c.clip_id, c.creator_id, c.parent_clip_id, c.root_clip_id, c.prompt,
                               kit::PgTextArray(c.tags), ToMicros(c.published_at), ClusterToSql(c.prompt_cluster_id),
                               Float8Text(c.originality), c.is_copy, arrays.names, arrays.penalties, arrays.factors,
                               arrays.matches, ToMicros(c.originality_time), n.impressions, n.satisfied_views,
                               n.likes, n.forks, n.shares, n.skips, n.hides, n.exploration_impressions, c.withdrawn,
                               absl::BytesToHexString(FramesToBytes(c.indexed_frames)))
                .empty();
  }
  void PutClipFrames(const std::string& clip_id, const std::vector<feed::FrameHash>& frames) override {
    txn_.exec_prepared(kPutClipFrames, clip_id, absl::BytesToHexString(FramesToBytes(frames)));
  }
  absl::flat_hash_map<std::string, std::vector<feed::FrameHash>> ClipFrames(
      const std::vector<std::string>& clip_ids) override {
    absl::flat_hash_map<std::string, std::vector<feed::FrameHash>> frames;
    if (clip_ids.empty()) return frames;
    for (const pqxx::row& r : txn_.exec_prepared(kClipFrames, kit::PgTextArray(clip_ids))) {
      frames[r[0].as<std::string>()] = FramesFromBytes(absl::HexStringToBytes(r[1].as<std::string>()));
    }
    return frames;
  }
  bool UpdateOriginality(const FeedClipRecord& c) override {
    const ComponentArrays arrays = ArraysOf(c.components);
    return !txn_
                .exec_prepared(kUpdateOriginality, c.clip_id, ClusterToSql(c.prompt_cluster_id),
                               Float8Text(c.originality), c.is_copy, arrays.names, arrays.penalties, arrays.factors,
                               arrays.matches, ToMicros(c.originality_time))
                .empty();
  }
  std::optional<FeedClipRecord> GetClip(const std::string& clip_id) override {
    const pqxx::result r = txn_.exec_prepared(kGetClip, clip_id);
    if (r.empty()) return std::nullopt;
    return ClipFromRow(r[0]);
  }
  bool DeleteClip(const std::string& clip_id) override {
    // No foreign key names feed.clips (0022, 0023, 0025): the rows of the
    // clip go with it here.
    txn_.exec_prepared(kDeleteClipLikes, clip_id);
    txn_.exec_prepared(kDeleteClipSkips, clip_id);
    txn_.exec_prepared(kDeleteClipSeen, clip_id);
    return !txn_.exec_prepared(kDeleteClip, clip_id).empty();
  }
  bool WithdrawClip(const std::string& clip_id) override {
    return !txn_.exec_prepared(kWithdrawClip, clip_id).empty();
  }
  std::optional<FeedClipRecord> RestoreClip(const std::string& clip_id) override {
    const pqxx::result r = txn_.exec_prepared(kRestoreClip, clip_id);
    if (r.empty()) return std::nullopt;
    return ClipFromRow(r[0]);
  }
  bool AddCounts(const std::string& clip_id, const EngagementCounts& d) override {
    return !txn_
                .exec_prepared(kAddCounts, clip_id, d.impressions, d.satisfied_views, d.likes, d.forks, d.shares,
                               d.skips, d.hides, d.exploration_impressions)
                .empty();
  }
  std::vector<FeedClipRecord> ClipsAfter(const std::string& after_clip_id, int limit) override {
    std::vector<FeedClipRecord> clips;
    if (limit <= 0) return clips;
    for (const pqxx::row& r : txn_.exec_prepared(
             kClipsAfter, after_clip_id.empty() ? std::string(kNilUuid) : after_clip_id, limit)) {
      clips.push_back(ClipFromRow(r));
    }
    return clips;
  }

  // --- Viewers ---
  void SetFollow(const std::string& follower_id, const std::string& followee_id, bool follows) override {
    txn_.exec_prepared(follows ? kInsertFollow : kDeleteFollow, follower_id, followee_id);
  }
  void SetLike(const std::string& user_id, const std::string& clip_id, bool likes) override {
    txn_.exec_prepared(likes ? kInsertLike : kDeleteLike, user_id, clip_id);
  }
  void SetConsent(const std::string& user_id, bool opted_in) override {
    txn_.exec_prepared(kSetConsent, user_id, opted_in);
  }
  void PutFeedbackSetting(const FeedbackSetting& s) override {
    txn_.exec_prepared(kPutFeedbackSetting, s.user_id, static_cast<int>(s.scope), s.key, Float8Text(s.multiplier),
                       s.hidden, ToMicros(s.set_at));
  }
  void PutWeights(const WeightsRecord& w) override {
    std::vector<std::string> theme_ids;
    std::vector<double> values;
    for (const auto& [theme_id, value] : w.theme_weights) {
      theme_ids.push_back(theme_id);
      values.push_back(value);
    }
    txn_.exec_prepared(kPutWeights, w.user_id, Float8Text(w.originality), Float8Text(w.freshness),
                       Float8Text(w.following_vs_discovery), Float8Text(w.exploration_share), kit::PgTextArray(theme_ids),
                       Float8ArrayLiteral(values), w.update_time.has_value(),
                       w.update_time ? ToMicros(*w.update_time) : int64_t{0});
  }
  std::optional<WeightsRecord> GetWeights(const std::string& user_id) override {
    const pqxx::result r = txn_.exec_prepared(kGetWeights, user_id);
    if (r.empty()) return std::nullopt;
    return WeightsFromRow(r[0]);
  }
  void AddAffinity(const std::string& user_id, const std::string& creator_id, double delta) override {
    txn_.exec_prepared(kAddAffinity, user_id, creator_id, Float8Text(delta));
  }
  void AddSkip(const std::string& user_id, const std::string& clip_id, absl::Time skipped_at) override {
    txn_.exec_prepared(kInsertSkip, user_id, clip_id, ToMicros(skipped_at));
  }
  void AddSeen(const std::string& user_id, const std::string& clip_id, absl::Time seen_at) override {
    txn_.exec_prepared(kInsertSeen, user_id, clip_id, ToMicros(seen_at));
  }
  void TrimSkips(const std::string& user_id, int keep) override { txn_.exec_prepared(kTrimSkips, user_id, keep); }
  void TrimSeen(const std::string& user_id, int keep) override { txn_.exec_prepared(kTrimSeen, user_id, keep); }
  int64_t ErasePersonalization(const std::string& user_id) override {
    const int64_t affinity = txn_.exec_prepared(kEraseAffinity, user_id).affected_rows();
    const int64_t skips = txn_.exec_prepared(kEraseSkips, user_id).affected_rows();
    return affinity + skips + txn_.exec_prepared(kEraseSeen, user_id).affected_rows();
  }
  void ForgetUser(const std::string& user_id) override {
    txn_.exec_prepared(kForgetFollows, user_id);
    txn_.exec_prepared(kForgetLikes, user_id);
    txn_.exec_prepared(kForgetConsent, user_id);
    txn_.exec_prepared(kForgetFeedback, user_id);
    txn_.exec_prepared(kForgetWeights, user_id);
    ErasePersonalization(user_id);
    txn_.exec_prepared(kForgetMemberships, user_id);
    txn_.exec_prepared(kForgetReachPenalty, user_id);
    // Their clips, with the viewers' rows of them: a withdrawn one gets no
    // removal event (the clips service announces none for a tombstone),
    // and a live one's removal event, coming through the clips consumer,
    // then finds its row gone and takes it out of the pools.
    txn_.exec_prepared(kForgetClipRows, user_id);
    txn_.exec_prepared(kForgetClips, user_id);
    // Their recorded responses go too (they are the user's requests).
    Idempotency().ForgetCaller(txn_, user_id);
  }
  ViewerRows LoadViewers() override {
    ViewerRows rows;
    rows.follows = Pairs(txn_.exec_prepared(kAllFollows));
    rows.likes = Pairs(txn_.exec_prepared(kAllLikes));
    for (const pqxx::row& r : txn_.exec_prepared(kAllOptedIn)) rows.opted_in.push_back(r[0].as<std::string>());
    rows.skips = Pairs(txn_.exec_prepared(kAllSkips));
    rows.seen = Pairs(txn_.exec_prepared(kAllSeen));
    for (const pqxx::row& r : txn_.exec_prepared(kAllFeedback)) rows.feedback.push_back(FeedbackFromRow(r));
    for (const pqxx::row& r : txn_.exec_prepared(kAllWeights)) rows.weights.push_back(WeightsFromRow(r));
    rows.memberships = Pairs(txn_.exec_prepared(kAllMemberships));
    for (const pqxx::row& r : txn_.exec_prepared(kAllAffinity)) {
      rows.affinity.push_back(AffinityRecord{
          .user_id = r[0].as<std::string>(), .creator_id = r[1].as<std::string>(), .weight = Float8(r[2])});
    }
    return rows;
  }

  // --- Themes ---
  bool InsertTheme(const ThemeRecord& t) override {
    return !txn_
                .exec_prepared(kInsertTheme, t.theme_id, t.slug, t.display_name, t.description, kit::PgTextArray(t.tags),
                               ToMicros(t.create_time))
                .empty();
  }
  std::optional<ThemeRecord> GetTheme(const std::string& theme_id) override {
    const pqxx::result r = txn_.exec_prepared(kGetTheme, theme_id);
    if (r.empty()) return std::nullopt;
    return ThemeFromRow(r[0]);
  }
  std::vector<ThemeRecord> ListThemes() override {
    std::vector<ThemeRecord> themes;
    for (const pqxx::row& r : txn_.exec_prepared(kListThemes)) themes.push_back(ThemeFromRow(r));
    return themes;
  }
  bool Join(const std::string& user_id, const std::string& theme_id) override {
    return !txn_.exec_prepared(kJoin, user_id, theme_id).empty();
  }
  bool Leave(const std::string& user_id, const std::string& theme_id) override {
    return !txn_.exec_prepared(kLeave, user_id, theme_id).empty();
  }
  int64_t CountJoined(const std::string& user_id) override {
    return txn_.exec_prepared1(kCountJoined, user_id)[0].as<int64_t>();
  }

  // --- Reach penalties ---
  std::optional<ReachPenaltyRecord> GetReachPenalty(const std::string& creator_id) override {
    const pqxx::result r = txn_.exec_prepared(kGetReachPenalty, creator_id);
    if (r.empty()) return std::nullopt;
    return ReachPenaltyFromRow(r[0]);
  }
  std::optional<ReachPenaltyRecord> LockReachPenalty(const std::string& creator_id) override {
    const pqxx::result r = txn_.exec_prepared(kLockReachPenalty, creator_id);
    if (r.empty()) return std::nullopt;
    return ReachPenaltyFromRow(r[0]);
  }
  void PutReachPenalty(const ReachPenaltyRecord& p) override {
    txn_.exec_prepared(kPutReachPenalty, p.creator_id, ToMicros(p.started_at), ToMicros(p.until), p.copies,
                       kit::PgTextArray(p.copy_clip_ids), p.lifted_at.has_value(),
                       p.lifted_at ? ToMicros(*p.lifted_at) : int64_t{0}, p.appealed_at.has_value(),
                       p.appeal_statement.value_or(""), p.appealed_at ? ToMicros(*p.appealed_at) : int64_t{0},
                       ReachDecisionText(p.decision), p.decided_by, p.decided_at.has_value(),
                       p.decided_at ? ToMicros(*p.decided_at) : int64_t{0}, p.decision_note);
  }
  std::vector<ReachPenaltyRecord> UnliftedReachPenalties() override {
    std::vector<ReachPenaltyRecord> penalties;
    for (const pqxx::row& r : txn_.exec_prepared(kUnliftedReachPenalties)) {
      penalties.push_back(ReachPenaltyFromRow(r));
    }
    return penalties;
  }

  // --- Events ---
  absl::Status AppendEvent(const v1::EventEnvelope& event) override { return kit::OutboxWriter::Append(txn_, event); }

 private:
  pqxx::work& txn_;
};

}  // namespace

std::vector<kit::PreparedStatement> PgFeedStore::Statements() {
  std::vector<kit::PreparedStatement> statements = {
      {kInsertClip,
       absl::StrCat("INSERT INTO feed.clips (clip_id, creator_id, parent_clip_id, root_clip_id, prompt, tags, "
                    "published_at, prompt_cluster_id, originality, is_copy, component_names, component_penalties, "
                    "component_factors, component_matches, originality_time, impressions, satisfied_views, likes, "
                    "forks, shares, skips, hides, exploration_impressions, withdrawn, indexed_frames) VALUES ($1::uuid, "
                    "$2::uuid, "
                    "nullif($3, '')::uuid, $4::uuid, $5, $6::text[], ",
                    SqlTimestampParam(7),
                    ", $8::bigint, $9::float8, $10::boolean, $11::text[], $12::float8[], $13::float8[], $14::text[], ",
                    SqlTimestampParam(15),
                    ", $16::bigint, $17::bigint, $18::bigint, $19::bigint, $20::bigint, $21::bigint, $22::bigint, "
                    "$23::bigint, $24::boolean, nullif(decode($25, 'hex'), ''::bytea)) ON CONFLICT DO NOTHING "
                    "RETURNING 1")},
      {kPutClipFrames, "UPDATE feed.clips SET frame_hashes = nullif(decode($2, 'hex'), ''::bytea) WHERE clip_id = $1::uuid"},
      {kClipFrames,
       "SELECT clip_id::text, encode(frame_hashes, 'hex') FROM feed.clips WHERE clip_id = ANY($1::uuid[]) AND "
       "frame_hashes IS NOT NULL"},
      {kGetClip, absl::StrCat("SELECT ", kClipColumns, " FROM feed.clips c WHERE c.clip_id = $1::uuid")},
      {kUpdateOriginality,
       absl::StrCat("UPDATE feed.clips SET prompt_cluster_id = $2::bigint, originality = $3::float8, is_copy = "
                    "$4::boolean, component_names = $5::text[], component_penalties = $6::float8[], "
                    "component_factors = $7::float8[], component_matches = $8::text[], originality_time = ",
                    SqlTimestampParam(9), " WHERE clip_id = $1::uuid RETURNING 1")},
      {kDeleteClip, "DELETE FROM feed.clips WHERE clip_id = $1::uuid RETURNING 1"},
      {kDeleteClipLikes, "DELETE FROM feed.likes WHERE clip_id = $1::uuid"},
      {kDeleteClipSkips, "DELETE FROM feed.skips WHERE clip_id = $1::uuid"},
      {kDeleteClipSeen, "DELETE FROM feed.seen WHERE clip_id = $1::uuid"},
      // Only a change returns a row: a repeat withdraws or restores nothing.
      {kWithdrawClip, "UPDATE feed.clips SET withdrawn = true WHERE clip_id = $1::uuid AND NOT withdrawn RETURNING 1"},
      {kRestoreClip, absl::StrCat("UPDATE feed.clips c SET withdrawn = false WHERE c.clip_id = $1::uuid AND "
                                  "c.withdrawn RETURNING ",
                                  kClipColumns)},
      {kAddCounts,
       "UPDATE feed.clips SET impressions = impressions + $2::bigint, satisfied_views = satisfied_views + "
       "$3::bigint, likes = likes + $4::bigint, forks = forks + $5::bigint, shares = shares + $6::bigint, skips = "
       "skips + $7::bigint, hides = hides + $8::bigint, exploration_impressions = exploration_impressions + "
       "$9::bigint WHERE clip_id = $1::uuid RETURNING 1"},
      // Keyset by the primary key.
      {kClipsAfter,
       absl::StrCat("SELECT ", kClipColumns,
                    " FROM feed.clips c WHERE c.clip_id > $1::uuid AND NOT c.withdrawn ORDER BY c.clip_id LIMIT $2")},
      {kInsertFollow,
       "INSERT INTO feed.follows (follower_id, followee_id) VALUES ($1::uuid, $2::uuid) ON CONFLICT DO NOTHING"},
      {kDeleteFollow, "DELETE FROM feed.follows WHERE follower_id = $1::uuid AND followee_id = $2::uuid"},
      {kInsertLike, "INSERT INTO feed.likes (user_id, clip_id) VALUES ($1::uuid, $2::uuid) ON CONFLICT DO NOTHING"},
      {kDeleteLike, "DELETE FROM feed.likes WHERE user_id = $1::uuid AND clip_id = $2::uuid"},
      {kSetConsent,
       "INSERT INTO feed.consent (user_id, opted_in, updated_at) VALUES ($1::uuid, $2::boolean, now()) ON CONFLICT "
       "(user_id) DO UPDATE SET opted_in = EXCLUDED.opted_in, updated_at = EXCLUDED.updated_at"},
      {kPutFeedbackSetting,
       absl::StrCat("INSERT INTO feed.feedback_settings (user_id, scope, key, multiplier, hidden, set_at) VALUES "
                    "($1::uuid, $2::smallint, $3, $4::float8, $5::boolean, ",
                    SqlTimestampParam(6),
                    ") ON CONFLICT (user_id, scope, key) DO UPDATE SET multiplier = EXCLUDED.multiplier, hidden = "
                    "EXCLUDED.hidden, set_at = EXCLUDED.set_at")},
      // No update time ($8 false) is NULL.
      {kPutWeights,
       absl::StrCat("INSERT INTO feed.weights (user_id, originality, freshness, following_vs_discovery, "
                    "exploration_share, theme_ids, theme_weight_values, update_time) VALUES ($1::uuid, $2::float8, "
                    "$3::float8, $4::float8, $5::float8, $6::text[], $7::float8[], CASE WHEN $8::boolean THEN ",
                    SqlTimestampParam(9),
                    " END) ON CONFLICT (user_id) DO UPDATE SET originality = EXCLUDED.originality, freshness = "
                    "EXCLUDED.freshness, following_vs_discovery = EXCLUDED.following_vs_discovery, "
                    "exploration_share = EXCLUDED.exploration_share, theme_ids = EXCLUDED.theme_ids, "
                    "theme_weight_values = EXCLUDED.theme_weight_values, update_time = EXCLUDED.update_time")},
      {kGetWeights, absl::StrCat("SELECT ", kWeightsColumns, " FROM feed.weights w WHERE w.user_id = $1::uuid")},
      {kAddAffinity,
       "INSERT INTO feed.affinity AS a (user_id, creator_id, weight) VALUES ($1::uuid, $2::uuid, $3::float8) ON "
       "CONFLICT (user_id, creator_id) DO UPDATE SET weight = a.weight + EXCLUDED.weight"},
      {kEraseAffinity, "DELETE FROM feed.affinity WHERE user_id = $1::uuid"},
      {kInsertSkip, absl::StrCat("INSERT INTO feed.skips (user_id, clip_id, skipped_at) VALUES ($1::uuid, $2::uuid, ",
                                 SqlTimestampParam(3),
                                 ") ON CONFLICT (user_id, clip_id) DO UPDATE SET skipped_at = EXCLUDED.skipped_at")},
      {kEraseSkips, "DELETE FROM feed.skips WHERE user_id = $1::uuid"},
      // The first time stays (unlike skips): a repeat is mostly the same
      // viewing (SEEN, then COMPLETE or LIKE), and rewriting the row each
      // time would only churn the table.
      {kInsertSeen, absl::StrCat("INSERT INTO feed.seen (user_id, clip_id, seen_at) VALUES ($1::uuid, $2::uuid, ",
                                 SqlTimestampParam(3), ") ON CONFLICT DO NOTHING")},
      // Everything from the viewer's ($2 + 1)-th newest row down, newest by
      // seen_at then clip_id (the order the pools keep): fewer rows find no
      // such row, and comparing with none deletes nothing.
      {kTrimSeen,
       "DELETE FROM feed.seen WHERE user_id = $1::uuid AND (seen_at, clip_id) <= (SELECT s.seen_at, s.clip_id FROM "
       "feed.seen s WHERE s.user_id = $1::uuid ORDER BY s.seen_at DESC, s.clip_id DESC OFFSET $2::integer LIMIT 1)"},
      {kEraseSeen, "DELETE FROM feed.seen WHERE user_id = $1::uuid"},
      {kTrimSkips,
       "DELETE FROM feed.skips WHERE user_id = $1::uuid AND (skipped_at, clip_id) <= (SELECT s.skipped_at, s.clip_id "
       "FROM feed.skips s WHERE s.user_id = $1::uuid ORDER BY s.skipped_at DESC, s.clip_id DESC OFFSET $2::integer "
       "LIMIT 1)"},
      {kForgetFollows, "DELETE FROM feed.follows WHERE follower_id = $1::uuid OR followee_id = $1::uuid"},
      {kForgetLikes, "DELETE FROM feed.likes WHERE user_id = $1::uuid"},
      {kForgetConsent, "DELETE FROM feed.consent WHERE user_id = $1::uuid"},
      {kForgetFeedback, "DELETE FROM feed.feedback_settings WHERE user_id = $1::uuid"},
      {kForgetWeights, "DELETE FROM feed.weights WHERE user_id = $1::uuid"},
      // Every membership goes and each theme left counts one member less:
      // (user_id, theme_id) is the key, so a theme is in `gone` at most
      // once.
      {kForgetMemberships,
       "WITH gone AS (DELETE FROM feed.theme_members WHERE user_id = $1::uuid RETURNING theme_id) UPDATE "
       "feed.themes SET member_count = member_count - 1 WHERE theme_id IN (SELECT theme_id FROM gone)"},
      {kAllFollows, "SELECT follower_id::text, followee_id::text FROM feed.follows"},
      {kAllLikes, "SELECT user_id::text, clip_id::text FROM feed.likes"},
      {kAllOptedIn, "SELECT user_id::text FROM feed.consent WHERE opted_in"},
      {kAllFeedback, absl::StrCat("SELECT ", kFeedbackColumns, " FROM feed.feedback_settings f")},
      {kAllWeights, absl::StrCat("SELECT ", kWeightsColumns, " FROM feed.weights w")},
      {kAllMemberships, "SELECT user_id::text, theme_id::text FROM feed.theme_members"},
      {kAllAffinity, "SELECT user_id::text, creator_id::text, weight FROM feed.affinity"},
      // Oldest first, so that the pools keep each viewer's newest; only
      // while opted in (withdrawing consent erases them too).
      {kAllSkips,
       "SELECT s.user_id::text, s.clip_id::text FROM feed.skips s JOIN feed.consent k ON k.user_id = s.user_id "
       "WHERE k.opted_in ORDER BY s.skipped_at, s.user_id, s.clip_id"},
      // The same for the seen clips: oldest first, ties by clip as
      // kTrimSeen breaks them, so that the pools forget what it deletes.
      {kAllSeen,
       "SELECT s.user_id::text, s.clip_id::text FROM feed.seen s JOIN feed.consent k ON k.user_id = s.user_id "
       "WHERE k.opted_in ORDER BY s.seen_at, s.user_id, s.clip_id"},
      // A new theme has no members (member_count takes its default, 0).
      // Any conflict, the slug's included, inserts nothing.
      {kInsertTheme,
       absl::StrCat("INSERT INTO feed.themes (theme_id, slug, display_name, description, tags, create_time) VALUES "
                    "($1::uuid, $2, $3, $4, $5::text[], ",
                    SqlTimestampParam(6), ") ON CONFLICT DO NOTHING RETURNING 1")},
      {kGetTheme, absl::StrCat("SELECT ", kThemeColumns, " FROM feed.themes t WHERE t.theme_id = $1::uuid")},
      {kListThemes, absl::StrCat("SELECT ", kThemeColumns, " FROM feed.themes t ORDER BY t.slug")},
      // The count moves in the same statement as the membership and only
      // when a row was inserted (or deleted, below): a row comes back then.
      // A concurrent join of the same pair waits for this one and then
      // inserts nothing, so the count stays exact.
      {kJoin,
       "WITH joined AS (INSERT INTO feed.theme_members (user_id, theme_id, joined_at) VALUES ($1::uuid, $2::uuid, "
       "now()) ON CONFLICT DO NOTHING RETURNING theme_id) UPDATE feed.themes SET member_count = member_count + 1 "
       "WHERE theme_id IN (SELECT theme_id FROM joined) RETURNING 1"},
      {kLeave,
       "WITH gone AS (DELETE FROM feed.theme_members WHERE user_id = $1::uuid AND theme_id = $2::uuid RETURNING "
       "theme_id) UPDATE feed.themes SET member_count = member_count - 1 WHERE theme_id IN (SELECT theme_id FROM "
       "gone) RETURNING 1"},
      {kCountJoined, "SELECT count(*) FROM feed.theme_members WHERE user_id = $1::uuid"},
      {kGetReachPenalty,
       absl::StrCat("SELECT ", kReachPenaltyColumns, " FROM feed.reach_penalties p WHERE p.creator_id = $1::uuid")},
      {kLockReachPenalty, absl::StrCat("SELECT ", kReachPenaltyColumns,
                                       " FROM feed.reach_penalties p WHERE p.creator_id = $1::uuid FOR UPDATE")},
      // The whole row, appeal included: a new penalty replaces the last.
      // An absent time ($6, $8, $13 false) is NULL, and so is the text
      // that goes with it; an empty decision or moderator is NULL.
      {kPutReachPenalty,
       absl::StrCat("INSERT INTO feed.reach_penalties (creator_id, started_at, until, copies, copy_clip_ids, "
                    "lifted_at, appeal_statement, appealed_at, appeal_decision, decided_by, decided_at, "
                    "decision_note) VALUES ($1::uuid, ",
                    SqlTimestampParam(2), ", ", SqlTimestampParam(3),
                    ", $4::integer, $5::uuid[], CASE WHEN $6::boolean THEN ", SqlTimestampParam(7),
                    " END, CASE WHEN $8::boolean THEN $9::text END, CASE WHEN $8::boolean THEN ",
                    SqlTimestampParam(10),
                    " END, nullif($11::text, ''), nullif($12::text, '')::uuid, CASE WHEN $13::boolean THEN ",
                    SqlTimestampParam(14),
                    " END, CASE WHEN $13::boolean THEN $15::text END) ON CONFLICT (creator_id) DO UPDATE SET "
                    "started_at = EXCLUDED.started_at, until = EXCLUDED.until, copies = EXCLUDED.copies, "
                    "copy_clip_ids = EXCLUDED.copy_clip_ids, lifted_at = EXCLUDED.lifted_at, appeal_statement = "
                    "EXCLUDED.appeal_statement, appealed_at = EXCLUDED.appealed_at, appeal_decision = "
                    "EXCLUDED.appeal_decision, decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at, "
                    "decision_note = EXCLUDED.decision_note")},
      {kUnliftedReachPenalties,
       absl::StrCat("SELECT ", kReachPenaltyColumns, " FROM feed.reach_penalties p WHERE p.lifted_at IS NULL")},
      {kForgetReachPenalty, "DELETE FROM feed.reach_penalties WHERE creator_id = $1::uuid"},
      {kForgetClipRows,
       "WITH gone AS (SELECT clip_id FROM feed.clips WHERE creator_id = $1::uuid), "
       "l AS (DELETE FROM feed.likes WHERE clip_id IN (SELECT clip_id FROM gone)), "
       "k AS (DELETE FROM feed.skips WHERE clip_id IN (SELECT clip_id FROM gone)) "
       "DELETE FROM feed.seen WHERE clip_id IN (SELECT clip_id FROM gone)"},
      {kForgetClips, "DELETE FROM feed.clips WHERE creator_id = $1::uuid"},
  };
  for (kit::PreparedStatement& s : Idempotency().Statements()) statements.push_back(std::move(s));
  statements.push_back(kit::OutboxWriter::Statement());
  return statements;
}

absl::Status PgFeedStore::InTransaction(pqxx::work& txn, absl::FunctionRef<absl::Status(FeedTx&)> work) {
  PgFeedTx tx(txn);
  return work(tx);
}

absl::Status PgFeedStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(FeedTx&)> work) {
  const kit::TxnOptions options{.read_only = mode == TxMode::kReadOnly};
  return kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) {
    PgFeedTx tx(txn);
    return work(tx);
  });
}

}  // namespace clipforge::feed_service
