#include "services/feed/feed_state.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

#include "absl/strings/numbers.h"
#include "base/fnv1a.h"
#include "feed/bridging.h"
#include "feed/originality.h"
#include "remix/prompt_diff.h"

namespace clipforge::feed_service {
namespace {

// Trending: engagement per hour of age with Hacker News' gravity (1.8 on
// age + 2 h), so a burst of engagement today outranks a larger total from
// last week. The weights are the quality values' (scoring.h): a share is
// worth four satisfied views, a fork six.
constexpr double kTrendingGravity = 1.8;
constexpr double kTrendingAgeOffsetHours = 2.0;

double TrendingScore(const feed::Candidate& c, absl::Time now) {
  const double engagement = static_cast<double>(c.satisfied_views) + feed::kLikeValue * static_cast<double>(c.likes) +
                            feed::kShareValue * static_cast<double>(c.shares) +
                            feed::kForkValue * static_cast<double>(c.forks);
  const double age_hours = std::max(0.0, absl::ToDoubleHours(now - c.published_at));
  return engagement / std::pow(age_hours + kTrendingAgeOffsetHours, kTrendingGravity);
}

// A cluster id for a clip that matched no earlier prompt: its own, never 0
// (0 means "no cluster" to the re-rankers).
uint64_t OwnClusterId(const std::string& clip_id) {
  const uint64_t id = base::Fnv1a64(clip_id);
  return id == 0 ? 1 : id;
}

// A clip's key in the viewers' seen-filters: 64 bits of its id, 8 bytes a
// seen clip instead of a 36-character string. An unseen clip matches one
// of a viewer's 5,000 keys by chance at odds of 5,000 in 2^64: over a
// million clips, about 1 in 4 billion a viewer, and then only that clip is
// left out for them.
uint64_t SeenKey(absl::string_view clip_id) { return base::Fnv1a64(clip_id); }

void AddCountsTo(feed::Candidate& c, const EngagementCounts& d) {
  c.impressions += d.impressions;
  c.satisfied_views += d.satisfied_views;
  c.likes += d.likes;
  c.forks += d.forks;
  c.shares += d.shares;
  c.skips += d.skips;
  c.hides += d.hides;
}

template <typename Clips, typename Fn>
void NewestFirst(const Clips& clips, size_t limit, Fn&& fn) {
  size_t n = 0;
  for (auto it = clips.rbegin(); it != clips.rend() && n < limit; ++it, ++n) fn(**it);
}

}  // namespace

FeedState::FeedState() = default;

void FeedState::MarkReady() {
  // Under the lock, so that AwaitReady's condition is re-evaluated.
  absl::MutexLock lock(&mu_);
  ready_.store(true, std::memory_order_release);
}

bool FeedState::AwaitReady(absl::Duration timeout) const {
  const bool ready = mu_.ReaderLockWhenWithTimeout(
      absl::Condition(+[](const std::atomic<bool>* flag) { return flag->load(std::memory_order_acquire); }, &ready_),
      timeout);
  mu_.ReaderUnlock();
  return ready;
}

size_t FeedState::clip_count() const {
  absl::ReaderMutexLock lock(&mu_);
  return clips_.size();
}

void FeedState::LoadThemes(const std::vector<ThemeRecord>& themes) {
  for (const ThemeRecord& theme : themes) PutTheme(theme);
}

void FeedState::LoadViewers(const ViewerRows& rows) {
  for (const auto& [follower, followee] : rows.follows) SetFollow(follower, followee, true);
  for (const auto& [user, clip] : rows.likes) SetLike(user, clip, true);
  for (const std::string& user : rows.opted_in) SetConsent(user, true);
  // After the consent: only an opted-in viewer's skips are kept.
  for (const auto& [user, clip] : rows.skips) AddSkip(user, clip);
  for (const FeedbackSetting& setting : rows.feedback) PutFeedbackSetting(setting);
  for (const WeightsRecord& weights : rows.weights) PutWeights(weights);
  absl::MutexLock lock(&mu_);
  // Memberships are counted in the stored themes already.
  for (const auto& [user, theme] : rows.memberships) ViewerFor(user).themes.insert(theme);
  for (const AffinityRecord& a : rows.affinity) ViewerFor(a.user_id).affinity[a.creator_id] = a.weight;
  // After the consent too (only an opted-in viewer's are kept), under one
  // lock: a viewer may have thousands. Rows beyond the bound, not trimmed
  // yet, are forgotten again and count toward the next trim.
  for (const auto& [user, clip] : rows.seen) {
    Viewer& viewer = ViewerFor(user);
    if (viewer.opted_in) RememberSeen(viewer, SeenKey(clip));
  }
}

// --- Clips ---

FeedClipRecord FeedState::Assess(const PublishedClip& clip, absl::Time now, const MediaEvidence& media) const {
  FeedClipRecord record{.clip_id = clip.clip_id,
                        .creator_id = clip.creator_id,
                        .parent_clip_id = clip.parent_clip_id,
                        .root_clip_id = clip.root_clip_id.empty() ? clip.clip_id : clip.root_clip_id,
                        .prompt = clip.prompt,
                        .tags = clip.tags,
                        .published_at = clip.published_at,
                        .originality_time = now};
  const feed::MinHashSignature signature = feed::PromptSignature(clip.prompt);
  feed::OriginalityInputs inputs;
  absl::ReaderMutexLock lock(&mu_);

  // Near-duplicate prompts of others' earlier clips; a fork's parent is
  // what it forked, measured by the fork delta instead.
  std::vector<feed::PromptMatch> matches =
      prompts_.NearDuplicates(signature, clip.creator_id, kPromptMatchThreshold, clip.published_at);
  std::erase_if(matches, [&](const feed::PromptMatch& m) { return m.clip_id == clip.parent_clip_id; });
  record.prompt_cluster_id = OwnClusterId(clip.clip_id);
  if (!matches.empty()) {
    // The earliest match is the original: the cluster is its.
    if (auto it = clips_.find(matches.front().clip_id); it != clips_.end()) {
      record.prompt_cluster_id = it->second->candidate.prompt_cluster_id;
    }
    // The matched ids earliest first (the original first), as
    // originality.h shows them; the overlap is the closest match's.
    for (const feed::PromptMatch& m : matches) {
      inputs.prompt.overlap = std::max(inputs.prompt.overlap, m.similarity);
      if (inputs.prompt.clip_ids.size() < kMaxMatchedIds) inputs.prompt.clip_ids.push_back(m.clip_id);
    }
    // The earlier near-duplicates stand for the cluster's earlier clips.
    inputs.trend.earlier_in_cluster = static_cast<int64_t>(matches.size());
    inputs.trend.joined_after_onset = inputs.trend.earlier_in_cluster >= kTrendOnsetClips;
    if (inputs.trend.joined_after_onset) inputs.trend.clip_ids.push_back(matches.front().clip_id);
  }

  // Near-duplicate videos of others' earlier clips, as the media check
  // verified them; a copy of a video with a new prompt joins the
  // original's cluster too.
  inputs.media = media.matches;
  if (matches.empty() && !media.matches.clip_ids.empty()) {
    if (auto it = clips_.find(media.matches.clip_ids.front()); it != clips_.end()) {
      record.prompt_cluster_id = it->second->candidate.prompt_cluster_id;
    }
  }

  // The fork delta: the share of the parent's prompt words it changed.
  if (!clip.parent_clip_id.empty()) {
    if (auto it = clips_.find(clip.parent_clip_id); it != clips_.end()) {
      const PoolClip& parent = *it->second;
      inputs.fork = feed::ForkDelta{
          .parent_clip_id = clip.parent_clip_id,
          .same_creator_as_parent = parent.candidate.creator_id == clip.creator_id,
          .changed_word_share = remix::DiffPrompts(parent.prompt, clip.prompt).ChangedFraction(),
          .picture_changed_share = media.parent_matched_share ? 1.0 - *media.parent_matched_share : 1.0};
    }
  }

  // Self-repetition: the creator's own last clips.
  if (auto own = by_creator_.find(clip.creator_id); own != by_creator_.end()) {
    NewestFirst(own->second, kOwnRecentCompared, [&](const PoolClip& earlier) {
      const std::string& id = earlier.candidate.clip_id;
      // Only the creator's clips before this one, not this one itself (a
      // redelivered event) nor its parent (the fork delta's).
      if (id == clip.parent_clip_id || id == clip.clip_id) return;
      if (earlier.candidate.published_at >= clip.published_at) return;
      const double similarity = feed::EstimateJaccard(signature, feed::PromptSignature(earlier.prompt));
      if (similarity < feed::kSelfRepetitionStart) return;
      inputs.self_repetition.overlap = std::max(inputs.self_repetition.overlap, similarity);
      if (inputs.self_repetition.clip_ids.size() < kMaxMatchedIds) inputs.self_repetition.clip_ids.push_back(id);
    });
  }

  const feed::OriginalityScore score = feed::ComputeOriginality(inputs);
  record.originality = score.value;
  record.is_copy = feed::IsCopy(inputs);
  record.components = score.components;
  return record;
}

void FeedState::AddClip(const FeedClipRecord& record) {
  auto clip = std::make_unique<PoolClip>();
  clip->candidate = feed::Candidate{.clip_id = record.clip_id,
                                    .creator_id = record.creator_id,
                                    .prompt_cluster_id = record.prompt_cluster_id,
                                    .fork_root_id = record.root_clip_id.empty() ? record.clip_id : record.root_clip_id,
                                    .published_at = record.published_at,
                                    .originality = record.originality,
                                    .is_copy = record.is_copy};
  AddCountsTo(clip->candidate, record.counts);
  clip->parent_clip_id = record.parent_clip_id;
  clip->prompt = record.prompt;
  clip->tags = record.tags;
  clip->seen_key = SeenKey(record.clip_id);
  const feed::MinHashSignature signature = feed::PromptSignature(record.prompt);
  absl::MutexLock lock(&mu_);
  clip->candidate.theme_ids = ThemesOfTags(record.tags);
  if (auto it = clips_.find(record.clip_id); it != clips_.end()) {
    UnindexClip(*it->second);
    UnindexFrames(*it->second);
    prompts_.Remove(record.clip_id);
    clips_.erase(it);
  }
  IndexClip(*clip);
  IndexFrames(*clip, record.indexed_frames);
  if (record.is_copy) RememberCopy(record.creator_id, record.clip_id, record.published_at);
  // Only a duplicate id fails, and the clip was unindexed first.
  prompts_.Insert(record.clip_id, record.creator_id, record.published_at, signature).IgnoreError();
  clips_.emplace(record.clip_id, std::move(clip));
}

void FeedState::RemoveClip(const std::string& clip_id) {
  absl::MutexLock lock(&mu_);
  auto it = clips_.find(clip_id);
  if (it == clips_.end()) return;
  UnindexClip(*it->second);
  UnindexFrames(*it->second);
  if (it->second->candidate.is_copy) ForgetCopy(it->second->candidate.creator_id, clip_id);
  prompts_.Remove(clip_id);
  clips_.erase(it);
}

std::vector<FrameMatchCandidate> FeedState::FrameMatchCandidates(const PublishedClip& clip,
                                                                 const std::vector<feed::FrameHash>& frames) const {
  std::vector<FrameMatchCandidate> earlier;
  if (frames.empty()) return earlier;
  absl::ReaderMutexLock lock(&mu_);
  // Some hits are the creator's own clips, the parent or later clips: ask
  // for more than are kept.
  for (const PoolClip* other : FrameNeighbours(frames, 4 * kMediaCandidatesVerified)) {
    const feed::Candidate& c = other->candidate;
    if (c.creator_id == clip.creator_id || c.clip_id == clip.clip_id || c.clip_id == clip.parent_clip_id ||
        c.published_at >= clip.published_at) {
      continue;
    }
    earlier.push_back(FrameMatchCandidate{.clip_id = c.clip_id, .published_at = c.published_at});
    if (earlier.size() == kMediaCandidatesVerified) break;
  }
  return earlier;
}

std::vector<std::string> FeedState::LaterMatchCandidates(const PublishedClip& clip,
                                                         const std::vector<feed::FrameHash>& frames) const {
  std::vector<std::pair<absl::Time, std::string>> later;
  const feed::MinHashSignature signature = feed::PromptSignature(clip.prompt);
  absl::ReaderMutexLock lock(&mu_);
  for (const feed::PromptMatch& m : prompts_.NearDuplicates(signature, clip.creator_id, kPromptMatchThreshold,
                                                            absl::InfiniteFuture(), clip.published_at)) {
    later.emplace_back(m.published_at, m.clip_id);
  }
  if (!frames.empty()) {
    for (const PoolClip* other : FrameNeighbours(frames, 4 * kRescoredClips)) {
      const feed::Candidate& c = other->candidate;
      if (c.creator_id == clip.creator_id || c.published_at <= clip.published_at) continue;
      later.emplace_back(c.published_at, c.clip_id);
    }
  }
  // Forks made before their parent reached the feed were scored without
  // their fork delta: the newest of them (the set is ordered by time).
  if (auto forks = children_.find(clip.clip_id); forks != children_.end()) {
    size_t taken = 0;
    for (auto it = forks->second.rbegin(); it != forks->second.rend() && taken < kRescoredClips; ++it, ++taken) {
      later.emplace_back((*it)->candidate.published_at, (*it)->candidate.clip_id);
    }
  }
  // Newest first: a clip restored after a removal (or made public again)
  // was matched by the clips published before its removal already; those
  // published while it was away are the newest.
  std::sort(later.begin(), later.end(), std::greater<>());
  later.erase(std::unique(later.begin(), later.end()), later.end());
  std::vector<std::string> ids;
  for (auto& [published_at, id] : later) {
    if (id == clip.clip_id) continue;
    ids.push_back(std::move(id));
    if (ids.size() == kRescoredClips) break;
  }
  return ids;
}

std::vector<const FeedState::PoolClip*> FeedState::FrameNeighbours(const std::vector<feed::FrameHash>& frames,
                                                                    size_t limit) const {
  std::vector<const PoolClip*> neighbours;
  for (const feed::FrameIndexHit& hit : frame_index_.Candidates(frames, limit)) {
    // A slot freed since (its clip removed) holds no clip.
    if (const PoolClip* clip = hit.clip < frame_slots_.size() ? frame_slots_[hit.clip] : nullptr) {
      neighbours.push_back(clip);
    }
  }
  return neighbours;
}

void FeedState::IndexFrames(PoolClip& clip, const std::vector<feed::FrameHash>& frames) {
  if (frames.empty()) return;
  uint32_t slot = 0;
  if (!free_frame_slots_.empty()) {
    slot = free_frame_slots_.back();
    free_frame_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(frame_slots_.size());
    frame_slots_.push_back(nullptr);
  }
  // Fails only past feed::kMaxFrameIndexClips clips: such a clip is then
  // found by its prompt alone.
  if (!frame_index_.Add(slot, frames).ok()) {
    free_frame_slots_.push_back(slot);
    return;
  }
  frame_slots_[slot] = &clip;
  clip.frame_slot = slot;
}

void FeedState::UnindexFrames(PoolClip& clip) {
  if (clip.frame_slot == kNoFrameSlot) return;
  frame_index_.Remove(clip.frame_slot);
  frame_slots_[clip.frame_slot] = nullptr;
  free_frame_slots_.push_back(clip.frame_slot);
  clip.frame_slot = kNoFrameSlot;
}

void FeedState::AddCounts(const std::string& clip_id, const EngagementCounts& delta) {
  absl::MutexLock lock(&mu_);
  if (auto it = clips_.find(clip_id); it != clips_.end()) AddCountsTo(it->second->candidate, delta);
}

std::optional<ClipKeys> FeedState::KeysOf(const std::string& clip_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = clips_.find(clip_id);
  if (it == clips_.end()) return std::nullopt;
  const feed::Candidate& c = it->second->candidate;
  return ClipKeys{.creator_id = c.creator_id, .prompt_cluster_id = c.prompt_cluster_id, .theme_ids = c.theme_ids};
}

void FeedState::IndexClip(const PoolClip& clip) {
  const feed::Candidate& c = clip.candidate;
  by_time_.insert(&clip);
  {
    absl::MutexLock recent_lock(&recent_mu_);
    recent_stale_ = true;
  }
  by_creator_[c.creator_id].insert(&clip);
  if (!clip.parent_clip_id.empty()) children_[clip.parent_clip_id].insert(&clip);
  for (const std::string& theme : c.theme_ids) by_theme_[theme].insert(&clip);
  auto [first, inserted] = creator_first_clip_.try_emplace(c.creator_id, c.published_at);
  if (!inserted) first->second = std::min(first->second, c.published_at);
}

void FeedState::UnindexClip(const PoolClip& clip) {
  const feed::Candidate& c = clip.candidate;
  by_time_.erase(&clip);
  {
    absl::MutexLock recent_lock(&recent_mu_);
    recent_stale_ = true;
  }
  const auto erase_from = [&](auto& index, const std::string& name) {
    auto it = index.find(name);
    if (it == index.end()) return;
    it->second.erase(&clip);
    if (it->second.empty()) index.erase(it);
  };
  erase_from(by_creator_, c.creator_id);
  if (!clip.parent_clip_id.empty()) erase_from(children_, clip.parent_clip_id);
  for (const std::string& theme : c.theme_ids) erase_from(by_theme_, theme);
  // creator_first_clip_ keeps the first publish: a creator whose first
  // clip was removed is not new again.
}

// --- Viewers ---

FeedState::Viewer& FeedState::ViewerFor(const std::string& user_id) { return viewers_[user_id]; }

const FeedState::Viewer* FeedState::FindViewer(const std::string& user_id) const {
  auto it = viewers_.find(user_id);
  return it == viewers_.end() ? nullptr : &it->second;
}

void FeedState::SetFollow(const std::string& follower_id, const std::string& followee_id, bool follows) {
  absl::MutexLock lock(&mu_);
  Viewer& viewer = ViewerFor(follower_id);
  if (follows) {
    viewer.follows.insert(followee_id);
  } else {
    viewer.follows.erase(followee_id);
  }
}

void FeedState::SetLike(const std::string& user_id, const std::string& clip_id, bool likes) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string>& liked = ViewerFor(user_id).likes;
  std::erase(liked, clip_id);
  if (!likes) return;
  liked.push_back(clip_id);
  if (liked.size() > kLikesKeptPerViewer) liked.erase(liked.begin());
}

void FeedState::SetConsent(const std::string& user_id, bool opted_in) {
  absl::MutexLock lock(&mu_);
  Viewer& viewer = ViewerFor(user_id);
  viewer.opted_in = opted_in;
  if (!opted_in) {
    viewer.affinity.clear();
    viewer.skips.clear();
    viewer.seen.clear();
    viewer.seen_order.clear();
    viewer.seen_forgotten = 0;
  }
}

bool FeedState::OptedIn(const std::string& user_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(user_id);
  return viewer != nullptr && viewer->opted_in;
}

void FeedState::PutFeedbackSetting(const FeedbackSetting& setting) {
  absl::MutexLock lock(&mu_);
  ViewerFor(setting.user_id).feedback[{setting.scope, setting.key}] = setting;
}

std::optional<FeedbackSetting> FeedState::FeedbackSettingOf(const std::string& user_id, FeedbackScope scope,
                                                            const std::string& key) const {
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(user_id);
  if (viewer == nullptr) return std::nullopt;
  auto it = viewer->feedback.find(std::make_pair(scope, key));
  if (it == viewer->feedback.end()) return std::nullopt;
  return it->second;
}

void FeedState::PutWeights(const WeightsRecord& weights) {
  absl::MutexLock lock(&mu_);
  ViewerFor(weights.user_id).weights = weights;
}

WeightsRecord FeedState::WeightsOf(const std::string& user_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(user_id);
  if (viewer != nullptr && viewer->weights) return *viewer->weights;
  return WeightsRecord{.user_id = user_id};
}

void FeedState::AddAffinity(const std::string& user_id, const std::string& creator_id, double delta) {
  absl::MutexLock lock(&mu_);
  Viewer& viewer = ViewerFor(user_id);
  if (viewer.opted_in) viewer.affinity[creator_id] += delta;
}

void FeedState::AddSkip(const std::string& user_id, const std::string& clip_id) {
  absl::MutexLock lock(&mu_);
  Viewer& viewer = ViewerFor(user_id);
  if (!viewer.opted_in) return;
  std::erase(viewer.skips, clip_id);
  viewer.skips.push_back(clip_id);
  if (viewer.skips.size() > kSkipsKeptPerViewer) viewer.skips.erase(viewer.skips.begin());
}

void FeedState::AddSeen(const std::string& user_id, const std::vector<std::string>& clip_ids) {
  absl::MutexLock lock(&mu_);
  Viewer& viewer = ViewerFor(user_id);
  if (!viewer.opted_in) return;
  for (const std::string& clip_id : clip_ids) RememberSeen(viewer, SeenKey(clip_id));
}

void FeedState::RememberSeen(Viewer& viewer, uint64_t key) {
  if (!viewer.seen.insert(key).second) return;
  viewer.seen_order.push_back(key);
  if (viewer.seen_order.size() <= kMaxSeenPerViewer) return;
  viewer.seen.erase(viewer.seen_order.front());
  viewer.seen_order.pop_front();
  ++viewer.seen_forgotten;
}

size_t FeedState::SkipCount(const std::string& user_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(user_id);
  return viewer == nullptr ? 0 : viewer->skips.size();
}

size_t FeedState::SeenCount(const std::string& user_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(user_id);
  return viewer == nullptr ? 0 : viewer->seen_order.size();
}

bool FeedState::SeenTrimDue(const std::string& user_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(user_id);
  return viewer != nullptr && viewer->seen_forgotten >= kSeenTrimBatch;
}

void FeedState::SeenTrimmed(const std::string& user_id) {
  absl::MutexLock lock(&mu_);
  if (auto it = viewers_.find(user_id); it != viewers_.end()) it->second.seen_forgotten = 0;
}

size_t FeedState::AffinityCount(const std::string& user_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(user_id);
  return viewer == nullptr ? 0 : viewer->affinity.size();
}

void FeedState::ForgetUser(const std::string& user_id) {
  absl::MutexLock lock(&mu_);
  if (auto it = viewers_.find(user_id); it != viewers_.end()) {
    for (const std::string& theme : it->second.themes) {
      if (auto t = themes_.find(theme); t != themes_.end()) --t->second.member_count;
    }
    viewers_.erase(it);
  }
  for (auto& [id, viewer] : viewers_) viewer.follows.erase(user_id);
  reach_penalty_until_.erase(user_id);
  recent_copies_.erase(user_id);
}

// --- Themes ---

std::vector<std::string> FeedState::ThemesOfTags(const std::vector<std::string>& tags) const {
  std::vector<std::string> themes;
  for (const std::string& tag : tags) {
    auto it = themes_by_tag_.find(tag);
    if (it == themes_by_tag_.end()) continue;
    for (const std::string& theme : it->second) {
      if (std::find(themes.begin(), themes.end(), theme) == themes.end()) themes.push_back(theme);
    }
  }
  std::sort(themes.begin(), themes.end());
  return themes;
}

void FeedState::PutTheme(const ThemeRecord& theme) {
  absl::MutexLock lock(&mu_);
  const bool known = themes_.contains(theme.theme_id);
  themes_[theme.theme_id] = theme;
  if (known) return;  // A theme's tags do not change.
  for (const std::string& tag : theme.tags) themes_by_tag_[tag].push_back(theme.theme_id);
  // Live clips with one of its tags join it.
  for (auto& [id, clip] : clips_) {
    std::vector<std::string> themes = ThemesOfTags(clip->tags);
    if (themes == clip->candidate.theme_ids) continue;
    UnindexClip(*clip);
    clip->candidate.theme_ids = std::move(themes);
    IndexClip(*clip);
  }
}

std::optional<ThemeRecord> FeedState::Theme(const std::string& theme_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = themes_.find(theme_id);
  if (it == themes_.end()) return std::nullopt;
  return it->second;
}

std::vector<ThemeRecord> FeedState::Themes() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<ThemeRecord> themes;
  themes.reserve(themes_.size());
  for (const auto& [id, theme] : themes_) themes.push_back(theme);
  return themes;
}

void FeedState::SetMembership(const std::string& user_id, const std::string& theme_id, bool member) {
  absl::MutexLock lock(&mu_);
  Viewer& viewer = ViewerFor(user_id);
  const bool changed = member ? viewer.themes.insert(theme_id).second : viewer.themes.erase(theme_id) > 0;
  if (!changed) return;
  if (auto it = themes_.find(theme_id); it != themes_.end()) it->second.member_count += member ? 1 : -1;
}

bool FeedState::IsMember(const std::string& user_id, const std::string& theme_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(user_id);
  return viewer != nullptr && viewer->themes.contains(theme_id);
}

int64_t FeedState::ThemeClipCount(const std::string& theme_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_theme_.find(theme_id);
  return it == by_theme_.end() ? 0 : static_cast<int64_t>(it->second.size());
}

std::vector<std::string> FeedState::JoinedThemes(const std::string& user_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(user_id);
  if (viewer == nullptr) return {};
  std::vector<std::string> themes(viewer->themes.begin(), viewer->themes.end());
  std::sort(themes.begin(), themes.end());
  return themes;
}

// --- Echo Chambers ---

std::vector<ThemeReaction> FeedState::MemberReactions() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<ThemeReaction> reactions;
  for (const auto& [user_id, viewer] : viewers_) {
    if (!viewer.opted_in || viewer.themes.empty()) continue;
    // One reaction a (theme, clip): a like outweighs a skip or a hide.
    absl::flat_hash_set<std::string> seen;
    const auto react = [&](const std::string& clip_id, float value) {
      auto clip = clips_.find(clip_id);
      if (clip == clips_.end() || !seen.insert(clip_id).second) return;
      for (const std::string& theme : clip->second->candidate.theme_ids) {
        if (viewer.themes.contains(theme)) reactions.push_back({theme, user_id, clip_id, value});
      }
    };
    for (const std::string& clip_id : viewer.likes) react(clip_id, 1.0f);
    for (const std::string& clip_id : viewer.skips) react(clip_id, -1.0f);
    for (const auto& [key, setting] : viewer.feedback) {
      if (setting.scope == FeedbackScope::kClip && setting.hidden) react(setting.key, -1.0f);
    }
  }
  return reactions;
}

void FeedState::SetEchoes(std::vector<Echo> echoes) {
  absl::MutexLock lock(&mu_);
  echoes_ = std::move(echoes);
}

// --- Reach penalties ---

void FeedState::RememberCopy(const std::string& creator_id, const std::string& clip_id, absl::Time published_at) {
  std::deque<RecentCopy>& copies = recent_copies_[creator_id];
  // Once a clip: a redelivered or restored copy is the same repost.
  if (std::any_of(copies.begin(), copies.end(), [&](const RecentCopy& c) { return c.clip_id == clip_id; })) return;
  // Kept in publish order, so that a copy delivered late takes its place
  // and the oldest is the one that goes.
  const auto later = std::upper_bound(copies.begin(), copies.end(), published_at,
                                      [](absl::Time t, const RecentCopy& c) { return t < c.published_at; });
  copies.insert(later, RecentCopy{.clip_id = clip_id, .published_at = published_at});
  if (copies.size() > static_cast<size_t>(feed::kMassRepostCopies)) copies.pop_front();
}

void FeedState::ForgetCopy(const std::string& creator_id, const std::string& clip_id) {
  auto it = recent_copies_.find(creator_id);
  if (it == recent_copies_.end()) return;
  std::erase_if(it->second, [&](const RecentCopy& c) { return c.clip_id == clip_id; });
  if (it->second.empty()) recent_copies_.erase(it);
}

std::vector<RecentCopy> FeedState::RecentCopies(const std::string& creator_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = recent_copies_.find(creator_id);
  if (it == recent_copies_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void FeedState::PenalizeReach(const std::string& creator_id, absl::Time until) {
  absl::MutexLock lock(&mu_);
  reach_penalty_until_[creator_id] = until;
}

void FeedState::LiftReachPenalty(const std::string& creator_id) {
  absl::MutexLock lock(&mu_);
  reach_penalty_until_.erase(creator_id);
  recent_copies_.erase(creator_id);
}

void FeedState::LoadReachPenalties(const std::vector<ReachPenaltyRecord>& penalties, absl::Time now) {
  absl::MutexLock lock(&mu_);
  for (const ReachPenaltyRecord& p : penalties) {
    if (feed::ReachPenaltyRuns(p.until, p.lifted_at.has_value(), now)) reach_penalty_until_[p.creator_id] = p.until;
  }
}

size_t FeedState::PruneEndedReachPenalties(absl::Time now) {
  absl::MutexLock lock(&mu_);
  size_t pruned = 0;
  for (auto it = reach_penalty_until_.begin(); it != reach_penalty_until_.end();) {
    if (feed::ReachPenaltyRuns(it->second, /*lifted=*/false, now)) {
      ++it;
      continue;
    }
    reach_penalty_until_.erase(it++);
    ++pruned;
  }
  return pruned;
}

double FeedState::ReachOf(const std::string& creator_id, absl::Time now) const {
  absl::ReaderMutexLock lock(&mu_);
  return CreatorReach(creator_id, now);
}

double FeedState::CreatorReach(const std::string& creator_id, absl::Time now) const {
  // Few creators are penalized: most requests find the map empty and hash
  // no creator id.
  if (reach_penalty_until_.empty()) return 1.0;
  const auto it = reach_penalty_until_.find(creator_id);
  if (it == reach_penalty_until_.end() || !feed::ReachPenaltyRuns(it->second, /*lifted=*/false, now)) return 1.0;
  return feed::kReachPenaltyMultiplier;
}

// --- Requests ---

std::shared_ptr<const FeedState::RecentWindow> FeedState::Recent(absl::Time now) const {
  absl::MutexLock lock(&recent_mu_);
  if (!recent_stale_ && recent_ != nullptr && now - recent_->computed_at < kTrendingRefresh) return recent_;
  auto window = std::make_shared<RecentWindow>();
  window->computed_at = now;
  NewestFirst(by_time_, kRecentWindow, [&](const PoolClip& clip) {
    window->newest.push_back(&clip);
    const auto first = creator_first_clip_.find(clip.candidate.creator_id);
    window->new_creator.push_back(first != creator_first_clip_.end() && now - first->second <= kNewCreatorPeriod);
  });
  std::vector<std::pair<double, const PoolClip*>> scored;
  scored.reserve(window->newest.size());
  for (const PoolClip* clip : window->newest) scored.emplace_back(TrendingScore(clip->candidate, now), clip);
  const size_t top = std::min(scored.size(), kTrendingCandidates);
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(top), scored.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first
                                                : a.second->candidate.clip_id < b.second->candidate.clip_id;
                    });
  for (size_t i = 0; i < top; ++i) window->trending.push_back(scored[i].second);
  recent_ = std::move(window);
  recent_stale_ = false;
  return recent_;
}

void FeedState::FillContext(const Viewer* viewer, Gathered& out) const {
  if (viewer == nullptr) return;
  out.opted_in = viewer->opted_in;
  out.has_affinity = viewer->opted_in && !viewer->affinity.empty();
  out.context.personalized = viewer->opted_in;
  if (viewer->weights) {
    feed::RankingSteering& s = out.context.steering;
    s.originality = viewer->weights->originality;
    s.freshness = viewer->weights->freshness;
    s.following_vs_discovery = viewer->weights->following_vs_discovery;
    s.exploration_share = viewer->weights->exploration_share;
    for (const auto& [theme, weight] : viewer->weights->theme_weights) s.theme_weights[theme] = weight;
  }
  feed::FeedbackMultipliers& m = out.context.feedback;
  for (const auto& [key, setting] : viewer->feedback) {
    switch (setting.scope) {
      case FeedbackScope::kClip:
        if (setting.hidden) {
          out.hidden_clips.insert(setting.key);
        } else {
          m.by_clip[setting.key] = setting.multiplier;
        }
        break;
      case FeedbackScope::kCreator:
        if (setting.hidden) {
          out.hidden_creators.insert(setting.key);
        } else {
          m.by_creator[setting.key] = setting.multiplier;
        }
        break;
      case FeedbackScope::kPromptCluster: {
        uint64_t cluster = 0;
        if (!absl::SimpleAtoi(setting.key, &cluster)) break;
        if (setting.hidden) {
          out.hidden_clusters.insert(cluster);
        } else {
          m.by_prompt_cluster[cluster] = setting.multiplier;
        }
        break;
      }
      case FeedbackScope::kTheme:
        m.by_theme[setting.key] = setting.multiplier;
        break;
    }
  }
}

Gathered FeedState::Gather(const GatherRequest& request, absl::Time now) const {
  Gathered out;
  absl::ReaderMutexLock lock(&mu_);
  const Viewer* viewer = FindViewer(request.viewer_id);
  FillContext(viewer, out);
  absl::flat_hash_set<const PoolClip*> taken;
  const auto full = [&] { return out.candidates.size() >= request.cap; };
  // Adds the clip from `source` unless the cap is reached or it is left
  // out or already taken; true when added. The generators' limits count
  // what was added, so clips the session was served (or the viewer saw)
  // never crowd out the ones it was not. A clip taken through a theme carries that theme's
  // small-theme boost (1 for the other sources), and a penalized
  // creator's clip their reduced reach.
  const bool hides = !out.hidden_creators.empty() || !out.hidden_clips.empty() || !out.hidden_clusters.empty();
  // An opted-in viewer's seen clips, which no session of theirs repeats.
  const absl::flat_hash_set<uint64_t>* seen = out.opted_in && !viewer->seen.empty() ? &viewer->seen : nullptr;
  const auto take = [&](const PoolClip& clip, feed::CandidateSource source, double small_theme_boost = 1.0) {
    if (full()) return false;
    const feed::Candidate& c = clip.candidate;
    if (c.creator_id == request.viewer_id) return false;
    if (hides && (out.hidden_creators.contains(c.creator_id) || out.hidden_clips.contains(c.clip_id) ||
                  out.hidden_clusters.contains(c.prompt_cluster_id))) {
      return false;
    }
    // Copies give way to their originals, except in the following feed,
    // which shows what the followed creators posted.
    if (c.is_copy && request.kind != FeedKind::kFollowing) return false;
    if (request.served != nullptr && request.served->MightContain(c.clip_id)) return false;
    if (seen != nullptr && seen->contains(clip.seen_key)) return false;
    if (!taken.insert(&clip).second) return false;
    feed::Candidate& added = out.candidates.emplace_back(c);
    added.source = source;
    added.small_theme_boost = small_theme_boost;
    added.reach = CreatorReach(c.creator_id, now);
    if (out.opted_in) {
      if (auto it = viewer->affinity.find(c.creator_id); it != viewer->affinity.end() && it->second > 0) {
        added.affinity = it->second / (it->second + kAffinityHalfWeight);
      }
    }
    return true;
  };
  // Up to `limit` clips of `clips`, newest first.
  const auto take_newest = [&](const ClipsByTime& clips, size_t limit, feed::CandidateSource source,
                               double small_theme_boost = 1.0) {
    size_t added = 0;
    for (auto it = clips.rbegin(); it != clips.rend() && added < limit && !full(); ++it) {
      if (take(**it, source, small_theme_boost)) ++added;
    }
  };
  // The boost of the clips taken through `theme_id`, from its member count
  // (feed::SmallThemeBoost); 1 for a theme the pools do not know, whose
  // size is unknown. The map is bound here, under the lock.
  const auto small_theme_boost_of = [&themes = themes_](const std::string& theme_id) {
    const auto it = themes.find(theme_id);
    if (it == themes.end()) return 1.0;
    return feed::SmallThemeBoost(static_cast<size_t>(std::max<int64_t>(it->second.member_count, 0)));
  };

  if (request.widened) {
    // Every live clip, newest first: older clips, other themes, all
    // originals, rather than a repeat.
    take_newest(by_time_, request.cap, feed::CandidateSource::kTrending);
    return out;
  }
  const bool for_you = request.kind == FeedKind::kForYou;
  if ((for_you || request.kind == FeedKind::kFollowing) && viewer != nullptr) {
    std::vector<std::string> followed(viewer->follows.begin(), viewer->follows.end());
    std::sort(followed.begin(), followed.end());
    if (followed.size() > kMaxFollowedCreatorsRead) followed.resize(kMaxFollowedCreatorsRead);
    for (const std::string& creator : followed) {
      if (auto it = by_creator_.find(creator); it != by_creator_.end()) {
        take_newest(it->second, kClipsPerFollowedCreator, feed::CandidateSource::kFollowing);
      }
    }
  }
  if (request.kind == FeedKind::kFollowing) return out;
  if (request.kind == FeedKind::kTheme) {
    if (auto it = by_theme_.find(request.theme_id); it != by_theme_.end()) {
      take_newest(it->second, request.cap, feed::CandidateSource::kTheme, small_theme_boost_of(request.theme_id));
    }
    return out;
  }
  if (for_you && viewer != nullptr) {
    size_t read = 0;
    for (auto liked = viewer->likes.rbegin(); liked != viewer->likes.rend() && read < kLikedClipsRead;
         ++liked, ++read) {
      auto forks = children_.find(*liked);
      if (forks == children_.end()) continue;
      size_t added = 0;
      for (auto it = forks->second.rbegin(); it != forks->second.rend() && added < kForksPerLikedClip; ++it) {
        if (!take(**it, feed::CandidateSource::kForkOfLiked)) continue;
        ++added;
        out.liked_parent.emplace((*it)->candidate.clip_id, *liked);
      }
    }
    std::vector<std::string> joined(viewer->themes.begin(), viewer->themes.end());
    std::sort(joined.begin(), joined.end());
    for (const std::string& theme : joined) {
      if (auto it = by_theme_.find(theme); it != by_theme_.end()) {
        take_newest(it->second, kClipsPerJoinedTheme, feed::CandidateSource::kTheme, small_theme_boost_of(theme));
      }
    }
  }

  // Echoed clips from chambers the viewer is not in.
  if (for_you) {
    size_t added = 0;
    for (const Echo& echo : echoes_) {
      if (added >= kEchoedCandidates || full()) break;
      if (viewer != nullptr && viewer->themes.contains(echo.theme_id)) continue;
      auto clip = clips_.find(echo.clip_id);
      if (clip != clips_.end() &&
          take(*clip->second, feed::CandidateSource::kEchoed, small_theme_boost_of(echo.theme_id))) {
        ++added;
      }
    }
  }

  // The recent window: original picks, new creators, exploration and
  // trending, each capped.
  const std::shared_ptr<const RecentWindow> recent = Recent(now);
  const auto take_where = [&](size_t limit, feed::CandidateSource source, auto&& eligible) {
    size_t added = 0;
    for (size_t i = 0; i < recent->newest.size() && added < limit && !full(); ++i) {
      if (eligible(i) && take(*recent->newest[i], source)) ++added;
    }
  };
  if (for_you) {
    take_where(kOriginalPicks, feed::CandidateSource::kOriginalPick, [&](size_t i) {
      const feed::Candidate& c = recent->newest[i]->candidate;
      return !c.is_copy && c.originality >= feed::kOriginalPickReasonMinOriginality;
    });
    take_where(kNewCreatorCandidates, feed::CandidateSource::kNewCreator,
               [&](size_t i) { return static_cast<bool>(recent->new_creator[i]); });
  }
  take_where(kExplorationCandidates, feed::CandidateSource::kExploration,
             [&](size_t i) { return recent->newest[i]->candidate.impressions < kExplorationMaxImpressions; });
  for (const PoolClip* clip : recent->trending) take(*clip, feed::CandidateSource::kTrending);
  return out;
}

}  // namespace clipforge::feed_service
