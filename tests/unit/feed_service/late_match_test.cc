// Originality updated when later matches appear: a clip that reaches the
// feed after later clips that match it (its event delivered late, or
// published private and made public later) scores them again. A later
// exact copy becomes a copy naming it; a later variant joins its cluster
// with a lower score; a fork made before its parent arrived gets its fork
// delta, and a restored clip the copies made while it was removed;
// unrelated clips are untouched; a redelivery rescoring nothing twice.
// Every score is announced on the outbox, in the same transaction.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "feed/originality.h"
#include "services/feed/events.h"
#include "tests/unit/feed_service/feed_fixture.h"

namespace clipforge::feed_service::testing {
namespace {

using base::testing::IsOk;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class LateMatchTest : public FeedFixture {
 protected:
  void SetUp() override { state_.MarkReady(); }

  // The originality events on the outbox, in order.
  std::vector<v1::FeedOriginalityScoredEvent> ScoredEvents() const {
    std::vector<v1::FeedOriginalityScoredEvent> scored;
    for (const v1::EventEnvelope& event : store_.state().events) {
      EXPECT_EQ(event.type(), kOriginalityScoredSubject);
      EXPECT_EQ(event.aggregate_type(), "feed");
      EXPECT_EQ(event.aggregate_id(), event.feed_originality_scored().clip_id());
      scored.push_back(event.feed_originality_scored());
    }
    return scored;
  }
  std::vector<v1::FeedOriginalityScoredEvent> LaterMatchEvents() const {
    std::vector<v1::FeedOriginalityScoredEvent> later;
    for (const v1::FeedOriginalityScoredEvent& e : ScoredEvents()) {
      if (e.trigger() == v1::ORIGINALITY_TRIGGER_LATER_MATCH) later.push_back(e);
    }
    return later;
  }
  static std::vector<std::string> CopyIds(const std::vector<RecentCopy>& copies) {
    std::vector<std::string> ids;
    for (const RecentCopy& c : copies) ids.push_back(c.clip_id);
    return ids;
  }
};

TEST_F(LateMatchTest, EveryStoredClipIsAnnouncedOnce) {
  const std::string alice = ids_.Next();
  const v1::EventEnvelope event = PublishedEvent(alice, kHarborPrompt);
  ASSERT_THAT(ApplyClipEvent(event), IsOk());
  ASSERT_THAT(ApplyClipEvent(event), IsOk());  // redelivered

  const std::vector<v1::FeedOriginalityScoredEvent> scored = ScoredEvents();
  ASSERT_EQ(scored.size(), 1u);
  EXPECT_EQ(scored[0].clip_id(), event.clip_published().clip_id());
  EXPECT_EQ(scored[0].creator_id(), alice);
  EXPECT_EQ(scored[0].trigger(), v1::ORIGINALITY_TRIGGER_PUBLISHED);
  EXPECT_DOUBLE_EQ(scored[0].originality(), StoredClip(scored[0].clip_id()).originality);
  EXPECT_FALSE(scored[0].is_copy());
  EXPECT_EQ(scored[0].components_size(), static_cast<int>(StoredClip(scored[0].clip_id()).components.size()));
}

TEST_F(LateMatchTest, AnOriginalDeliveredLateMakesTheLaterCopyACopyNamingIt) {
  const std::string alice = ids_.Next();
  const std::string bob = ids_.Next();
  // Alice published first, but her event reaches the feed after Bob's copy.
  const v1::EventEnvelope original = PublishedEvent(alice, kHarborPrompt);
  const v1::EventEnvelope copy = PublishedEvent(bob, kHarborCopyPrompt);
  const std::string original_id = original.clip_published().clip_id();
  const std::string copy_id = copy.clip_published().clip_id();
  ASSERT_THAT(ApplyClipEvent(copy), IsOk());
  const FeedClipRecord before = StoredClip(copy_id);
  ASSERT_FALSE(before.is_copy);  // nothing like it had arrived

  ASSERT_THAT(ApplyClipEvent(original), IsOk());
  const FeedClipRecord after = StoredClip(copy_id);
  EXPECT_TRUE(after.is_copy);
  EXPECT_LT(after.originality, before.originality);
  EXPECT_THAT(ComponentOf(after, feed::kPromptComponent).clip_ids, ElementsAre(original_id));
  EXPECT_EQ(after.prompt_cluster_id, StoredClip(original_id).prompt_cluster_id);
  // The original is scored against what came before it, not its copy.
  EXPECT_FALSE(StoredClip(original_id).is_copy);
  EXPECT_THAT(ComponentOf(StoredClip(original_id), feed::kPromptComponent).clip_ids, IsEmpty());
  // The pools serve the new score: the copy counts toward Bob's reposts.
  EXPECT_THAT(CopyIds(state_.RecentCopies(bob)), ElementsAre(copy_id));
  ASSERT_TRUE(state_.KeysOf(copy_id).has_value());
  EXPECT_EQ(state_.KeysOf(copy_id)->prompt_cluster_id, after.prompt_cluster_id);

  const std::vector<v1::FeedOriginalityScoredEvent> later = LaterMatchEvents();
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].clip_id(), copy_id);
  EXPECT_TRUE(later[0].is_copy());
  EXPECT_EQ(later[0].original_clip_id(), original_id);
  EXPECT_DOUBLE_EQ(later[0].originality(), after.originality);
  EXPECT_DOUBLE_EQ(later[0].previous_originality(), before.originality);

  // Redelivering the late original scores nothing again.
  ASSERT_THAT(ApplyClipEvent(original), IsOk());
  EXPECT_EQ(LaterMatchEvents().size(), 1u);
  EXPECT_DOUBLE_EQ(StoredClip(copy_id).originality, after.originality);
}

TEST_F(LateMatchTest, ALaterVariantJoinsTheLateClipsClusterWithALowerScore) {
  const v1::EventEnvelope original = PublishedEvent(ids_.Next(), kHarborPrompt);
  const v1::EventEnvelope variant = PublishedEvent(ids_.Next(), HarborVariants()[0]);
  const std::string variant_id = variant.clip_published().clip_id();
  ASSERT_THAT(ApplyClipEvent(variant), IsOk());
  const FeedClipRecord before = StoredClip(variant_id);

  ASSERT_THAT(ApplyClipEvent(original), IsOk());
  const FeedClipRecord after = StoredClip(variant_id);
  EXPECT_FALSE(after.is_copy);  // a variant, not a copy
  EXPECT_LT(after.originality, before.originality);
  EXPECT_THAT(ComponentOf(after, feed::kPromptComponent).clip_ids,
              ElementsAre(original.clip_published().clip_id()));
  EXPECT_EQ(after.prompt_cluster_id, StoredClip(original.clip_published().clip_id()).prompt_cluster_id);
  EXPECT_EQ(LaterMatchEvents().size(), 1u);
}

TEST_F(LateMatchTest, AForkMadeBeforeItsParentArrivedGetsItsForkDelta) {
  const std::string alice = ids_.Next();
  const v1::EventEnvelope parent = PublishedEvent(alice, kFoxPrompt);
  ClipOptions fork_of{};
  fork_of.parent_clip_id = parent.clip_published().clip_id();
  // Two words changed by another creator: no credit for the change.
  const v1::EventEnvelope fork = PublishedEvent(ids_.Next(), kFoxTweakPrompt, fork_of);
  const std::string fork_id = fork.clip_published().clip_id();
  ASSERT_THAT(ApplyClipEvent(fork), IsOk());
  const FeedClipRecord before = StoredClip(fork_id);

  ASSERT_THAT(ApplyClipEvent(parent), IsOk());
  const FeedClipRecord after = StoredClip(fork_id);
  EXPECT_LT(after.originality, before.originality);
  EXPECT_THAT(ComponentOf(after, feed::kForkComponent).clip_ids, ElementsAre(parent.clip_published().clip_id()));
  EXPECT_LT(ComponentOf(after, feed::kForkComponent).factor, 1.0);
}

TEST_F(LateMatchTest, AClipMadePublicLaterRescoresTheCopiesMadeWhileItWasPrivate) {
  const std::string alice = ids_.Next();
  ClipOptions unlisted{};
  unlisted.visibility = v1::VISIBILITY_UNLISTED;
  const std::string original_id = Publish(alice, kHarborPrompt, unlisted);
  const std::string copy_id = Publish(ids_.Next(), kHarborCopyPrompt);
  // A private clip is no one's original while it reaches no one.
  ASSERT_FALSE(StoredClip(copy_id).is_copy);

  ASSERT_THAT(ApplyClipEvent(UpdatedEvent(original_id, v1::VISIBILITY_PUBLIC, {"visibility"})), IsOk());
  const FeedClipRecord after = StoredClip(copy_id);
  EXPECT_TRUE(after.is_copy);
  EXPECT_THAT(ComponentOf(after, feed::kPromptComponent).clip_ids, ElementsAre(original_id));
  ASSERT_EQ(LaterMatchEvents().size(), 1u);
  EXPECT_EQ(LaterMatchEvents()[0].original_clip_id(), original_id);
}

TEST_F(LateMatchTest, ARestoredClipRescoresTheClipsMadeWhileItWasRemovedBeforeOlderOnes) {
  const std::string original = Publish(ids_.Next(), kFoxPrompt);
  ClipOptions fork_of{};
  fork_of.parent_clip_id = original;
  // More later matches while it was public than one rescoring takes (forks
  // that rewrote the prompt): each was scored against it already.
  for (size_t i = 0; i < kRescoredClips + 8; ++i) PublishFiller(ids_.Next(), fork_of);
  ASSERT_THAT(ApplyClipEvent(RemovedEvent(original, v1::REMOVAL_REASON_MODERATION)), IsOk());
  // A copy made while it was removed matched nothing.
  const std::string copy = Publish(ids_.Next(), kFoxPrompt);
  ASSERT_FALSE(StoredClip(copy).is_copy);

  ASSERT_THAT(ApplyClipEvent(UpdatedEvent(original, v1::VISIBILITY_PUBLIC, {"removed"})), IsOk());
  EXPECT_TRUE(StoredClip(copy).is_copy);
  EXPECT_THAT(ComponentOf(StoredClip(copy), feed::kPromptComponent).clip_ids, ElementsAre(original));
}

TEST_F(LateMatchTest, UnrelatedAndOwnLaterClipsAreNotRescored) {
  const std::string alice = ids_.Next();
  const v1::EventEnvelope late = PublishedEvent(alice, kHarborPrompt);
  const std::string unrelated = PublishFiller(ids_.Next());
  // Alice's own later clip of the same prompt is self-repetition, scored
  // against her earlier clips when it arrived, not a copy of hers.
  const std::string own = Publish(alice, kHarborCopyPrompt);
  const FeedClipRecord unrelated_before = StoredClip(unrelated);
  const FeedClipRecord own_before = StoredClip(own);

  ASSERT_THAT(ApplyClipEvent(late), IsOk());
  EXPECT_DOUBLE_EQ(StoredClip(unrelated).originality, unrelated_before.originality);
  EXPECT_DOUBLE_EQ(StoredClip(own).originality, own_before.originality);
  EXPECT_FALSE(StoredClip(own).is_copy);
  EXPECT_THAT(LaterMatchEvents(), IsEmpty());
  EXPECT_THAT(ScoredEvents(), Contains(::testing::Property(&v1::FeedOriginalityScoredEvent::clip_id,
                                                           late.clip_published().clip_id())));
}

}  // namespace
}  // namespace clipforge::feed_service::testing
