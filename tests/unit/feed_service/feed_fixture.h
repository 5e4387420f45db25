// What the feed service's unit tests share: the pools (FeedState), the
// feed and event logics over one fake store, a clock the tests move,
// callers and keys, prompts with known overlaps, and the clips and users
// services' events applied as the feed's consumers apply them: each in one
// store transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "base/uuid.h"
#include "clipforge/v1/events.pb.h"
#include "services/feed/event_logic.h"
#include "services/feed/feed_logic.h"
#include "services/feed/feed_state.h"
#include "services/feed/records.h"
#include "services/feed/request_parsing.h"
#include "services/feed/store_interface.h"
#include "services/kit/caller.h"
#include "services/kit/event_factory.h"
#include "services/kit/idempotency.h"
#include "services/kit/proto_time.h"
#include "tests/unit/feed_service/fake_feed_store.h"

namespace clipforge::feed_service::testing {

// Midday UTC, so that a test crosses midnight only when it means to.
inline absl::Time Noon() { return absl::FromCivil(absl::CivilSecond(2026, 5, 28, 12, 0, 0), absl::UTCTimeZone()); }

// --- Prompts with known overlaps (5-character shingles, feed/prompt_shingles.h) ---

// A prompt and five variants by other hands: each a few words changed, at
// Jaccard 0.70-0.75 to it (exact shingle sets) and 0.50-0.58 to each
// other, so each lands in its cluster (from 0.5) without being a copy
// (from 0.9).
inline constexpr char kHarborPrompt[] =
    "a lighthouse keeper paints glowing jellyfish on the night sky above a stormy harbor while seagulls circle the "
    "old stone pier";
inline const std::vector<std::string>& HarborVariants() {
  static const std::vector<std::string> variants = {
      "a lighthouse keeper paints glowing jellyfish on the night sky above a quiet harbor while seagulls circle the "
      "old wooden pier",
      "a lighthouse keeper paints glowing jellyfish on the morning sky above a stormy harbor while pelicans circle "
      "the old stone pier",
      "a lighthouse keeper sketches glowing jellyfish on the night sky above a stormy harbor while seagulls circle "
      "the broken stone pier",
      "a lighthouse keeper paints glowing lanterns on the night sky above a stormy harbor while seagulls circle the "
      "old stone jetty",
      "the lighthouse keeper paints glowing jellyfish across the night sky above a stormy bay while seagulls circle "
      "the old stone pier",
  };
  return variants;
}
// kHarborPrompt re-cased and re-punctuated: the same prompt once
// normalized (Jaccard 1), a copy.
inline constexpr char kHarborCopyPrompt[] =
    "A Lighthouse keeper paints glowing jellyfish, on the night sky above a stormy harbor -- while seagulls circle "
    "the old stone pier!";

// A 30-word prompt; a fork of it that changes two words (7% of its tokens:
// below the 10% from which a fork earns credit) and one that rewrites half
// of them (past the 33% of full credit).
inline constexpr char kFoxPrompt[] =
    "an old red fox in a green wool scarf walks slowly through a snowy birch forest at dawn carrying a small "
    "lantern toward a wooden cabin by the frozen river";
inline constexpr char kFoxTweakPrompt[] =
    "an old grey fox in a green wool scarf walks slowly through a snowy birch forest at dusk carrying a small "
    "lantern toward a wooden cabin by the frozen river";
inline constexpr char kFoxRewritePrompt[] =
    "an old red fox in a silver raincoat dances wildly across a neon city rooftop at midnight juggling three "
    "glowing oranges above a wooden cabin by the frozen river";

// Eight made-up words of random letters, different for each `n`: two such
// prompts share almost no 5-character window, so each is unrelated to
// every other prompt here (fully original, its own cluster).
inline std::string FillerPrompt(uint64_t n) {
  uint64_t x = (n + 1) * 0x9E3779B97F4A7C15ull;
  std::string prompt;
  for (int word = 0; word < 8; ++word) {
    if (word > 0) prompt += ' ';
    for (int letter = 0; letter < 6; ++letter) {
      x ^= x << 13;  // xorshift64
      x ^= x >> 7;
      x ^= x << 17;
      prompt += static_cast<char>('a' + x % 26);
    }
  }
  return prompt;
}

// The ids of `candidates`, in their order.
inline std::vector<std::string> CandidateIds(const std::vector<feed::Candidate>& candidates) {
  std::vector<std::string> ids;
  ids.reserve(candidates.size());
  for (const feed::Candidate& c : candidates) ids.push_back(c.clip_id);
  return ids;
}

// The originality component named `name` of `clip` (a default one, failing
// the test, when it has none).
inline feed::OriginalityComponent ComponentOf(const FeedClipRecord& clip, absl::string_view name) {
  for (const feed::OriginalityComponent& c : clip.components) {
    if (c.name == name) return c;
  }
  ADD_FAILURE() << "clip " << clip.clip_id << " has no component " << name;
  return {};
}

class FeedFixture : public ::testing::Test {
 protected:
  // The page tokens' key: 32 bytes, the least the cursor accepts.
  static constexpr char kCursorKey[] = "feed-fixture-cursor-key-32-bytes";
  // Few, so that a test reaches the limit quickly.
  static constexpr int64_t kMaxJoinedThemes = 3;

  static FeedRules Rules() {
    return FeedRules{.cursor_max_age = absl::Hours(24),
                     .cursor_keys = {kCursorKey},
                     .max_joined_themes = kMaxJoinedThemes};
  }

  // --- Callers and keys ---
  static kit::Caller User(std::string id) { return {.user_id = std::move(id), .roles = {base::Role::kUser}}; }
  static kit::Caller Admin(std::string id) {
    return {.user_id = std::move(id), .roles = {base::Role::kUser, base::Role::kAdmin}};
  }
  static kit::Caller Moderator(std::string id) {
    return {.user_id = std::move(id), .roles = {base::Role::kUser, base::Role::kModerator}};
  }
  kit::Caller NewUser() { return User(ids_.Next()); }
  kit::Caller NewAdmin() { return Admin(ids_.Next()); }
  kit::Caller NewModerator() { return Moderator(ids_.Next()); }
  // A fresh request's key (any method and fingerprint stand in for the
  // request's).
  kit::IdempotencyKey Key(const kit::Caller& caller) { return {caller.user_id, ids_.Next(), "test", "f"}; }

  // --- Clips, as clipforge.clip.* events ---
  struct ClipOptions {
    std::vector<std::string> tags;
    std::string parent_clip_id;  // a fork of it when set
    // Unset is public, as the clips service reads it. (No default member
    // initializer: GCC refuses one in a nested struct that the enclosing
    // class's own `= {}` default arguments construct.)
    v1::Visibility visibility;
    // The media filter's 1 fps frame hashes, 32 bytes each.
    std::vector<std::string> frame_hashes;
  };

  // A clip's clipforge.clip.published (public unless `options` say
  // otherwise), one second after the last
  // (so that every clip has its own publish time, and near-duplicate
  // matching, which looks at strictly earlier clips, sees the earlier ones).
  v1::EventEnvelope PublishedEvent(const std::string& creator_id, const std::string& prompt,
                                   const ClipOptions& options = {}) {
    clock_.Advance(absl::Seconds(1));
    const std::string clip_id = ids_.Next();
    v1::EventEnvelope event = factory_.New("clipforge.clip.published", "clip", clip_id);
    v1::ClipPublishedEvent* e = event.mutable_clip_published();
    e->set_clip_id(clip_id);
    e->set_author_id(creator_id);
    e->set_job_id(ids_.Next());
    e->set_prompt(prompt);
    e->set_title("A clip");
    for (const std::string& tag : options.tags) e->add_tags(tag);
    e->set_visibility(options.visibility == v1::VISIBILITY_UNSPECIFIED ? v1::VISIBILITY_PUBLIC : options.visibility);
    e->set_forking_allowed(true);
    for (const std::string& frame : options.frame_hashes) e->add_frame_hashes(frame);
    if (options.parent_clip_id.empty()) {
      e->set_root_clip_id(clip_id);
      roots_[clip_id] = clip_id;
    } else {
      e->set_parent_clip_id(options.parent_clip_id);
      const std::string root = roots_.contains(options.parent_clip_id) ? roots_[options.parent_clip_id]
                                                                       : options.parent_clip_id;
      e->set_root_clip_id(root);
      e->set_depth(1);
      roots_[clip_id] = root;
    }
    *event.mutable_occurred_at() = kit::ToTimestamp(clock_.Now());
    return event;
  }
  v1::EventEnvelope RemovedEvent(const std::string& clip_id,
                                 v1::RemovalReason reason = v1::REMOVAL_REASON_DELETED_BY_AUTHOR) {
    v1::EventEnvelope event = factory_.New("clipforge.clip.removed", "clip", clip_id);
    event.mutable_clip_removed()->set_clip_id(clip_id);
    event.mutable_clip_removed()->set_reason(reason);
    return event;
  }
  // A clipforge.clip.updated as the clips service sends it: the changed
  // paths ("removed" for a moderation restore) and the clip's visibility
  // after the change.
  v1::EventEnvelope UpdatedEvent(const std::string& clip_id, v1::Visibility visibility,
                                 const std::vector<std::string>& paths) {
    v1::EventEnvelope event = factory_.New("clipforge.clip.updated", "clip", clip_id);
    v1::ClipUpdatedEvent* e = event.mutable_clip_updated();
    e->set_clip_id(clip_id);
    for (const std::string& path : paths) e->mutable_update_mask()->add_paths(path);
    e->set_title("A clip");
    e->set_visibility(visibility);
    e->set_forking_allowed(true);
    return event;
  }
  v1::EventEnvelope LikedEvent(const std::string& user_id, const std::string& clip_id) {
    v1::EventEnvelope event = factory_.New("clipforge.clip.liked", "clip", clip_id);
    event.mutable_clip_liked()->set_clip_id(clip_id);
    event.mutable_clip_liked()->set_user_id(user_id);
    return event;
  }

  // --- Users, as clipforge.user.* events ---
  v1::EventEnvelope RegisteredEvent(const std::string& user_id, bool analytics_opted_in) {
    v1::EventEnvelope event = factory_.New("clipforge.user.registered", "user", user_id);
    v1::UserRegisteredEvent* registered = event.mutable_user_registered();
    registered->set_user_id(user_id);
    registered->set_handle("someone");
    registered->set_display_name("Someone");
    registered->set_analytics_opted_in(analytics_opted_in);
    return event;
  }
  v1::EventEnvelope ConsentChangedEvent(const std::string& user_id, bool opted_in) {
    v1::EventEnvelope event = factory_.New("clipforge.user.consent_changed", "user", user_id);
    event.mutable_user_consent_changed()->set_user_id(user_id);
    event.mutable_user_consent_changed()->set_opted_in(opted_in);
    return event;
  }
  v1::EventEnvelope DeletedEvent(const std::string& user_id) {
    v1::EventEnvelope event = factory_.New("clipforge.user.deleted", "user", user_id);
    event.mutable_user_deleted()->set_user_id(user_id);
    return event;
  }
  v1::EventEnvelope FollowedEvent(const std::string& follower_id, const std::string& followee_id) {
    v1::EventEnvelope event = factory_.New("clipforge.user.followed", "user", follower_id);
    event.mutable_user_followed()->set_follower_id(follower_id);
    event.mutable_user_followed()->set_followee_id(followee_id);
    return event;
  }

  // Each applied as the feed's consumers apply it: in one transaction.
  absl::Status ApplyClipEvent(const v1::EventEnvelope& event) {
    return store_.Transact(TxMode::kReadWrite, [&](FeedTx& tx) { return event_logic_.ApplyClipEvent(tx, event); });
  }
  absl::Status ApplyUserEvent(const v1::EventEnvelope& event) {
    return store_.Transact(TxMode::kReadWrite, [&](FeedTx& tx) { return event_logic_.ApplyUserEvent(tx, event); });
  }

  // The same, asserting it worked. Publish returns the new clip's id.
  std::string Publish(const std::string& creator_id, const std::string& prompt, const ClipOptions& options = {}) {
    const v1::EventEnvelope event = PublishedEvent(creator_id, prompt, options);
    EXPECT_THAT(ApplyClipEvent(event), base::testing::IsOk());
    return event.clip_published().clip_id();
  }
  // A clip of `creator_id` with a prompt unrelated to every other.
  std::string PublishFiller(const std::string& creator_id, const ClipOptions& options = {}) {
    return Publish(creator_id, FillerPrompt(next_filler_++), options);
  }
  // `clips_each` filler clips of each of `creators` new creators, published
  // one round of creators after another; returns the clips' ids.
  std::vector<std::string> PublishCatalogue(int creators, int clips_each) {
    std::vector<std::string> creator_ids;
    for (int i = 0; i < creators; ++i) creator_ids.push_back(ids_.Next());
    std::vector<std::string> clip_ids;
    for (int round = 0; round < clips_each; ++round) {
      for (const std::string& creator : creator_ids) clip_ids.push_back(PublishFiller(creator));
    }
    return clip_ids;
  }
  void RemoveClip(const std::string& clip_id) {
    EXPECT_THAT(ApplyClipEvent(RemovedEvent(clip_id)), base::testing::IsOk());
  }
  void Like(const kit::Caller& user, const std::string& clip_id) {
    EXPECT_THAT(ApplyClipEvent(LikedEvent(user.user_id, clip_id)), base::testing::IsOk());
  }
  void Register(const kit::Caller& user, bool analytics_opted_in) {
    EXPECT_THAT(ApplyUserEvent(RegisteredEvent(user.user_id, analytics_opted_in)), base::testing::IsOk());
  }
  void Follow(const kit::Caller& follower, const std::string& creator_id) {
    EXPECT_THAT(ApplyUserEvent(FollowedEvent(follower.user_id, creator_id)), base::testing::IsOk());
  }

  // Loads `pools` from the store as FeedComponent::LoadPools does at start
  // (in one keyset page), then marks them ready.
  void RebuildFromStore(FeedState& pools) {
    ASSERT_THAT(store_.Transact(TxMode::kReadOnly,
                                [&](FeedTx& tx) -> absl::Status {
                                  pools.LoadThemes(tx.ListThemes());
                                  for (const FeedClipRecord& clip : tx.ClipsAfter("", 100000)) pools.AddClip(clip);
                                  pools.LoadViewers(tx.LoadViewers());
                                  pools.LoadReachPenalties(tx.UnliftedReachPenalties(), clock_.Now());
                                  return absl::OkStatus();
                                }),
                base::testing::IsOk());
    pools.MarkReady();
  }

  // The clip as the store holds it, read through FeedTx::GetClip (an empty
  // record, failing the test, when there is none).
  FeedClipRecord StoredClip(const std::string& clip_id) {
    std::optional<FeedClipRecord> clip;
    EXPECT_THAT(store_.Transact(TxMode::kReadOnly,
                                [&](FeedTx& tx) {
                                  clip = tx.GetClip(clip_id);
                                  return absl::OkStatus();
                                }),
                base::testing::IsOk());
    EXPECT_TRUE(clip.has_value()) << "no stored clip " << clip_id;
    return clip.value_or(FeedClipRecord{});
  }

  base::testing::FakeClock clock_{Noon()};
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory factory_{ids_, clock_};
  FakeFeedStore store_;
  FeedState state_;
  EventLogic event_logic_{state_, clock_, factory_};
  FeedLogic logic_{store_, state_, clock_, ids_, Rules()};

 private:
  std::map<std::string, std::string> roots_;  // clip id -> its fork tree's root
  uint64_t next_filler_ = 0;
};

}  // namespace clipforge::feed_service::testing
