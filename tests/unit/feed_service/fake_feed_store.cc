#include "tests/unit/feed_service/fake_feed_store.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/uuid.h"
#include "tests/support/fake_outbox.h"

namespace clipforge::feed_service::testing {
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

// A uuid column: text that is no uuid fails the cast ($n::uuid), which
// Postgres reports as invalid input syntax (INTERNAL once mapped). An
// empty id stands for NULL where the column allows it.
void CheckUuid(const std::string& value, absl::string_view column, bool nullable = false) {
  if (nullable && value.empty()) return;
  if (!base::ParseUuid(value).ok()) {
    throw std::logic_error(absl::StrCat("invalid input syntax for type uuid (", column, ")"));
  }
}

size_t Limit(int limit) { return static_cast<size_t>(std::max(limit, 0)); }

// Deletes the viewer's rows of `rows` ((user_id, clip_id) -> time) but the
// newest `keep`, by time then clip_id (text order is a uuid's byte order),
// as the trim statements do.
void KeepNewest(std::map<std::pair<std::string, std::string>, absl::Time>& rows, const std::string& user_id,
                int keep) {
  std::vector<std::pair<absl::Time, std::string>> of_user;
  for (const auto& [key, at] : rows) {
    if (key.first == user_id) of_user.emplace_back(at, key.second);
  }
  std::sort(of_user.begin(), of_user.end(), std::greater<>());
  for (size_t i = Limit(keep); i < of_user.size(); ++i) rows.erase({user_id, of_user[i].second});
}

class FakeFeedTx final : public FeedTx {
 public:
  FakeFeedTx(FakeFeedState& s, bool read_only) : s_(s), read_only_(read_only) {}

  // --- Clips ---
  bool InsertClip(const FeedClipRecord& clip) override {
    Write();
    CheckUuid(clip.clip_id, "clip_id");
    CheckUuid(clip.creator_id, "creator_id");
    CheckUuid(clip.parent_clip_id, "parent_clip_id", /*nullable=*/true);
    CheckUuid(clip.root_clip_id, "root_clip_id");
    // ON CONFLICT DO NOTHING RETURNING 1: no row back on a conflict.
    return s_.clips.try_emplace(clip.clip_id, clip).second;
  }
  std::optional<FeedClipRecord> GetClip(const std::string& clip_id) override {
    const auto it = s_.clips.find(clip_id);
    if (it == s_.clips.end()) return std::nullopt;
    return it->second;
  }
  void PutClipFrames(const std::string& clip_id, const std::vector<feed::FrameHash>& frames) override {
    Write();
    // UPDATE ... WHERE clip_id: nothing for a clip not stored.
    if (s_.clips.contains(clip_id)) s_.clip_frames[clip_id] = frames;
  }
  absl::flat_hash_map<std::string, std::vector<feed::FrameHash>> ClipFrames(
      const std::vector<std::string>& clip_ids) override {
    absl::flat_hash_map<std::string, std::vector<feed::FrameHash>> frames;
    for (const std::string& id : clip_ids) {
      if (const auto it = s_.clip_frames.find(id); it != s_.clip_frames.end()) frames[id] = it->second;
    }
    return frames;
  }
  bool DeleteClip(const std::string& clip_id) override {
    Write();
    // The viewers' likes, skips and seen rows of it go too.
    std::erase_if(s_.likes, [&](const auto& l) { return l.second == clip_id; });
    std::erase_if(s_.skips, [&](const auto& row) { return row.first.second == clip_id; });
    std::erase_if(s_.seen, [&](const auto& row) { return row.first.second == clip_id; });
    s_.clip_frames.erase(clip_id);
    return s_.clips.erase(clip_id) > 0;
  }
  bool WithdrawClip(const std::string& clip_id) override {
    Write();
    const auto it = s_.clips.find(clip_id);
    // UPDATE ... AND NOT withdrawn RETURNING 1: no row unless it changed.
    if (it == s_.clips.end() || it->second.withdrawn) return false;
    it->second.withdrawn = true;
    return true;
  }
  std::optional<FeedClipRecord> RestoreClip(const std::string& clip_id) override {
    Write();
    const auto it = s_.clips.find(clip_id);
    // UPDATE ... AND withdrawn RETURNING the row: none unless it changed.
    if (it == s_.clips.end() || !it->second.withdrawn) return std::nullopt;
    it->second.withdrawn = false;
    return it->second;
  }
  bool UpdateOriginality(const FeedClipRecord& c) override {
    Write();
    const auto it = s_.clips.find(c.clip_id);
    if (it == s_.clips.end()) return false;  // UPDATE ... RETURNING 1: no row.
    FeedClipRecord& stored = it->second;
    stored.prompt_cluster_id = c.prompt_cluster_id;
    stored.originality = c.originality;
    stored.is_copy = c.is_copy;
    stored.components = c.components;
    stored.originality_time = c.originality_time;
    return true;
  }
  bool AddCounts(const std::string& clip_id, const EngagementCounts& d) override {
    Write();
    const auto it = s_.clips.find(clip_id);
    if (it == s_.clips.end()) return false;  // UPDATE ... RETURNING 1: no row.
    it->second.counts += d;
    return true;
  }
  std::vector<FeedClipRecord> ClipsAfter(const std::string& after_clip_id, int limit) override {
    std::vector<FeedClipRecord> out;
    // Keyset by the primary key: clip_id order, withdrawn clips left out.
    for (auto it = s_.clips.upper_bound(after_clip_id); it != s_.clips.end() && out.size() < Limit(limit); ++it) {
      if (!it->second.withdrawn) out.push_back(it->second);
    }
    return out;
  }

  // --- Viewers ---
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
  void SetLike(const std::string& user_id, const std::string& clip_id, bool likes) override {
    Write();
    CheckUuid(user_id, "user_id");
    CheckUuid(clip_id, "clip_id");
    if (likes) {
      s_.likes.emplace(user_id, clip_id);
    } else {
      s_.likes.erase({user_id, clip_id});
    }
  }
  void SetConsent(const std::string& user_id, bool opted_in) override {
    Write();
    CheckUuid(user_id, "user_id");
    s_.consent[user_id] = opted_in;  // Upserted.
  }
  void PutFeedbackSetting(const FeedbackSetting& setting) override {
    Write();
    CheckUuid(setting.user_id, "user_id");
    const int scope = static_cast<int>(setting.scope);
    Check(scope >= 1 && scope <= 4, "scope BETWEEN 1 AND 4");
    s_.feedback[{setting.user_id, setting.scope, setting.key}] = setting;  // Upserted.
  }
  void PutWeights(const WeightsRecord& weights) override {
    Write();
    CheckUuid(weights.user_id, "user_id");
    s_.weights[weights.user_id] = weights;  // Upserted.
  }
  std::optional<WeightsRecord> GetWeights(const std::string& user_id) override {
    const auto it = s_.weights.find(user_id);
    if (it == s_.weights.end()) return std::nullopt;
    return it->second;
  }
  void AddAffinity(const std::string& user_id, const std::string& creator_id, double delta) override {
    Write();
    CheckUuid(user_id, "user_id");
    CheckUuid(creator_id, "creator_id");
    s_.affinity[{user_id, creator_id}] += delta;  // Inserted at 0 + delta, or added to.
  }
  void AddSkip(const std::string& user_id, const std::string& clip_id, absl::Time skipped_at) override {
    Write();
    CheckUuid(user_id, "user_id");
    CheckUuid(clip_id, "clip_id");
    s_.skips[{user_id, clip_id}] = skipped_at;  // ON CONFLICT DO UPDATE: the newest time.
  }
  void AddSeen(const std::string& user_id, const std::string& clip_id, absl::Time seen_at) override {
    Write();
    CheckUuid(user_id, "user_id");
    CheckUuid(clip_id, "clip_id");
    s_.seen.try_emplace({user_id, clip_id}, seen_at);  // ON CONFLICT DO NOTHING: the first stays.
  }
  void TrimSkips(const std::string& user_id, int keep) override {
    Write();
    KeepNewest(s_.skips, user_id, keep);
  }
  void TrimSeen(const std::string& user_id, int keep) override {
    Write();
    KeepNewest(s_.seen, user_id, keep);
  }
  int64_t ErasePersonalization(const std::string& user_id) override {
    Write();
    const auto of_user = [&](const auto& row) { return row.first.first == user_id; };
    return static_cast<int64_t>(std::erase_if(s_.affinity, of_user) + std::erase_if(s_.skips, of_user) +
                                std::erase_if(s_.seen, of_user));
  }
  void ForgetUser(const std::string& user_id) override {
    Write();
    std::erase_if(s_.follows, [&](const auto& f) { return f.first == user_id || f.second == user_id; });
    std::erase_if(s_.likes, [&](const auto& l) { return l.first == user_id; });
    s_.consent.erase(user_id);
    std::erase_if(s_.feedback, [&](const auto& row) { return std::get<0>(row.first) == user_id; });
    s_.weights.erase(user_id);
    ErasePersonalization(user_id);
    for (auto it = s_.memberships.begin(); it != s_.memberships.end();) {
      if (it->first != user_id) {
        ++it;
        continue;
      }
      UncountMember(it->second);
      it = s_.memberships.erase(it);
    }
    s_.reach_penalties.erase(user_id);
    // Their clips, with the viewers' rows of them, as DeleteClip deletes one.
    std::vector<std::string> clip_ids;
    for (const auto& [clip_id, clip] : s_.clips) {
      if (clip.creator_id == user_id) clip_ids.push_back(clip_id);
    }
    for (const std::string& clip_id : clip_ids) DeleteClip(clip_id);
    // Their recorded responses go too.
    std::erase_if(s_.idempotency, [&](const auto& row) { return row.first.first == user_id; });
  }
  ViewerRows LoadViewers() override {
    ViewerRows rows;
    rows.follows.assign(s_.follows.begin(), s_.follows.end());
    rows.likes.assign(s_.likes.begin(), s_.likes.end());
    for (const auto& [user, opted_in] : s_.consent) {
      if (opted_in) rows.opted_in.push_back(user);
    }
    rows.skips = OptedInOldestFirst(s_.skips);
    rows.seen = OptedInOldestFirst(s_.seen);
    for (const auto& [key, setting] : s_.feedback) rows.feedback.push_back(setting);
    for (const auto& [user, weights] : s_.weights) rows.weights.push_back(weights);
    rows.memberships.assign(s_.memberships.begin(), s_.memberships.end());
    for (const auto& [key, weight] : s_.affinity) {
      rows.affinity.push_back(AffinityRecord{.user_id = key.first, .creator_id = key.second, .weight = weight});
    }
    return rows;
  }

  // --- Themes ---
  bool InsertTheme(const ThemeRecord& theme) override {
    Write();
    CheckUuid(theme.theme_id, "theme_id");
    // ON CONFLICT DO NOTHING: the key or the slug taken inserts nothing.
    if (s_.themes.contains(theme.theme_id)) return false;
    const bool slug_taken = std::any_of(s_.themes.begin(), s_.themes.end(),
                                        [&](const auto& row) { return row.second.slug == theme.slug; });
    if (slug_taken) return false;
    ThemeRecord row = theme;
    row.member_count = 0;  // Takes its default.
    s_.themes.emplace(row.theme_id, std::move(row));
    return true;
  }
  std::optional<ThemeRecord> GetTheme(const std::string& theme_id) override {
    const auto it = s_.themes.find(theme_id);
    if (it == s_.themes.end()) return std::nullopt;
    return it->second;
  }
  std::vector<ThemeRecord> ListThemes() override {
    std::vector<ThemeRecord> themes;
    for (const auto& [id, theme] : s_.themes) themes.push_back(theme);
    std::sort(themes.begin(), themes.end(), [](const ThemeRecord& a, const ThemeRecord& b) { return a.slug < b.slug; });
    return themes;
  }
  bool Join(const std::string& user_id, const std::string& theme_id) override {
    Write();
    CheckUuid(user_id, "user_id");
    CheckUuid(theme_id, "theme_id");
    const auto theme = s_.themes.find(theme_id);
    if (theme == s_.themes.end()) {
      Fail(absl::FailedPreconditionError("foreign key violation: theme_members_theme_id_fkey"));
    }
    if (!s_.memberships.emplace(user_id, theme_id).second) return false;
    theme->second.member_count += 1;
    return true;
  }
  bool Leave(const std::string& user_id, const std::string& theme_id) override {
    Write();
    if (s_.memberships.erase({user_id, theme_id}) == 0) return false;
    UncountMember(theme_id);
    return true;
  }
  int64_t CountJoined(const std::string& user_id) override {
    return std::count_if(s_.memberships.begin(), s_.memberships.end(),
                         [&](const auto& m) { return m.first == user_id; });
  }

  // --- Reach penalties ---
  std::optional<ReachPenaltyRecord> GetReachPenalty(const std::string& creator_id) override {
    const auto it = s_.reach_penalties.find(creator_id);
    if (it == s_.reach_penalties.end()) return std::nullopt;
    return it->second;
  }
  std::optional<ReachPenaltyRecord> LockReachPenalty(const std::string& creator_id) override {
    // SELECT ... FOR UPDATE: refused in a read-only transaction.
    Write();
    return GetReachPenalty(creator_id);
  }
  void PutReachPenalty(const ReachPenaltyRecord& p) override {
    Write();
    CheckUuid(p.creator_id, "creator_id");
    for (const std::string& id : p.copy_clip_ids) CheckUuid(id, "copy_clip_ids");
    CheckUuid(p.decided_by, "decided_by", /*nullable=*/true);
    // As the statement's CASEs write them: the appeal's text with its
    // time, the note with the decision's.
    ReachPenaltyRecord row = p;
    row.appeal_statement = p.appealed_at ? std::optional(p.appeal_statement.value_or("")) : std::nullopt;
    if (!p.decided_at) row.decision_note.clear();
    const bool decided = row.decision != ReachAppealDecision::kNone;
    Check(row.copies >= 1, "copies >= 1");
    Check(row.until > row.started_at, "until > started_at");
    Check(!decided || row.appealed_at.has_value(), "appeal_decision IS NULL OR appealed_at IS NOT NULL");
    Check(decided == row.decided_at.has_value(), "(appeal_decision IS NULL) = (decided_at IS NULL)");
    Check(decided == !row.decided_by.empty(), "(appeal_decision IS NULL) = (decided_by IS NULL)");
    Check((row.decision == ReachAppealDecision::kLifted) == row.lifted_at.has_value(),
          "(appeal_decision IS NOT DISTINCT FROM 'lifted') = (lifted_at IS NOT NULL)");
    s_.reach_penalties[row.creator_id] = std::move(row);  // Upserted.
  }
  std::vector<ReachPenaltyRecord> UnliftedReachPenalties() override {
    std::vector<ReachPenaltyRecord> penalties;
    for (const auto& [creator, penalty] : s_.reach_penalties) {
      if (!penalty.lifted_at) penalties.push_back(penalty);
    }
    return penalties;
  }

  // --- Events ---
  absl::Status AppendEvent(const v1::EventEnvelope& event) override {
    Write();
    CF_RETURN_IF_ERROR(clipforge::testing::CheckOutboxEnvelope(event));
    s_.events.push_back(event);
    return absl::OkStatus();
  }

  // --- Idempotency ---
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

  // The opted-in viewers' rows of `timed` (skips or seen clips), oldest
  // first (then by user and clip), as PgFeedStore's statements order them.
  std::vector<std::pair<std::string, std::string>> OptedInOldestFirst(
      const std::map<std::pair<std::string, std::string>, absl::Time>& timed) const {
    std::vector<std::tuple<absl::Time, std::string, std::string>> rows;
    for (const auto& [key, at] : timed) {
      const auto consent = s_.consent.find(key.first);
      if (consent != s_.consent.end() && consent->second) rows.emplace_back(at, key.first, key.second);
    }
    std::sort(rows.begin(), rows.end());
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& [at, user, clip] : rows) pairs.emplace_back(user, clip);
    return pairs;
  }

  // One member less for the theme (CHECK member_count >= 0).
  void UncountMember(const std::string& theme_id) {
    const auto it = s_.themes.find(theme_id);
    if (it == s_.themes.end()) return;  // UPDATE: no row, no change.
    it->second.member_count -= 1;
    Check(it->second.member_count >= 0, "member_count >= 0");
  }

  FakeFeedState& s_;
  const bool read_only_;
};

}  // namespace

absl::Status FakeFeedStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(FeedTx&)> work) {
  return state_.Transact([&](FakeFeedState& copy) -> absl::Status {
    FakeFeedTx tx(copy, mode == TxMode::kReadOnly);
    try {
      return work(tx);
    } catch (const Violation& v) {
      return v.status;
    } catch (const std::logic_error& e) {
      return absl::InternalError(e.what());
    }
  });
}

}  // namespace clipforge::feed_service::testing
