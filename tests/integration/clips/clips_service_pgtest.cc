// ClipsService over a real Postgres and a real JetStream nats-server, wired
// as `clipforged serve` wires it (generation and moderation in the same
// process): publishing from completed jobs, reads under visibility and
// blocks (the users service's events arrive over the bus), likes and views,
// the fork graph (lineage, descendants, variants, canvas, attribution),
// counts under concurrent publishes, and removals that keep the graph whole.
// Completed jobs are written to generation's store directly: the worker
// protocol that completes them has its own tests.
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/random.h"
#include "base/role.h"
#include "base/sha256.h"
#include "base/uuid.h"
#include "services/clips/request_parsing.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_pool.h"
#include "services/kit/pg_transaction.h"
#include "services/kit/proto_time.h"
#include "tests/support/generation_jobs.h"
#include "tests/support/error_reason.h"
#include "tests/support/moderation_test_server.h"

namespace clipforge::testing {
namespace {

using grpc::StatusCode;

ModerationTestServerOptions Options() {
  ModerationTestServerOptions options;
  options.with_generation = true;
  options.with_clips = true;
  options.executor_threads = 8;
  options.media_urls = true;
  return options;
}

struct TestUser {
  std::string id;
  std::string token;
};

class ClipsServiceTest : public ::testing::Test {
 protected:
  TestUser NewUser(base::RoleSet roles = {base::Role::kUser}) {
    TestUser user{.id = ids_.Next()};
    user.token = server_.Token(roles, user.id);
    return user;
  }

  // A job of `user` in `status` (completed: with outputs), as a worker
  // would have left it.
  std::string CompletedJob(const TestUser& user, const std::string& prompt, const std::string& remix_of = "",
                           v1::JobStatus status = v1::JOB_STATUS_COMPLETED) {
    const generation_service::JobRecord job =
        JobIn(status, ids_.Next(), user.id, DraftSpec(prompt, remix_of), absl::Now());
    const absl::Status inserted = server_.generation().store().Transact(
        generation_service::TxMode::kReadWrite, [&](generation_service::GenerationTx& tx) {
          tx.InsertJob(job);
          return absl::OkStatus();
        });
    EXPECT_TRUE(inserted.ok()) << inserted;
    if (status == v1::JOB_STATUS_COMPLETED) {
      const absl::Status stored = StoreOutputs(server_.generation().blobs(), job.job_id);
      EXPECT_TRUE(stored.ok()) << stored;
    }
    return job.job_id;
  }

  template <typename Request, typename Response, typename Call>
  grpc::Status As(const TestUser& user, Call call, const Request& request, Response* response) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + user.token);
    return ((*clips_).*call)(&ctx, request, response);
  }

  grpc::Status Publish(const TestUser& user, const std::string& job_id, v1::Clip* out,
                       const std::function<void(v1::PublishClipRequest&)>& edit = {}) {
    v1::PublishClipRequest request;
    request.set_request_id(ids_.Next());
    request.set_job_id(job_id);
    request.set_title("a title");
    if (edit) edit(request);
    return As(user, &v1::ClipsService::Stub::PublishClip, request, out);
  }

  // Publishes a new clip of `user` with `prompt` (a fork of `parent` when
  // set) and returns it.
  v1::Clip NewClip(const TestUser& user, const std::string& prompt, const std::string& parent = "",
                   v1::Visibility visibility = v1::VISIBILITY_PUBLIC) {
    v1::Clip clip;
    const grpc::Status status = Publish(user, CompletedJob(user, prompt, parent), &clip,
                                        [&](v1::PublishClipRequest& r) { r.set_visibility(visibility); });
    EXPECT_TRUE(status.ok()) << status.error_message();
    return clip;
  }

  grpc::Status Get(const TestUser& user, const std::string& clip_id, v1::Clip* out) {
    v1::GetClipRequest request;
    request.set_clip_id(clip_id);
    return As(user, &v1::ClipsService::Stub::GetClip, request, out);
  }

  // Puts `event` on the bus as its producing service would (the outbox,
  // then the relay) and waits until the clips service applied it.
  void Deliver(v1::EventEnvelope event) {
    const std::string event_id = event.event_id();
    const absl::Status appended = kit::RunInTransaction(producer_, [&](pqxx::work& txn) {
      return kit::OutboxWriter::Append(txn, event);
    });
    ASSERT_TRUE(appended.ok()) << appended;
    server_.PublishEvents();
    for (int i = 0; i < 400; ++i) {
      if (server_.bus().Scalar("SELECT count(*) FROM clips.inbox WHERE event_id = '" + event_id + "'") > 0) return;
      absl::SleepFor(absl::Milliseconds(25));
    }
    FAIL() << "the clips service did not apply " << event.type();
  }
  v1::EventEnvelope Event(const char* type, const std::string& aggregate_id) {
    return server_.bus().events().New(type, "user", aggregate_id);
  }
  void Follow(const TestUser& follower, const TestUser& followee) {
    v1::EventEnvelope event = Event("clipforge.user.followed", follower.id);
    event.mutable_user_followed()->set_follower_id(follower.id);
    event.mutable_user_followed()->set_followee_id(followee.id);
    Deliver(event);
  }
  void Block(const TestUser& blocker, const TestUser& blocked) {
    v1::EventEnvelope event = Event("clipforge.user.blocked", blocker.id);
    event.mutable_user_blocked()->set_blocker_id(blocker.id);
    event.mutable_user_blocked()->set_blocked_id(blocked.id);
    Deliver(event);
  }

  // An admin adds a keyword rule that blocks `word`; it is live when
  // CreateRule answers.
  void BlockWord(const TestUser& admin, const std::string& word) {
    auto moderation = server_.NewStub();
    v1::CreateRuleRequest rule;
    rule.set_request_id(ids_.Next());
    rule.mutable_rule()->set_kind(v1::RULE_KIND_KEYWORD);
    rule.mutable_rule()->set_pattern(word);
    rule.mutable_rule()->set_category(v1::MODERATION_CATEGORY_VIOLENCE);
    rule.mutable_rule()->set_decision(v1::MODERATION_DECISION_BLOCK);
    rule.mutable_rule()->set_enabled(true);
    v1::Rule created;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin.token);
    const grpc::Status status = moderation->CreateRule(&ctx, rule, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  ModerationTestServer server_{Options()};
  std::unique_ptr<v1::ClipsService::Stub> clips_ = server_.NewClipsStub();
  // Other services' events, appended as a superuser (who may write any
  // subject): the users and moderation services are not part of this test.
  kit::PgPool producer_{{.dsn = server_.bus().pg().dsn(), .size = 1, .statements = {kit::OutboxWriter::Statement()}}};
};

TEST_F(ClipsServiceTest, PublishKeepsTheJobsPromptAndMediaAndIsIdempotent) {
  const TestUser alice = NewUser();
  const std::string job_id = CompletedJob(alice, "a red fox in the snow");
  v1::PublishClipRequest request;
  request.set_request_id(ids_.Next());
  request.set_job_id(job_id);
  request.set_title("Fox");
  request.add_tags("Winter");
  request.add_tags("winter");
  request.add_tags("fox");
  v1::Clip clip;
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::PublishClip, request, &clip).ok());
  EXPECT_EQ(clip.job_id(), job_id);
  EXPECT_EQ(clip.author().user_id(), alice.id);
  EXPECT_EQ(clip.generation().prompt(), "a red fox in the snow");
  EXPECT_EQ(clip.root_clip_id(), clip.clip_id());
  EXPECT_EQ(clip.depth(), 0);
  EXPECT_EQ(clip.title(), "Fox");
  EXPECT_EQ(std::vector<std::string>(clip.tags().begin(), clip.tags().end()),
            (std::vector<std::string>{"winter", "fox"}));
  EXPECT_EQ(clip.visibility(), v1::VISIBILITY_PUBLIC);
  EXPECT_TRUE(clip.forking_allowed());
  // The placeholder video carries no manifest (real ones: the e2e test).
  EXPECT_FALSE(clip.c2pa().present());
  EXPECT_EQ(clip.media().width(), 720);
  // Signed URLs name the job's blobs.
  EXPECT_NE(clip.media().video_url().url().find(OutputsOf(job_id).video().sha256()), std::string::npos);

  // The same request again replays; another request for the job is refused.
  v1::Clip again;
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::PublishClip, request, &again).ok());
  EXPECT_EQ(again.clip_id(), clip.clip_id());
  v1::Clip second;
  const grpc::Status twice = Publish(alice, job_id, &second);
  EXPECT_EQ(twice.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(twice), "JOB_ALREADY_PUBLISHED");
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.clip.published' "
                                 "AND aggregate_id = '" + clip.clip_id() + "'"),
            1);

  // Listed on the author's page, newest first.
  const v1::Clip newer = NewClip(alice, "a blue fox");
  v1::ListClipsRequest list;
  list.set_author_id(alice.id);
  list.set_page_size(1);
  v1::ListClipsResponse page;
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListClips, list, &page).ok());
  ASSERT_EQ(page.clips_size(), 1);
  EXPECT_EQ(page.clips(0).clip_id(), newer.clip_id());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListClips, list, &page).ok());
  ASSERT_EQ(page.clips_size(), 1);
  EXPECT_EQ(page.clips(0).clip_id(), clip.clip_id());
  EXPECT_TRUE(page.next_page_token().empty());
}

TEST_F(ClipsServiceTest, PublishRefusesOthersJobsUnfinishedJobsAndBadInput) {
  const TestUser alice = NewUser(), mallory = NewUser();
  v1::Clip clip;
  EXPECT_EQ(Publish(mallory, CompletedJob(alice, "alice's fox"), &clip).error_code(), StatusCode::NOT_FOUND);
  const grpc::Status queued = Publish(alice, CompletedJob(alice, "a fox", "", v1::JOB_STATUS_QUEUED), &clip);
  EXPECT_EQ(queued.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(queued), "JOB_NOT_COMPLETED");
  const grpc::Status long_title = Publish(alice, CompletedJob(alice, "a fox"), &clip,
                                          [](v1::PublishClipRequest& r) { r.set_title(std::string(101, 'x')); });
  EXPECT_EQ(long_title.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(long_title.error_message().find("title"), std::string::npos) << long_title.error_message();
  const grpc::Status bad_tag = Publish(alice, CompletedJob(alice, "a fox"), &clip,
                                       [](v1::PublishClipRequest& r) { r.add_tags("no spaces"); });
  EXPECT_EQ(bad_tag.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Publish(alice, "not-a-uuid", &clip).error_code(), StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext anonymous;
  v1::GetClipRequest get;
  get.set_clip_id(ids_.Next());
  EXPECT_EQ(clips_->GetClip(&anonymous, get, &clip).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(ClipsServiceTest, VisibilityFollowersAndBlocksApplyToEveryRead) {
  const TestUser alice = NewUser(), bob = NewUser(), carol = NewUser();
  const v1::Clip open = NewClip(alice, "open fox");
  const v1::Clip friends = NewClip(alice, "friends fox", "", v1::VISIBILITY_FOLLOWERS);
  const v1::Clip mine = NewClip(alice, "private fox", "", v1::VISIBILITY_PRIVATE);
  const v1::Clip unlisted = NewClip(alice, "unlisted fox", "", v1::VISIBILITY_UNLISTED);
  v1::Clip seen;
  EXPECT_TRUE(Get(bob, open.clip_id(), &seen).ok());
  EXPECT_EQ(Get(bob, friends.clip_id(), &seen).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(bob, mine.clip_id(), &seen).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get(bob, unlisted.clip_id(), &seen).ok());
  EXPECT_TRUE(Get(alice, mine.clip_id(), &seen).ok());

  Follow(bob, alice);
  EXPECT_TRUE(Get(bob, friends.clip_id(), &seen).ok());
  EXPECT_EQ(Get(bob, mine.clip_id(), &seen).error_code(), StatusCode::NOT_FOUND);

  // Carol sees only the public one in the list (unlisted is never listed).
  v1::ListClipsRequest list;
  list.set_author_id(alice.id);
  v1::ListClipsResponse page;
  ASSERT_TRUE(As(carol, &v1::ClipsService::Stub::ListClips, list, &page).ok());
  ASSERT_EQ(page.clips_size(), 1);
  EXPECT_EQ(page.clips(0).clip_id(), open.clip_id());

  // Blocked: nothing of the author's, not even the public clip or a fork's
  // lineage node.
  const v1::Clip fork = NewClip(bob, "open fox, running", open.clip_id());
  Block(alice, carol);
  EXPECT_EQ(Get(carol, open.clip_id(), &seen).error_code(), StatusCode::NOT_FOUND);
  ASSERT_TRUE(As(carol, &v1::ClipsService::Stub::ListClips, list, &page).ok());
  EXPECT_EQ(page.clips_size(), 0);
  v1::GetLineageRequest lineage;
  lineage.set_clip_id(fork.clip_id());
  v1::GetLineageResponse ancestors;
  ASSERT_TRUE(As(carol, &v1::ClipsService::Stub::GetLineage, lineage, &ancestors).ok());
  ASSERT_EQ(ancestors.ancestors_size(), 1);
  EXPECT_TRUE(ancestors.ancestors(0).hidden());
  EXPECT_TRUE(ancestors.ancestors(0).title().empty());
  v1::LikeClipRequest like;
  like.set_request_id(ids_.Next());
  like.set_clip_id(open.clip_id());
  v1::LikeStatus status;
  EXPECT_EQ(As(carol, &v1::ClipsService::Stub::LikeClip, like, &status).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(ClipsServiceTest, UpdateAndDeleteAreTheAuthorsAndDeleteLeavesATombstone) {
  const TestUser alice = NewUser(), bob = NewUser();
  const v1::Clip parent = NewClip(alice, "a quiet lake at dawn");
  const v1::Clip child = NewClip(bob, "a quiet lake at dusk", parent.clip_id());

  v1::UpdateClipRequest update;
  update.set_request_id(ids_.Next());
  update.mutable_clip()->set_clip_id(parent.clip_id());
  update.mutable_clip()->set_title("Dawn");
  update.mutable_clip()->set_caption("ignored: not in the mask");
  update.mutable_update_mask()->add_paths("title");
  v1::Clip updated;
  EXPECT_EQ(As(bob, &v1::ClipsService::Stub::UpdateClip, update, &updated).error_code(),
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::UpdateClip, update, &updated).ok());
  EXPECT_EQ(updated.title(), "Dawn");
  EXPECT_EQ(updated.caption(), "");
  update.set_request_id(ids_.Next());
  update.mutable_update_mask()->add_paths("duration");
  EXPECT_EQ(As(alice, &v1::ClipsService::Stub::UpdateClip, update, &updated).error_code(),
            StatusCode::INVALID_ARGUMENT);

  v1::DeleteClipRequest remove;
  remove.set_request_id(ids_.Next());
  remove.set_clip_id(parent.clip_id());
  google::protobuf::Empty empty;
  EXPECT_EQ(As(bob, &v1::ClipsService::Stub::DeleteClip, remove, &empty).error_code(),
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::DeleteClip, remove, &empty).ok());
  v1::Clip gone;
  EXPECT_EQ(Get(bob, parent.clip_id(), &gone).error_code(), StatusCode::NOT_FOUND);

  // The fork keeps its lineage, the parent marked removed.
  v1::GetLineageRequest lineage;
  lineage.set_clip_id(child.clip_id());
  v1::GetLineageResponse ancestors;
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::GetLineage, lineage, &ancestors).ok());
  ASSERT_EQ(ancestors.ancestors_size(), 1);
  EXPECT_EQ(ancestors.ancestors(0).clip_id(), parent.clip_id());
  EXPECT_TRUE(ancestors.ancestors(0).removed());
  EXPECT_TRUE(ancestors.ancestors(0).prompt().empty());
  // A fork of the tombstone still publishes under it.
  const v1::Clip late = NewClip(bob, "a quiet lake at noon", parent.clip_id());
  EXPECT_EQ(late.parent_clip_id(), parent.clip_id());
  EXPECT_EQ(late.depth(), 1);
}

TEST_F(ClipsServiceTest, LikesAndViewsCountOncePerUser) {
  const TestUser alice = NewUser(), bob = NewUser(), carol = NewUser();
  const v1::Clip clip = NewClip(alice, "a cat on a piano");
  v1::LikeStatus status;
  for (const TestUser& user : {bob, bob, carol}) {
    v1::LikeClipRequest like;
    like.set_request_id(ids_.Next());
    like.set_clip_id(clip.clip_id());
    ASSERT_TRUE(As(user, &v1::ClipsService::Stub::LikeClip, like, &status).ok());
  }
  EXPECT_EQ(status.like_count(), 2);
  v1::UnlikeClipRequest unlike;
  unlike.set_request_id(ids_.Next());
  unlike.set_clip_id(clip.clip_id());
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::UnlikeClip, unlike, &status).ok());
  EXPECT_FALSE(status.liked());
  EXPECT_EQ(status.like_count(), 1);
  v1::Clip seen;
  ASSERT_TRUE(Get(carol, clip.clip_id(), &seen).ok());
  EXPECT_TRUE(seen.liked_by_viewer());
  EXPECT_EQ(seen.counts().like_count(), 1);

  v1::RecordViewRequest view;
  view.set_clip_id(clip.clip_id());
  *view.mutable_watch_duration() = kit::ToDuration(absl::Seconds(3));
  v1::RecordViewResponse counted;
  view.set_request_id(ids_.Next());
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::RecordView, view, &counted).ok());
  EXPECT_TRUE(counted.counted());
  view.set_request_id(ids_.Next());
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::RecordView, view, &counted).ok());
  EXPECT_FALSE(counted.counted());
  view.set_request_id(ids_.Next());
  ASSERT_TRUE(As(carol, &v1::ClipsService::Stub::RecordView, view, &counted).ok());
  EXPECT_TRUE(counted.counted());
  ASSERT_TRUE(Get(carol, clip.clip_id(), &seen).ok());
  EXPECT_EQ(seen.counts().view_count(), 2);
  *view.mutable_watch_duration() = kit::ToDuration(absl::Hours(2));
  view.set_request_id(ids_.Next());
  EXPECT_EQ(As(carol, &v1::ClipsService::Stub::RecordView, view, &counted).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(ClipsServiceTest, TheForkGraphReadsLineageDescendantsVariantsCanvasAndAttribution) {
  const TestUser alice = NewUser(), bob = NewUser(), carol = NewUser();
  const v1::Clip root = NewClip(alice, "a red fox jumps over the fence");
  const v1::Clip b = NewClip(bob, "a red fox leaps over the tall fence", root.clip_id());
  const v1::Clip c = NewClip(carol, "a grey fox leaps over the tall fence", b.clip_id());
  const v1::Clip d = NewClip(carol, "a red fox jumps over the moon", root.clip_id());
  const v1::Clip e = NewClip(alice, "a grey wolf leaps over the tall fence", c.clip_id());
  const v1::Clip f = NewClip(bob, "a grey wolf leaps over the tall wall", e.clip_id());
  EXPECT_EQ(b.root_clip_id(), root.clip_id());
  EXPECT_EQ(f.depth(), 4);

  v1::Clip now;
  ASSERT_TRUE(Get(alice, root.clip_id(), &now).ok());
  EXPECT_EQ(now.counts().direct_fork_count(), 2);
  EXPECT_EQ(now.counts().descendant_count(), 5);
  ASSERT_TRUE(Get(alice, c.clip_id(), &now).ok());
  EXPECT_EQ(now.counts().descendant_count(), 2);

  // Lineage, nearest first, two at a time.
  v1::GetLineageRequest lineage;
  lineage.set_clip_id(f.clip_id());
  lineage.set_page_size(2);
  v1::GetLineageResponse page;
  std::vector<std::string> ancestors;
  do {
    ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::GetLineage, lineage, &page).ok());
    for (const v1::ClipNode& node : page.ancestors()) ancestors.push_back(node.clip_id());
    lineage.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  EXPECT_EQ(ancestors, (std::vector<std::string>{e.clip_id(), c.clip_id(), b.clip_id(), root.clip_id()}));
  EXPECT_EQ(page.depth(), 4);
  // A token naming a clip that is not above this one is refused.
  lineage.set_clip_id(d.clip_id());
  lineage.set_page_token(clips_service::LineagePageToken(c.clip_id()));
  EXPECT_EQ(As(alice, &v1::ClipsService::Stub::GetLineage, lineage, &page).error_code(),
            StatusCode::INVALID_ARGUMENT);

  // Descendants of the root breadth first, paged.
  v1::ListDescendantsRequest below;
  below.set_clip_id(root.clip_id());
  below.set_page_size(2);
  v1::ListDescendantsResponse descendants;
  std::vector<std::string> order;
  do {
    ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListDescendants, below, &descendants).ok());
    for (const v1::ClipNode& node : descendants.descendants()) order.push_back(node.clip_id());
    below.set_page_token(descendants.next_page_token());
  } while (!descendants.next_page_token().empty());
  EXPECT_EQ(order, (std::vector<std::string>{d.clip_id(), b.clip_id(), c.clip_id(), e.clip_id(), f.clip_id()}));
  EXPECT_EQ(descendants.total_size(), 5);
  // A token resumes only the listing that issued it: not another clip's
  // descendants, nor the same clip's canvas.
  below.clear_page_token();
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListDescendants, below, &descendants).ok());
  ASSERT_FALSE(descendants.next_page_token().empty());
  v1::ListDescendantsRequest elsewhere;
  elsewhere.set_clip_id(b.clip_id());
  elsewhere.set_page_token(descendants.next_page_token());
  v1::ListDescendantsResponse refused;
  const grpc::Status foreign = As(alice, &v1::ClipsService::Stub::ListDescendants, elsewhere, &refused);
  EXPECT_EQ(foreign.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(foreign.error_message().find("page_token"), std::string::npos) << foreign.error_message();
  v1::GetCanvasRequest canvas_of_root;
  canvas_of_root.set_clip_id(root.clip_id());
  canvas_of_root.set_page_token(descendants.next_page_token());
  v1::GetCanvasResponse no_canvas;
  EXPECT_EQ(As(alice, &v1::ClipsService::Stub::GetCanvas, canvas_of_root, &no_canvas).error_code(),
            StatusCode::INVALID_ARGUMENT);
  // An inner node's subtree, one level.
  v1::ListDescendantsRequest inner;
  inner.set_clip_id(c.clip_id());
  inner.set_max_depth(1);
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListDescendants, inner, &descendants).ok());
  ASSERT_EQ(descendants.descendants_size(), 1);
  EXPECT_EQ(descendants.descendants(0).clip_id(), e.clip_id());
  EXPECT_EQ(descendants.total_size(), 1);

  // Variants carry word diffs against the clip's prompt.
  v1::ListVariantsRequest variants;
  variants.set_clip_id(b.clip_id());
  variants.set_relation(v1::VARIANT_RELATION_FORKS);
  v1::ListVariantsResponse forks;
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListVariants, variants, &forks).ok());
  ASSERT_EQ(forks.variants_size(), 1);
  const v1::PromptDiff& diff = forks.variants(0).diff();
  EXPECT_EQ(diff.inserted_words(), 1);
  EXPECT_EQ(diff.deleted_words(), 1);
  std::string parent_text, inserted;
  for (const v1::DiffSpan& span : diff.spans()) {
    if (span.op() == v1::DIFF_OP_INSERT) {
      inserted += span.text();
    } else {
      parent_text += span.text();
    }
  }
  EXPECT_NE(inserted.find("grey"), std::string::npos) << inserted;
  EXPECT_EQ(parent_text, b.generation().prompt());
  // By default its siblings follow its forks, one a page here: c, then d
  // (the root's other fork, with its diff against the root).
  variants.set_relation(v1::VARIANT_RELATION_UNSPECIFIED);
  variants.set_page_size(1);
  std::vector<std::string> listed;
  v1::ListVariantsResponse both;
  do {
    ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListVariants, variants, &both).ok());
    for (const v1::ClipNode& node : both.variants()) {
      listed.push_back(node.clip_id());
      if (node.clip_id() == d.clip_id()) {
        EXPECT_EQ(node.parent_clip_id(), root.clip_id());
        EXPECT_EQ(node.diff().inserted_words(), 1);  // "moon" for "fence"
      }
    }
    variants.set_page_token(both.next_page_token());
  } while (!both.next_page_token().empty() && listed.size() < 10);
  EXPECT_EQ(listed, (std::vector<std::string>{c.clip_id(), d.clip_id()}));
  // A token of b's variants is not one of c's: neither the one b's listing
  // gave, nor one naming c with a cursor among b's forks.
  variants.set_clip_id(b.clip_id());
  variants.set_page_size(1);
  variants.clear_page_token();
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListVariants, variants, &both).ok());
  ASSERT_FALSE(both.next_page_token().empty());
  variants.set_clip_id(c.clip_id());
  variants.set_page_token(both.next_page_token());
  EXPECT_EQ(As(alice, &v1::ClipsService::Stub::ListVariants, variants, &both).error_code(),
            StatusCode::INVALID_ARGUMENT);
  variants.set_page_token(
      clips_service::GraphPageToken(clips_service::VariantsListing(variants.relation()), c.clip_id(),
                                    v1::DESCENDANT_ORDER_NEWEST,
                                    clips_service::GraphCursor{.key = 0, .clip_id = d.clip_id()}));
  EXPECT_EQ(As(alice, &v1::ClipsService::Stub::ListVariants, variants, &both).error_code(),
            StatusCode::INVALID_ARGUMENT);

  // The canvas: the root first with its prompt, parents before children.
  v1::GetCanvasRequest canvas;
  canvas.set_clip_id(root.clip_id());
  canvas.set_page_size(4);
  v1::GetCanvasResponse tree;
  std::vector<v1::ClipNode> nodes;
  do {
    ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::GetCanvas, canvas, &tree).ok());
    nodes.insert(nodes.end(), tree.nodes().begin(), tree.nodes().end());
    canvas.set_page_token(tree.next_page_token());
  } while (!tree.next_page_token().empty());
  ASSERT_EQ(nodes.size(), 6u);
  EXPECT_EQ(tree.total_size(), 6);
  EXPECT_EQ(nodes[0].clip_id(), root.clip_id());
  EXPECT_EQ(nodes[0].prompt(), root.generation().prompt());
  std::set<std::string> placed;
  for (const v1::ClipNode& node : nodes) {
    if (!node.parent_clip_id().empty()) {
      EXPECT_TRUE(placed.contains(node.parent_clip_id())) << node.clip_id();
      EXPECT_GT(node.diff().spans_size(), 0);
    }
    placed.insert(node.clip_id());
  }

  // Attribution: four ancestors, halving.
  v1::GetAttributionChainRequest chain_request;
  chain_request.set_clip_id(f.clip_id());
  v1::AttributionChain chain;
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::GetAttributionChain, chain_request, &chain).ok());
  ASSERT_EQ(chain.entries_size(), 4);
  EXPECT_EQ(chain.entries(0).clip_id(), e.clip_id());
  EXPECT_EQ(chain.entries(0).weight(), 50000);
  EXPECT_EQ(chain.entries(3).clip_id(), root.clip_id());
  EXPECT_EQ(chain.entries(3).weight(), 6250);
  EXPECT_EQ(chain.total_weight(), 50000 + 25000 + 12500 + 6250);
  EXPECT_EQ(chain.entries(0).author().user_id(), alice.id);
}

TEST_F(ClipsServiceTest, ConcurrentForksLeaveEveryCountExact) {
  const TestUser alice = NewUser();
  const v1::Clip root = NewClip(alice, "a lighthouse in a storm");
  const v1::Clip parent = NewClip(alice, "a lighthouse in a calm sea", root.clip_id());
  constexpr int kClients = 8, kEach = 10;
  std::vector<TestUser> users;
  std::vector<std::vector<std::string>> jobs(kClients);
  for (int i = 0; i < kClients; ++i) {
    users.push_back(NewUser());
    for (int j = 0; j < kEach; ++j) {
      jobs[i].push_back(CompletedJob(users[i], "a lighthouse number " + std::to_string(j), parent.clip_id()));
    }
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      auto stub = server_.NewClipsStub();
      for (const std::string& job_id : jobs[i]) {
        v1::PublishClipRequest request;
        request.set_request_id(ids_.Next());
        request.set_job_id(job_id);
        v1::Clip clip;
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + users[i].token);
        if (!stub->PublishClip(&ctx, request, &clip).ok()) failures++;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(failures.load(), 0);
  v1::Clip now;
  ASSERT_TRUE(Get(alice, parent.clip_id(), &now).ok());
  EXPECT_EQ(now.counts().direct_fork_count(), kClients * kEach);
  EXPECT_EQ(now.counts().descendant_count(), kClients * kEach);
  ASSERT_TRUE(Get(alice, root.clip_id(), &now).ok());
  EXPECT_EQ(now.counts().direct_fork_count(), 1);
  EXPECT_EQ(now.counts().descendant_count(), kClients * kEach + 1);
}

TEST_F(ClipsServiceTest, ModerationRemovalKeepsTheGraphAndRestoreBringsItBack) {
  const TestUser alice = NewUser(), bob = NewUser();
  const v1::Clip parent = NewClip(alice, "a storm over the sea");
  const v1::Clip child = NewClip(bob, "a storm over the city", parent.clip_id());
  const auto decide = [&](v1::ModerationAction action) {
    v1::EventEnvelope event = server_.bus().events().New("clipforge.moderation.decided", "case", ids_.Next());
    v1::ModerationDecidedEvent* decided = event.mutable_moderation_decided();
    decided->set_decision_id(ids_.Next());
    decided->mutable_target()->set_kind(v1::CONTENT_KIND_CLIP);
    decided->mutable_target()->set_id(parent.clip_id());
    decided->set_action(action);
    Deliver(event);
  };
  decide(v1::MODERATION_ACTION_REMOVE);
  v1::Clip seen;
  EXPECT_EQ(Get(alice, parent.clip_id(), &seen).error_code(), StatusCode::NOT_FOUND);
  v1::GetLineageRequest lineage;
  lineage.set_clip_id(child.clip_id());
  v1::GetLineageResponse ancestors;
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::GetLineage, lineage, &ancestors).ok());
  ASSERT_EQ(ancestors.ancestors_size(), 1);
  EXPECT_TRUE(ancestors.ancestors(0).removed());
  const TestUser admin = NewUser({base::Role::kUser, base::Role::kAdmin});
  ASSERT_TRUE(Get(admin, parent.clip_id(), &seen).ok());
  EXPECT_TRUE(seen.removed());
  EXPECT_EQ(seen.removal_reason(), v1::REMOVAL_REASON_MODERATION);

  decide(v1::MODERATION_ACTION_RESTORE);
  ASSERT_TRUE(Get(bob, parent.clip_id(), &seen).ok());
  EXPECT_FALSE(seen.removed());
}

TEST_F(ClipsServiceTest, AccountDeletionLeavesAnonymousTombstones) {
  const TestUser alice = NewUser(), bob = NewUser();
  const v1::Clip parent = NewClip(alice, "a paper boat");
  const v1::Clip child = NewClip(bob, "a paper plane", parent.clip_id());
  v1::LikeClipRequest like;
  like.set_request_id(ids_.Next());
  like.set_clip_id(child.clip_id());
  v1::LikeStatus status;
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::LikeClip, like, &status).ok());

  v1::EventEnvelope event = Event("clipforge.user.deleted", alice.id);
  event.mutable_user_deleted()->set_user_id(alice.id);
  Deliver(event);

  v1::Clip seen;
  EXPECT_EQ(Get(bob, parent.clip_id(), &seen).error_code(), StatusCode::NOT_FOUND);
  ASSERT_TRUE(Get(bob, child.clip_id(), &seen).ok());
  EXPECT_EQ(seen.counts().like_count(), 0);
  EXPECT_EQ(seen.parent_clip_id(), parent.clip_id());
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM clips.clips WHERE author_id = '" + alice.id + "'"), 0);
  v1::GetLineageRequest lineage;
  lineage.set_clip_id(child.clip_id());
  v1::GetLineageResponse ancestors;
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::GetLineage, lineage, &ancestors).ok());
  ASSERT_EQ(ancestors.ancestors_size(), 1);
  EXPECT_TRUE(ancestors.ancestors(0).removed());
  EXPECT_FALSE(ancestors.ancestors(0).has_author());
}

TEST_F(ClipsServiceTest, ForkClipStartsARemixJobWhosePublishedClipIsAChild) {
  const TestUser alice = NewUser(), bob = NewUser();
  const v1::Clip parent = NewClip(alice, "a lantern floating on a dark river");
  v1::ForkClipRequest fork;
  fork.set_request_id(ids_.Next());
  fork.set_clip_id(parent.clip_id());
  fork.mutable_spec()->set_prompt("a lantern floating on a bright river");
  v1::ForkClipResponse started;
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::ForkClip, fork, &started).ok());
  const v1::GenerationJob& job = started.job();
  EXPECT_EQ(job.user_id(), bob.id);
  EXPECT_EQ(job.spec().remix_of_clip_id(), parent.clip_id());
  // Unset fields came from the parent.
  EXPECT_EQ(job.spec().seed(), parent.generation().seed());
  EXPECT_EQ(job.spec().seconds(), parent.generation().seconds());
  EXPECT_EQ(job.spec().prompt(), "a lantern floating on a bright river");
  // A retry is the same job.
  v1::ForkClipResponse again;
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::ForkClip, fork, &again).ok());
  EXPECT_EQ(again.job().job_id(), job.job_id());

  // Generation keeps the parent's manifest for the worker (an ingredient).
  generation_service::JobRecord record;
  ASSERT_TRUE(server_.generation()
                  .store()
                  .Transact(generation_service::TxMode::kReadWrite,
                            [&](generation_service::GenerationTx& tx) -> absl::Status {
                              std::optional<generation_service::JobRecord> found = tx.LockJob(job.job_id());
                              if (!found) return absl::NotFoundError("job");
                              record = *found;
                              // The worker's part, done: completed with outputs.
                              record.status = v1::JOB_STATUS_COMPLETED;
                              record.outputs = OutputsOf(job.job_id());
                              tx.UpdateJob(record);
                              return absl::OkStatus();
                            })
                  .ok());
  ASSERT_TRUE(record.parent_provenance.has_value());
  EXPECT_EQ(record.parent_provenance->sha256(), OutputsOf(parent.job_id()).provenance().sha256());
  const absl::Status stored = StoreOutputs(server_.generation().blobs(), job.job_id());
  ASSERT_TRUE(stored.ok()) << stored;

  v1::Clip child;
  ASSERT_TRUE(Publish(bob, job.job_id(), &child).ok());
  EXPECT_EQ(child.parent_clip_id(), parent.clip_id());
  EXPECT_EQ(child.depth(), 1);
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.clip.forked' "
                                 "AND aggregate_id = '" + parent.clip_id() + "'"),
            1);
}

TEST_F(ClipsServiceTest, ForksRespectVisibilityAndTheAuthorsChoice) {
  const TestUser alice = NewUser(), bob = NewUser();
  const v1::Clip hidden = NewClip(alice, "a secret garden", "", v1::VISIBILITY_PRIVATE);
  v1::ForkClipRequest fork;
  fork.set_request_id(ids_.Next());
  fork.set_clip_id(hidden.clip_id());
  fork.mutable_spec()->set_prompt("a public garden");
  v1::ForkClipResponse started;
  EXPECT_EQ(As(bob, &v1::ClipsService::Stub::ForkClip, fork, &started).error_code(), StatusCode::NOT_FOUND);

  v1::Clip closed;
  ASSERT_TRUE(Publish(alice, CompletedJob(alice, "a closed garden"), &closed,
                      [](v1::PublishClipRequest& r) { r.set_forking_allowed(false); })
                  .ok());
  EXPECT_FALSE(closed.forking_allowed());
  fork.set_request_id(ids_.Next());
  fork.set_clip_id(closed.clip_id());
  const grpc::Status refused = As(bob, &v1::ClipsService::Stub::ForkClip, fork, &started);
  EXPECT_EQ(refused.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(refused), "FORKING_DISABLED");

  // GenerationService.CreateJob with remix_of_clip_id answers the same.
  auto jobs = server_.NewGenerationStub();
  v1::CreateJobRequest create;
  create.set_request_id(ids_.Next());
  create.mutable_spec()->set_prompt("a garden remixed");
  create.mutable_spec()->set_remix_of_clip_id(closed.clip_id());
  v1::GenerationJob job;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + bob.token);
  const grpc::Status direct = jobs->CreateJob(&ctx, create, &job);
  EXPECT_EQ(direct.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(direct.error_message().find("spec.remix_of_clip_id"), std::string::npos) << direct.error_message();

  fork.set_request_id(ids_.Next());
  fork.mutable_spec()->clear_prompt();
  EXPECT_EQ(As(bob, &v1::ClipsService::Stub::ForkClip, fork, &started).error_code(), StatusCode::INVALID_ARGUMENT);

  // An unknown parent is NOT_FOUND, like an invisible one. (A cycle cannot
  // be made: a clip's parent is fixed at publish to a clip that existed
  // before it.)
  fork.set_request_id(ids_.Next());
  fork.set_clip_id(ids_.Next());
  fork.mutable_spec()->set_prompt("a garden from nowhere");
  EXPECT_EQ(As(bob, &v1::ClipsService::Stub::ForkClip, fork, &started).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(ClipsServiceTest, CommentsRepliesBlockedTextAndDeletion) {
  const TestUser alice = NewUser(), bob = NewUser(), carol = NewUser();
  const TestUser admin = NewUser({base::Role::kUser, base::Role::kAdmin});
  const v1::Clip clip = NewClip(alice, "a kite over the dunes");
  const auto comment = [&](const TestUser& user, const std::string& text, const std::string& parent,
                           v1::Comment* out) {
    v1::CreateCommentRequest request;
    request.set_request_id(ids_.Next());
    request.set_clip_id(clip.clip_id());
    request.set_text(text);
    request.set_parent_comment_id(parent);
    return As(user, &v1::ClipsService::Stub::CreateComment, request, out);
  };
  v1::Comment top, reply, other;
  ASSERT_TRUE(comment(bob, "lovely colours", "", &top).ok());
  EXPECT_EQ(top.author().user_id(), bob.id);
  ASSERT_TRUE(comment(carol, "agreed", top.comment_id(), &reply).ok());
  ASSERT_TRUE(comment(carol, "a second thought", "", &other).ok());
  v1::Comment nested;
  EXPECT_EQ(comment(bob, "deeper", reply.comment_id(), &nested).error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(comment(bob, std::string(501, 'x'), "", &nested).error_code(), StatusCode::INVALID_ARGUMENT);

  // A keyword rule an admin adds blocks comments that use it.
  BlockWord(admin, "forbiddenword");
  const grpc::Status blocked = comment(bob, "a forbiddenword remark", "", &nested);
  EXPECT_EQ(blocked.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(blocked), "TEXT_BLOCKED");

  v1::Clip now;
  ASSERT_TRUE(Get(alice, clip.clip_id(), &now).ok());
  EXPECT_EQ(now.counts().comment_count(), 3);

  // Top-level newest first, one per page; replies under their comment.
  v1::ListCommentsRequest list;
  list.set_clip_id(clip.clip_id());
  list.set_page_size(1);
  v1::ListCommentsResponse page;
  std::vector<std::string> seen;
  do {
    ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListComments, list, &page).ok());
    for (const v1::Comment& c : page.comments()) seen.push_back(c.comment_id());
    list.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  EXPECT_EQ(seen, (std::vector<std::string>{other.comment_id(), top.comment_id()}));
  v1::ListCommentsRequest replies;
  replies.set_clip_id(clip.clip_id());
  replies.set_parent_comment_id(top.comment_id());
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::ListComments, replies, &page).ok());
  ASSERT_EQ(page.comments_size(), 1);
  EXPECT_EQ(page.comments(0).comment_id(), reply.comment_id());

  // Someone else may not delete bob's comment; the clip's author may. With
  // a reply under it, it stays as a tombstone.
  v1::DeleteCommentRequest remove;
  remove.set_request_id(ids_.Next());
  remove.set_comment_id(top.comment_id());
  google::protobuf::Empty empty;
  EXPECT_EQ(As(carol, &v1::ClipsService::Stub::DeleteComment, remove, &empty).error_code(),
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(As(alice, &v1::ClipsService::Stub::DeleteComment, remove, &empty).ok());
  list.clear_page_token();
  list.set_page_size(10);
  ASSERT_TRUE(As(carol, &v1::ClipsService::Stub::ListComments, list, &page).ok());
  ASSERT_EQ(page.comments_size(), 2);
  EXPECT_TRUE(page.comments(1).deleted());
  EXPECT_TRUE(page.comments(1).text().empty());
  EXPECT_FALSE(page.comments(1).has_author());
  ASSERT_TRUE(Get(alice, clip.clip_id(), &now).ok());
  EXPECT_EQ(now.counts().comment_count(), 2);

  // Carol's comments are hidden from a viewer who mutes her.
  v1::EventEnvelope mute = Event("clipforge.user.muted", bob.id);
  mute.mutable_user_muted()->set_muter_id(bob.id);
  mute.mutable_user_muted()->set_muted_id(carol.id);
  Deliver(mute);
  ASSERT_TRUE(As(bob, &v1::ClipsService::Stub::ListComments, list, &page).ok());
  ASSERT_EQ(page.comments_size(), 1);
  EXPECT_EQ(page.comments(0).comment_id(), top.comment_id());
}

TEST_F(ClipsServiceTest, ABlockedCaptionIsRefusedAtPublish) {
  const TestUser alice = NewUser();
  const TestUser admin = NewUser({base::Role::kUser, base::Role::kAdmin});
  BlockWord(admin, "forbiddenword");
  v1::Clip clip;
  const grpc::Status blocked = Publish(alice, CompletedJob(alice, "a calm sea"), &clip,
                                       [](v1::PublishClipRequest& r) { r.set_caption("a forbiddenword caption"); });
  EXPECT_EQ(blocked.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(blocked), "TEXT_BLOCKED");
  EXPECT_NE(blocked.error_message().find("caption"), std::string::npos) << blocked.error_message();
}

}  // namespace
}  // namespace clipforge::testing
