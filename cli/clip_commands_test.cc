// publish, lineage, edit-clip, clips and the comment commands end to end
// against an in-process fake ClipsService on a free port: the request sent
// (fresh request ids, the update mask, the signed-in user as the default
// author, a reply's parent), lineage's and comments' pages, and flag
// mistakes caught before any call.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "base/validation.h"
#include "cli/errors.h"
#include "cli/test_util.h"
#include "clipforge/v1/clips.grpc.pb.h"

namespace clipforge::cli {
namespace {

constexpr char kClipsAccessToken[] = "AT-alice";
// Comment ids are UUIDs; `comments` shows their last 8 characters.
constexpr char kNewCommentId[] = "0190f5a2-7b3c-7def-8123-0000000000aa";
constexpr char kTopCommentId[] = "0190f5a2-7b3c-7def-8123-000000000003";
constexpr char kDeletedCommentId[] = "0190f5a2-7b3c-7def-8123-000000000002";
constexpr char kOldCommentId[] = "0190f5a2-7b3c-7def-8123-000000000001";
constexpr char kReplyId[] = "0190f5a2-7b3c-7def-8123-000000000004";

grpc::Status ClipsUnauthenticated() { return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no token"); }

v1::ClipNode Ancestor(std::string id, int32_t depth) {
  v1::ClipNode node;
  node.set_clip_id(std::move(id));
  node.set_depth(depth);
  node.set_root_clip_id("clip-0");
  return node;
}

v1::Comment MakeComment(std::string id, std::string handle, std::string text, int32_t replies) {
  v1::Comment comment;
  comment.set_comment_id(std::move(id));
  comment.set_clip_id("clip-9");
  if (!handle.empty()) {
    comment.mutable_author()->set_user_id(absl::StrCat("id-", handle));
    comment.mutable_author()->set_handle(std::move(handle));
  }
  comment.set_text(std::move(text));
  comment.set_reply_count(replies);
  return comment;
}

// Keeps every request; PublishClip and CreateComment answer with the clip
// or comment the request describes, GetLineage serves `ancestors` and
// ListComments `comments` two a page (a comment's replies: one reply).
class FakeClips final : public v1::ClipsService::Service {
 public:
  absl::Mutex mu;
  std::vector<v1::ClipNode> ancestors ABSL_GUARDED_BY(mu);
  std::vector<v1::ListVariantsRequest> variant_listings ABSL_GUARDED_BY(mu);
  std::vector<v1::PublishClipRequest> publishes ABSL_GUARDED_BY(mu);
  std::vector<v1::GetLineageRequest> lineages ABSL_GUARDED_BY(mu);
  std::vector<v1::UpdateClipRequest> updates ABSL_GUARDED_BY(mu);
  std::vector<v1::ListClipsRequest> lists ABSL_GUARDED_BY(mu);
  std::vector<v1::Comment> comments ABSL_GUARDED_BY(mu);
  std::vector<v1::CreateCommentRequest> comment_creates ABSL_GUARDED_BY(mu);
  std::vector<v1::ListCommentsRequest> comment_lists ABSL_GUARDED_BY(mu);
  std::vector<v1::DeleteCommentRequest> comment_deletes ABSL_GUARDED_BY(mu);

  int Calls() {
    absl::MutexLock lock(&mu);
    return static_cast<int>(publishes.size() + lineages.size() + updates.size() + lists.size() +
                            comment_creates.size() + comment_lists.size() + comment_deletes.size());
  }

  static bool SignedIn(grpc::ServerContext* ctx) {
    const auto& md = ctx->client_metadata();
    const auto auth = md.find("authorization");
    return auth != md.end() &&
           std::string(auth->second.data(), auth->second.size()) == absl::StrCat("Bearer ", kClipsAccessToken);
  }

  grpc::Status PublishClip(grpc::ServerContext* ctx, const v1::PublishClipRequest* req, v1::Clip* resp) override {
    if (!SignedIn(ctx)) return ClipsUnauthenticated();
    absl::MutexLock lock(&mu);
    publishes.push_back(*req);
    if (req->job_id() == "job-published") {
      v1::ErrorDetail detail;
      detail.set_reason("JOB_ALREADY_PUBLISHED");
      ctx->AddTrailingMetadata("clipforge-error-bin", detail.SerializeAsString());
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "the job is already published");
    }
    resp->set_clip_id("clip-9");
    resp->mutable_author()->set_user_id("id-alice");
    resp->mutable_author()->set_handle("alice");
    resp->set_job_id(req->job_id());
    resp->mutable_generation()->set_prompt("a red fox");
    resp->set_root_clip_id("clip-9");
    resp->set_title(req->title());
    resp->set_caption(req->caption());
    *resp->mutable_tags() = req->tags();
    resp->set_language(req->language());
    resp->set_visibility(req->visibility() == v1::VISIBILITY_UNSPECIFIED ? v1::VISIBILITY_PUBLIC : req->visibility());
    resp->set_forking_allowed(!req->has_forking_allowed() || req->forking_allowed());
    resp->mutable_create_time()->set_seconds(1714564800);
    if (req->job_id() == "job-signed") {
      v1::C2paSummary& c2pa = *resp->mutable_c2pa();
      c2pa.set_present(true);
      c2pa.set_valid(true);
      c2pa.set_manifest_label("urn:c2pa:child");
      c2pa.set_claim_generator("ClipForge 0.1.0");
      c2pa.set_digital_source_type("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia");
      c2pa.set_signer("worker-1");
      c2pa.set_parent_manifest_label("urn:c2pa:parent");
    }
    return grpc::Status::OK;
  }

  grpc::Status ListVariants(grpc::ServerContext* ctx, const v1::ListVariantsRequest* req,
                            v1::ListVariantsResponse* resp) override {
    if (!SignedIn(ctx)) return ClipsUnauthenticated();
    absl::MutexLock lock(&mu);
    variant_listings.push_back(*req);
    v1::ClipNode& fork = *resp->add_variants();
    fork.set_clip_id("clip-fork");
    fork.set_parent_clip_id(req->clip_id());
    fork.set_title("A fork");
    v1::ClipNode& sibling = *resp->add_variants();
    sibling.set_clip_id("clip-sibling");
    sibling.set_parent_clip_id("clip-parent");
    sibling.set_title("A sibling");
    return grpc::Status::OK;
  }

  grpc::Status GetLineage(grpc::ServerContext* ctx, const v1::GetLineageRequest* req,
                          v1::GetLineageResponse* resp) override {
    if (!SignedIn(ctx)) return ClipsUnauthenticated();
    absl::MutexLock lock(&mu);
    lineages.push_back(*req);
    if (req->clip_id() == "clip-0") return grpc::Status::OK;  // an original
    const size_t start = req->page_token().empty() ? 0 : std::stoul(req->page_token());
    for (size_t i = start; i < ancestors.size() && i < start + 2; ++i) *resp->add_ancestors() = ancestors[i];
    if (start + 2 < ancestors.size()) resp->set_next_page_token(std::to_string(start + 2));
    resp->set_depth(static_cast<int32_t>(ancestors.size()));
    return grpc::Status::OK;
  }

  grpc::Status UpdateClip(grpc::ServerContext* ctx, const v1::UpdateClipRequest* req, v1::Clip* resp) override {
    if (!SignedIn(ctx)) return ClipsUnauthenticated();
    absl::MutexLock lock(&mu);
    updates.push_back(*req);
    *resp = req->clip();
    return grpc::Status::OK;
  }

  grpc::Status ListClips(grpc::ServerContext* ctx, const v1::ListClipsRequest* req,
                         v1::ListClipsResponse* resp) override {
    if (!SignedIn(ctx)) return ClipsUnauthenticated();
    absl::MutexLock lock(&mu);
    lists.push_back(*req);
    return grpc::Status::OK;
  }

  grpc::Status CreateComment(grpc::ServerContext* ctx, const v1::CreateCommentRequest* req,
                             v1::Comment* resp) override {
    if (!SignedIn(ctx)) return ClipsUnauthenticated();
    absl::MutexLock lock(&mu);
    comment_creates.push_back(*req);
    *resp = MakeComment(kNewCommentId, "alice", req->text(), 0);
    resp->set_clip_id(req->clip_id());
    resp->set_parent_comment_id(req->parent_comment_id());
    resp->mutable_create_time()->set_seconds(1714564800);
    return grpc::Status::OK;
  }

  grpc::Status ListComments(grpc::ServerContext* ctx, const v1::ListCommentsRequest* req,
                            v1::ListCommentsResponse* resp) override {
    if (!SignedIn(ctx)) return ClipsUnauthenticated();
    absl::MutexLock lock(&mu);
    comment_lists.push_back(*req);
    if (!req->parent_comment_id().empty()) {
      v1::Comment reply = MakeComment(kReplyId, "alice", "thanks!", 0);
      reply.set_parent_comment_id(req->parent_comment_id());
      *resp->add_comments() = std::move(reply);
      return grpc::Status::OK;
    }
    const size_t start = req->page_token().empty() ? 0 : std::stoul(req->page_token());
    for (size_t i = start; i < comments.size() && i < start + 2; ++i) *resp->add_comments() = comments[i];
    if (start + 2 < comments.size()) resp->set_next_page_token(std::to_string(start + 2));
    return grpc::Status::OK;
  }

  grpc::Status DeleteComment(grpc::ServerContext* ctx, const v1::DeleteCommentRequest* req,
                             google::protobuf::Empty*) override {
    if (!SignedIn(ctx)) return ClipsUnauthenticated();
    absl::MutexLock lock(&mu);
    comment_deletes.push_back(*req);
    return grpc::Status::OK;
  }
};

using Result = testing::CliResult;

class ClipCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // clip-3's ancestors, nearest first: a fork, a deleted clip, and an
    // original alice may not see.
    absl::MutexLock lock(&clips_.mu);
    v1::ClipNode parent = Ancestor("clip-2", 2);
    parent.set_parent_clip_id("clip-1");
    parent.set_title("Wolf at dusk");
    parent.mutable_author()->set_handle("bob");
    v1::ClipNode removed = Ancestor("clip-1", 1);
    removed.set_parent_clip_id("clip-0");
    removed.set_removed(true);
    v1::ClipNode hidden = Ancestor("clip-0", 0);
    hidden.set_hidden(true);
    clips_.ancestors = {parent, removed, hidden};
    // clip-9's comments, newest first: bob's with two replies, a deleted
    // one kept for its reply, and carol's, whose text tries to drive the
    // terminal.
    v1::Comment tombstone = MakeComment(kDeletedCommentId, "", "", 1);
    tombstone.set_deleted(true);
    clips_.comments = {MakeComment(kTopCommentId, "bob", "love the colours", 2), tombstone,
                       MakeComment(kOldCommentId, "carol", "first!\n\x1b[2J", 0)};
  }

  Result Cli(std::vector<std::string> args) { return cli_.Run(std::move(args)); }

  FakeClips clips_;
  testing::LoggedInCli cli_{{&clips_}, kClipsAccessToken};
};

TEST_F(ClipCommandsTest, PublishSendsTheFieldsWithAFreshRequestIdAndPrintsTheClip) {
  Result r = Cli({"--json", "publish", "job-1", "--title=Fox in snow", "--caption", "first light", "--tag=snow",
                  "--tag=#Fox", "--language=en", "--visibility=unlisted", "--no-forks"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"clip_id\":\"clip-9\",\"title\":\"Fox in snow\",\"author\":\"@alice\",\"author_id\":\"id-alice\","
            "\"caption\":\"first light\",\"tags\":[\"snow\",\"Fox\"],\"language\":\"en\",\"prompt\":\"a red fox\","
            "\"job_id\":\"job-1\",\"parent_clip_id\":\"\",\"root_clip_id\":\"clip-9\",\"depth\":0,"
            "\"visibility\":\"unlisted\",\"forks_allowed\":false,\"likes\":0,\"views\":0,\"comments\":0,\"forks\":0,"
            "\"descendants\":0,\"liked_by_you\":false,\"created\":\"2024-05-01T12:00:00Z\"}\n");
  // People read it as lines; an original has no parent.
  r = Cli({"publish", "job-2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nparent clip id: -\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nvisibility:     public\n"), std::string::npos) << r.out;

  absl::MutexLock lock(&clips_.mu);
  ASSERT_EQ(clips_.publishes.size(), 2u);
  const v1::PublishClipRequest& sent = clips_.publishes[0];
  EXPECT_TRUE(base::IsCanonicalUuid(sent.request_id())) << sent.request_id();
  EXPECT_EQ(sent.job_id(), "job-1");
  EXPECT_EQ(sent.title(), "Fox in snow");
  EXPECT_EQ(sent.caption(), "first light");
  EXPECT_EQ(std::vector<std::string>(sent.tags().begin(), sent.tags().end()),
            (std::vector<std::string>{"snow", "Fox"}));
  EXPECT_EQ(sent.language(), "en");
  EXPECT_EQ(sent.visibility(), v1::VISIBILITY_UNLISTED);
  ASSERT_TRUE(sent.has_forking_allowed());
  EXPECT_FALSE(sent.forking_allowed());
  // Without flags the server's defaults apply: public, forks allowed.
  const v1::PublishClipRequest& plain = clips_.publishes[1];
  EXPECT_EQ(plain.visibility(), v1::VISIBILITY_UNSPECIFIED);
  EXPECT_FALSE(plain.has_forking_allowed());
  EXPECT_TRUE(plain.tags().empty());
  EXPECT_NE(plain.request_id(), sent.request_id());
}

TEST_F(ClipCommandsTest, PublishShowsWhatTheVideosContentCredentialsSay) {
  Result r = Cli({"--json", "publish", "job-signed"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"content_credentials\":\"valid\",\"signer\":\"worker-1\",\"made_with\":\"ClipForge "
                       "0.1.0\",\"source_type\":\"trainedAlgorithmicMedia\",\"manifest\":\"urn:c2pa:child\","
                       "\"parent_manifest\":\"urn:c2pa:parent\""),
            std::string::npos)
      << r.out;
  // People get the verdict and who signed it; the labels are for scripts.
  r = Cli({"publish", "job-signed"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("valid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("trainedAlgorithmicMedia"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("urn:c2pa:"), std::string::npos) << r.out;
  // A clip whose video has no manifest says nothing of credentials.
  r = Cli({"--json", "publish", "job-1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("content_credentials"), std::string::npos) << r.out;
}

TEST_F(ClipCommandsTest, VariantsListForksThenSiblingsUnderHeadingsAndNarrowByFlag) {
  Result r = Cli({"variants", "clip-9"});
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t forks = r.out.find("forks:\n"), fork = r.out.find("clip-fork");
  const size_t siblings = r.out.find("siblings:\n"), sibling = r.out.find("clip-sibling");
  ASSERT_NE(forks, std::string::npos) << r.out;
  ASSERT_NE(siblings, std::string::npos) << r.out;
  EXPECT_LT(forks, fork);
  EXPECT_LT(fork, siblings);
  EXPECT_LT(siblings, sibling);
  ASSERT_EQ(Cli({"variants", "clip-9", "--forks"}).code, 0);
  ASSERT_EQ(Cli({"variants", "clip-9", "--siblings"}).code, 0);
  ASSERT_EQ(Cli({"variants", "clip-9", "--forks", "--siblings"}).code, 0);

  absl::MutexLock lock(&clips_.mu);
  ASSERT_EQ(clips_.variant_listings.size(), 4u);
  EXPECT_EQ(clips_.variant_listings[0].clip_id(), "clip-9");
  EXPECT_EQ(clips_.variant_listings[0].relation(), v1::VARIANT_RELATION_UNSPECIFIED);
  EXPECT_EQ(clips_.variant_listings[1].relation(), v1::VARIANT_RELATION_FORKS);
  EXPECT_EQ(clips_.variant_listings[2].relation(), v1::VARIANT_RELATION_SIBLINGS);
  EXPECT_EQ(clips_.variant_listings[3].relation(), v1::VARIANT_RELATION_UNSPECIFIED);
}

TEST_F(ClipCommandsTest, PublishingAPublishedJobReportsTheServersReason) {
  const Result r = Cli({"--json", "publish", "job-published"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.out.find("\"code\":\"ALREADY_EXISTS\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"reason\":\"JOB_ALREADY_PUBLISHED\""), std::string::npos) << r.out;
  EXPECT_EQ(r.err.rfind("clipforge: ", 0), 0u) << r.err;
}

TEST_F(ClipCommandsTest, LineageFetchesEveryPageNearestFirstAndMarksRemovedAndHiddenNodes) {
  Result r = Cli({"lineage", "clip-3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "DEPTH  CLIP ID  AUTHOR  TITLE\n"
            "2      clip-2   @bob    Wolf at dusk\n"
            "1      clip-1   -       (removed)\n"
            "0      clip-0   -       (hidden)\n");
  EXPECT_EQ(r.err, "");
  {
    absl::MutexLock lock(&clips_.mu);
    ASSERT_EQ(clips_.lineages.size(), 2u);
    EXPECT_EQ(clips_.lineages[0].clip_id(), "clip-3");
    EXPECT_EQ(clips_.lineages[0].page_token(), "");
    EXPECT_EQ(clips_.lineages[0].page_size(), 100);
    EXPECT_EQ(clips_.lineages[1].clip_id(), "clip-3");
    EXPECT_EQ(clips_.lineages[1].page_token(), "2");
  }
  r = Cli({"--json", "lineage", "clip-3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"clip_id\":\"clip-3\",\"depth\":3,\"ancestors\":[{\"depth\":2,\"clip_id\":\"clip-2\","
                        "\"author\":\"@bob\",\"title\":\"Wolf at dusk\",\"removed\":false,\"hidden\":false},",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("\"title\":\"(removed)\",\"removed\":true,\"hidden\":false}"), std::string::npos) << r.out;

  r = Cli({"lineage", "clip-0"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "ancestors: none\n");
  EXPECT_EQ(r.err, "clip-0 is an original: it was not forked from a clip.\n");
}

TEST_F(ClipCommandsTest, EditClipSendsAMaskOfExactlyTheFlagsGiven) {
  const Result r = Cli({"edit-clip", "clip-9", "--forks=off", "--visibility=private", "--tag="});
  ASSERT_EQ(r.code, 0) << r.err;
  absl::MutexLock lock(&clips_.mu);
  ASSERT_EQ(clips_.updates.size(), 1u);
  const v1::UpdateClipRequest& sent = clips_.updates[0];
  EXPECT_TRUE(base::IsCanonicalUuid(sent.request_id())) << sent.request_id();
  EXPECT_EQ(sent.clip().clip_id(), "clip-9");
  EXPECT_EQ(std::vector<std::string>(sent.update_mask().paths().begin(), sent.update_mask().paths().end()),
            (std::vector<std::string>{"tags", "visibility", "forking_allowed"}));
  EXPECT_TRUE(sent.clip().tags().empty());  // `--tag=` clears them
  EXPECT_EQ(sent.clip().visibility(), v1::VISIBILITY_PRIVATE);
  EXPECT_FALSE(sent.clip().forking_allowed());
}

TEST_F(ClipCommandsTest, ClipsListsTheSignedInUsersClipsByDefault) {
  Result r = Cli({"clips"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "clips: none\n");
  r = Cli({"clips", "--author=id-bob", "--page-size=5"});
  ASSERT_EQ(r.code, 0) << r.err;
  absl::MutexLock lock(&clips_.mu);
  ASSERT_EQ(clips_.lists.size(), 2u);
  EXPECT_EQ(clips_.lists[0].author_id(), "id-alice");
  EXPECT_EQ(clips_.lists[1].author_id(), "id-bob");
  EXPECT_EQ(clips_.lists[1].page_size(), 5);
}

TEST_F(ClipCommandsTest, CommentSendsTheClipTextAndParentWithAFreshRequestIdAndPrintsTheComment) {
  Result r = Cli({"comment", "clip-9", "love it too", "--reply-to", kTopCommentId});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("comment id:        ", kNewCommentId,
                                "\n"
                                "parent comment id: ",
                                kTopCommentId,
                                "\n"
                                "author:            @alice\n"
                                "text:              love it too\n"
                                "created:           2024-05-01T12:00:00Z\n"));
  r = Cli({"--json", "comment", "clip-9", "first!"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("{\"comment_id\":\"", kNewCommentId,
                                "\",\"clip_id\":\"clip-9\",\"parent_comment_id\":\"\",\"author\":\"@alice\","
                                "\"author_id\":\"id-alice\",\"text\":\"first!\",\"reply_count\":0,\"deleted\":false,"
                                "\"created\":\"2024-05-01T12:00:00Z\"}\n"));

  absl::MutexLock lock(&clips_.mu);
  ASSERT_EQ(clips_.comment_creates.size(), 2u);
  const v1::CreateCommentRequest& reply = clips_.comment_creates[0];
  EXPECT_TRUE(base::IsCanonicalUuid(reply.request_id())) << reply.request_id();
  EXPECT_EQ(reply.clip_id(), "clip-9");
  EXPECT_EQ(reply.text(), "love it too");
  EXPECT_EQ(reply.parent_comment_id(), kTopCommentId);
  const v1::CreateCommentRequest& top = clips_.comment_creates[1];
  EXPECT_EQ(top.text(), "first!");
  EXPECT_EQ(top.parent_comment_id(), "");
  EXPECT_NE(top.request_id(), reply.request_id());
}

TEST_F(ClipCommandsTest, CommentsPrintsALinePerCommentWithTombstonesAsDeleted) {
  Result r = Cli({"comments", "clip-9"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "00000003  @bob  2 replies  love the colours\n"
            "00000002  (deleted)  1 reply\n");
  EXPECT_EQ(r.err, "More: run again with --all, or with --page-token=2\n");

  // Every page; server text cannot drive the terminal.
  r = Cli({"comments", "clip-9", "--all", "--page-size=2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "00000003  @bob  2 replies  love the colours\n"
            "00000002  (deleted)  1 reply\n"
            "00000001  @carol  0 replies  first!\\n\\x1b[2J\n");
  EXPECT_EQ(r.err, "");

  // Replies have no replies to count.
  r = Cli({"comments", "clip-9", "--replies-to", kTopCommentId});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "00000004  @alice  thanks!\n");

  r = Cli({"--json", "comments", "clip-9"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(absl::StrCat("{\"comment_id\":\"", kDeletedCommentId,
                                    "\",\"clip_id\":\"clip-9\",\"parent_comment_id\":\"\",\"author\":\"\","
                                    "\"author_id\":\"\",\"text\":\"\",\"reply_count\":1,\"deleted\":true}")),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"next_page_token\":\"2\"}"), std::string::npos) << r.out;

  absl::MutexLock lock(&clips_.mu);
  ASSERT_EQ(clips_.comment_lists.size(), 5u);
  EXPECT_EQ(clips_.comment_lists[0].clip_id(), "clip-9");
  EXPECT_EQ(clips_.comment_lists[0].parent_comment_id(), "");
  EXPECT_EQ(clips_.comment_lists[0].page_size(), 0);
  EXPECT_EQ(clips_.comment_lists[1].page_size(), 2);
  EXPECT_EQ(clips_.comment_lists[1].page_token(), "");
  EXPECT_EQ(clips_.comment_lists[2].page_token(), "2");
  EXPECT_EQ(clips_.comment_lists[3].parent_comment_id(), kTopCommentId);
}

TEST_F(ClipCommandsTest, DeleteCommentSendsTheIdWithAFreshRequestId) {
  const Result r = Cli({"delete-comment", kDeletedCommentId});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("deleted: ", kDeletedCommentId, "\n"));
  absl::MutexLock lock(&clips_.mu);
  ASSERT_EQ(clips_.comment_deletes.size(), 1u);
  EXPECT_EQ(clips_.comment_deletes[0].comment_id(), kDeletedCommentId);
  EXPECT_TRUE(base::IsCanonicalUuid(clips_.comment_deletes[0].request_id()));
}

TEST_F(ClipCommandsTest, BadFlagsAreUsageErrorsWithoutAnyCall) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"publish", "job-1", "--visibility=secret"},
       "--visibility must be one of: public, unlisted, followers, private"},
      {{"publish", "job-1", "--tag=no spaces"}, "invalid input: tags[0]"},
      {{"publish", "job-1", "--title=" + std::string(101, 't')}, "invalid input: title"},
      {{"edit-clip", "clip-9"}, "nothing to change"},
      {{"edit-clip", "clip-9", "--forks=maybe"}, "--forks takes on or off, not 'maybe'"},
      {{"fork", "clip-9"}, "`clipforge fork` needs CLIP_ID PROMPT"},
      {{"fork", "clip-9", "a wolf", "--seconds=2"}, "--seconds must be a whole number from 4 to 300"},
      {{"tree", "clip-9", "--max-nodes=0"}, "--max-nodes must be a whole number from 1 to 10000"},
      {{"variants", "clip-9", "--page-size=51"}, "--page-size must be a whole number from 1 to 50"},
      {{"comment", "clip-9", ""}, "invalid input: text: is required"},
      {{"comment", "clip-9", std::string(501, 'x')}, "invalid input: text: must be at most 500 characters"},
      {{"comment", "", "nice"}, "CLIP_ID must not be empty"},
      {{"comment", "clip-9", "nice", "--reply-to=00000003"}, "--reply-to takes a comment's full id"},
      {{"comments", "clip-9", "--replies-to="}, "--replies-to takes a comment's full id"},
      {{"comments", "clip-9", "--page-size=101"}, "--page-size must be a whole number from 1 to 100"},
      {{"delete-comment", "00000002"}, "COMMENT_ID takes a comment's full id"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = Cli(args);
    EXPECT_EQ(r.code, kExitUsage) << absl::StrJoin(args, " ") << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
  EXPECT_EQ(clips_.Calls(), 0);
}

}  // namespace
}  // namespace clipforge::cli
