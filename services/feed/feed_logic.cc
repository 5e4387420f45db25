#include "services/feed/feed_logic.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/fnv1a.h"
#include "base/status_macros.h"
#include "feed/bridging.h"
#include "feed/page_cursor.h"
#include "feed/ranker.h"
#include "feed/reach_penalty.h"

namespace clipforge::feed_service {
namespace {

// Ranks `gathered` and appends what it serves to `page` (up to
// page_size), adding each served clip to `served`.
// The Echo Chamber guardrails apply to for_you, the feed that mixes
// chambers with everything else; a theme's own feed is all of one theme.
void RankInto(const Gathered& gathered, const feed::ScoringContext& context, size_t page_size, uint64_t seed,
              FeedKind kind, feed::BloomFilter& served, FeedPage& page) {
  feed::RankParams params{.page_size = page_size - page.items.size(), .exploration_seed = seed};
  if (kind == FeedKind::kForYou) params.echo_guardrails = feed::EchoGuardrailRules{};
  // The pools skipped what the session was served; clips this page took
  // in an earlier round are left out here.
  const auto on_page = [&](const feed::Candidate& c) { return served.MightContain(c.clip_id); };
  const feed::RankedPage ranked = feed::RankPage(gathered.candidates, context, on_page, params);
  for (const feed::ScoredItem& item : ranked.items) {
    ServedItem& out = page.items.emplace_back();
    out.candidate = *item.candidate;
    out.breakdown = item.breakdown;
    out.exploration = item.exploration;
    out.reasons = feed::ReasonsFor(*item.candidate, context);
    if (item.exploration) {
      // An exploration pick's primary reason is its slot.
      std::erase(out.reasons, feed::FeedReason::kExploration);
      out.reasons.insert(out.reasons.begin(), feed::FeedReason::kExploration);
    }
    if (auto it = gathered.liked_parent.find(item.candidate->clip_id); it != gathered.liked_parent.end()) {
      out.liked_parent_id = it->second;
    }
    served.Add(item.candidate->clip_id);
  }
}

PersonalizationMode ModeOf(const Gathered& gathered) {
  if (!gathered.opted_in) return PersonalizationMode::kNonPersonalized;
  return gathered.has_affinity ? PersonalizationMode::kPersonalized : PersonalizationMode::kColdStart;
}

// The setting a show-more / show-less / hide changes: its scope and key,
// the rest unset. None for other feedback, and for a theme-scoped one on a
// clip in no theme (nothing to steer).
std::optional<FeedbackSetting> SettingTarget(const FeedbackInput& input, const ClipKeys& keys,
                                             const std::string& user_id, absl::Time now) {
  if (input.kind != FeedbackKind::kShowMore && input.kind != FeedbackKind::kShowLess &&
      input.kind != FeedbackKind::kHideCreator) {
    return std::nullopt;
  }
  FeedbackSetting setting{.user_id = user_id, .scope = input.scope, .set_at = now};
  if (input.kind == FeedbackKind::kHideCreator) setting.scope = FeedbackScope::kCreator;
  switch (setting.scope) {
    case FeedbackScope::kClip:
      setting.key = input.clip_id;
      break;
    case FeedbackScope::kCreator:
      setting.key = keys.creator_id;
      break;
    case FeedbackScope::kPromptCluster:
      setting.key = absl::StrCat(keys.prompt_cluster_id);
      break;
    case FeedbackScope::kTheme:
      if (keys.theme_ids.empty()) return std::nullopt;
      setting.key = keys.theme_ids.front();
      break;
  }
  return setting;
}

// Sets `setting`'s multiplier and hidden flag from the feedback and the
// setting it replaces (`current`, none for a first one).
void ApplyExplicit(FeedbackKind kind, const std::optional<FeedbackSetting>& current, FeedbackSetting& setting) {
  const double before = current ? current->multiplier : 1.0;
  switch (kind) {
    case FeedbackKind::kShowMore:
      setting.multiplier = std::min(feed::kMaxFeedbackMultiplier, before * kShowMoreStep);
      break;
    case FeedbackKind::kShowLess:
      setting.multiplier = std::max(feed::kMinFeedbackMultiplier, before * kShowLessStep);
      setting.hidden = setting.scope == FeedbackScope::kClip || setting.scope == FeedbackScope::kPromptCluster;
      break;
    case FeedbackKind::kHideCreator:
      setting.multiplier = before;
      setting.hidden = true;
      break;
    default:
      break;
  }
}

// What one implicit signal adds to the clip's counters, and to an
// opted-in viewer's affinity for its creator. Likes and forks are counted
// from the clips service's events (once per user); here they only
// personalize.
struct Implicit {
  EngagementCounts counts;
  double affinity = 0.0;
};

Implicit ImplicitOf(const FeedbackInput& input) {
  Implicit out;
  switch (input.kind) {
    case FeedbackKind::kSeen:
      out.counts.impressions = 1;
      out.counts.exploration_impressions = input.exploration ? 1 : 0;
      break;
    case FeedbackKind::kSkip:
      out.counts.skips = 1;
      break;
    case FeedbackKind::kComplete:
      out.counts.satisfied_views = 1;
      out.affinity = kCompleteAffinity;
      break;
    case FeedbackKind::kLike:
      out.affinity = kLikeAffinity;
      break;
    case FeedbackKind::kFork:
      out.affinity = kForkAffinity;
      break;
    case FeedbackKind::kShare:
      out.counts.shares = 1;
      out.affinity = kShareAffinity;
      break;
    case FeedbackKind::kShowLess:
    case FeedbackKind::kHideCreator:
      out.counts.hides = 1;
      break;
    case FeedbackKind::kShowMore:
      break;
  }
  return out;
}

// Records an opted-in viewer's seen clips, each once and in id order (they
// share `now`, and feed.seen breaks ties by clip id: the pools take them
// in the same order, so both forget the same ones), and when `trim` trims
// feed.seen to the newest kMaxSeenPerViewer, which is what the pools keep.
void StoreSeen(FeedTx& tx, const std::string& user_id, const std::set<std::string>& clip_ids, absl::Time now,
               bool trim) {
  for (const std::string& clip_id : clip_ids) tx.AddSeen(user_id, clip_id, now);
  if (trim) tx.TrimSeen(user_id, static_cast<int>(kMaxSeenPerViewer));
}

const kit::IdempotencyCodec<int> kCountCodec{
    [](const int& n) { return absl::StrCat(n); },
    [](absl::string_view text) -> absl::StatusOr<int> {
      int n = 0;
      if (!absl::SimpleAtoi(text, &n)) return absl::InternalError("a stored feedback count does not parse");
      return n;
    }};

bool PenaltyRunsAt(const ReachPenaltyRecord& penalty, absl::Time now) {
  return feed::ReachPenaltyRuns(penalty.until, penalty.lifted_at.has_value(), now);
}

ReachView ReachViewAt(const std::string& creator_id, std::optional<ReachPenaltyRecord> penalty, absl::Time now) {
  ReachView view{.creator_id = creator_id, .penalty = std::move(penalty)};
  view.active = view.penalty && PenaltyRunsAt(*view.penalty, now);
  view.reach = view.active ? feed::kReachPenaltyMultiplier : 1.0;
  return view;
}

// Records the creator's appeal of their own running penalty: no one
// appeals another's, nor a penalty twice.
absl::Status RecordReachAppeal(FeedTx& tx, const std::string& creator_id, const std::string& statement,
                               absl::Time now) {
  std::optional<ReachPenaltyRecord> penalty = tx.LockReachPenalty(creator_id);
  if (!penalty || !PenaltyRunsAt(*penalty, now)) {
    return absl::FailedPreconditionError("no reach penalty of yours is running to appeal");
  }
  if (penalty->appealed_at) {
    return absl::FailedPreconditionError("this reach penalty was already appealed: one appeal per penalty");
  }
  penalty->appeal_statement = statement;
  penalty->appealed_at = now;
  tx.PutReachPenalty(*penalty);
  return absl::OkStatus();
}

// Records the moderator's decision on the creator's pending appeal; a
// lift ends the penalty now, which forgives the copies up to now. Returns
// whether it was lifted.
absl::StatusOr<bool> RecordReachDecision(FeedTx& tx, const ReachDecision& decision, const std::string& moderator_id,
                                         absl::Time now) {
  std::optional<ReachPenaltyRecord> penalty = tx.LockReachPenalty(decision.creator_id);
  if (!penalty) return absl::NotFoundError(absl::StrCat("creator_id: no reach penalty for ", decision.creator_id));
  if (!penalty->appealed_at || penalty->decision != ReachAppealDecision::kNone) {
    return absl::FailedPreconditionError("creator_id: no appeal of this reach penalty is pending");
  }
  penalty->decision = decision.lift ? ReachAppealDecision::kLifted : ReachAppealDecision::kUpheld;
  penalty->decided_by = moderator_id;
  penalty->decided_at = now;
  penalty->decision_note = decision.note;
  if (decision.lift) penalty->lifted_at = now;
  tx.PutReachPenalty(*penalty);
  return decision.lift;
}

}  // namespace

FeedLogic::FeedLogic(FeedStore& store, FeedState& state, const base::Clock& clock, base::UuidV7Generator& ids,
                     FeedRules rules)
    : store_(store),
      state_(state),
      clock_(clock),
      ids_(ids),
      rules_(std::move(rules)),
      snapshot_epoch_(absl::ToUnixSeconds(clock.Now())) {}

absl::StatusOr<FeedPage> FeedLogic::GetFeed(const kit::Caller& caller, const FeedPageRequest& request) const {
  if (!state_.ready()) return absl::UnavailableError("the feed is rebuilding its pools; retry shortly");
  if (request.feed.kind == FeedKind::kTheme && !state_.Theme(request.feed.theme_id)) {
    return absl::NotFoundError(absl::StrCat("feed: no theme ", request.feed.theme_id));
  }
  const absl::Time now = clock_.Now();
  feed::PageCursor cursor;
  if (request.page_token.empty()) {
    cursor = feed::PageCursor{.session_id = ids_.Next(),
                              .snapshot_epoch = snapshot_epoch_,
                              .feed_name = request.feed.text,
                              .user_id = caller.user_id};
  } else {
    CF_ASSIGN_OR_RETURN(cursor, feed::DecodePageCursor(request.page_token, rules_.cursor_keys, caller.user_id,
                                                       request.feed.text, now, rules_.cursor_max_age));
  }
  for (const std::string& id : request.seen_clip_ids) cursor.served.Add(id);

  FeedPage page;
  page.request_id = ids_.Next();
  const uint64_t seed = base::Fnv1a64(absl::StrCat(cursor.session_id, "/", cursor.page));
  GatherRequest gather{.viewer_id = caller.user_id,
                       .kind = request.feed.kind,
                       .theme_id = request.feed.theme_id,
                       .served = &cursor.served};
  Gathered gathered = state_.Gather(gather, now);
  gathered.context.now = now;
  page.mode = ModeOf(gathered);
  RankInto(gathered, gathered.context, request.page_size, seed, request.feed.kind, cursor.served, page);
  const bool endless = request.feed.kind == FeedKind::kForYou || request.feed.kind == FeedKind::kTrending;
  if (page.items.size() < request.page_size && endless) {
    // The pools ran dry for this session: widen rather than repeat. (The
    // following and theme feeds are what the viewer chose: they end.)
    gather.widened = true;
    Gathered wider = state_.Gather(gather, now);
    wider.context.now = now;
    RankInto(wider, wider.context, request.page_size, seed + 1, request.feed.kind, cursor.served, page);
  }
  // Empty only when nothing more is eligible now (feed.proto).
  if (page.items.empty()) return page;
  cursor.page += 1;
  cursor.issued_at = now;
  page.next_page_token = feed::EncodePageCursor(cursor, rules_.cursor_keys.front());
  return page;
}

absl::StatusOr<int> FeedLogic::SendFeedback(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                            const std::vector<FeedbackInput>& feedback) {
  const absl::Time now = clock_.Now();
  const bool opted_in = state_.OptedIn(caller.user_id);
  // The pools forgot a trim's worth of the viewer's stored seen clips:
  // this transaction trims feed.seen to what they keep.
  const bool trim_seen = opted_in && state_.SeenTrimDue(caller.user_id);
  // The pools keep a viewer's newest skips: once they are full, each
  // transaction that adds skips trims feed.skips to as many (it holds at
  // most one batch more between two trims).
  const bool trim_skips = opted_in && state_.SkipCount(caller.user_id) >= kSkipsKeptPerViewer;
  struct Applied {
    std::string clip_id;
    std::string creator_id;
    Implicit implicit;
    std::optional<FeedbackSetting> setting;
  };
  std::vector<Applied> applied;
  std::set<std::string> seen;
  bool ran = false;
  int accepted = 0;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](FeedTx& tx) -> absl::Status {
    applied.clear();
    seen.clear();
    CF_ASSIGN_OR_RETURN(accepted, kit::RunIdempotent(tx, key, kCountCodec, [&]() -> absl::StatusOr<int> {
      ran = true;
      // Settings changed earlier in this batch count as current.
      absl::flat_hash_map<std::pair<FeedbackScope, std::string>, FeedbackSetting> batch;
      for (const FeedbackInput& input : feedback) {
        const std::optional<ClipKeys> keys = state_.KeysOf(input.clip_id);
        if (!keys) continue;  // gone from the feed (removed): nothing to steer or count
        Applied a{.clip_id = input.clip_id, .creator_id = keys->creator_id, .implicit = ImplicitOf(input)};
        if (!opted_in) a.implicit.affinity = 0.0;
        a.setting = SettingTarget(input, *keys, caller.user_id, now);
        if (a.setting) {
          const auto target = std::make_pair(a.setting->scope, a.setting->key);
          auto it = batch.find(target);
          ApplyExplicit(input.kind,
                        it != batch.end() ? std::optional(it->second)
                                          : state_.FeedbackSettingOf(caller.user_id, target.first, target.second),
                        *a.setting);
          batch[target] = *a.setting;
        }
        if (!a.implicit.counts.empty()) tx.AddCounts(a.clip_id, a.implicit.counts);
        if (a.setting) tx.PutFeedbackSetting(*a.setting);
        if (a.implicit.affinity != 0.0) tx.AddAffinity(caller.user_id, a.creator_id, a.implicit.affinity);
        // A skip is personalization data (the bridging fits learn from
        // it): kept only with consent, and stored so that a restart keeps it.
        if (a.implicit.counts.skips > 0 && opted_in) tx.AddSkip(caller.user_id, a.clip_id, now);
        // Feedback of any kind on a clip says it was on screen: an
        // opted-in viewer's feeds leave it out from then on. Which clips
        // they watched is personalization data, kept only with consent.
        if (opted_in) seen.insert(a.clip_id);
        applied.push_back(std::move(a));
      }
      if (opted_in) StoreSeen(tx, caller.user_id, seen, now, trim_seen);
      const bool skipped = std::any_of(applied.begin(), applied.end(),
                                       [](const Applied& a) { return a.implicit.counts.skips > 0; });
      if (trim_skips && skipped) tx.TrimSkips(caller.user_id, static_cast<int>(kSkipsKeptPerViewer));
      return static_cast<int>(applied.size());
    }));
    return absl::OkStatus();
  }));
  if (!ran) return accepted;  // a replay: applied when it first ran
  for (const Applied& a : applied) {
    if (!a.implicit.counts.empty()) state_.AddCounts(a.clip_id, a.implicit.counts);
    if (a.implicit.counts.skips > 0 && opted_in) state_.AddSkip(caller.user_id, a.clip_id);
    if (a.setting) state_.PutFeedbackSetting(*a.setting);
    if (a.implicit.affinity != 0.0) state_.AddAffinity(caller.user_id, a.creator_id, a.implicit.affinity);
  }
  if (!seen.empty()) state_.AddSeen(caller.user_id, {seen.begin(), seen.end()});
  if (trim_seen) state_.SeenTrimmed(caller.user_id);
  return accepted;
}

WeightsRecord FeedLogic::GetWeights(const kit::Caller& caller) const { return state_.WeightsOf(caller.user_id); }

absl::StatusOr<WeightsRecord> FeedLogic::UpdateWeights(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                       const WeightsChange& change) {
  std::optional<WeightsRecord> written;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](FeedTx& tx) -> absl::Status {
    written.reset();
    return kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
             WeightsRecord weights = tx.GetWeights(caller.user_id).value_or(WeightsRecord{.user_id = caller.user_id});
             if (change.originality) weights.originality = *change.originality;
             if (change.freshness) weights.freshness = *change.freshness;
             if (change.following_vs_discovery) weights.following_vs_discovery = *change.following_vs_discovery;
             if (change.exploration_share) weights.exploration_share = *change.exploration_share;
             if (change.theme_weights) weights.theme_weights = *change.theme_weights;
             weights.update_time = clock_.Now();
             tx.PutWeights(weights);
             written = weights;
             return std::string();
           })
        .status();
  }));
  if (written) state_.PutWeights(*written);
  return state_.WeightsOf(caller.user_id);
}

absl::StatusOr<FeedClipRecord> FeedLogic::Explain(const std::string& clip_id) const {
  std::optional<FeedClipRecord> clip;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](FeedTx& tx) {
    clip = tx.GetClip(clip_id);
    return absl::OkStatus();
  }));
  // A withdrawn clip (removed by moderation, or not public) is not in the
  // feed, as a deleted one is not.
  if (!clip || clip->withdrawn) return absl::NotFoundError(absl::StrCat("clip_id: no clip ", clip_id, " in the feed"));
  return *std::move(clip);
}

ThemeView FeedLogic::ViewOf(const ThemeRecord& theme, const std::string& viewer_id) const {
  return ThemeView{.theme = theme,
                   .clip_count = state_.ThemeClipCount(theme.theme_id),
                   .joined = state_.IsMember(viewer_id, theme.theme_id)};
}

absl::StatusOr<ThemeView> FeedLogic::CreateTheme(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                 ThemeRecord theme) {
  if (!caller.HasRole(base::Role::kAdmin)) return absl::PermissionDeniedError("only admins create themes");
  theme.create_time = clock_.Now();
  theme.member_count = 0;
  std::string theme_id;
  bool created = false;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](FeedTx& tx) -> absl::Status {
    created = false;
    CF_ASSIGN_OR_RETURN(theme_id, kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
                          theme.theme_id = ids_.Next();
                          if (!tx.InsertTheme(theme)) {
                            return absl::AlreadyExistsError(
                                absl::StrCat("theme.slug: a theme named '", theme.slug, "' exists"));
                          }
                          created = true;
                          return theme.theme_id;
                        }));
    return absl::OkStatus();
  }));
  if (created) state_.PutTheme(theme);
  std::optional<ThemeRecord> stored = state_.Theme(theme_id);
  if (!stored) return absl::UnavailableError("the theme is not loaded yet; retry");
  return ViewOf(*stored, caller.user_id);
}

absl::StatusOr<ThemeView> FeedLogic::GetTheme(const kit::Caller& caller, const std::string& theme_id) const {
  std::optional<ThemeRecord> theme = state_.Theme(theme_id);
  if (!theme) return absl::NotFoundError(absl::StrCat("theme_id: no theme ", theme_id));
  return ViewOf(*theme, caller.user_id);
}

ThemePage FeedLogic::ListThemes(const kit::Caller& caller, bool joined_only, int64_t offset,
                                size_t page_size) const {
  std::vector<ThemeRecord> themes = state_.Themes();
  if (joined_only) {
    std::erase_if(themes, [&](const ThemeRecord& t) { return !state_.IsMember(caller.user_id, t.theme_id); });
  }
  // Most members first; ties by id, so that offsets page a stable order.
  std::sort(themes.begin(), themes.end(), [](const ThemeRecord& a, const ThemeRecord& b) {
    return a.member_count != b.member_count ? a.member_count > b.member_count : a.theme_id < b.theme_id;
  });
  ThemePage page;
  const size_t start = std::min(themes.size(), static_cast<size_t>(std::max<int64_t>(0, offset)));
  const size_t end = std::min(themes.size(), start + page_size);
  for (size_t i = start; i < end; ++i) page.themes.push_back(ViewOf(themes[i], caller.user_id));
  if (end < themes.size()) page.next_offset = static_cast<int64_t>(end);
  return page;
}

absl::StatusOr<ThemeView> FeedLogic::SetMembership(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                   const std::string& theme_id, bool join) {
  if (!state_.Theme(theme_id)) return absl::NotFoundError(absl::StrCat("theme_id: no theme ", theme_id));
  bool changed = false;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](FeedTx& tx) -> absl::Status {
    changed = false;
    return kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
             if (!join) {
               changed = tx.Leave(caller.user_id, theme_id);
               return std::string();
             }
             // Counted after the join, so that re-joining a joined theme at
             // the limit is OK; a refused join rolls back.
             changed = tx.Join(caller.user_id, theme_id);
             if (changed && tx.CountJoined(caller.user_id) > rules_.max_joined_themes) {
               return absl::ResourceExhaustedError(absl::StrCat("theme_id: at most ", rules_.max_joined_themes,
                                                                " joined themes; leave one first"));
             }
             return std::string();
           })
        .status();
  }));
  if (changed) state_.SetMembership(caller.user_id, theme_id, join);
  return GetTheme(caller, theme_id);
}

absl::StatusOr<ReachView> FeedLogic::GetReachStatus(const kit::Caller& caller) const {
  std::optional<ReachPenaltyRecord> penalty;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](FeedTx& tx) {
    penalty = tx.GetReachPenalty(caller.user_id);
    return absl::OkStatus();
  }));
  return ReachViewAt(caller.user_id, std::move(penalty), clock_.Now());
}

absl::StatusOr<ReachView> FeedLogic::AppealReach(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                 const std::string& statement) {
  const absl::Time now = clock_.Now();
  std::optional<ReachPenaltyRecord> penalty;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](FeedTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
                         CF_RETURN_IF_ERROR(RecordReachAppeal(tx, caller.user_id, statement, now));
                         return std::string();
                       }).status());
    // A replay too: the penalty as it stands now.
    penalty = tx.GetReachPenalty(caller.user_id);
    return absl::OkStatus();
  }));
  return ReachViewAt(caller.user_id, std::move(penalty), now);
}

absl::StatusOr<ReachView> FeedLogic::DecideReachAppeal(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                       const ReachDecision& decision) {
  if (!caller.HasRole(base::Role::kModerator) && !caller.HasRole(base::Role::kAdmin)) {
    return absl::PermissionDeniedError("only moderators and admins decide reach appeals");
  }
  // As with moderation appeals: no one judges their own.
  if (decision.creator_id == caller.user_id) {
    return absl::PermissionDeniedError("creator_id: a moderator may not decide an appeal of their own penalty");
  }
  const absl::Time now = clock_.Now();
  std::optional<ReachPenaltyRecord> penalty;
  bool lifted = false;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](FeedTx& tx) -> absl::Status {
    lifted = false;
    CF_RETURN_IF_ERROR(kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
                         CF_ASSIGN_OR_RETURN(lifted, RecordReachDecision(tx, decision, caller.user_id, now));
                         return std::string();
                       }).status());
    penalty = tx.GetReachPenalty(decision.creator_id);
    return absl::OkStatus();
  }));
  // After the commit: the creator's reach is back at once, and the copies
  // the pools kept of theirs are forgiven.
  if (lifted) state_.LiftReachPenalty(decision.creator_id);
  return ReachViewAt(decision.creator_id, std::move(penalty), now);
}

size_t FeedLogic::RefitEchoes() {
  // Dense indices per theme, as FitBridging takes them.
  struct ThemeFit {
    absl::flat_hash_map<std::string, uint32_t> users;
    std::vector<std::string> clips;
    absl::flat_hash_map<std::string, uint32_t> clip_index;
    std::vector<feed::Reaction> reactions;
  };
  absl::flat_hash_map<std::string, ThemeFit> themes;
  for (const ThemeReaction& r : state_.MemberReactions()) {
    ThemeFit& fit = themes[r.theme_id];
    const auto user = fit.users.try_emplace(r.user_id, static_cast<uint32_t>(fit.users.size())).first->second;
    auto [clip, added] = fit.clip_index.try_emplace(r.clip_id, static_cast<uint32_t>(fit.clips.size()));
    if (added) fit.clips.push_back(r.clip_id);
    fit.reactions.push_back({.user = user, .clip = clip->second, .value = r.value});
  }
  std::vector<Echo> echoes;
  for (auto& [theme_id, fit] : themes) {
    absl::StatusOr<feed::BridgingFit> fitted =
        feed::FitBridging(fit.reactions, fit.users.size(), fit.clips.size());
    if (!fitted.ok()) continue;  // only invalid input fails, and this input is built valid
    for (uint32_t c = 0; c < fit.clips.size(); ++c) {
      if (feed::IsBridging(*fitted, c)) echoes.push_back({theme_id, fit.clips[c], fitted->clips[c].intercept});
    }
  }
  std::sort(echoes.begin(), echoes.end(), [](const Echo& a, const Echo& b) {
    return a.score != b.score ? a.score > b.score : std::tie(a.theme_id, a.clip_id) < std::tie(b.theme_id, b.clip_id);
  });
  const size_t count = echoes.size();
  state_.SetEchoes(std::move(echoes));
  return count;
}

}  // namespace clipforge::feed_service
