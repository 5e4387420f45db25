// Media near-duplicates at publish, with clips entering as the clips
// service's events carrying the media filter's 1 fps frame hashes: a
// video made of another creator's frames (re-encoded: a few bits off; a
// fifth of its frames new) is a copy whatever its prompt, and names the
// original; sharing half its frames costs originality without making a
// copy; the creator's own frames are no one's copy; a fork that kept its
// parent's picture and barely changed the prompt is a copy, one with a
// new picture is not; an original delivered after its copy makes it one;
// and the frame index comes back from the store after a restart.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "feed/originality.h"
#include "services/feed/frame_bytes.h"
#include "tests/unit/feed_service/feed_fixture.h"

namespace clipforge::feed_service::testing {
namespace {

using base::testing::IsOk;

class MediaDuplicatesTest : public FeedFixture {
 protected:
  void SetUp() override { state_.MarkReady(); }

  // `count` unrelated random frames.
  std::vector<feed::FrameHash> RandomFrames(int count) {
    std::vector<feed::FrameHash> frames(static_cast<size_t>(count));
    for (feed::FrameHash& frame : frames) {
      for (uint64_t& word : frame.words) word = rng_();
    }
    return frames;
  }

  // `frames` re-encoded: each hash `bits` bits off (at distinct random
  // positions), the first `replaced` frames swapped for new ones.
  std::vector<feed::FrameHash> Reencoded(std::vector<feed::FrameHash> frames, int bits, int replaced) {
    for (size_t i = 0; i < frames.size(); ++i) {
      if (static_cast<int>(i) < replaced) {
        frames[i] = RandomFrames(1).front();
        continue;
      }
      std::vector<int> positions(256);
      for (int p = 0; p < 256; ++p) positions[static_cast<size_t>(p)] = p;
      std::shuffle(positions.begin(), positions.end(), rng_);
      for (int b = 0; b < bits; ++b) {
        const int p = positions[static_cast<size_t>(b)];
        frames[i].words[static_cast<size_t>(p / 64)] ^= uint64_t{1} << (p % 64);
      }
    }
    return frames;
  }

  static ClipOptions WithFrames(const std::vector<feed::FrameHash>& frames, const std::string& parent = "") {
    ClipOptions options{};  // value-initialized: public
    options.parent_clip_id = parent;
    for (const feed::FrameHash& frame : frames) options.frame_hashes.push_back(FrameHashBytes(frame));
    return options;
  }

  static const feed::OriginalityComponent& Component(const FeedClipRecord& clip, absl::string_view name) {
    for (const feed::OriginalityComponent& c : clip.components) {
      if (c.name == name) return c;
    }
    ADD_FAILURE() << "no component " << name;
    static const feed::OriginalityComponent kNone;
    return kNone;
  }

  std::mt19937_64 rng_{20261207};
};

TEST_F(MediaDuplicatesTest, AReencodedVideoOfAnotherCreatorsClipIsACopyWhateverItsPrompt) {
  const std::vector<feed::FrameHash> frames = RandomFrames(40);
  const std::string original = PublishFiller(ids_.Next(), WithFrames(frames));
  PublishFiller(ids_.Next(), WithFrames(RandomFrames(40)));  // unrelated
  // 20 bits off each frame, 6 of 40 frames new: 85% of its frames are the
  // original's.
  const std::string copy = PublishFiller(ids_.Next(), WithFrames(Reencoded(frames, 20, 6)));

  const FeedClipRecord stored = StoredClip(copy);
  EXPECT_TRUE(stored.is_copy);
  const feed::OriginalityComponent& media = Component(stored, feed::kMediaComponent);
  EXPECT_EQ(media.penalty, 1.0);
  EXPECT_THAT(media.clip_ids, ::testing::ElementsAre(original));
  EXPECT_EQ(stored.prompt_cluster_id, StoredClip(original).prompt_cluster_id);
  EXPECT_FALSE(StoredClip(original).is_copy);
  // The whole list is stored for later matches, and a few for the index.
  EXPECT_EQ(store_.state().clip_frames.at(copy).size(), 40u);
  EXPECT_EQ(stored.indexed_frames.size(), feed::kIndexedFramesPerClip);
}

TEST_F(MediaDuplicatesTest, SharingHalfTheFramesCostsOriginalityWithoutMakingACopy) {
  const std::vector<feed::FrameHash> frames = RandomFrames(40);
  const std::string original = PublishFiller(ids_.Next(), WithFrames(frames));
  const std::string half = PublishFiller(ids_.Next(), WithFrames(Reencoded(frames, 5, 20)));

  const FeedClipRecord stored = StoredClip(half);
  EXPECT_FALSE(stored.is_copy);
  const feed::OriginalityComponent& media = Component(stored, feed::kMediaComponent);
  EXPECT_GT(media.penalty, 0.0);
  EXPECT_LT(media.penalty, 1.0);
  EXPECT_THAT(media.clip_ids, ::testing::ElementsAre(original));
  EXPECT_LT(stored.originality, 1.0);
}

TEST_F(MediaDuplicatesTest, TheCreatorsOwnFramesAreNoOnesCopy) {
  const std::string creator = ids_.Next();
  const std::vector<feed::FrameHash> frames = RandomFrames(30);
  PublishFiller(creator, WithFrames(frames));
  const FeedClipRecord again = StoredClip(PublishFiller(creator, WithFrames(frames)));
  EXPECT_FALSE(again.is_copy);
  EXPECT_EQ(Component(again, feed::kMediaComponent).penalty, 0.0);
}

TEST_F(MediaDuplicatesTest, AForkThatKeptItsParentsPictureAndBarelyChangedItsPromptIsACopy) {
  const std::string prompt =
      "a lighthouse keeper teaching gulls to read maps by lantern light on a cliff above a silver sea at dusk";
  const std::vector<feed::FrameHash> frames = RandomFrames(30);
  const std::string parent = Publish(ids_.Next(), prompt, WithFrames(frames));
  const std::string tweaked =
      "a lighthouse keeper teaching crows to read maps by lantern light on a cliff above a silver sea at dusk";
  const FeedClipRecord kept = StoredClip(Publish(ids_.Next(), tweaked, WithFrames(Reencoded(frames, 8, 0), parent)));
  EXPECT_TRUE(kept.is_copy);
  // A fork's parent is measured by the fork delta, not as a media match.
  EXPECT_THAT(Component(kept, feed::kMediaComponent).clip_ids, ::testing::IsEmpty());

  const std::string retold =
      "a lighthouse keeper teaching owls to read maps by lantern light on a cliff above a silver sea at dusk";
  const FeedClipRecord repainted = StoredClip(Publish(ids_.Next(), retold, WithFrames(RandomFrames(30), parent)));
  EXPECT_FALSE(repainted.is_copy);
}

TEST_F(MediaDuplicatesTest, AnOriginalVideoDeliveredLateMakesTheEarlierArrivedCopyACopy) {
  const std::vector<feed::FrameHash> frames = RandomFrames(40);
  const v1::EventEnvelope original = PublishedEvent(ids_.Next(), FillerPrompt(500), WithFrames(frames));
  const v1::EventEnvelope copy = PublishedEvent(ids_.Next(), FillerPrompt(501), WithFrames(Reencoded(frames, 15, 4)));
  const std::string copy_id = copy.clip_published().clip_id();
  ASSERT_THAT(ApplyClipEvent(copy), IsOk());
  ASSERT_FALSE(StoredClip(copy_id).is_copy);

  ASSERT_THAT(ApplyClipEvent(original), IsOk());
  const FeedClipRecord after = StoredClip(copy_id);
  EXPECT_TRUE(after.is_copy);
  EXPECT_THAT(Component(after, feed::kMediaComponent).clip_ids,
              ::testing::ElementsAre(original.clip_published().clip_id()));
  EXPECT_FALSE(StoredClip(original.clip_published().clip_id()).is_copy);
}

TEST_F(MediaDuplicatesTest, TheFrameIndexIsRebuiltFromTheStore) {
  const std::vector<feed::FrameHash> frames = RandomFrames(40);
  const std::string original = PublishFiller(ids_.Next(), WithFrames(frames));

  // A restarted instance: its pools (and frame index) from the store.
  FeedState rebuilt;
  RebuildFromStore(rebuilt);
  EventLogic rebuilt_events(rebuilt, clock_, factory_);
  const v1::EventEnvelope copy = PublishedEvent(ids_.Next(), FillerPrompt(999), WithFrames(Reencoded(frames, 15, 4)));
  ASSERT_THAT(store_.Transact(TxMode::kReadWrite,
                              [&](FeedTx& tx) { return rebuilt_events.ApplyClipEvent(tx, copy); }),
              IsOk());
  const FeedClipRecord stored = StoredClip(copy.clip_published().clip_id());
  EXPECT_TRUE(stored.is_copy);
  EXPECT_THAT(Component(stored, feed::kMediaComponent).clip_ids, ::testing::ElementsAre(original));
}

}  // namespace
}  // namespace clipforge::feed_service::testing
