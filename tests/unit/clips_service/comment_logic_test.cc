// Comments on clips over the fake store: posting (counted on the clip and
// announced, once per key, one level of replies, the text past the
// moderation filter, only on clips the caller may see), listing (top-level
// newest first, replies oldest first, in pages, without the authors the
// viewer blocks or mutes), deleting (by whom, tombstones for comments with
// replies, the counts following) and account deletion.
#include "services/clips/comment_logic.h"

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
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class CommentLogicTest : public ClipsFixture {
 protected:
  static NewComment Text(const std::string& clip_id, const std::string& text, const std::string& parent = "") {
    return {.clip_id = clip_id, .text = text, .parent_comment_id = parent};
  }

  // Posts `text` on the clip as `author` (a reply to `parent` when set)
  // through the logic, asserting it worked.
  CommentRecord Comment(const kit::Caller& author, const std::string& clip_id, const std::string& text,
                        const std::string& parent = "") {
    absl::StatusOr<CommentView> view = comments_.Create(author, Key(author), Text(clip_id, text, parent));
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? view->comment : CommentRecord{};
  }

  absl::Status DeleteComment(const kit::Caller& caller, const std::string& comment_id) {
    return comments_.Delete(caller, Key(caller), comment_id);
  }

  // One page of the listing as `viewer` reads it.
  CommentPage Page(const kit::Caller& viewer, const std::string& clip_id, const std::string& parent = "",
                   const std::string& after = "", int limit = 100) {
    absl::StatusOr<CommentPage> page = comments_.List(viewer, clip_id, parent, after, limit);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *std::move(page) : CommentPage{};
  }
  // The ids of the first page of 100 (every comment in these tests).
  std::vector<std::string> Listed(const kit::Caller& viewer, const std::string& clip_id,
                                  const std::string& parent = "") {
    return IdsOf(Page(viewer, clip_id, parent));
  }

  static std::vector<std::string> IdsOf(const CommentPage& page) {
    std::vector<std::string> ids;
    for (const CommentView& view : page.comments) ids.push_back(view.comment.comment_id);
    return ids;
  }

  // The comment as stored; unset once it is gone.
  std::optional<CommentRecord> StoredComment(const std::string& comment_id) {
    const FakeClipsState state = store_.state();
    const auto it = state.comments.find(comment_id);
    if (it == state.comments.end()) return std::nullopt;
    return it->second;
  }
  int32_t ReplyCount(const std::string& comment_id) {
    const std::optional<CommentRecord> comment = StoredComment(comment_id);
    EXPECT_TRUE(comment.has_value()) << comment_id;
    return comment ? comment->reply_count : -1;
  }
  int64_t CommentCount(const std::string& clip_id) { return Stored(clip_id).counts.comments; }
};

// --- Create ---

TEST_F(CommentLogicTest, ACommentIsStoredAndCountedOnTheClip) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  Register(bob, "bob");
  const ClipRecord clip = Publish(alice, "a red fox");
  clock_.Advance(absl::Minutes(3));

  ASSERT_OK_AND_ASSIGN(const CommentView view, comments_.Create(bob, Key(bob), Text(clip.clip_id, "Nice fox")));
  EXPECT_FALSE(view.comment.comment_id.empty());
  EXPECT_EQ(view.comment.clip_id, clip.clip_id);
  EXPECT_EQ(view.comment.author_id, bob.user_id);
  EXPECT_EQ(view.comment.parent_comment_id, "");
  EXPECT_EQ(view.comment.text, "Nice fox");
  EXPECT_EQ(view.comment.reply_count, 0);
  EXPECT_FALSE(view.comment.deleted);
  EXPECT_EQ(view.comment.create_time, clock_.Now());
  ASSERT_TRUE(view.author.has_value());
  EXPECT_EQ(view.author->handle, "bob");

  const std::optional<CommentRecord> stored = StoredComment(view.comment.comment_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->clip_id, clip.clip_id);
  EXPECT_EQ(stored->author_id, bob.user_id);
  EXPECT_EQ(stored->text, "Nice fox");
  EXPECT_EQ(stored->create_time, clock_.Now());
  EXPECT_EQ(CommentCount(clip.clip_id), 1);

  // The text went past the filter as a comment.
  ASSERT_FALSE(filter_.checked().empty());
  EXPECT_EQ(filter_.checked().back().text, "Nice fox");
  EXPECT_EQ(filter_.checked().back().surface, v1::TEXT_SURFACE_COMMENT);
}

TEST_F(CommentLogicTest, ACommentIsAnnouncedWithTheClipsCountAfterIt) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord first = Comment(bob, clip.clip_id, "Nice fox");
  const CommentRecord second = Comment(carol, clip.clip_id, "Very nice");

  const std::vector<v1::EventEnvelope> commented = Events(kCommentedSubject);
  ASSERT_EQ(commented.size(), 2u);
  EXPECT_EQ(commented[0].type(), "clipforge.clip.commented");
  EXPECT_EQ(commented[0].aggregate_type(), "clip");
  EXPECT_EQ(commented[0].aggregate_id(), clip.clip_id);
  const v1::ClipCommentedEvent& event = commented[0].clip_commented();
  EXPECT_EQ(event.clip_id(), clip.clip_id);
  EXPECT_EQ(event.clip_author_id(), alice.user_id);
  EXPECT_EQ(event.comment_id(), first.comment_id);
  EXPECT_EQ(event.user_id(), bob.user_id);
  EXPECT_EQ(event.parent_comment_id(), "");
  EXPECT_EQ(event.comment_count(), 1);
  EXPECT_EQ(commented[1].clip_commented().comment_id(), second.comment_id);
  EXPECT_EQ(commented[1].clip_commented().user_id(), carol.user_id);
  EXPECT_EQ(commented[1].clip_commented().comment_count(), 2);
}

TEST_F(CommentLogicTest, CreateIsIdempotentByKey) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const kit::IdempotencyKey key = Key(bob);

  ASSERT_OK_AND_ASSIGN(const CommentView first, comments_.Create(bob, key, Text(clip.clip_id, "Nice fox")));
  ASSERT_OK_AND_ASSIGN(const CommentView retried, comments_.Create(bob, key, Text(clip.clip_id, "Nice fox")));

  EXPECT_EQ(retried.comment.comment_id, first.comment.comment_id);
  EXPECT_EQ(retried.comment.text, "Nice fox");
  EXPECT_EQ(store_.state().comments.size(), 1u);
  EXPECT_EQ(CommentCount(clip.clip_id), 1);
  EXPECT_EQ(CountEvents(kCommentedSubject), 1);
}

TEST_F(CommentLogicTest, AReplyCountsOnItsParentAndOnTheClip) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord top = Comment(bob, clip.clip_id, "Nice fox");

  ASSERT_OK_AND_ASSIGN(const CommentView reply,
                       comments_.Create(carol, Key(carol), Text(clip.clip_id, "Agreed", top.comment_id)));
  EXPECT_EQ(reply.comment.parent_comment_id, top.comment_id);
  EXPECT_EQ(reply.comment.clip_id, clip.clip_id);
  EXPECT_EQ(ReplyCount(top.comment_id), 1);
  EXPECT_EQ(CommentCount(clip.clip_id), 2);

  const std::vector<v1::EventEnvelope> commented = Events(kCommentedSubject);
  ASSERT_EQ(commented.size(), 2u);
  EXPECT_EQ(commented[1].clip_commented().comment_id(), reply.comment.comment_id);
  EXPECT_EQ(commented[1].clip_commented().parent_comment_id(), top.comment_id);
  EXPECT_EQ(commented[1].clip_commented().comment_count(), 2);
}

TEST_F(CommentLogicTest, AReplyToAReplyIsInvalidArgumentNamingTheParent) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord top = Comment(bob, clip.clip_id, "Nice fox");
  const CommentRecord reply = Comment(alice, clip.clip_id, "Thanks", top.comment_id);

  EXPECT_THAT(comments_.Create(bob, Key(bob), Text(clip.clip_id, "You're welcome", reply.comment_id)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("parent_comment_id")));
  EXPECT_EQ(store_.state().comments.size(), 2u);
  EXPECT_EQ(ReplyCount(top.comment_id), 1);
  EXPECT_EQ(ReplyCount(reply.comment_id), 0);
  EXPECT_EQ(CommentCount(clip.clip_id), 2);
  EXPECT_EQ(CountEvents(kCommentedSubject), 2);
}

TEST_F(CommentLogicTest, AParentOnAnotherClipOrNoneIsNotFound) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord fox = Publish(alice, "a red fox");
  const ClipRecord owl = Publish(alice, "a white owl");
  const CommentRecord on_fox = Comment(bob, fox.clip_id, "Nice fox");

  EXPECT_THAT(comments_.Create(bob, Key(bob), Text(owl.clip_id, "Nice owl", on_fox.comment_id)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("parent_comment_id")));
  EXPECT_THAT(comments_.Create(bob, Key(bob), Text(owl.clip_id, "Nice owl", ids_.Next())),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store_.state().comments.size(), 1u);
  EXPECT_EQ(ReplyCount(on_fox.comment_id), 0);
  EXPECT_EQ(CommentCount(owl.clip_id), 0);
  EXPECT_EQ(CountEvents(kCommentedSubject), 1);
}

TEST_F(CommentLogicTest, BlockedTextIsFailedPreconditionAndWritesNothing) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord top = Comment(alice, clip.clip_id, "Comments welcome");
  const size_t keys_before = store_.state().idempotency.size();

  const absl::StatusOr<CommentView> blocked =
      comments_.Create(bob, Key(bob), Text(clip.clip_id, "something forbidden"));
  // FAILED_PRECONDITION "TEXT_BLOCKED", naming the categories found.
  EXPECT_THAT(blocked, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("HATE")));
  EXPECT_EQ(Reason(blocked), "TEXT_BLOCKED");
  ASSERT_FALSE(filter_.checked().empty());
  EXPECT_EQ(filter_.checked().back().text, "something forbidden");
  EXPECT_EQ(filter_.checked().back().surface, v1::TEXT_SURFACE_COMMENT);

  // A blocked reply counts nowhere either.
  const absl::StatusOr<CommentView> reply =
      comments_.Create(bob, Key(bob), Text(clip.clip_id, "Forbidden reply", top.comment_id));
  EXPECT_THAT(reply, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Reason(reply), "TEXT_BLOCKED");

  const FakeClipsState state = store_.state();
  EXPECT_EQ(state.comments.size(), 1u);
  EXPECT_EQ(state.idempotency.size(), keys_before);
  EXPECT_EQ(ReplyCount(top.comment_id), 0);
  EXPECT_EQ(CommentCount(clip.clip_id), 1);
  EXPECT_EQ(CountEvents(kCommentedSubject), 1);
}

TEST_F(CommentLogicTest, CommentingOnAClipTheCallerMayNotSeeIsNotFound) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord hidden = Publish(alice, "a red fox", "", v1::VISIBILITY_PRIVATE);
  const ClipRecord deleted = Publish(alice, "a white owl");
  Delete(alice, deleted.clip_id);
  const kit::Caller carol = NewUser();
  const ClipRecord blocking = Publish(carol, "a grey wolf");
  Block(carol, bob);  // The author blocked the commenter.

  EXPECT_THAT(comments_.Create(bob, Key(bob), Text(hidden.clip_id, "Hi")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(comments_.Create(bob, Key(bob), Text(deleted.clip_id, "Hi")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(comments_.Create(bob, Key(bob), Text(blocking.clip_id, "Hi")),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(comments_.Create(bob, Key(bob), Text(ids_.Next(), "Hi")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_.state().comments, IsEmpty());
  EXPECT_EQ(CommentCount(hidden.clip_id), 0);
  EXPECT_EQ(CountEvents(kCommentedSubject), 0);

  // The author may comment on their own private clip.
  EXPECT_THAT(comments_.Create(alice, Key(alice), Text(hidden.clip_id, "Note to self")), IsOk());
  EXPECT_EQ(CommentCount(hidden.clip_id), 1);
}

// --- List ---

TEST_F(CommentLogicTest, TopLevelCommentsListNewestFirstInPages) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const ClipRecord other = Publish(alice, "a white owl");
  std::vector<std::string> posted;
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Minutes(1));
    posted.push_back(Comment(i % 2 == 0 ? bob : carol, clip.clip_id, absl::StrCat("comment ", i)).comment_id);
    // Replies and comments on another clip are not top-level comments of
    // this one.
    Comment(alice, clip.clip_id, absl::StrCat("reply ", i), posted.back());
    Comment(bob, other.clip_id, absl::StrCat("elsewhere ", i));
  }
  const std::vector<std::string> newest_first(posted.rbegin(), posted.rend());

  const CommentPage first = Page(NewUser(), clip.clip_id, "", "", 2);
  EXPECT_THAT(IdsOf(first), ElementsAre(posted[4], posted[3]));
  EXPECT_EQ(first.next_after, posted[3]);

  // Every comment once, page after page, in order.
  const kit::Caller viewer = NewUser();
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  do {
    const CommentPage page = Page(viewer, clip.clip_id, "", after, 2);
    for (const std::string& id : IdsOf(page)) seen.push_back(id);
    after = page.next_after;
    ASSERT_LE(++pages, 10) << "paging does not end";
  } while (!after.empty());
  EXPECT_THAT(seen, ElementsAreArray(newest_first));
  EXPECT_EQ(pages, 3);
}

TEST_F(CommentLogicTest, RepliesListOldestFirstInPages) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord top = Comment(bob, clip.clip_id, "Nice fox");
  const CommentRecord elsewhere = Comment(bob, clip.clip_id, "Another thought");
  std::vector<std::string> replies;
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(absl::Minutes(1));
    replies.push_back(Comment(i % 2 == 0 ? carol : alice, clip.clip_id, absl::StrCat("reply ", i),
                              top.comment_id)
                          .comment_id);
    Comment(carol, clip.clip_id, absl::StrCat("other reply ", i), elsewhere.comment_id);
  }

  const kit::Caller viewer = NewUser();
  const CommentPage first = Page(viewer, clip.clip_id, top.comment_id, "", 2);
  EXPECT_THAT(IdsOf(first), ElementsAre(replies[0], replies[1]));
  EXPECT_EQ(first.next_after, replies[1]);
  const CommentPage second = Page(viewer, clip.clip_id, top.comment_id, first.next_after, 2);
  EXPECT_THAT(IdsOf(second), ElementsAre(replies[2]));
  EXPECT_EQ(second.next_after, "");
  for (const CommentView& view : first.comments) EXPECT_EQ(view.comment.parent_comment_id, top.comment_id);
}

TEST_F(CommentLogicTest, ListingAClipTheCallerMayNotSeeIsNotFound) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox", "", v1::VISIBILITY_PRIVATE);
  Comment(alice, clip.clip_id, "Note to self");

  EXPECT_THAT(comments_.List(NewUser(), clip.clip_id, "", "", 20), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Listed(alice, clip.clip_id), SizeIs(1));
}

TEST_F(CommentLogicTest, CommentsByAuthorsTheViewerBlocksAreLeftOut) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser(), dave = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord bobs = Comment(bob, clip.clip_id, "Nice fox");
  const CommentRecord carols = Comment(carol, clip.clip_id, "Meh");
  const CommentRecord carols_reply = Comment(carol, clip.clip_id, "Still meh", bobs.comment_id);
  const CommentRecord alices_reply = Comment(alice, clip.clip_id, "Thanks", bobs.comment_id);

  Block(dave, carol);

  EXPECT_THAT(Listed(dave, clip.clip_id), ElementsAre(bobs.comment_id));
  EXPECT_THAT(Listed(dave, clip.clip_id, bobs.comment_id), ElementsAre(alices_reply.comment_id));
  // Everyone else still sees them; carol's block would be hers to make.
  const kit::Caller erin = NewUser();
  EXPECT_THAT(Listed(erin, clip.clip_id), ElementsAre(carols.comment_id, bobs.comment_id));
  EXPECT_THAT(Listed(erin, clip.clip_id, bobs.comment_id),
              ElementsAre(carols_reply.comment_id, alices_reply.comment_id));
  EXPECT_THAT(Listed(carol, clip.clip_id), ElementsAre(carols.comment_id, bobs.comment_id));
}

TEST_F(CommentLogicTest, CommentsByAuthorsTheViewerMutesAreLeftOutUntilUnmuted) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser(), dave = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord bobs = Comment(bob, clip.clip_id, "Nice fox");
  const CommentRecord carols = Comment(carol, clip.clip_id, "Meh");
  const CommentRecord carols_reply = Comment(carol, clip.clip_id, "Still meh", bobs.comment_id);

  Mute(dave, carol);

  EXPECT_THAT(Listed(dave, clip.clip_id), ElementsAre(bobs.comment_id));
  EXPECT_THAT(Listed(dave, clip.clip_id, bobs.comment_id), IsEmpty());
  EXPECT_THAT(Listed(NewUser(), clip.clip_id), ElementsAre(carols.comment_id, bobs.comment_id));
  EXPECT_THAT(Listed(NewUser(), clip.clip_id, bobs.comment_id), ElementsAre(carols_reply.comment_id));

  ASSERT_THAT(ApplyUserEvent(UnmutedEvent(dave.user_id, carol.user_id)), IsOk());
  EXPECT_THAT(Listed(dave, clip.clip_id), ElementsAre(carols.comment_id, bobs.comment_id));
  EXPECT_THAT(Listed(dave, clip.clip_id, bobs.comment_id), ElementsAre(carols_reply.comment_id));
}

// --- Delete ---

TEST_F(CommentLogicTest, TheCommentsAuthorTheClipsAuthorAndAModeratorMayDelete) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord by_author = Comment(bob, clip.clip_id, "one");
  const CommentRecord by_clip_author = Comment(bob, clip.clip_id, "two");
  const CommentRecord by_moderator = Comment(bob, clip.clip_id, "three");
  ASSERT_EQ(CommentCount(clip.clip_id), 3);

  EXPECT_THAT(DeleteComment(bob, by_author.comment_id), IsOk());
  EXPECT_FALSE(StoredComment(by_author.comment_id).has_value());
  EXPECT_EQ(CommentCount(clip.clip_id), 2);

  EXPECT_THAT(DeleteComment(alice, by_clip_author.comment_id), IsOk());
  EXPECT_FALSE(StoredComment(by_clip_author.comment_id).has_value());
  EXPECT_EQ(CommentCount(clip.clip_id), 1);

  EXPECT_THAT(DeleteComment(NewModerator(), by_moderator.comment_id), IsOk());
  EXPECT_FALSE(StoredComment(by_moderator.comment_id).has_value());
  EXPECT_EQ(CommentCount(clip.clip_id), 0);
  EXPECT_THAT(Listed(NewUser(), clip.clip_id), IsEmpty());
}

TEST_F(CommentLogicTest, AnyoneElseMayNotDelete) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord top = Comment(bob, clip.clip_id, "Nice fox");
  const CommentRecord reply = Comment(carol, clip.clip_id, "Agreed", top.comment_id);

  EXPECT_THAT(DeleteComment(carol, top.comment_id), StatusIs(absl::StatusCode::kPermissionDenied));
  // The author of the comment replied to is none of the three.
  EXPECT_THAT(DeleteComment(bob, reply.comment_id), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(DeleteComment(NewUser(), top.comment_id), StatusIs(absl::StatusCode::kPermissionDenied));

  ASSERT_TRUE(StoredComment(top.comment_id).has_value());
  EXPECT_FALSE(StoredComment(top.comment_id)->deleted);
  EXPECT_EQ(StoredComment(top.comment_id)->text, "Nice fox");
  EXPECT_TRUE(StoredComment(reply.comment_id).has_value());
  EXPECT_EQ(ReplyCount(top.comment_id), 1);
  EXPECT_EQ(CommentCount(clip.clip_id), 2);
}

TEST_F(CommentLogicTest, DeletingACommentOnAClipTheCallerNoLongerSeesIsNotFound) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord comment = Comment(bob, clip.clip_id, "Nice fox");
  ASSERT_THAT(clips_.Update(alice, Key(alice), clip.clip_id,
                            {.paths = {"visibility"}, .visibility = v1::VISIBILITY_PRIVATE}),
              IsOk());

  EXPECT_THAT(DeleteComment(bob, comment.comment_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(StoredComment(comment.comment_id).has_value());
  EXPECT_EQ(CommentCount(clip.clip_id), 1);
}

TEST_F(CommentLogicTest, DeletingACommentWithRepliesLeavesATombstoneAndItsReplies) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  Register(bob, "bob");
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord top = Comment(bob, clip.clip_id, "Nice fox");
  const CommentRecord reply = Comment(carol, clip.clip_id, "Agreed", top.comment_id);
  ASSERT_EQ(CommentCount(clip.clip_id), 2);

  ASSERT_THAT(DeleteComment(bob, top.comment_id), IsOk());

  const std::optional<CommentRecord> stored = StoredComment(top.comment_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->deleted);
  EXPECT_EQ(stored->text, "");
  EXPECT_EQ(stored->author_id, "");
  EXPECT_EQ(stored->reply_count, 1);
  EXPECT_EQ(CommentCount(clip.clip_id), 1);

  const CommentPage page = Page(NewUser(), clip.clip_id);
  ASSERT_EQ(page.comments.size(), 1u);
  const CommentView& tombstone = page.comments[0];
  EXPECT_EQ(tombstone.comment.comment_id, top.comment_id);
  EXPECT_TRUE(tombstone.comment.deleted);
  EXPECT_EQ(tombstone.comment.text, "");
  EXPECT_EQ(tombstone.comment.author_id, "");
  EXPECT_FALSE(tombstone.author.has_value());
  EXPECT_THAT(Listed(NewUser(), clip.clip_id, top.comment_id), ElementsAre(reply.comment_id));
}

TEST_F(CommentLogicTest, DeletingACommentWithoutRepliesRemovesIt) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord kept = Comment(alice, clip.clip_id, "Thanks for watching");
  const CommentRecord gone = Comment(bob, clip.clip_id, "Nice fox");

  ASSERT_THAT(DeleteComment(bob, gone.comment_id), IsOk());
  EXPECT_FALSE(StoredComment(gone.comment_id).has_value());
  EXPECT_EQ(CommentCount(clip.clip_id), 1);
  EXPECT_THAT(Listed(NewUser(), clip.clip_id), ElementsAre(kept.comment_id));
}

TEST_F(CommentLogicTest, DeletingAReplyCountsItOffItsParentAndTheClip) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord top = Comment(bob, clip.clip_id, "Nice fox");
  const CommentRecord first = Comment(carol, clip.clip_id, "Agreed", top.comment_id);
  const CommentRecord second = Comment(alice, clip.clip_id, "Thanks", top.comment_id);
  ASSERT_EQ(ReplyCount(top.comment_id), 2);
  ASSERT_EQ(CommentCount(clip.clip_id), 3);

  ASSERT_THAT(DeleteComment(carol, first.comment_id), IsOk());
  EXPECT_FALSE(StoredComment(first.comment_id).has_value());
  EXPECT_EQ(ReplyCount(top.comment_id), 1);
  EXPECT_EQ(CommentCount(clip.clip_id), 2);
  EXPECT_THAT(Listed(NewUser(), clip.clip_id, top.comment_id), ElementsAre(second.comment_id));

  // With its last reply gone the parent, never deleted, stays as it was.
  ASSERT_THAT(DeleteComment(alice, second.comment_id), IsOk());
  EXPECT_EQ(ReplyCount(top.comment_id), 0);
  EXPECT_FALSE(StoredComment(top.comment_id)->deleted);
  EXPECT_EQ(CommentCount(clip.clip_id), 1);
}

TEST_F(CommentLogicTest, DeletingTwiceIsOkAndCountsOnce) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord top = Comment(bob, clip.clip_id, "Nice fox");
  Comment(carol, clip.clip_id, "Agreed", top.comment_id);
  const CommentRecord plain = Comment(bob, clip.clip_id, "Another thought");
  ASSERT_EQ(CommentCount(clip.clip_id), 3);

  // A retry of one request (the same key).
  const kit::IdempotencyKey key = Key(bob);
  ASSERT_THAT(comments_.Delete(bob, key, plain.comment_id), IsOk());
  EXPECT_THAT(comments_.Delete(bob, key, plain.comment_id), IsOk());
  EXPECT_EQ(CommentCount(clip.clip_id), 2);

  // A tombstone deleted again (a new request).
  ASSERT_THAT(DeleteComment(bob, top.comment_id), IsOk());
  EXPECT_EQ(CommentCount(clip.clip_id), 1);
  EXPECT_THAT(DeleteComment(bob, top.comment_id), IsOk());
  EXPECT_THAT(DeleteComment(alice, top.comment_id), IsOk());
  EXPECT_EQ(CommentCount(clip.clip_id), 1);
  ASSERT_TRUE(StoredComment(top.comment_id).has_value());
  EXPECT_TRUE(StoredComment(top.comment_id)->deleted);
  EXPECT_EQ(ReplyCount(top.comment_id), 1);
}

// --- Account deletion ---

TEST_F(CommentLogicTest, AccountDeletionRemovesOrTombstonesTheUsersCommentsAndTheCountsFollow) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const CommentRecord alices = Comment(alice, clip.clip_id, "Thanks for watching");
  const CommentRecord bobs_plain = Comment(bob, clip.clip_id, "Nice fox");
  const CommentRecord bobs_answered = Comment(bob, clip.clip_id, "Where was this?");
  const CommentRecord carols_reply = Comment(carol, clip.clip_id, "Norway", bobs_answered.comment_id);
  const CommentRecord bobs_reply = Comment(bob, clip.clip_id, "You're welcome", alices.comment_id);
  ASSERT_EQ(CommentCount(clip.clip_id), 5);
  ASSERT_EQ(ReplyCount(alices.comment_id), 1);

  DeleteAccount(bob);

  // Without replies: gone. With replies: a tombstone, its replies kept.
  EXPECT_FALSE(StoredComment(bobs_plain.comment_id).has_value());
  EXPECT_FALSE(StoredComment(bobs_reply.comment_id).has_value());
  const std::optional<CommentRecord> tombstone = StoredComment(bobs_answered.comment_id);
  ASSERT_TRUE(tombstone.has_value());
  EXPECT_TRUE(tombstone->deleted);
  EXPECT_EQ(tombstone->text, "");
  EXPECT_EQ(tombstone->author_id, "");
  EXPECT_TRUE(StoredComment(carols_reply.comment_id).has_value());
  const FakeClipsState state = store_.state();
  for (const auto& [id, comment] : state.comments) EXPECT_NE(comment.author_id, bob.user_id) << id;

  EXPECT_EQ(CommentCount(clip.clip_id), 2);  // Alice's comment and Carol's reply.
  EXPECT_EQ(ReplyCount(alices.comment_id), 0);
  EXPECT_EQ(ReplyCount(bobs_answered.comment_id), 1);

  const kit::Caller viewer = NewUser();
  EXPECT_THAT(Listed(viewer, clip.clip_id), ElementsAre(bobs_answered.comment_id, alices.comment_id));
  EXPECT_THAT(Listed(viewer, clip.clip_id, bobs_answered.comment_id), ElementsAre(carols_reply.comment_id));
  EXPECT_THAT(Listed(viewer, clip.clip_id, alices.comment_id), IsEmpty());
}

}  // namespace
}  // namespace clipforge::clips_service::testing
