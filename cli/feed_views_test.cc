#include "cli/feed_views.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "cli/errors.h"
#include "cli/output.h"

namespace clipforge::cli {
namespace {

v1::FeedReason FeedReasonOf(v1::FeedReasonType type, std::string theme_id = "", std::string related_clip_id = "",
                            std::string creator_id = "") {
  v1::FeedReason reason;
  reason.set_type(type);
  reason.set_theme_id(std::move(theme_id));
  reason.set_related_clip_id(std::move(related_clip_id));
  reason.set_creator_id(std::move(creator_id));
  return reason;
}

void AddFeedFactor(v1::ScoreBreakdown& breakdown, std::string name, double value) {
  v1::ScoreFactor& factor = *breakdown.add_factors();
  factor.set_name(std::move(name));
  factor.set_value(value);
}

// A page of two clips: bob's (he is followed; it also trends in t-neon),
// whose factors multiply to its score, and an original pick that is a copy.
v1::GetFeedResponse TwoClipPage() {
  v1::GetFeedResponse page;
  page.set_personalization_mode(v1::PERSONALIZATION_MODE_PERSONALIZED);
  page.set_feed_request_id("req-1");
  page.set_next_page_token("tok-2");
  v1::FeedItem& followed = *page.add_items();
  followed.set_clip_id("clip-1");
  *followed.add_reasons() = FeedReasonOf(v1::FEED_REASON_TYPE_FOLLOWING_CREATOR, "", "", "id-bob");
  *followed.add_reasons() = FeedReasonOf(v1::FEED_REASON_TYPE_TRENDING_IN_THEME, "t-neon");
  followed.mutable_originality()->set_score(0.9);
  AddFeedFactor(*followed.mutable_score(), "quality", 2);
  AddFeedFactor(*followed.mutable_score(), "freshness", 0.5);
  followed.mutable_score()->set_score(1);
  followed.set_feed_context("ctx-1");
  v1::FeedItem& copy = *page.add_items();
  copy.set_clip_id("clip-2");
  *copy.add_reasons() = FeedReasonOf(v1::FEED_REASON_TYPE_ORIGINAL_PICK);
  copy.mutable_originality()->set_score(0.125);
  copy.mutable_originality()->set_copy(true);
  AddFeedFactor(*copy.mutable_score(), "quality", 0.5);
  copy.mutable_score()->set_score(0.5);
  return page;
}

TEST(FeedViewsTest, ReasonsReadAsWordsWithWhatTheyName) {
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_FOLLOWING_CREATOR, "", "", "id-bob")),
            "by a creator you follow (creator id-bob)");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_FORK_OF_LIKED_CLIP, "", "clip-0")),
            "a fork of a clip you liked (clip clip-0)");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_IN_YOUR_ECHO_CHAMBER, "t-neon")),
            "in an Echo Chamber you joined (theme t-neon)");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_ECHOED_FROM_CHAMBER, "t-jazz")),
            "echoed from an Echo Chamber you are not in (theme t-jazz)");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_ORIGINAL_PICK)), "picked for its originality");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_NEW_CREATOR, "", "", "id-cat")),
            "by a creator new to ClipForge (creator id-cat)");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_TRENDING_IN_THEME)), "trending");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_TRENDING_IN_THEME, "t-neon")), "trending in theme t-neon");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_ASKED_FOR_MORE)), "you asked for more like it");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_PERSONALIZED_THEME, "t-neon")),
            "matches your themes (theme t-neon)");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_EXPLORATION)), "exploring: a new clip with few views yet");
  // A reason without its id still reads; one this client does not know
  // reads as its number with the ids it names.
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_FOLLOWING_CREATOR)), "by a creator you follow");
  EXPECT_EQ(ReasonText(FeedReasonOf(static_cast<v1::FeedReasonType>(42), "t-x", "", "id-y")),
            "42 (theme t-x) (creator id-y)");
  EXPECT_EQ(ReasonText(FeedReasonOf(v1::FEED_REASON_TYPE_UNSPECIFIED)), "unspecified");
}

TEST(FeedViewsTest, NumbersAreExactForScriptsAndShortForPeople) {
  EXPECT_EQ(NumberText(0.1, Digits::kExact), "0.1");
  EXPECT_EQ(NumberText(0.1 + 0.2, Digits::kExact), "0.30000000000000004");
  EXPECT_EQ(NumberText(0.1 + 0.2, Digits::kShort), "0.3");
  EXPECT_EQ(NumberText(0.873456, Digits::kShort), "0.8735");
  EXPECT_EQ(NumberText(1.0, Digits::kExact), "1");
  EXPECT_EQ(NumberText(1.0, Digits::kShort), "1");
}

TEST(FeedViewsTest, TheBreakdownIsTheProductOfItsFactorsInTheOrderSent) {
  v1::ScoreBreakdown breakdown;
  AddFeedFactor(breakdown, "quality", 1.2);
  AddFeedFactor(breakdown, "freshness", 0.5);
  AddFeedFactor(breakdown, "originality", 0.7);
  breakdown.set_score(1.0 * 1.2 * 0.5 * 0.7);
  EXPECT_EQ(BreakdownProduct(breakdown), breakdown.score());
  EXPECT_EQ(BreakdownText(breakdown), "score 0.42 = quality 1.2 × freshness 0.5 × originality 0.7");

  // Multiplied in another order, the same factors give another double:
  // (0.1 × 0.2) × 0.3 is 0.006000000000000001, 0.1 × (0.2 × 0.3) is 0.006.
  v1::ScoreBreakdown reordered;
  AddFeedFactor(reordered, "a", 0.1);
  AddFeedFactor(reordered, "b", 0.2);
  AddFeedFactor(reordered, "c", 0.3);
  reordered.set_score(0.1 * (0.2 * 0.3));
  EXPECT_EQ(BreakdownProduct(reordered), 0.1 * 0.2 * 0.3);
  EXPECT_NE(BreakdownProduct(reordered), reordered.score());
  EXPECT_EQ(BreakdownText(reordered), "score 0.006 = a 0.1 × b 0.2 × c 0.3 (the factors give 0.006000000000000001)");

  v1::ScoreBreakdown wrong;
  AddFeedFactor(wrong, "quality", 2);
  AddFeedFactor(wrong, "freshness", 3);
  wrong.set_score(5);
  EXPECT_EQ(BreakdownText(wrong), "score 5 = quality 2 × freshness 3 (the factors give 6)");
}

TEST(FeedViewsTest, APageShowsEachClipsPrimaryReasonAndOriginalityAndTheNextPageToken) {
  EXPECT_EQ(FeedText("for_you", TwoClipPage(), /*why=*/false),
            "feed:            for_you\n"
            "personalization: personalized\n"
            "\n"
            "clip-1  by a creator you follow (creator id-bob)  originality 0.9\n"
            "clip-2  picked for its originality  originality 0.125 (a copy)\n"
            "\n"
            "next page: --page=tok-2\n");
}

TEST(FeedViewsTest, WhyAddsEveryReasonAndTheScoreBreakdown) {
  EXPECT_EQ(FeedText("for_you", TwoClipPage(), /*why=*/true),
            "feed:            for_you\n"
            "personalization: personalized\n"
            "\n"
            "clip-1  by a creator you follow (creator id-bob)  originality 0.9\n"
            "    reasons: by a creator you follow (creator id-bob); trending in theme t-neon\n"
            "    score 1 = quality 2 × freshness 0.5\n"
            "clip-2  picked for its originality  originality 0.125 (a copy)\n"
            "    reasons: picked for its originality\n"
            "    score 0.5 = quality 0.5\n"
            "\n"
            "next page: --page=tok-2\n");
}

TEST(FeedViewsTest, AnEmptyPageSaysSoAndServerTextCannotDriveTheTerminal) {
  v1::GetFeedResponse empty;
  empty.set_personalization_mode(v1::PERSONALIZATION_MODE_NON_PERSONALIZED);
  EXPECT_EQ(FeedText("theme/t-neon", empty, false),
            "feed:            theme/t-neon\n"
            "personalization: non-personalized\n"
            "\n"
            "clips: none\n"
            "\n"
            "next page: none (nothing more is eligible now)\n");

  v1::GetFeedResponse evil;
  evil.set_personalization_mode(v1::PERSONALIZATION_MODE_COLD_START);
  v1::FeedItem& item = *evil.add_items();
  item.set_clip_id("clip\x1b[2J");
  *item.add_reasons() = FeedReasonOf(v1::FEED_REASON_TYPE_IN_YOUR_ECHO_CHAMBER, "t\nx");
  const std::string text = FeedText("for_you", evil, true);
  EXPECT_NE(text.find("personalization: cold-start\n"), std::string::npos) << text;
  EXPECT_NE(text.find("clip\\x1b[2J  in an Echo Chamber you joined (theme t\\nx)  originality 0\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
}

TEST(FeedViewsTest, JsonHasEveryReasonAndFactorWithExactNumbers) {
  v1::GetFeedResponse page = TwoClipPage();
  page.mutable_items()->RemoveLast();
  page.set_personalization_mode(v1::PERSONALIZATION_MODE_COLD_START);
  EXPECT_EQ(RenderJson(FeedRecord("for_you", page)),
            "{\"feed\":\"for_you\",\"personalization\":\"cold-start\",\"feed_request_id\":\"req-1\",\"items\":["
            "{\"clip_id\":\"clip-1\",\"reason\":\"following-creator\","
            "\"reason_text\":\"by a creator you follow (creator id-bob)\",\"originality\":\"0.9\",\"copy\":false,"
            "\"score\":\"1\",\"reasons\":["
            "{\"type\":\"following-creator\",\"text\":\"by a creator you follow (creator id-bob)\",\"theme_id\":\"\","
            "\"related_clip_id\":\"\",\"creator_id\":\"id-bob\"},"
            "{\"type\":\"trending-in-theme\",\"text\":\"trending in theme t-neon\",\"theme_id\":\"t-neon\","
            "\"related_clip_id\":\"\",\"creator_id\":\"\"}],"
            "\"factors\":[{\"name\":\"quality\",\"value\":\"2\"},{\"name\":\"freshness\",\"value\":\"0.5\"}],"
            "\"feed_context\":\"ctx-1\"}],"
            "\"next_page_token\":\"tok-2\"}\n");
}

TEST(FeedViewsTest, FeedbackNamesTheTypeAndScopeAsTheFlagsDo) {
  v1::Feedback feedback;
  feedback.set_clip_id("clip-1");
  feedback.set_type(v1::FEEDBACK_TYPE_SHOW_LESS);
  feedback.set_scope(v1::FEEDBACK_SCOPE_PROMPT_CLUSTER);
  v1::SendFeedbackResponse response;
  response.set_accepted_count(1);
  EXPECT_EQ(RenderJson(FeedbackRecord(feedback, response)),
            "{\"clip_id\":\"clip-1\",\"feedback\":\"show-less\",\"scope\":\"cluster\",\"accepted\":1}\n");

  // --scope reads the words it prints, and the API's long one.
  const auto scope = [](absl::string_view word) {
    return ParseEnumWord<v1::FeedbackScope>("--scope", word, kFeedbackScopePrefix, kFeedbackScopeWords);
  };
  EXPECT_EQ(scope("cluster").value(), v1::FEEDBACK_SCOPE_PROMPT_CLUSTER);
  EXPECT_EQ(scope("prompt-cluster").value(), v1::FEEDBACK_SCOPE_PROMPT_CLUSTER);
  EXPECT_EQ(scope("creator").value(), v1::FEEDBACK_SCOPE_CREATOR);
  EXPECT_EQ(scope("theme").value(), v1::FEEDBACK_SCOPE_THEME);
  const auto bad = scope("everything");
  EXPECT_EQ(ExitCodeOf(bad.status()), kExitUsage);
  EXPECT_EQ(bad.status().message(), "--scope must be one of: clip, creator, cluster, theme");
}

TEST(FeedViewsTest, AnExplanationListsEachComponentWithTheClipsItMatched) {
  v1::ClipExplanation explanation;
  explanation.set_clip_id("clip-1");
  explanation.mutable_originality()->set_score(0.42);
  explanation.mutable_compute_time()->set_seconds(1714564800);
  v1::OriginalityComponent& prompt = *explanation.add_components();
  prompt.set_kind(v1::ORIGINALITY_COMPONENT_KIND_PROMPT_NEAR_DUPLICATE);
  prompt.set_penalty(0.3);
  prompt.set_factor(0.7);
  prompt.add_matched_clip_ids("clip-a");
  prompt.add_matched_clip_ids("clip-b");
  v1::OriginalityComponent& fork = *explanation.add_components();
  fork.set_kind(v1::ORIGINALITY_COMPONENT_KIND_FORK_DELTA);
  fork.set_penalty(0.4);
  fork.set_factor(0.6);
  fork.add_matched_clip_ids("clip-p");
  EXPECT_EQ(RenderHuman(ExplanationRecord(explanation, Digits::kShort)),
            "clip id:     clip-1\n"
            "originality: 0.42\n"
            "copy:        no\n"
            "computed:    2024-05-01T12:00:00Z\n"
            "\n"
            "KIND                   PENALTY  FACTOR  MATCHED\n"
            "prompt-near-duplicate  0.3      0.7     clip-a, clip-b\n"
            "fork-delta             0.4      0.6     clip-p\n");

  v1::ClipExplanation copy;
  copy.set_clip_id("clip-2");
  copy.mutable_originality()->set_score(0.1 + 0.2);
  copy.mutable_originality()->set_copy(true);
  v1::OriginalityComponent& media = *copy.add_components();
  media.set_kind(v1::ORIGINALITY_COMPONENT_KIND_MEDIA_NEAR_DUPLICATE);
  media.set_penalty(0.75);
  media.set_factor(0.25);
  media.add_matched_clip_ids("clip-original");
  EXPECT_EQ(RenderJson(ExplanationRecord(copy, Digits::kExact)),
            "{\"clip_id\":\"clip-2\",\"originality\":\"0.30000000000000004\",\"copy\":true,\"components\":["
            "{\"kind\":\"media-near-duplicate\",\"penalty\":\"0.75\",\"factor\":\"0.25\","
            "\"matched\":[\"clip-original\"]}]}\n");
}

TEST(FeedViewsTest, WeightsShowEachFactorAndEveryThemeWeight) {
  v1::RankingWeights weights;
  weights.set_originality(1.5);
  weights.set_freshness(1);
  weights.set_following_vs_discovery(0.75);
  weights.set_exploration_share(0.1);
  v1::ThemeWeight& neon = *weights.add_theme_weights();
  neon.set_theme_id("t-neon");
  neon.set_weight(2);
  v1::ThemeWeight& jazz = *weights.add_theme_weights();
  jazz.set_theme_id("t-jazz");
  jazz.set_weight(0.5);
  weights.mutable_update_time()->set_seconds(1714564800);
  EXPECT_EQ(RenderHuman(WeightsRecord(weights, Digits::kShort)),
            "originality:            1.5\n"
            "freshness:              1\n"
            "following vs discovery: 0.75\n"
            "exploration share:      0.1\n"
            "updated:                2024-05-01T12:00:00Z\n"
            "\n"
            "THEME ID  WEIGHT\n"
            "t-neon    2\n"
            "t-jazz    0.5\n");

  // Defaults: never changed, no theme weights.
  v1::RankingWeights defaults;
  defaults.set_originality(1);
  defaults.set_freshness(1);
  defaults.set_following_vs_discovery(1);
  defaults.set_exploration_share(0.1);
  EXPECT_EQ(RenderJson(WeightsRecord(defaults, Digits::kExact)),
            "{\"originality\":\"1\",\"freshness\":\"1\",\"following_vs_discovery\":\"1\","
            "\"exploration_share\":\"0.1\",\"theme_weights\":[]}\n");
}

TEST(FeedViewsTest, ThemesShowSlugNameCountsJoinedAndId) {
  v1::Theme theme;
  theme.set_theme_id("t-neon");
  theme.set_slug("neon-noir");
  theme.set_display_name("Neon Noir");
  theme.set_description("rain, neon, trench coats");
  theme.add_tags("neon");
  theme.add_tags("noir");
  theme.set_member_count(12);
  theme.set_clip_count(340);
  theme.set_joined(true);
  theme.mutable_create_time()->set_seconds(1714564800);
  EXPECT_EQ(RenderJson(ThemeRow(theme)),
            "{\"slug\":\"neon-noir\",\"name\":\"Neon Noir\",\"members\":12,\"clips\":340,\"joined\":true,"
            "\"theme_id\":\"t-neon\"}\n");
  EXPECT_EQ(RenderJson(ThemeRecord(theme)),
            "{\"theme_id\":\"t-neon\",\"slug\":\"neon-noir\",\"name\":\"Neon Noir\","
            "\"description\":\"rain, neon, trench coats\",\"tags\":[\"neon\",\"noir\"],\"members\":12,\"clips\":340,"
            "\"joined\":true,\"feed\":\"theme/t-neon\",\"created\":\"2024-05-01T12:00:00Z\"}\n");
}

TEST(FeedViewsTest, ReachShowsAPenaltyItsAppealAndTheDecisionOrOnlyThatNoneRuns) {
  v1::ReachStatus never;
  never.set_creator_id("id-alice");
  never.set_reach(1);
  never.set_appeal_state(v1::REACH_APPEAL_STATE_NONE);
  EXPECT_EQ(RenderHuman(ReachRecord(never, Digits::kShort)),
            "active: no\n"
            "reach:  1\n"
            "appeal: none\n");

  v1::ReachStatus lifted;
  lifted.set_creator_id("id-alice");
  lifted.set_reach(1);
  lifted.mutable_start_time()->set_seconds(1714564800);
  lifted.mutable_end_time()->set_seconds(1714564800 + 7 * 24 * 3600);
  lifted.set_copies(6);
  lifted.add_copy_clip_ids("c-1");
  lifted.set_appeal_state(v1::REACH_APPEAL_STATE_LIFTED);
  lifted.set_appeal_statement("my own clips");
  lifted.mutable_appeal_time()->set_seconds(1714568400);
  lifted.set_decision_note("they were hers");
  lifted.mutable_decide_time()->set_seconds(1714572000);
  lifted.mutable_lift_time()->set_seconds(1714572000);
  EXPECT_EQ(RenderJson(ReachRecord(lifted, Digits::kExact)),
            "{\"active\":false,\"reach\":\"1\",\"started\":\"2024-05-01T12:00:00Z\","
            "\"ends\":\"2024-05-08T12:00:00Z\",\"copies\":6,\"copy_clip_ids\":[\"c-1\"],\"appeal\":\"lifted\","
            "\"statement\":\"my own clips\",\"appealed\":\"2024-05-01T13:00:00Z\","
            "\"decision_note\":\"they were hers\",\"decided\":\"2024-05-01T14:00:00Z\","
            "\"lifted\":\"2024-05-01T14:00:00Z\"}\n");
}

}  // namespace
}  // namespace clipforge::cli
