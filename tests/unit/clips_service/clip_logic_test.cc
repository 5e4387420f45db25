// Clips as their authors and viewers use them, over the fake store:
// publishing a completed job (once, idempotently, a remix as a fork with
// its counts and prompt diff, titles and captions past the text filter),
// who may get and list which clip, editing, deleting into a tombstone that
// keeps the graph, likes and counted views.
#include "services/clips/clip_logic.h"

#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/clips_service/clips_fixture.h"

namespace clipforge::clips_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class ClipLogicTest : public ClipsFixture {
 protected:
  static std::vector<std::string> IdsOf(const ClipPage& page) {
    std::vector<std::string> ids;
    for (const ClipView& view : page.clips) ids.push_back(view.clip.clip_id);
    return ids;
  }

  absl::StatusOr<bool> View(const kit::Caller& viewer, const std::string& clip_id,
                            absl::Duration watched = absl::Seconds(10), bool completed = true) {
    return clips_.RecordView(viewer, Key(viewer), {.clip_id = clip_id, .watched = watched, .completed = completed});
  }
};

// The text of the spans with one of `ops`, one after another.
std::string Spans(const v1::PromptDiff& diff, v1::DiffOp a, v1::DiffOp b) {
  std::string text;
  for (const v1::DiffSpan& span : diff.spans()) {
    if (span.op() == a || span.op() == b) text += span.text();
  }
  return text;
}

// --- Publish ---

TEST_F(ClipLogicTest, PublishCopiesThePromptSpecAndMediaOfTheJob) {
  const kit::Caller alice = NewUser();
  const PublishableJob job = Job(alice, "a red fox in the snow", v1::JOB_STATUS_COMPLETED);
  jobs_.Put(job);
  clock_.Advance(absl::Minutes(5));
  const NewClip input{.job_id = job.job_id,
                      .title = "Fox",
                      .caption = "In the snow",
                      .tags = {"fox", "snow"},
                      .language = "en",
                      .visibility = v1::VISIBILITY_UNLISTED,
                      .forking_allowed = false};

  ASSERT_OK_AND_ASSIGN(const ClipView view, clips_.Publish(alice, Key(alice), input));
  const ClipRecord& clip = view.clip;
  EXPECT_FALSE(clip.clip_id.empty());
  EXPECT_EQ(clip.author_id, alice.user_id);
  EXPECT_EQ(clip.job_id, job.job_id);
  EXPECT_EQ(clip.prompt(), "a red fox in the snow");
  EXPECT_THAT(clip.spec, EqualsProto(job.spec));
  EXPECT_THAT(clip.media, EqualsProto(*job.outputs));
  EXPECT_EQ(clip.title, "Fox");
  EXPECT_EQ(clip.caption, "In the snow");
  EXPECT_THAT(clip.tags, ElementsAre("fox", "snow"));
  EXPECT_EQ(clip.language, "en");
  EXPECT_EQ(clip.visibility, v1::VISIBILITY_UNLISTED);
  EXPECT_FALSE(clip.forking_allowed);
  EXPECT_FALSE(clip.removed());
  EXPECT_EQ(clip.create_time, clock_.Now());
  EXPECT_FALSE(view.liked_by_viewer);

  const ClipRecord stored = Stored(clip.clip_id);
  EXPECT_EQ(stored.author_id, alice.user_id);
  EXPECT_EQ(stored.job_id, job.job_id);
  EXPECT_THAT(stored.spec, EqualsProto(job.spec));
  EXPECT_THAT(stored.media, EqualsProto(*job.outputs));
  EXPECT_EQ(stored.title, "Fox");
  EXPECT_EQ(stored.visibility, v1::VISIBILITY_UNLISTED);
}

TEST_F(ClipLogicTest, PublishKeepsWhatTheVideosManifestSaid) {
  const kit::Caller alice = NewUser();
  const PublishableJob job = Job(alice, "a red fox in the snow", v1::JOB_STATUS_COMPLETED);
  jobs_.Put(job);

  ASSERT_OK_AND_ASSIGN(const ClipView view, clips_.Publish(alice, Key(alice), ClipOf(job.job_id)));

  const std::optional<v1::C2paSummary> stored = Stored(view.clip.clip_id).c2pa;
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->present());
  EXPECT_TRUE(stored->valid());
  EXPECT_EQ(stored->manifest_label(), FakeProvenanceReader::LabelOf(job.outputs->video()));
  EXPECT_EQ(stored->claim_generator(), "ClipForge/test");
}

TEST_F(ClipLogicTest, PublishingAJobWhoseVideoIsGoneIsFailedPreconditionAndWritesNothing) {
  const kit::Caller alice = NewUser();
  const PublishableJob job = Job(alice, "a red fox in the snow", v1::JOB_STATUS_COMPLETED);
  jobs_.Put(job);
  provenance_.MarkMissing(job.outputs->video());

  const absl::StatusOr<ClipView> published = clips_.Publish(alice, Key(alice), ClipOf(job.job_id));

  EXPECT_THAT(published, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Reason(published), "VIDEO_MISSING");
  EXPECT_THAT(store_.state().clips, IsEmpty());
  EXPECT_THAT(store_.state().events, IsEmpty());
  EXPECT_THAT(store_.state().idempotency, IsEmpty());
}

TEST_F(ClipLogicTest, AnOriginalIsItsOwnRootWithNoParentDiffOrCounts) {
  const ClipRecord clip = Publish(NewUser(), "a red fox in the snow");
  EXPECT_EQ(clip.parent_id, "");
  EXPECT_EQ(clip.root_id, clip.clip_id);
  EXPECT_EQ(clip.depth, 0);
  EXPECT_EQ(clip.diff.spans_size(), 0);
  EXPECT_EQ(clip.counts.likes, 0);
  EXPECT_EQ(clip.counts.views, 0);
  EXPECT_EQ(clip.counts.direct_forks, 0);
  EXPECT_EQ(clip.counts.descendants, 0);
}

TEST_F(ClipLogicTest, PublishAnnouncesTheClip) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox in the snow");

  const std::vector<v1::EventEnvelope> published = Events(kPublishedSubject);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0].aggregate_type(), "clip");
  EXPECT_EQ(published[0].aggregate_id(), clip.clip_id);
  const v1::ClipPublishedEvent& event = published[0].clip_published();
  EXPECT_EQ(event.clip_id(), clip.clip_id);
  EXPECT_EQ(event.author_id(), alice.user_id);
  EXPECT_EQ(event.job_id(), clip.job_id);
  EXPECT_EQ(event.root_clip_id(), clip.clip_id);
  EXPECT_EQ(event.parent_clip_id(), "");
  EXPECT_EQ(event.depth(), 0);
  EXPECT_EQ(event.prompt(), "a red fox in the snow");
  EXPECT_EQ(event.video().sha256(), clip.media.video().sha256());
}

// The feed finds near-duplicate videos by the frame hashes the media
// filter left on the job's outputs.
TEST_F(ClipLogicTest, PublishAnnouncesTheVideosFrameHashes) {
  const kit::Caller alice = NewUser();
  PublishableJob job = Job(alice, "a red fox in the snow", v1::JOB_STATUS_COMPLETED);
  job.outputs->add_frame_hashes(std::string(32, '\x01'));
  job.outputs->add_frame_hashes(std::string(32, '\x02'));
  jobs_.Put(job);
  ASSERT_THAT(clips_.Publish(alice, Key(alice), ClipOf(job.job_id)), IsOk());
  // A job completed before the hashes were kept has none to announce.
  ASSERT_THAT(clips_.Publish(alice, Key(alice), ClipOf(AddCompletedJob(alice, "an older fox"))), IsOk());

  const std::vector<v1::EventEnvelope> published = Events(kPublishedSubject);
  ASSERT_EQ(published.size(), 2u);
  EXPECT_THAT(published[0].clip_published().frame_hashes(),
              ElementsAre(std::string(32, '\x01'), std::string(32, '\x02')));
  EXPECT_THAT(published[1].clip_published().frame_hashes(), IsEmpty());
}

TEST_F(ClipLogicTest, PublishIsIdempotentByKey) {
  const kit::Caller alice = NewUser();
  const std::string job_id = AddCompletedJob(alice, "a red fox");
  const kit::IdempotencyKey key = Key(alice);

  ASSERT_OK_AND_ASSIGN(const ClipView first, clips_.Publish(alice, key, ClipOf(job_id)));
  ASSERT_OK_AND_ASSIGN(const ClipView retried, clips_.Publish(alice, key, ClipOf(job_id)));

  EXPECT_EQ(retried.clip.clip_id, first.clip.clip_id);
  EXPECT_EQ(store_.state().clips.size(), 1u);
  EXPECT_EQ(CountEvents(kPublishedSubject), 1);
}

TEST_F(ClipLogicTest, AJobIsPublishedOnlyOnce) {
  const kit::Caller alice = NewUser();
  const std::string job_id = AddCompletedJob(alice, "a red fox");
  ASSERT_THAT(clips_.Publish(alice, Key(alice), ClipOf(job_id)), IsOk());

  const absl::StatusOr<ClipView> again = clips_.Publish(alice, Key(alice), ClipOf(job_id));
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(Reason(again), "JOB_ALREADY_PUBLISHED");
  EXPECT_EQ(store_.state().clips.size(), 1u);
  EXPECT_EQ(CountEvents(kPublishedSubject), 1);
}

TEST_F(ClipLogicTest, PublishingAnotherUsersJobIsNotFound) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const std::string bobs_job = AddCompletedJob(bob, "a red fox");

  EXPECT_THAT(clips_.Publish(alice, Key(alice), ClipOf(bobs_job)), StatusIs(absl::StatusCode::kNotFound));
  const FakeClipsState state = store_.state();
  EXPECT_THAT(state.clips, IsEmpty());
  EXPECT_THAT(state.events, IsEmpty());
  EXPECT_THAT(state.idempotency, IsEmpty());
}

TEST_F(ClipLogicTest, PublishingAJobThatIsNotCompletedIsFailedPrecondition) {
  const kit::Caller alice = NewUser();
  for (const v1::JobStatus status : {v1::JOB_STATUS_QUEUED, v1::JOB_STATUS_IN_PROGRESS, v1::JOB_STATUS_FAILED}) {
    SCOPED_TRACE(v1::JobStatus_Name(status));
    const std::string job_id = AddJobIn(alice, "a red fox", status);
    const absl::StatusOr<ClipView> published = clips_.Publish(alice, Key(alice), ClipOf(job_id));
    EXPECT_THAT(published, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_EQ(Reason(published), "JOB_NOT_COMPLETED");
  }
  EXPECT_THAT(store_.state().clips, IsEmpty());
  EXPECT_THAT(store_.state().events, IsEmpty());
}

TEST_F(ClipLogicTest, ABlockedTitleOrCaptionIsFailedPreconditionNamingTheField) {
  const kit::Caller alice = NewUser();
  const std::string job_id = AddCompletedJob(alice, "a red fox");

  const absl::StatusOr<ClipView> title =
      clips_.Publish(alice, Key(alice), {.job_id = job_id, .title = "A forbidden fox", .caption = "In the snow"});
  EXPECT_THAT(title, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("title")));
  EXPECT_EQ(Reason(title), "TEXT_BLOCKED");
  const absl::StatusOr<ClipView> caption =
      clips_.Publish(alice, Key(alice), {.job_id = job_id, .title = "A fox", .caption = "Forbidden words"});
  EXPECT_THAT(caption, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("caption")));
  EXPECT_EQ(Reason(caption), "TEXT_BLOCKED");
  EXPECT_THAT(store_.state().clips, IsEmpty());
  EXPECT_THAT(store_.state().events, IsEmpty());
  // Each went past the filter as what it is.
  bool title_checked = false, caption_checked = false;
  for (const FakeTextFilter::Checked& checked : filter_.checked()) {
    title_checked |= checked.text == "A forbidden fox" && checked.surface == v1::TEXT_SURFACE_TITLE;
    caption_checked |= checked.text == "Forbidden words" && checked.surface == v1::TEXT_SURFACE_CAPTION;
  }
  EXPECT_TRUE(title_checked);
  EXPECT_TRUE(caption_checked);

  // The job publishes once the words pass.
  EXPECT_THAT(clips_.Publish(alice, Key(alice), {.job_id = job_id, .title = "A fox", .caption = "In the snow"}),
              IsOk());
}

TEST_F(ClipLogicTest, ARemixJobsClipIsAForkOfTheClipItRemixed) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const ClipRecord child = Publish(bob, "a red fox jumping", root.clip_id);
  const ClipRecord grandchild = Publish(carol, "a red fox jumping high", child.clip_id);

  EXPECT_EQ(child.parent_id, root.clip_id);
  EXPECT_EQ(child.root_id, root.clip_id);
  EXPECT_EQ(child.depth, 1);
  EXPECT_EQ(grandchild.parent_id, child.clip_id);
  EXPECT_EQ(grandchild.root_id, root.clip_id);
  EXPECT_EQ(grandchild.depth, 2);
  EXPECT_EQ(Stored(grandchild.clip_id).parent_id, child.clip_id);
}

TEST_F(ClipLogicTest, PublishingAForkCountsItOnEveryAncestor) {
  const kit::Caller alice = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const ClipRecord child = Publish(alice, "a red fox jumping", root.clip_id);
  const ClipRecord grandchild = Publish(alice, "a red fox jumping high", child.clip_id);

  EXPECT_EQ(Stored(root.clip_id).counts.direct_forks, 1);
  EXPECT_EQ(Stored(root.clip_id).counts.descendants, 2);
  EXPECT_EQ(Stored(child.clip_id).counts.direct_forks, 1);
  EXPECT_EQ(Stored(child.clip_id).counts.descendants, 1);
  EXPECT_EQ(Stored(grandchild.clip_id).counts.direct_forks, 0);
  EXPECT_EQ(Stored(grandchild.clip_id).counts.descendants, 0);

  // A second fork of the root counts on the root only.
  Publish(alice, "a blue fox", root.clip_id);
  EXPECT_EQ(Stored(root.clip_id).counts.direct_forks, 2);
  EXPECT_EQ(Stored(root.clip_id).counts.descendants, 3);
  EXPECT_EQ(Stored(child.clip_id).counts.direct_forks, 1);
  EXPECT_EQ(Stored(child.clip_id).counts.descendants, 1);
}

TEST_F(ClipLogicTest, AForkStoresItsPromptDiffAgainstItsParent) {
  const kit::Caller alice = NewUser();
  const ClipRecord parent = Publish(alice, "a red fox in the snow");
  const ClipRecord fork = Publish(alice, "a red fox in the rain at night", parent.clip_id);

  const v1::PromptDiff diff = Stored(fork.clip_id).diff;
  EXPECT_EQ(diff.inserted_words(), 3);  // rain at night
  EXPECT_EQ(diff.deleted_words(), 1);   // snow
  // The EQUAL and DELETE spans spell the parent's prompt, the EQUAL and
  // INSERT spans the fork's.
  EXPECT_EQ(Spans(diff, v1::DIFF_OP_EQUAL, v1::DIFF_OP_DELETE), "a red fox in the snow");
  EXPECT_EQ(Spans(diff, v1::DIFF_OP_EQUAL, v1::DIFF_OP_INSERT), "a red fox in the rain at night");
  EXPECT_THAT(Spans(diff, v1::DIFF_OP_DELETE, v1::DIFF_OP_DELETE), HasSubstr("snow"));
  EXPECT_THAT(Spans(diff, v1::DIFF_OP_INSERT, v1::DIFF_OP_INSERT), HasSubstr("rain at night"));
  EXPECT_EQ(fork.diff.inserted_words(), 3);  // The returned clip carries it too.
}

TEST_F(ClipLogicTest, AForkIsAnnouncedWithItsParentAndTheParentsAuthor) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const ClipRecord fork = Publish(bob, "a red fox jumping", root.clip_id);

  const std::vector<v1::EventEnvelope> published = Events(kPublishedSubject);
  ASSERT_EQ(published.size(), 2u);
  const v1::ClipPublishedEvent& event = published[1].clip_published();
  EXPECT_EQ(event.clip_id(), fork.clip_id);
  EXPECT_EQ(event.author_id(), bob.user_id);
  EXPECT_EQ(event.parent_clip_id(), root.clip_id);
  EXPECT_EQ(event.parent_author_id(), alice.user_id);
  EXPECT_EQ(event.root_clip_id(), root.clip_id);
  EXPECT_EQ(event.depth(), 1);
}

TEST_F(ClipLogicTest, AForkOfATombstoneStillPublishes) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const std::string job_id = AddCompletedJob(bob, "a red fox jumping", root.clip_id);
  Delete(alice, root.clip_id);

  ASSERT_OK_AND_ASSIGN(const ClipView fork, clips_.Publish(bob, Key(bob), ClipOf(job_id)));
  EXPECT_EQ(fork.clip.parent_id, root.clip_id);
  EXPECT_EQ(fork.clip.root_id, root.clip_id);
  EXPECT_EQ(fork.clip.depth, 1);
  const ClipRecord parent = Stored(root.clip_id);
  EXPECT_TRUE(parent.removed());
  EXPECT_EQ(parent.counts.direct_forks, 1);
  EXPECT_EQ(parent.counts.descendants, 1);
}

// --- Get ---

TEST_F(ClipLogicTest, GetOfAnUnknownClipIsNotFound) {
  EXPECT_THAT(clips_.Get(NewUser(), ids_.Next()), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ClipLogicTest, APrivateClipIsSeenByItsAuthorAndAdminsOnly) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox", "", v1::VISIBILITY_PRIVATE);

  EXPECT_THAT(clips_.Get(NewUser(), clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(const ClipView own, clips_.Get(alice, clip.clip_id));
  EXPECT_EQ(own.clip.clip_id, clip.clip_id);
  ASSERT_OK_AND_ASSIGN(const ClipView admins, clips_.Get(NewAdmin(), clip.clip_id));
  EXPECT_EQ(admins.clip.clip_id, clip.clip_id);
}

TEST_F(ClipLogicTest, AFollowersOnlyClipShowsToAFollowerOnceTheyFollow) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox", "", v1::VISIBILITY_FOLLOWERS);
  EXPECT_THAT(clips_.Get(bob, clip.clip_id), StatusIs(absl::StatusCode::kNotFound));

  Follow(alice, bob);  // The other way round: the author follows the viewer.
  EXPECT_THAT(clips_.Get(bob, clip.clip_id), StatusIs(absl::StatusCode::kNotFound));

  Follow(bob, alice);
  EXPECT_THAT(clips_.Get(bob, clip.clip_id), IsOk());
  EXPECT_THAT(clips_.Get(NewUser(), clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ClipLogicTest, AViewerTheAuthorBlockedSeesNothingOfTheirs) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Block(alice, bob);

  EXPECT_THAT(clips_.Get(bob, clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(const ClipPage page, clips_.List(bob, alice.user_id, "", 20));
  EXPECT_THAT(page.clips, IsEmpty());
  // Others still see it.
  EXPECT_THAT(clips_.Get(NewUser(), clip.clip_id), IsOk());
}

TEST_F(ClipLogicTest, GetShowsTheAuthorAndWhetherTheViewerLikesTheClip) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  Register(alice, "alice");
  const ClipRecord clip = Publish(alice, "a red fox");
  Like(bob, clip.clip_id);

  ASSERT_OK_AND_ASSIGN(const ClipView bobs, clips_.Get(bob, clip.clip_id));
  ASSERT_TRUE(bobs.author.has_value());
  EXPECT_EQ(bobs.author->handle, "alice");
  EXPECT_TRUE(bobs.liked_by_viewer);
  EXPECT_EQ(bobs.clip.counts.likes, 1);
  ASSERT_OK_AND_ASSIGN(const ClipView carols, clips_.Get(NewUser(), clip.clip_id));
  EXPECT_FALSE(carols.liked_by_viewer);
}

// --- List ---

TEST_F(ClipLogicTest, ListShowsTheAuthorsClipsNewestFirstInPages) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord first = Publish(alice, "one");
  const ClipRecord second = Publish(alice, "two");
  const ClipRecord third = Publish(alice, "three");
  Publish(bob, "someone else's");

  ASSERT_OK_AND_ASSIGN(const ClipPage page1, clips_.List(bob, alice.user_id, "", 2));
  EXPECT_THAT(IdsOf(page1), ElementsAre(third.clip_id, second.clip_id));
  EXPECT_EQ(page1.next_after, second.clip_id);
  ASSERT_OK_AND_ASSIGN(const ClipPage page2, clips_.List(bob, alice.user_id, page1.next_after, 2));
  EXPECT_THAT(IdsOf(page2), ElementsAre(first.clip_id));
  EXPECT_EQ(page2.next_after, "");
}

TEST_F(ClipLogicTest, ListLeavesOutUnlistedClipsOfOthersButGetFindsThem) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord shown = Publish(alice, "public");
  const ClipRecord unlisted = Publish(alice, "unlisted", "", v1::VISIBILITY_UNLISTED);

  ASSERT_OK_AND_ASSIGN(const ClipPage bobs, clips_.List(bob, alice.user_id, "", 20));
  EXPECT_THAT(IdsOf(bobs), ElementsAre(shown.clip_id));
  EXPECT_THAT(clips_.Get(bob, unlisted.clip_id), IsOk());
  // The author lists their own.
  ASSERT_OK_AND_ASSIGN(const ClipPage own, clips_.List(alice, alice.user_id, "", 20));
  EXPECT_THAT(IdsOf(own), ElementsAre(unlisted.clip_id, shown.clip_id));
}

TEST_F(ClipLogicTest, ListLeavesOutTombstonesAndClipsTheCallerMayNotSee) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord shown = Publish(alice, "public");
  const ClipRecord hidden = Publish(alice, "private", "", v1::VISIBILITY_PRIVATE);
  const ClipRecord followers = Publish(alice, "followers", "", v1::VISIBILITY_FOLLOWERS);
  const ClipRecord deleted = Publish(alice, "deleted");
  Delete(alice, deleted.clip_id);

  ASSERT_OK_AND_ASSIGN(const ClipPage bobs, clips_.List(bob, alice.user_id, "", 20));
  EXPECT_THAT(IdsOf(bobs), ElementsAre(shown.clip_id));
  ASSERT_OK_AND_ASSIGN(const ClipPage own, clips_.List(alice, alice.user_id, "", 20));
  EXPECT_THAT(IdsOf(own), ElementsAre(followers.clip_id, hidden.clip_id, shown.clip_id));
}

// --- Update ---

TEST_F(ClipLogicTest, UpdateChangesOnlyTheNamedFields) {
  const kit::Caller alice = NewUser();
  const std::string job_id = AddCompletedJob(alice, "a red fox");
  ASSERT_OK_AND_ASSIGN(const ClipView published,
                       clips_.Publish(alice, Key(alice),
                                      {.job_id = job_id,
                                       .title = "Old",
                                       .caption = "Old caption",
                                       .tags = {"fox"},
                                       .language = "en",
                                       .visibility = v1::VISIBILITY_PUBLIC,
                                       .forking_allowed = true}));
  const absl::Time published_at = clock_.Now();
  clock_.Advance(absl::Hours(1));

  const ClipChanges changes{
      .paths = {"title", "visibility"}, .title = "New", .visibility = v1::VISIBILITY_UNLISTED};
  ASSERT_OK_AND_ASSIGN(const ClipView updated, clips_.Update(alice, Key(alice), published.clip.clip_id, changes));
  EXPECT_EQ(updated.clip.title, "New");
  EXPECT_EQ(updated.clip.visibility, v1::VISIBILITY_UNLISTED);

  const ClipRecord stored = Stored(published.clip.clip_id);
  EXPECT_EQ(stored.title, "New");
  EXPECT_EQ(stored.visibility, v1::VISIBILITY_UNLISTED);
  EXPECT_EQ(stored.caption, "Old caption");
  EXPECT_THAT(stored.tags, ElementsAre("fox"));
  EXPECT_EQ(stored.language, "en");
  EXPECT_TRUE(stored.forking_allowed);
  EXPECT_EQ(stored.prompt(), "a red fox");
  EXPECT_EQ(stored.create_time, published_at);
  EXPECT_EQ(stored.update_time, clock_.Now());
}

TEST_F(ClipLogicTest, UpdateAnnouncesTheChangedFields) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const ClipChanges changes{
      .paths = {"title", "visibility"}, .title = "New", .visibility = v1::VISIBILITY_UNLISTED};
  ASSERT_THAT(clips_.Update(alice, Key(alice), clip.clip_id, changes), IsOk());

  const std::vector<v1::EventEnvelope> updated = Events(kUpdatedSubject);
  ASSERT_EQ(updated.size(), 1u);
  const v1::ClipUpdatedEvent& event = updated[0].clip_updated();
  EXPECT_EQ(event.clip_id(), clip.clip_id);
  EXPECT_EQ(event.author_id(), alice.user_id);
  EXPECT_THAT(event.update_mask().paths(), ElementsAre("title", "visibility"));
  EXPECT_EQ(event.title(), "New");
  EXPECT_EQ(event.visibility(), v1::VISIBILITY_UNLISTED);
}

TEST_F(ClipLogicTest, UpdateIsIdempotentByKey) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const kit::IdempotencyKey key = Key(alice);
  const ClipChanges changes{.paths = {"title"}, .title = "New"};

  ASSERT_THAT(clips_.Update(alice, key, clip.clip_id, changes), IsOk());
  ASSERT_OK_AND_ASSIGN(const ClipView retried, clips_.Update(alice, key, clip.clip_id, changes));
  EXPECT_EQ(retried.clip.title, "New");
  EXPECT_EQ(CountEvents(kUpdatedSubject), 1);
}

TEST_F(ClipLogicTest, OnlyTheAuthorMayUpdate) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const ClipChanges changes{.paths = {"title"}, .title = "Mine now"};

  const kit::Caller bob = NewUser(), admin = NewAdmin();
  EXPECT_THAT(clips_.Update(bob, Key(bob), clip.clip_id, changes), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(clips_.Update(admin, Key(admin), clip.clip_id, changes),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(Stored(clip.clip_id).title, "A clip");
  EXPECT_EQ(CountEvents(kUpdatedSubject), 0);
}

TEST_F(ClipLogicTest, UpdateOfAClipTheCallerMayNotSeeIsNotFound) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox", "", v1::VISIBILITY_PRIVATE);
  EXPECT_THAT(clips_.Update(bob, Key(bob), clip.clip_id, {.paths = {"title"}, .title = "x"}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ClipLogicTest, UpdateOfATombstoneIsFailedPrecondition) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Delete(alice, clip.clip_id);
  EXPECT_THAT(clips_.Update(alice, Key(alice), clip.clip_id, {.paths = {"title"}, .title = "Back"}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Stored(clip.clip_id).title, "A clip");
}

TEST_F(ClipLogicTest, UpdatingToABlockedTitleOrCaptionIsFailedPreconditionNamingTheField) {
  const kit::Caller alice = NewUser();
  const std::string job_id = AddCompletedJob(alice, "a red fox");
  ASSERT_OK_AND_ASSIGN(const ClipView published,
                       clips_.Publish(alice, Key(alice), {.job_id = job_id, .title = "Old", .caption = "Old caption"}));
  const std::string clip_id = published.clip.clip_id;

  const absl::StatusOr<ClipView> title =
      clips_.Update(alice, Key(alice), clip_id, {.paths = {"title"}, .title = "Forbidden fox"});
  EXPECT_THAT(title, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("title")));
  EXPECT_EQ(Reason(title), "TEXT_BLOCKED");
  const absl::StatusOr<ClipView> caption =
      clips_.Update(alice, Key(alice), clip_id, {.paths = {"caption"}, .caption = "A forbidden caption"});
  EXPECT_THAT(caption, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("caption")));
  EXPECT_EQ(Reason(caption), "TEXT_BLOCKED");

  const ClipRecord stored = Stored(clip_id);
  EXPECT_EQ(stored.title, "Old");
  EXPECT_EQ(stored.caption, "Old caption");
  EXPECT_EQ(CountEvents(kUpdatedSubject), 0);

  // Clean words still go through.
  ASSERT_THAT(clips_.Update(alice, Key(alice), clip_id, {.paths = {"caption"}, .caption = "New caption"}), IsOk());
  EXPECT_EQ(Stored(clip_id).caption, "New caption");
}

// --- Delete ---

TEST_F(ClipLogicTest, DeleteMakesATombstoneThatOnlyAdminsSee) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Delete(alice, clip.clip_id);

  EXPECT_EQ(Stored(clip.clip_id).removal_reason, v1::REMOVAL_REASON_DELETED_BY_AUTHOR);
  EXPECT_THAT(clips_.Get(NewUser(), clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(clips_.Get(alice, clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(const ClipView admins, clips_.Get(NewAdmin(), clip.clip_id));
  EXPECT_TRUE(admins.clip.removed());
}

TEST_F(ClipLogicTest, DeleteAnnouncesTheRemoval) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Delete(alice, clip.clip_id);

  const std::vector<v1::EventEnvelope> removed = Events(kRemovedSubject);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].clip_removed().clip_id(), clip.clip_id);
  EXPECT_EQ(removed[0].clip_removed().author_id(), alice.user_id);
  EXPECT_EQ(removed[0].clip_removed().reason(), v1::REMOVAL_REASON_DELETED_BY_AUTHOR);
}

TEST_F(ClipLogicTest, DeletingATombstoneIsOkAndAnnouncedOnce) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Delete(alice, clip.clip_id);
  EXPECT_THAT(clips_.Delete(alice, Key(alice), clip.clip_id), IsOk());
  EXPECT_EQ(CountEvents(kRemovedSubject), 1);
  EXPECT_EQ(Stored(clip.clip_id).removal_reason, v1::REMOVAL_REASON_DELETED_BY_AUTHOR);
}

TEST_F(ClipLogicTest, AnotherUserMayNotDelete) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord shown = Publish(alice, "public");
  const ClipRecord hidden = Publish(alice, "private", "", v1::VISIBILITY_PRIVATE);

  EXPECT_THAT(clips_.Delete(bob, Key(bob), shown.clip_id), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(clips_.Delete(bob, Key(bob), hidden.clip_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(Stored(shown.clip_id).removed());
  EXPECT_FALSE(Stored(hidden.clip_id).removed());
  EXPECT_EQ(CountEvents(kRemovedSubject), 0);
}

TEST_F(ClipLogicTest, AnAdminMayDeleteAnyClip) {
  const ClipRecord clip = Publish(NewUser(), "a red fox", "", v1::VISIBILITY_PRIVATE);
  Delete(NewAdmin(), clip.clip_id);
  EXPECT_TRUE(Stored(clip.clip_id).removed());
}

TEST_F(ClipLogicTest, DeleteKeepsTheForkGraph) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const ClipRecord child = Publish(bob, "a red fox jumping", root.clip_id);
  Delete(alice, root.clip_id);

  EXPECT_EQ(Stored(child.clip_id).parent_id, root.clip_id);
  EXPECT_EQ(Stored(root.clip_id).counts.direct_forks, 1);
  EXPECT_EQ(Stored(root.clip_id).counts.descendants, 1);
  ASSERT_OK_AND_ASSIGN(const LineagePage lineage, graph_.Lineage(bob, child.clip_id, "", 10));
  ASSERT_EQ(lineage.ancestors.size(), 1u);
  EXPECT_EQ(lineage.ancestors[0].clip.clip_id, root.clip_id);
  EXPECT_TRUE(lineage.ancestors[0].clip.removed());
}

// --- Likes ---

TEST_F(ClipLogicTest, LikingTwiceCountsOnce) {
  const kit::Caller bob = NewUser();
  const ClipRecord clip = Publish(NewUser(), "a red fox");

  ASSERT_THAT(clips_.SetLike(bob, Key(bob), clip.clip_id, true), IsOk());
  ASSERT_OK_AND_ASSIGN(const LikeState again, clips_.SetLike(bob, Key(bob), clip.clip_id, true));
  EXPECT_EQ(again.clip_id, clip.clip_id);
  EXPECT_TRUE(again.liked);
  EXPECT_EQ(again.like_count, 1);
  EXPECT_EQ(Stored(clip.clip_id).counts.likes, 1);
  EXPECT_EQ(CountEvents(kLikedSubject), 1);
}

TEST_F(ClipLogicTest, UnlikingTwiceLeavesNoLike) {
  const kit::Caller bob = NewUser();
  const ClipRecord clip = Publish(NewUser(), "a red fox");
  Like(bob, clip.clip_id);

  ASSERT_THAT(clips_.SetLike(bob, Key(bob), clip.clip_id, false), IsOk());
  ASSERT_OK_AND_ASSIGN(const LikeState again, clips_.SetLike(bob, Key(bob), clip.clip_id, false));
  EXPECT_FALSE(again.liked);
  EXPECT_EQ(again.like_count, 0);
  EXPECT_EQ(Stored(clip.clip_id).counts.likes, 0);
  EXPECT_EQ(CountEvents(kUnlikedSubject), 1);
}

TEST_F(ClipLogicTest, LikesOfDifferentUsersAddUp) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Like(NewUser(), clip.clip_id);
  const kit::Caller carol = NewUser();
  ASSERT_OK_AND_ASSIGN(const LikeState liked, clips_.SetLike(carol, Key(carol), clip.clip_id, true));
  EXPECT_EQ(liked.like_count, 2);
  EXPECT_EQ(Stored(clip.clip_id).counts.likes, 2);

  const std::vector<v1::EventEnvelope> events = Events(kLikedSubject);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].clip_liked().user_id(), carol.user_id);
  EXPECT_EQ(events[1].clip_liked().clip_author_id(), alice.user_id);
  EXPECT_EQ(events[1].clip_liked().like_count(), 2);
}

TEST_F(ClipLogicTest, AClipTheCallerMayNotSeeCannotBeLiked) {
  const kit::Caller bob = NewUser();
  const ClipRecord clip = Publish(NewUser(), "a red fox", "", v1::VISIBILITY_PRIVATE);
  EXPECT_THAT(clips_.SetLike(bob, Key(bob), clip.clip_id, true), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_.state().likes, IsEmpty());
  EXPECT_EQ(Stored(clip.clip_id).counts.likes, 0);
}

// --- Views ---

TEST_F(ClipLogicTest, AViewCountsOncePerHourPerViewer) {
  const kit::Caller bob = NewUser();
  const ClipRecord clip = Publish(NewUser(), "a red fox");

  EXPECT_THAT(View(bob, clip.clip_id), base::testing::IsOkAndHolds(true));
  clock_.Advance(absl::Minutes(30));
  EXPECT_THAT(View(bob, clip.clip_id), base::testing::IsOkAndHolds(false));
  // A repeat that did not count does not restart the hour.
  clock_.Advance(absl::Minutes(29));
  EXPECT_THAT(View(bob, clip.clip_id), base::testing::IsOkAndHolds(false));
  clock_.Advance(absl::Minutes(1));
  EXPECT_THAT(View(bob, clip.clip_id), base::testing::IsOkAndHolds(true));
  EXPECT_EQ(Stored(clip.clip_id).counts.views, 2);
}

TEST_F(ClipLogicTest, EachViewerCountsOnTheirOwn) {
  const ClipRecord clip = Publish(NewUser(), "a red fox");
  EXPECT_THAT(View(NewUser(), clip.clip_id), base::testing::IsOkAndHolds(true));
  EXPECT_THAT(View(NewUser(), clip.clip_id), base::testing::IsOkAndHolds(true));
  EXPECT_EQ(Stored(clip.clip_id).counts.views, 2);
}

TEST_F(ClipLogicTest, ARetriedViewIsCountedOnce) {
  const kit::Caller bob = NewUser();
  const ClipRecord clip = Publish(NewUser(), "a red fox");
  const kit::IdempotencyKey key = Key(bob);
  const ViewReport report{.clip_id = clip.clip_id, .watched = absl::Seconds(10), .completed = true};

  EXPECT_THAT(clips_.RecordView(bob, key, report), base::testing::IsOkAndHolds(true));
  EXPECT_THAT(clips_.RecordView(bob, key, report), base::testing::IsOkAndHolds(true));  // The replayed answer.
  EXPECT_EQ(Stored(clip.clip_id).counts.views, 1);
  EXPECT_EQ(CountEvents(kViewedSubject), 1);
}

TEST_F(ClipLogicTest, ACountedViewIsAnnouncedNamingOnlyViewersWhoOptedIn) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  Register(bob, "bob", /*analytics_opted_in=*/false);
  Register(carol, "carol", /*analytics_opted_in=*/true);
  const ClipRecord clip = Publish(alice, "a red fox");

  ASSERT_THAT(View(bob, clip.clip_id, absl::Seconds(12), /*completed=*/true), IsOk());
  ASSERT_THAT(View(carol, clip.clip_id, absl::Seconds(3), /*completed=*/false), IsOk());
  ASSERT_THAT(View(carol, clip.clip_id), IsOk());  // Not counted: not announced.

  const std::vector<v1::EventEnvelope> viewed = Events(kViewedSubject);
  ASSERT_EQ(viewed.size(), 2u);
  EXPECT_EQ(viewed[0].clip_viewed().clip_id(), clip.clip_id);
  EXPECT_EQ(viewed[0].clip_viewed().clip_author_id(), alice.user_id);
  EXPECT_EQ(viewed[0].clip_viewed().viewer_id(), "");
  EXPECT_TRUE(viewed[0].clip_viewed().completed());
  EXPECT_EQ(viewed[0].clip_viewed().watch_duration().seconds(), 12);
  EXPECT_EQ(viewed[0].clip_viewed().view_count(), 1);
  EXPECT_EQ(viewed[1].clip_viewed().viewer_id(), carol.user_id);
  EXPECT_FALSE(viewed[1].clip_viewed().completed());
  EXPECT_EQ(viewed[1].clip_viewed().view_count(), 2);
}

TEST_F(ClipLogicTest, AClipTheCallerMayNotSeeCannotBeViewed) {
  const ClipRecord clip = Publish(NewUser(), "a red fox", "", v1::VISIBILITY_PRIVATE);
  EXPECT_THAT(View(NewUser(), clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Stored(clip.clip_id).counts.views, 0);
}

TEST_F(ClipLogicTest, SweepForgetsViewMarksOlderThanTheWindow) {
  const kit::Caller bob = NewUser(), carol = NewUser();
  const ClipRecord clip = Publish(NewUser(), "a red fox");
  ASSERT_THAT(View(bob, clip.clip_id), IsOk());
  clock_.Advance(absl::Minutes(30));
  ASSERT_THAT(View(carol, clip.clip_id), IsOk());
  clock_.Advance(absl::Minutes(40));  // Bob's mark is 70 minutes old, Carol's 40.

  EXPECT_THAT(clips_.SweepViewMarks(100), base::testing::IsOkAndHolds(1));
  const FakeClipsState state = store_.state();
  ASSERT_EQ(state.view_marks.size(), 1u);
  EXPECT_EQ(state.view_marks.begin()->first.second, carol.user_id);
  // Forgetting a mark counts nothing again.
  EXPECT_EQ(Stored(clip.clip_id).counts.views, 2);
}

}  // namespace
}  // namespace clipforge::clips_service::testing

namespace clipforge::clips_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::HasSubstr;

class ForkTest : public ClipsFixture {};

TEST_F(ForkTest, AForkStartsARemixJobAsTheCallerAndIsAnnouncedOnce) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord parent = Publish(alice, "a red fox in the snow");
  v1::JobSpec spec;
  spec.set_prompt("a red fox in the rain");
  const kit::IdempotencyKey key = Key(bob);
  absl::StatusOr<v1::GenerationJob> job = clips_.Fork(bob, "Bearer t", key, parent.clip_id, spec);
  ASSERT_THAT(job.status(), IsOk());
  ASSERT_EQ(jobs_.started().size(), 1u);
  EXPECT_EQ(jobs_.started()[0].user_id, bob.user_id);
  EXPECT_EQ(jobs_.started()[0].authorization, "Bearer t");
  EXPECT_EQ(jobs_.started()[0].request.request_id(), key.request_id);
  EXPECT_EQ(jobs_.started()[0].request.spec().remix_of_clip_id(), parent.clip_id);
  EXPECT_EQ(jobs_.started()[0].request.spec().prompt(), "a red fox in the rain");

  // A retry gets the same job and no second event.
  absl::StatusOr<v1::GenerationJob> again = clips_.Fork(bob, "Bearer t", key, parent.clip_id, spec);
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->job_id(), job->job_id());
  const std::vector<v1::EventEnvelope> forked = Events("clipforge.clip.forked");
  ASSERT_EQ(forked.size(), 1u);
  EXPECT_EQ(forked[0].clip_forked().parent_clip_id(), parent.clip_id);
  EXPECT_EQ(forked[0].clip_forked().parent_author_id(), alice.user_id);
  EXPECT_EQ(forked[0].clip_forked().job_id(), job->job_id());
  EXPECT_EQ(forked[0].clip_forked().user_id(), bob.user_id);
}

TEST_F(ForkTest, ForkingAClipTheCallerMayNotSeeIsNotFoundAndStartsNothing) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord hidden = Publish(alice, "a private fox", "", v1::VISIBILITY_PRIVATE);
  v1::JobSpec spec;
  spec.set_prompt("a public fox");
  EXPECT_THAT(clips_.Fork(bob, "", Key(bob), hidden.clip_id, spec).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("clip_id")));
  EXPECT_TRUE(jobs_.started().empty());
  // The author forks their own private clip.
  EXPECT_THAT(clips_.Fork(alice, "", Key(alice), hidden.clip_id, spec).status(), IsOk());
}

TEST_F(ForkTest, ForkingIsRefusedWhenTheAuthorTurnedItOffButNotForTheAuthor) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord parent = Publish(alice, "a closed fox");
  ClipChanges off{.paths = {"forking_allowed"}, .forking_allowed = false};
  ASSERT_THAT(clips_.Update(alice, Key(alice), parent.clip_id, off).status(), IsOk());
  v1::JobSpec spec;
  spec.set_prompt("an open fox");
  const absl::Status refused = clips_.Fork(bob, "", Key(bob), parent.clip_id, spec).status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(base::ReasonOf(refused).value_or(""), "FORKING_DISABLED");
  EXPECT_THAT(clips_.Fork(alice, "", Key(alice), parent.clip_id, spec).status(), IsOk());
  EXPECT_THAT(clips_.ForkableClip(bob, parent.clip_id, "spec.remix_of_clip_id").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("spec.remix_of_clip_id")));
}

TEST_F(ForkTest, ATombstoneCannotBeForked) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord parent = Publish(alice, "a fox soon gone");
  Delete(alice, parent.clip_id);
  v1::JobSpec spec;
  spec.set_prompt("a fox still here");
  EXPECT_THAT(clips_.Fork(bob, "", Key(bob), parent.clip_id, spec).status(),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace clipforge::clips_service::testing
