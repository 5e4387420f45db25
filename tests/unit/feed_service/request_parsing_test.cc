// The FeedService requests checked and turned into the logic's inputs:
// every bound refused as INVALID_ARGUMENT naming its field (with the index
// of a repeated one), and what passes read as the logic expects it. Reach
// appeals included.
#include "services/feed/request_parsing.h"

#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/testing/status_matchers.h"
#include "clipforge/v1/feed.pb.h"
#include "services/kit/proto_time.h"

namespace clipforge::feed_service::testing {
namespace {

constexpr absl::Time kParseNow = absl::FromUnixSeconds(1'800'000'000);

using base::testing::IsOk;
using base::testing::IsOkAndHolds;
using base::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// A canonical lowercase UUID, different for each `n`.
std::string TestUuid(int n) { return absl::StrFormat("00000000-0000-7000-8000-%012d", n); }

// A SendFeedback request of `count` SEEN pieces about distinct clips.
v1::SendFeedbackRequest FeedbackRequest(int count) {
  v1::SendFeedbackRequest request;
  request.set_request_id(TestUuid(0));
  for (int i = 0; i < count; ++i) {
    v1::Feedback* f = request.add_feedback();
    f->set_clip_id(TestUuid(i + 1));
    f->set_type(v1::FEEDBACK_TYPE_SEEN);
  }
  return request;
}

// An UpdateRankingWeights request naming `paths`, its weights in bounds.
v1::UpdateRankingWeightsRequest WeightsRequest(const std::vector<std::string>& paths) {
  v1::UpdateRankingWeightsRequest request;
  request.set_request_id(TestUuid(0));
  v1::RankingWeights* w = request.mutable_weights();
  w->set_originality(1.5);
  w->set_freshness(0.75);
  w->set_following_vs_discovery(2.0);
  w->set_exploration_share(0.2);
  for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
  return request;
}

v1::CreateThemeRequest ThemeRequest(const std::string& slug, const std::vector<std::string>& tags) {
  v1::CreateThemeRequest request;
  request.set_request_id(TestUuid(0));
  request.mutable_theme()->set_slug(slug);
  request.mutable_theme()->set_display_name("Cats");
  request.mutable_theme()->set_description("Cats and kittens");
  for (const std::string& tag : tags) request.mutable_theme()->add_tags(tag);
  return request;
}

v1::AppealReachPenaltyRequest ReachAppealRequest(const std::string& statement) {
  v1::AppealReachPenaltyRequest request;
  request.set_request_id(TestUuid(0));
  request.set_statement(statement);
  return request;
}

v1::DecideReachAppealRequest ReachDecisionRequest(const std::string& creator_id, const std::string& note) {
  v1::DecideReachAppealRequest request;
  request.set_request_id(TestUuid(0));
  request.set_creator_id(creator_id);
  request.set_lift(true);
  request.set_note(note);
  return request;
}

// --- GetFeed ---

TEST(RequestParsingTest, APageSizeOfZeroIsTwentyAndFiftyIsTheMost) {
  v1::GetFeedRequest request;
  request.set_feed("for_you");
  ASSERT_OK_AND_ASSIGN(const FeedPageRequest defaulted, ParseGetFeed(request));
  EXPECT_EQ(defaulted.page_size, 20u);

  request.set_page_size(50);
  ASSERT_OK_AND_ASSIGN(const FeedPageRequest largest, ParseGetFeed(request));
  EXPECT_EQ(largest.page_size, 50u);

  for (const int refused : {51, -1}) {
    request.set_page_size(refused);
    EXPECT_THAT(ParseGetFeed(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")))
        << refused;
  }
}

TEST(RequestParsingTest, TheFeedIsOneOfTheFourNames) {
  const std::pair<std::string, FeedKind> known[] = {
      {"for_you", FeedKind::kForYou}, {"following", FeedKind::kFollowing}, {"trending", FeedKind::kTrending}};
  for (const auto& [name, kind] : known) {
    ASSERT_OK_AND_ASSIGN(const FeedName parsed, ParseFeedName(name));
    EXPECT_EQ(parsed.kind, kind) << name;
    EXPECT_EQ(parsed.text, name);
  }
  const std::string uuid = TestUuid(7);
  for (const std::string& bad : {std::string(""), std::string("For_You"), std::string("popular"),
                                 std::string("for_you "), std::string("theme/"), std::string("theme/cats"),
                                 absl::StrCat("theme/", uuid, "0"), std::string("theme/00000000-0000-7000-8000-00000000000A"),
                                 absl::StrCat("themes/", uuid)}) {
    EXPECT_THAT(ParseFeedName(bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feed"))) << bad;
  }
  v1::GetFeedRequest request;
  request.set_feed("popular");
  EXPECT_THAT(ParseGetFeed(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feed")));
}

TEST(RequestParsingTest, AThemeFeedNamesItsTheme) {
  const std::string uuid = TestUuid(42);
  v1::GetFeedRequest request;
  request.set_feed(absl::StrCat("theme/", uuid));

  ASSERT_OK_AND_ASSIGN(const FeedPageRequest parsed, ParseGetFeed(request));
  EXPECT_EQ(parsed.feed.kind, FeedKind::kTheme);
  EXPECT_EQ(parsed.feed.theme_id, uuid);
  EXPECT_EQ(parsed.feed.text, request.feed());
}

TEST(RequestParsingTest, AtMost200SeenClipIdsEachAUuid) {
  v1::GetFeedRequest request;
  request.set_feed("for_you");
  request.set_page_token("token");
  for (int i = 0; i < 200; ++i) request.add_seen_clip_ids(TestUuid(i));
  ASSERT_OK_AND_ASSIGN(const FeedPageRequest parsed, ParseGetFeed(request));
  EXPECT_EQ(parsed.seen_clip_ids.size(), 200u);
  EXPECT_EQ(parsed.seen_clip_ids[199], TestUuid(199));
  EXPECT_EQ(parsed.page_token, "token");

  request.add_seen_clip_ids(TestUuid(200));
  EXPECT_THAT(ParseGetFeed(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("seen_clip_ids")));

  v1::GetFeedRequest one_bad;
  one_bad.set_feed("for_you");
  for (int i = 0; i < 5; ++i) one_bad.add_seen_clip_ids(i == 3 ? "not-a-clip" : TestUuid(i));
  EXPECT_THAT(ParseGetFeed(one_bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("seen_clip_ids[3]")));
}

// --- SendFeedback ---

TEST(RequestParsingTest, AFeedbackBatchHoldsOneTo100Pieces) {
  EXPECT_THAT(ParseSendFeedback(FeedbackRequest(0), kParseNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback")));
  ASSERT_OK_AND_ASSIGN(const std::vector<FeedbackInput> largest, ParseSendFeedback(FeedbackRequest(100), kParseNow));
  EXPECT_EQ(largest.size(), 100u);
  EXPECT_THAT(ParseSendFeedback(FeedbackRequest(101), kParseNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback")));

  v1::SendFeedbackRequest no_id = FeedbackRequest(1);
  no_id.clear_request_id();
  EXPECT_THAT(ParseSendFeedback(no_id, kParseNow), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
}

TEST(RequestParsingTest, AnUnknownFeedbackTypeOrScopeNamesItsIndex) {
  v1::SendFeedbackRequest unspecified = FeedbackRequest(4);
  unspecified.mutable_feedback(2)->set_type(v1::FEEDBACK_TYPE_UNSPECIFIED);
  EXPECT_THAT(ParseSendFeedback(unspecified, kParseNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback[2].type")));

  v1::SendFeedbackRequest unknown = FeedbackRequest(4);
  unknown.mutable_feedback(1)->set_type(static_cast<v1::FeedbackType>(99));
  EXPECT_THAT(ParseSendFeedback(unknown, kParseNow), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback[1].type")));

  v1::SendFeedbackRequest scope = FeedbackRequest(4);
  scope.mutable_feedback(3)->set_scope(static_cast<v1::FeedbackScope>(77));
  EXPECT_THAT(ParseSendFeedback(scope, kParseNow), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback[3].scope")));

  v1::SendFeedbackRequest clip = FeedbackRequest(4);
  clip.mutable_feedback(0)->set_clip_id("clip");
  EXPECT_THAT(ParseSendFeedback(clip, kParseNow), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback[0].clip_id")));
}

TEST(RequestParsingTest, FeedbackTimesAreWithinADayAndWatchTimesWithinAnHour) {
  v1::SendFeedbackRequest request = FeedbackRequest(2);
  *request.mutable_feedback(1)->mutable_event_time() = kit::ToTimestamp(kParseNow - absl::Hours(23));
  request.mutable_feedback(1)->mutable_watch_duration()->set_seconds(3600);
  EXPECT_THAT(ParseSendFeedback(request, kParseNow), IsOk());

  *request.mutable_feedback(1)->mutable_event_time() = kit::ToTimestamp(kParseNow - absl::Hours(25));
  EXPECT_THAT(ParseSendFeedback(request, kParseNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback[1].event_time")));
  *request.mutable_feedback(1)->mutable_event_time() = kit::ToTimestamp(kParseNow + absl::Minutes(5));
  EXPECT_THAT(ParseSendFeedback(request, kParseNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback[1].event_time")));
  request.mutable_feedback(1)->clear_event_time();

  request.mutable_feedback(1)->mutable_watch_duration()->set_seconds(3601);
  EXPECT_THAT(ParseSendFeedback(request, kParseNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback[1].watch_duration")));
  request.mutable_feedback(1)->mutable_watch_duration()->set_seconds(-1);
  EXPECT_THAT(ParseSendFeedback(request, kParseNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feedback[1].watch_duration")));
}

TEST(RequestParsingTest, FeedbackIsReadWithItsScopeAndSlot) {
  v1::SendFeedbackRequest request = FeedbackRequest(3);
  request.mutable_feedback(0)->set_type(v1::FEEDBACK_TYPE_SHOW_LESS);
  request.mutable_feedback(0)->set_scope(v1::FEEDBACK_SCOPE_PROMPT_CLUSTER);
  request.mutable_feedback(1)->set_type(v1::FEEDBACK_TYPE_COMPLETE);
  ServedItem explored;
  explored.exploration = true;
  request.mutable_feedback(1)->set_feed_context(FeedContextFor(explored));
  request.mutable_feedback(2)->set_feed_context(FeedContextFor(ServedItem{}));

  ASSERT_OK_AND_ASSIGN(const std::vector<FeedbackInput> parsed, ParseSendFeedback(request, kParseNow));
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0].clip_id, TestUuid(1));
  EXPECT_EQ(parsed[0].kind, FeedbackKind::kShowLess);
  EXPECT_EQ(parsed[0].scope, FeedbackScope::kPromptCluster);
  EXPECT_EQ(parsed[1].kind, FeedbackKind::kComplete);
  EXPECT_EQ(parsed[1].scope, FeedbackScope::kClip);  // unspecified reads as the clip
  EXPECT_TRUE(parsed[1].exploration);
  EXPECT_FALSE(parsed[2].exploration);
  EXPECT_FALSE(IsExplorationContext(""));
}

// --- UpdateRankingWeights ---

TEST(RequestParsingTest, TheUpdateMaskNamesKnownPathsOnly) {
  EXPECT_THAT(ParseUpdateWeights(WeightsRequest({})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask")));
  EXPECT_THAT(ParseUpdateWeights(WeightsRequest({"freshness", "colour"})),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("update_mask"), HasSubstr("colour"))));
}

TEST(RequestParsingTest, OnlyTheNamedWeightsChange) {
  v1::UpdateRankingWeightsRequest request = WeightsRequest({"freshness", "theme_weights"});
  request.mutable_weights()->set_originality(99.0);  // not named: not read
  v1::ThemeWeight* theme = request.mutable_weights()->add_theme_weights();
  theme->set_theme_id(TestUuid(5));
  theme->set_weight(0.5);

  ASSERT_OK_AND_ASSIGN(const WeightsChange change, ParseUpdateWeights(request));
  ASSERT_TRUE(change.freshness.has_value());
  EXPECT_EQ(*change.freshness, 0.75);
  EXPECT_FALSE(change.originality.has_value());
  EXPECT_FALSE(change.following_vs_discovery.has_value());
  EXPECT_FALSE(change.exploration_share.has_value());
  ASSERT_TRUE(change.theme_weights.has_value());
  EXPECT_THAT(*change.theme_weights, ElementsAre(Pair(TestUuid(5), 0.5)));
}

TEST(RequestParsingTest, AWeightOutOfBoundsNamesItsField) {
  struct Case {
    std::string path;
    double value;
  };
  for (const Case& c : {Case{"originality", 2.5}, Case{"originality", 0.25}, Case{"freshness", 0.4},
                        Case{"following_vs_discovery", 2.01}, Case{"exploration_share", 0.3},
                        Case{"exploration_share", 0.01}}) {
    v1::UpdateRankingWeightsRequest request = WeightsRequest({c.path});
    v1::RankingWeights* w = request.mutable_weights();
    if (c.path == "originality") w->set_originality(c.value);
    if (c.path == "freshness") w->set_freshness(c.value);
    if (c.path == "following_vs_discovery") w->set_following_vs_discovery(c.value);
    if (c.path == "exploration_share") w->set_exploration_share(c.value);
    EXPECT_THAT(ParseUpdateWeights(request),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(absl::StrCat("weights.", c.path))))
        << c.path << " = " << c.value;
  }
  // The bounds themselves are in.
  v1::UpdateRankingWeightsRequest edges = WeightsRequest({"originality", "exploration_share"});
  edges.mutable_weights()->set_originality(0.5);
  edges.mutable_weights()->set_exploration_share(0.25);
  EXPECT_THAT(ParseUpdateWeights(edges), IsOk());

  v1::UpdateRankingWeightsRequest themes = WeightsRequest({"theme_weights"});
  for (const double weight : {1.0, 3.0}) {
    v1::ThemeWeight* t = themes.mutable_weights()->add_theme_weights();
    t->set_theme_id(TestUuid(static_cast<int>(weight)));
    t->set_weight(weight);
  }
  EXPECT_THAT(ParseUpdateWeights(themes),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weights.theme_weights[1].weight")));

  v1::UpdateRankingWeightsRequest repeated = WeightsRequest({"theme_weights"});
  for (int i = 0; i < 2; ++i) {
    v1::ThemeWeight* t = repeated.mutable_weights()->add_theme_weights();
    t->set_theme_id(TestUuid(9));
    t->set_weight(1.0);
  }
  EXPECT_THAT(ParseUpdateWeights(repeated),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weights.theme_weights[1].theme_id")));
}

// --- Themes ---

TEST(RequestParsingTest, AThemeIsASlugANameAndClipTags) {
  ASSERT_OK_AND_ASSIGN(const ThemeRecord theme, ParseCreateTheme(ThemeRequest("cats-2", {"cats", "kittens", "cats"})));
  EXPECT_EQ(theme.slug, "cats-2");
  EXPECT_EQ(theme.display_name, "Cats");
  EXPECT_EQ(theme.description, "Cats and kittens");
  EXPECT_THAT(theme.tags, ElementsAre("cats", "kittens"));  // once each
  EXPECT_TRUE(theme.theme_id.empty());                        // the logic names it

  EXPECT_THAT(ParseCreateTheme(ThemeRequest(std::string(40, 'a'), {"cats"})), IsOk());
  for (const std::string& slug : {std::string("a"), std::string(41, 'a'), std::string("Cats"),
                                  std::string("cats_and_dogs"), std::string("cats dogs"), std::string("")}) {
    EXPECT_THAT(ParseCreateTheme(ThemeRequest(slug, {"cats"})),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("theme.slug")))
        << "'" << slug << "'";
  }
}

TEST(RequestParsingTest, ThemeTagsAreOneTo32ClipTags) {
  EXPECT_THAT(ParseCreateTheme(ThemeRequest("cats", {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("theme.tags")));
  EXPECT_THAT(ParseCreateTheme(ThemeRequest("cats", {"Cats"})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("theme.tags[0]")));
  EXPECT_THAT(ParseCreateTheme(ThemeRequest("cats", {"cats", "cute-cat"})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("theme.tags[1]")));
  EXPECT_THAT(ParseCreateTheme(ThemeRequest("cats", {"cats", std::string(41, 'c')})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("theme.tags[1]")));
  EXPECT_THAT(ParseCreateTheme(ThemeRequest("cats", {"snake_case", "k9"})), IsOk());

  std::vector<std::string> many;
  for (int i = 0; i < 33; ++i) many.push_back(absl::StrCat("tag", i));
  EXPECT_THAT(ParseCreateTheme(ThemeRequest("cats", many)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("theme.tags")));
  many.pop_back();
  EXPECT_THAT(ParseCreateTheme(ThemeRequest("cats", many)), IsOk());

  v1::CreateThemeRequest unnamed = ThemeRequest("cats", {"cats"});
  unnamed.mutable_theme()->clear_display_name();
  EXPECT_THAT(ParseCreateTheme(unnamed),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("theme.display_name")));
}

TEST(RequestParsingTest, AThemePageTokenRoundTripsForTheSameListingOnly) {
  v1::ListThemesRequest request;
  request.set_joined_only(true);
  request.set_page_token(ThemePageToken(40, /*joined_only=*/true));

  ASSERT_OK_AND_ASSIGN(const ThemeListing listing, ParseListThemes(request));
  EXPECT_EQ(listing.offset, 40);
  EXPECT_TRUE(listing.joined_only);
  EXPECT_EQ(listing.page_size, 20u);

  request.set_joined_only(false);
  EXPECT_THAT(ParseListThemes(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));

  v1::ListThemesRequest all;
  all.set_page_token(ThemePageToken(7, /*joined_only=*/false));
  all.set_page_size(100);
  ASSERT_OK_AND_ASSIGN(const ThemeListing every, ParseListThemes(all));
  EXPECT_EQ(every.offset, 7);
  EXPECT_FALSE(every.joined_only);
  EXPECT_EQ(every.page_size, 100u);

  v1::ListThemesRequest garbage;
  garbage.set_page_token("not a token");
  EXPECT_THAT(ParseListThemes(garbage), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  v1::ListThemesRequest too_many;
  too_many.set_page_size(101);
  EXPECT_THAT(ParseListThemes(too_many), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
}

// --- Reach appeals ---

TEST(RequestParsingTest, AReachAppealsStatementIsOneTo1000CharactersNotBlank) {
  EXPECT_THAT(ParseAppealReach(ReachAppealRequest("These were my own clips")), IsOkAndHolds("These were my own clips"));
  // Characters, not bytes: 1000 two-byte ones pass.
  std::string accented;
  for (int i = 0; i < 1000; ++i) accented += "\u00e9";
  EXPECT_THAT(ParseAppealReach(ReachAppealRequest(accented)), IsOk());

  for (const std::string& statement : {std::string(""), std::string("   \n\t "), std::string(1001, 'x'),
                                       std::string("bad \xff utf-8"), std::string("a bell \x07")}) {
    EXPECT_THAT(ParseAppealReach(ReachAppealRequest(statement)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("statement")))
        << "'" << statement << "'";
  }
  v1::AppealReachPenaltyRequest keyless = ReachAppealRequest("mine");
  keyless.clear_request_id();
  EXPECT_THAT(ParseAppealReach(keyless), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
}

TEST(RequestParsingTest, AReachDecisionNamesTheCreatorAndANote) {
  ASSERT_OK_AND_ASSIGN(const ReachDecision decision,
                       ParseDecideReachAppeal(ReachDecisionRequest(TestUuid(7), "They were copies of hers")));
  EXPECT_EQ(decision.creator_id, TestUuid(7));
  EXPECT_TRUE(decision.lift);
  EXPECT_EQ(decision.note, "They were copies of hers");

  EXPECT_THAT(ParseDecideReachAppeal(ReachDecisionRequest("someone", "a note")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("creator_id")));
  EXPECT_THAT(ParseDecideReachAppeal(ReachDecisionRequest(TestUuid(7), "")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("note")));
  EXPECT_THAT(ParseDecideReachAppeal(ReachDecisionRequest(TestUuid(7), std::string(1001, 'n'))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("note")));
}

}  // namespace
}  // namespace clipforge::feed_service::testing
