// feed, more, less, why, weights, weights set, themes, themes create, join,
// leave, reach and reach appeal end to end against an in-process fake
// FeedService on a free port: the requests sent (fresh request ids, the
// update mask of exactly the weights given, the feedback's type and scope,
// the theme created, the appeal's statement), what they print, and flag
// mistakes caught before any call.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "base/validation.h"
#include "cli/errors.h"
#include "cli/test_util.h"
#include "clipforge/v1/feed.grpc.pb.h"

namespace clipforge::cli {
namespace {

constexpr char kFeedAccessToken[] = "AT-feed-alice";

grpc::Status FeedUnauthenticated() { return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no token"); }

v1::Theme FeedTheme(std::string id, std::string slug, bool joined) {
  v1::Theme theme;
  theme.set_theme_id(std::move(id));
  theme.set_slug(std::move(slug));
  theme.set_display_name("Neon Noir");
  theme.set_member_count(12);
  theme.set_clip_count(340);
  theme.set_joined(joined);
  return theme;
}

// Keeps every request. GetFeed serves one clip; ListThemes two themes, one
// a page (only the joined one for joined_only); UpdateRankingWeights applies
// the paths of the mask to `weights` and answers with them; CreateTheme
// answers with the theme sent, as t-new with 7 clips its tags drew in.
// GetReachStatus answers with `reach`, a running penalty of five copies;
// AppealReachPenalty records the statement in it, pending.
class FakeFeed final : public v1::FeedService::Service {
 public:
  absl::Mutex mu;
  std::vector<v1::GetFeedRequest> feeds ABSL_GUARDED_BY(mu);
  std::vector<v1::SendFeedbackRequest> feedback ABSL_GUARDED_BY(mu);
  std::vector<v1::ExplainClipRequest> explanations ABSL_GUARDED_BY(mu);
  std::vector<v1::UpdateRankingWeightsRequest> weight_updates ABSL_GUARDED_BY(mu);
  std::vector<v1::ListThemesRequest> theme_lists ABSL_GUARDED_BY(mu);
  std::vector<v1::JoinThemeRequest> joins ABSL_GUARDED_BY(mu);
  std::vector<v1::LeaveThemeRequest> leaves ABSL_GUARDED_BY(mu);
  std::vector<v1::CreateThemeRequest> creates ABSL_GUARDED_BY(mu);
  std::vector<v1::AppealReachPenaltyRequest> reach_appeals ABSL_GUARDED_BY(mu);
  int weight_reads ABSL_GUARDED_BY(mu) = 0;
  int reach_reads ABSL_GUARDED_BY(mu) = 0;
  v1::RankingWeights weights ABSL_GUARDED_BY(mu);
  v1::ReachStatus reach ABSL_GUARDED_BY(mu);

  FakeFeed() {
    absl::MutexLock lock(&mu);
    weights.set_originality(1);
    weights.set_freshness(1);
    weights.set_following_vs_discovery(1);
    weights.set_exploration_share(0.1);
    reach.set_creator_id("id-alice");
    reach.set_active(true);
    reach.set_reach(0.25);
    reach.mutable_start_time()->set_seconds(1714564800);  // 2024-05-01T12:00:00Z
    reach.mutable_end_time()->set_seconds(1714564800 + 7 * 24 * 3600);
    reach.set_copies(5);
    for (const char* id : {"c-1", "c-2", "c-3", "c-4", "c-5"}) reach.add_copy_clip_ids(id);
    reach.set_appeal_state(v1::REACH_APPEAL_STATE_NONE);
  }

  int Calls() {
    absl::MutexLock lock(&mu);
    return static_cast<int>(feeds.size() + feedback.size() + explanations.size() + weight_updates.size() +
                            theme_lists.size() + joins.size() + leaves.size() + creates.size() +
                            reach_appeals.size()) +
           weight_reads + reach_reads;
  }

  static bool SignedIn(grpc::ServerContext* ctx) {
    const auto& md = ctx->client_metadata();
    const auto auth = md.find("authorization");
    return auth != md.end() &&
           std::string(auth->second.data(), auth->second.size()) == absl::StrCat("Bearer ", kFeedAccessToken);
  }

  grpc::Status GetFeed(grpc::ServerContext* ctx, const v1::GetFeedRequest* req, v1::GetFeedResponse* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    feeds.push_back(*req);
    resp->set_personalization_mode(v1::PERSONALIZATION_MODE_NON_PERSONALIZED);
    resp->set_feed_request_id("req-1");
    resp->set_next_page_token("tok-2");
    v1::FeedItem& item = *resp->add_items();
    item.set_clip_id("clip-1");
    v1::FeedReason& reason = *item.add_reasons();
    reason.set_type(v1::FEED_REASON_TYPE_FOLLOWING_CREATOR);
    reason.set_creator_id("id-bob");
    item.mutable_originality()->set_score(0.9);
    v1::ScoreFactor& quality = *item.mutable_score()->add_factors();
    quality.set_name("quality");
    quality.set_value(2);
    v1::ScoreFactor& freshness = *item.mutable_score()->add_factors();
    freshness.set_name("freshness");
    freshness.set_value(0.5);
    item.mutable_score()->set_score(1);
    return grpc::Status::OK;
  }

  grpc::Status SendFeedback(grpc::ServerContext* ctx, const v1::SendFeedbackRequest* req,
                            v1::SendFeedbackResponse* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    feedback.push_back(*req);
    resp->set_accepted_count(req->feedback_size());
    return grpc::Status::OK;
  }

  grpc::Status ExplainClip(grpc::ServerContext* ctx, const v1::ExplainClipRequest* req,
                           v1::ClipExplanation* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    explanations.push_back(*req);
    resp->set_clip_id(req->clip_id());
    resp->mutable_originality()->set_score(0.2);
    resp->mutable_originality()->set_copy(true);
    v1::OriginalityComponent& media = *resp->add_components();
    media.set_kind(v1::ORIGINALITY_COMPONENT_KIND_MEDIA_NEAR_DUPLICATE);
    media.set_penalty(0.8);
    media.set_factor(0.2);
    media.add_matched_clip_ids("clip-original");
    return grpc::Status::OK;
  }

  grpc::Status GetRankingWeights(grpc::ServerContext* ctx, const v1::GetRankingWeightsRequest*,
                                 v1::RankingWeights* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    ++weight_reads;
    *resp = weights;
    return grpc::Status::OK;
  }

  grpc::Status UpdateRankingWeights(grpc::ServerContext* ctx, const v1::UpdateRankingWeightsRequest* req,
                                    v1::RankingWeights* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    weight_updates.push_back(*req);
    const v1::RankingWeights& sent = req->weights();
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "originality") weights.set_originality(sent.originality());
      if (path == "freshness") weights.set_freshness(sent.freshness());
      if (path == "following_vs_discovery") weights.set_following_vs_discovery(sent.following_vs_discovery());
      if (path == "exploration_share") weights.set_exploration_share(sent.exploration_share());
      if (path == "theme_weights") *weights.mutable_theme_weights() = sent.theme_weights();
    }
    *resp = weights;
    return grpc::Status::OK;
  }

  grpc::Status ListThemes(grpc::ServerContext* ctx, const v1::ListThemesRequest* req,
                          v1::ListThemesResponse* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    theme_lists.push_back(*req);
    if (req->joined_only()) {
      *resp->add_themes() = FeedTheme("t-neon", "neon-noir", true);
    } else if (req->page_token().empty()) {
      *resp->add_themes() = FeedTheme("t-neon", "neon-noir", true);
      resp->set_next_page_token("1");
    } else {
      *resp->add_themes() = FeedTheme("t-jazz", "late-jazz", false);
    }
    return grpc::Status::OK;
  }

  grpc::Status JoinTheme(grpc::ServerContext* ctx, const v1::JoinThemeRequest* req, v1::Theme* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    joins.push_back(*req);
    *resp = FeedTheme(req->theme_id(), "neon-noir", true);
    return grpc::Status::OK;
  }

  grpc::Status LeaveTheme(grpc::ServerContext* ctx, const v1::LeaveThemeRequest* req, v1::Theme* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    leaves.push_back(*req);
    *resp = FeedTheme(req->theme_id(), "neon-noir", false);
    return grpc::Status::OK;
  }

  grpc::Status CreateTheme(grpc::ServerContext* ctx, const v1::CreateThemeRequest* req, v1::Theme* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    creates.push_back(*req);
    *resp = req->theme();
    resp->set_theme_id("t-new");
    resp->set_clip_count(7);
    resp->mutable_create_time()->set_seconds(1700000000);
    return grpc::Status::OK;
  }

  grpc::Status GetReachStatus(grpc::ServerContext* ctx, const v1::GetReachStatusRequest*,
                              v1::ReachStatus* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    ++reach_reads;
    *resp = reach;
    return grpc::Status::OK;
  }

  grpc::Status AppealReachPenalty(grpc::ServerContext* ctx, const v1::AppealReachPenaltyRequest* req,
                                  v1::ReachStatus* resp) override {
    if (!SignedIn(ctx)) return FeedUnauthenticated();
    absl::MutexLock lock(&mu);
    reach_appeals.push_back(*req);
    reach.set_appeal_state(v1::REACH_APPEAL_STATE_PENDING);
    reach.set_appeal_statement(req->statement());
    reach.mutable_appeal_time()->set_seconds(1714568400);  // 2024-05-01T13:00:00Z
    *resp = reach;
    return grpc::Status::OK;
  }
};

class FeedCommandsTest : public ::testing::Test {
 protected:
  testing::CliResult Cli(std::vector<std::string> args) { return cli_.Run(std::move(args)); }

  FakeFeed feed_;
  testing::LoggedInCli cli_{{&feed_}, kFeedAccessToken};
};

TEST_F(FeedCommandsTest, FeedSendsTheFeedSizeAndPageAndWhyShowsTheBreakdown) {
  testing::CliResult r = Cli({"feed", "--feed=theme/t-neon", "--size=5", "--page", "tok-1", "--why"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "feed:            theme/t-neon\n"
            "personalization: non-personalized\n"
            "\n"
            "clip-1  by a creator you follow (creator id-bob)  originality 0.9\n"
            "    reasons: by a creator you follow (creator id-bob)\n"
            "    score 1 = quality 2 × freshness 0.5\n"
            "\n"
            "next page: --page=tok-2\n");
  EXPECT_NE(r.err.find("`clipforge consent on`"), std::string::npos) << r.err;

  r = Cli({"--json", "feed"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"feed\":\"for_you\",\"personalization\":\"non-personalized\",\"feed_request_id\":\"req-1\","
                        "\"items\":[{\"clip_id\":\"clip-1\",\"reason\":\"following-creator\",",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("\"next_page_token\":\"tok-2\"}\n"), std::string::npos) << r.out;

  absl::MutexLock lock(&feed_.mu);
  ASSERT_EQ(feed_.feeds.size(), 2u);
  EXPECT_EQ(feed_.feeds[0].feed(), "theme/t-neon");
  EXPECT_EQ(feed_.feeds[0].page_size(), 5);
  EXPECT_EQ(feed_.feeds[0].page_token(), "tok-1");
  // Without flags: the for_you feed at the server's page size.
  EXPECT_EQ(feed_.feeds[1].feed(), "for_you");
  EXPECT_EQ(feed_.feeds[1].page_size(), 0);
  EXPECT_EQ(feed_.feeds[1].page_token(), "");
}

TEST_F(FeedCommandsTest, MoreAndLessSendOnePieceOfFeedbackWithAFreshRequestId) {
  testing::CliResult r = Cli({"more", "clip-1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "clip id:  clip-1\n"
            "feedback: show-more\n"
            "scope:    clip\n"
            "accepted: 1\n");
  r = Cli({"less", "clip-2", "--scope=cluster"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli({"less", "clip-3", "--scope", "creator"});
  ASSERT_EQ(r.code, 0) << r.err;

  absl::MutexLock lock(&feed_.mu);
  ASSERT_EQ(feed_.feedback.size(), 3u);
  for (const v1::SendFeedbackRequest& sent : feed_.feedback) {
    EXPECT_TRUE(base::IsCanonicalUuid(sent.request_id())) << sent.request_id();
    ASSERT_EQ(sent.feedback_size(), 1);
  }
  EXPECT_NE(feed_.feedback[0].request_id(), feed_.feedback[1].request_id());
  EXPECT_EQ(feed_.feedback[0].feedback(0).clip_id(), "clip-1");
  EXPECT_EQ(feed_.feedback[0].feedback(0).type(), v1::FEEDBACK_TYPE_SHOW_MORE);
  EXPECT_EQ(feed_.feedback[0].feedback(0).scope(), v1::FEEDBACK_SCOPE_CLIP);
  EXPECT_EQ(feed_.feedback[1].feedback(0).clip_id(), "clip-2");
  EXPECT_EQ(feed_.feedback[1].feedback(0).type(), v1::FEEDBACK_TYPE_SHOW_LESS);
  EXPECT_EQ(feed_.feedback[1].feedback(0).scope(), v1::FEEDBACK_SCOPE_PROMPT_CLUSTER);
  EXPECT_EQ(feed_.feedback[2].feedback(0).scope(), v1::FEEDBACK_SCOPE_CREATOR);
}

TEST_F(FeedCommandsTest, WhyShowsEachComponentAndWhatACopyMeans) {
  const testing::CliResult r = Cli({"why", "clip-2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "clip id:     clip-2\n"
            "originality: 0.2\n"
            "copy:        yes\n"
            "\n"
            "KIND                  PENALTY  FACTOR  MATCHED\n"
            "media-near-duplicate  0.8      0.2     clip-original\n");
  EXPECT_NE(r.err.find("keeps at most 20% of its score"), std::string::npos) << r.err;
  absl::MutexLock lock(&feed_.mu);
  ASSERT_EQ(feed_.explanations.size(), 1u);
  EXPECT_EQ(feed_.explanations[0].clip_id(), "clip-2");
}

TEST_F(FeedCommandsTest, WeightsSetSendsAMaskOfExactlyTheWeightsGiven) {
  testing::CliResult r =
      Cli({"weights", "set", "--following=1.5", "--theme=t-neon=2", "--theme", "t-jazz=0.5, t-folk=1.25"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli({"--json", "weights"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"originality\":\"1\",\"freshness\":\"1\",\"following_vs_discovery\":\"1.5\","
            "\"exploration_share\":\"0.1\",\"theme_weights\":[{\"theme_id\":\"t-neon\",\"weight\":\"2\"},"
            "{\"theme_id\":\"t-jazz\",\"weight\":\"0.5\"},{\"theme_id\":\"t-folk\",\"weight\":\"1.25\"}]}\n");
  // `--theme=` alone clears the theme weights and leaves the rest.
  r = Cli({"weights", "set", "--theme=", "--exploration=0.2"});
  ASSERT_EQ(r.code, 0) << r.err;

  absl::MutexLock lock(&feed_.mu);
  EXPECT_EQ(feed_.weight_reads, 1);
  ASSERT_EQ(feed_.weight_updates.size(), 2u);
  const v1::UpdateRankingWeightsRequest& first = feed_.weight_updates[0];
  EXPECT_TRUE(base::IsCanonicalUuid(first.request_id())) << first.request_id();
  EXPECT_EQ(std::vector<std::string>(first.update_mask().paths().begin(), first.update_mask().paths().end()),
            (std::vector<std::string>{"following_vs_discovery", "theme_weights"}));
  EXPECT_EQ(first.weights().following_vs_discovery(), 1.5);
  ASSERT_EQ(first.weights().theme_weights_size(), 3);
  EXPECT_EQ(first.weights().theme_weights(2).theme_id(), "t-folk");
  EXPECT_EQ(first.weights().theme_weights(2).weight(), 1.25);
  const v1::UpdateRankingWeightsRequest& second = feed_.weight_updates[1];
  EXPECT_NE(second.request_id(), first.request_id());
  EXPECT_EQ(std::vector<std::string>(second.update_mask().paths().begin(), second.update_mask().paths().end()),
            (std::vector<std::string>{"exploration_share", "theme_weights"}));
  EXPECT_EQ(second.weights().exploration_share(), 0.2);
  EXPECT_TRUE(second.weights().theme_weights().empty());
  EXPECT_TRUE(feed_.weights.theme_weights().empty());
  EXPECT_EQ(feed_.weights.following_vs_discovery(), 1.5);
}

TEST_F(FeedCommandsTest, ThemesListAPageOrEveryPageOrOnlyTheJoinedOnes) {
  testing::CliResult r = Cli({"themes"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "SLUG       NAME       MEMBERS  CLIPS  JOINED  THEME ID\n"
            "neon-noir  Neon Noir  12       340    yes     t-neon\n");
  EXPECT_EQ(r.err, "More: run again with --all, or with --page-token=1\n");
  r = Cli({"themes", "--all"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("late-jazz  Neon Noir  12       340    no      t-jazz\n"), std::string::npos) << r.out;
  r = Cli({"themes", "--joined", "--page-size=10"});
  ASSERT_EQ(r.code, 0) << r.err;

  absl::MutexLock lock(&feed_.mu);
  ASSERT_EQ(feed_.theme_lists.size(), 4u);
  EXPECT_FALSE(feed_.theme_lists[0].joined_only());
  EXPECT_EQ(feed_.theme_lists[2].page_token(), "1");
  EXPECT_TRUE(feed_.theme_lists[3].joined_only());
  EXPECT_EQ(feed_.theme_lists[3].page_size(), 10);
}

TEST_F(FeedCommandsTest, JoinAndLeaveSendTheThemeWithAFreshRequestId) {
  testing::CliResult r = Cli({"--json", "join", "t-neon"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"theme_id\":\"t-neon\",\"slug\":\"neon-noir\",\"name\":\"Neon Noir\",\"tags\":[],\"members\":12,"
            "\"clips\":340,\"joined\":true,\"feed\":\"theme/t-neon\"}\n");
  r = Cli({"join", "t-neon"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("`clipforge feed --feed=theme/t-neon`"), std::string::npos) << r.err;
  r = Cli({"leave", "t-neon"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");

  absl::MutexLock lock(&feed_.mu);
  ASSERT_EQ(feed_.joins.size(), 2u);
  EXPECT_EQ(feed_.joins[0].theme_id(), "t-neon");
  EXPECT_TRUE(base::IsCanonicalUuid(feed_.joins[0].request_id())) << feed_.joins[0].request_id();
  EXPECT_NE(feed_.joins[0].request_id(), feed_.joins[1].request_id());
  ASSERT_EQ(feed_.leaves.size(), 1u);
  EXPECT_EQ(feed_.leaves[0].theme_id(), "t-neon");
  EXPECT_TRUE(base::IsCanonicalUuid(feed_.leaves[0].request_id())) << feed_.leaves[0].request_id();
}

TEST_F(FeedCommandsTest, ThemesCreateSendsTheThemeWithAFreshRequestIdAndPrintsItAsThemesDoes) {
  // A bad slug is refused before any call.
  testing::CliResult r = Cli({"themes", "create", "Neon_Noir", "--name=Neon Noir", "--tags=neon"});
  EXPECT_EQ(r.code, kExitUsage) << r.err;
  EXPECT_NE(r.err.find("SLUG: must be 2-40 characters of a-z, 0-9 and '-'"), std::string::npos) << r.err;
  EXPECT_EQ(feed_.Calls(), 0);

  r = Cli({"themes", "create", "neon-noir", "--name=Neon Noir", "--tags=neon, noir_city", "--description",
           "Rain, neon and néon."});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "slug:     neon-noir\n"
            "name:     Neon Noir\n"
            "members:  0\n"
            "clips:    7\n"
            "joined:   no\n"
            "theme id: t-new\n");
  // --json: the object `themes --json` lists each theme as.
  r = Cli({"--json", "themes", "create", "late-jazz", "--name", "Late Jazz", "--tags=jazz"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"slug\":\"late-jazz\",\"name\":\"Late Jazz\",\"members\":0,\"clips\":7,\"joined\":false,"
            "\"theme_id\":\"t-new\"}\n");

  absl::MutexLock lock(&feed_.mu);
  ASSERT_EQ(feed_.creates.size(), 2u);
  const v1::CreateThemeRequest& first = feed_.creates[0];
  EXPECT_TRUE(base::IsCanonicalUuid(first.request_id())) << first.request_id();
  EXPECT_EQ(first.request_id()[14], '7') << "not a UUIDv7: " << first.request_id();
  EXPECT_NE(first.request_id(), feed_.creates[1].request_id());
  EXPECT_EQ(first.theme().slug(), "neon-noir");
  EXPECT_EQ(first.theme().display_name(), "Neon Noir");
  EXPECT_EQ(first.theme().description(), "Rain, neon and néon.");
  EXPECT_EQ(std::vector<std::string>(first.theme().tags().begin(), first.theme().tags().end()),
            (std::vector<std::string>{"neon", "noir_city"}));
  // Nothing but what the flags give: output-only fields stay unset.
  EXPECT_EQ(first.theme().theme_id(), "");
  EXPECT_FALSE(first.theme().has_create_time());
  const v1::CreateThemeRequest& second = feed_.creates[1];
  EXPECT_EQ(second.theme().slug(), "late-jazz");
  EXPECT_EQ(second.theme().description(), "");
  EXPECT_EQ(std::vector<std::string>(second.theme().tags().begin(), second.theme().tags().end()),
            (std::vector<std::string>{"jazz"}));
}

TEST_F(FeedCommandsTest, ReachShowsThePenaltyAndReachAppealSendsTheStatementWithAFreshRequestId) {
  testing::CliResult r = Cli({"reach"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "active:        yes\n"
            "reach:         0.25\n"
            "started:       2024-05-01T12:00:00Z\n"
            "ends:          2024-05-08T12:00:00Z\n"
            "copies:        5\n"
            "copy clip ids: c-1, c-2, c-3, c-4, c-5\n"
            "appeal:        none\n");
  EXPECT_NE(r.err.find("`clipforge reach appeal TEXT`"), std::string::npos) << r.err;

  r = Cli({"reach", "appeal", "These were my own clips, re-uploaded"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("appeal:        pending\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("statement:     These were my own clips, re-uploaded\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("appealed:      2024-05-01T13:00:00Z\n"), std::string::npos) << r.out;
  r = Cli({"--json", "reach", "appeal", "Again"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"active\":true,\"reach\":\"0.25\",\"started\":\"2024-05-01T12:00:00Z\","
            "\"ends\":\"2024-05-08T12:00:00Z\",\"copies\":5,\"copy_clip_ids\":[\"c-1\",\"c-2\",\"c-3\","
            "\"c-4\",\"c-5\"],\"appeal\":\"pending\",\"statement\":\"Again\","
            "\"appealed\":\"2024-05-01T13:00:00Z\"}\n");

  absl::MutexLock lock(&feed_.mu);
  EXPECT_EQ(feed_.reach_reads, 1);
  ASSERT_EQ(feed_.reach_appeals.size(), 2u);
  EXPECT_EQ(feed_.reach_appeals[0].statement(), "These were my own clips, re-uploaded");
  EXPECT_TRUE(base::IsCanonicalUuid(feed_.reach_appeals[0].request_id())) << feed_.reach_appeals[0].request_id();
  EXPECT_NE(feed_.reach_appeals[0].request_id(), feed_.reach_appeals[1].request_id());
}

TEST_F(FeedCommandsTest, BadFlagsAreUsageErrorsWithoutAnyCall) {
  std::string too_many_tags;
  for (int i = 0; i < 33; ++i) absl::StrAppend(&too_many_tags, i == 0 ? "" : ",", "tag", i);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"feed", "--feed=latest"}, "--feed must be for_you, following, trending or theme/THEME_ID"},
      {{"feed", "--feed=theme/"}, "--feed must be for_you, following, trending or theme/THEME_ID"},
      {{"feed", "--size=51"}, "--size must be a whole number from 1 to 50"},
      {{"more", "clip-1", "--scope=everything"}, "--scope must be one of: clip, creator, cluster, theme"},
      {{"less", ""}, "CLIP_ID must not be empty"},
      {{"why", ""}, "CLIP_ID must not be empty"},
      {{"weights", "set"}, "nothing to change"},
      {{"weights", "set", "--originality=3"}, "--originality must be a number from 0.5 to 2"},
      {{"weights", "set", "--freshness=nan"}, "--freshness must be a number from 0.5 to 2"},
      {{"weights", "set", "--exploration=0.5"}, "--exploration must be a number from 0.05 to 0.25"},
      {{"weights", "set", "--theme=t-neon"}, "--theme takes THEME_ID=WEIGHT, not 't-neon'"},
      {{"weights", "set", "--theme=t-neon=9"}, "--theme t-neon's weight must be a number from 0.5 to 2"},
      {{"weights", "set", "--theme=t-neon=1,t-neon=2"}, "--theme names t-neon twice"},
      {{"themes", "--page-size=101"}, "--page-size must be a whole number from 1 to 100"},
      {{"join", ""}, "THEME_ID must not be empty"},
      {{"themes", "create", "n", "--name=N", "--tags=neon"}, "SLUG: must be 2-40 characters"},
      {{"themes", "create", std::string(41, 'n'), "--name=N", "--tags=neon"}, "SLUG: must be 2-40 characters"},
      {{"themes", "create", "neon-noir", "--tags=neon"}, "`clipforge themes create` needs --name=NAME"},
      {{"themes", "create", "neon-noir", "--name=N"}, "`clipforge themes create` needs --tags=TAG[,TAG...]"},
      {{"themes", "create", "neon-noir", "--name=", "--tags=neon"}, "--name: must be 1-60 characters"},
      {{"themes", "create", "neon-noir", "--name=" + std::string(61, 'x'), "--tags=neon"},
       "--name: must be at most 60 characters"},
      {{"themes", "create", "neon-noir", "--name=N", "--tags=neon", "--description=" + std::string(501, 'x')},
       "--description: must be at most 500 characters"},
      {{"themes", "create", "neon-noir", "--name=N", "--tags=, ,"}, "--tags: must name 1-32 clip tags"},
      {{"themes", "create", "neon-noir", "--name=N", "--tags=" + too_many_tags}, "--tags: must name 1-32 clip tags"},
      {{"themes", "create", "neon-noir", "--name=N", "--tags=neon,Noir"}, "--tags: 'Noir' is not a clip tag"},
      {{"themes", "create", "neon-noir", "--name=N", "--tags=#neon"}, "--tags: '#neon' is not a clip tag"},
      {{"themes", "create", "neon-noir", "--name=N", "--tags=" + std::string(41, 't')}, "is not a clip tag"},
      {{"reach", "appeal"}, "`clipforge reach appeal` needs TEXT"},
      {{"reach", "appeal", ""}, "TEXT: is required"},
      {{"reach", "appeal", "   "}, "TEXT: must not be blank"},
      {{"reach", "appeal", std::string(1001, 'x')}, "TEXT: must be at most 1000 characters"},
      {{"reach", "extra"}, "unexpected argument 'extra'"},
  };
  for (const auto& [args, message] : cases) {
    const testing::CliResult r = Cli(args);
    EXPECT_EQ(r.code, kExitUsage) << absl::StrJoin(args, " ") << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
  EXPECT_EQ(feed_.Calls(), 0);
}

}  // namespace
}  // namespace clipforge::cli
