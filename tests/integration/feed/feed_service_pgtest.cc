// FeedService over a real Postgres and a real JetStream nats-server, wired
// as `clipforged serve` wires it: clips reach the feed's pools over the bus
// (one through the clips service's own publish, the rest as the clips
// service's events), and the promises are checked end to end:
// feedback changes the next pages (show-less on a prompt cluster leaves
// none of it in the next 200 items), a removal event takes a clip out
// within a second and a moderator's restore brings it back (a restart
// too), withdrawing consent turns personalization off and erases its data
// (stored skips included), an opted-in viewer's seen clips stay out of
// their new sessions (a restart too) until consent is withdrawn, and a
// restarted instance rebuilds its pools before it reports ready.
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "base/role.h"
#include "base/status_macros.h"
#include "base/uuid.h"
#include "services/feed/frame_bytes.h"
#include "services/feed/request_parsing.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_pool.h"
#include "services/kit/pg_transaction.h"
#include "services/kit/proto_time.h"
#include "tests/support/generation_jobs.h"
#include "tests/support/moderation_test_server.h"

namespace clipforge::testing {
namespace {

using grpc::StatusCode;

ModerationTestServerOptions Options() {
  ModerationTestServerOptions options;
  options.with_generation = true;
  options.with_clips = true;
  options.with_feed = true;
  options.executor_threads = 8;
  return options;
}

struct TestUser {
  std::string id;
  std::string token;
};

// A prompt of random letter words: unlike any other (character shingles of
// random words are almost never shared).
std::string RandomPrompt(base::RandomSource& random, int words = 8) {
  std::string prompt;
  for (int w = 0; w < words; ++w) {
    unsigned char bytes[7];
    random.Fill(bytes, sizeof bytes);
    if (w > 0) prompt += ' ';
    for (unsigned char b : bytes) prompt += static_cast<char>('a' + b % 26);
  }
  return prompt;
}

class FeedServiceTest : public ::testing::Test {
 protected:
  TestUser NewUser(base::RoleSet roles = {base::Role::kUser}) {
    TestUser user{.id = ids_.Next()};
    user.token = server_.Token(roles, user.id);
    return user;
  }

  template <typename Request, typename Response, typename Call>
  grpc::Status As(const TestUser& user, Call call, const Request& request, Response* response) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + user.token);
    return ((*feed_).*call)(&ctx, request, response);
  }

  grpc::Status Page(const TestUser& user, const std::string& feed, int size, const std::string& token,
                    v1::GetFeedResponse* out) {
    v1::GetFeedRequest request;
    request.set_feed(feed);
    request.set_page_size(size);
    request.set_page_token(token);
    return As(user, &v1::FeedService::Stub::GetFeed, request, out);
  }

  // Up to `count` items of one feed session, page after page; stops early
  // when a page comes back empty.
  std::vector<v1::FeedItem> Items(const TestUser& user, int count, const std::string& feed = "for_you") {
    std::vector<v1::FeedItem> items;
    std::string token;
    while (static_cast<int>(items.size()) < count) {
      v1::GetFeedResponse page;
      const grpc::Status status = Page(user, feed, std::min(50, count - static_cast<int>(items.size())), token, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok() || page.items().empty()) break;
      items.insert(items.end(), page.items().begin(), page.items().end());
      token = page.next_page_token();
    }
    return items;
  }

  grpc::Status Feedback(const TestUser& user, const std::string& clip_id, v1::FeedbackType type,
                        v1::FeedbackScope scope = v1::FEEDBACK_SCOPE_CLIP) {
    v1::SendFeedbackRequest request;
    request.set_request_id(ids_.Next());
    v1::Feedback* f = request.add_feedback();
    f->set_clip_id(clip_id);
    f->set_type(type);
    f->set_scope(scope);
    v1::SendFeedbackResponse response;
    return As(user, &v1::FeedService::Stub::SendFeedback, request, &response);
  }

  v1::EventEnvelope Published(const std::string& creator_id, const std::string& prompt,
                              const std::vector<std::string>& tags = {}) {
    const std::string clip_id = ids_.Next();
    v1::EventEnvelope event = server_.bus().events().New("clipforge.clip.published", "clip", clip_id);
    v1::ClipPublishedEvent* e = event.mutable_clip_published();
    e->set_clip_id(clip_id);
    e->set_author_id(creator_id);
    e->set_root_clip_id(clip_id);
    e->set_prompt(prompt);
    e->set_visibility(v1::VISIBILITY_PUBLIC);
    for (const std::string& tag : tags) e->add_tags(tag);
    return event;
  }

  // Puts `events` on the bus as their producing services would (the
  // outbox, then the relay) and waits until the feed applied them all.
  void Deliver(const std::vector<v1::EventEnvelope>& events) {
    const absl::Status appended = kit::RunInTransaction(producer_, [&](pqxx::work& txn) {
      for (const v1::EventEnvelope& event : events) CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, event));
      return absl::OkStatus();
    });
    ASSERT_TRUE(appended.ok()) << appended;
    server_.PublishEvents();
    std::string ids;
    for (const v1::EventEnvelope& event : events) absl::StrAppend(&ids, ids.empty() ? "'" : ",'", event.event_id(), "'");
    for (int i = 0; i < 800; ++i) {
      if (server_.bus().Scalar("SELECT count(*) FROM feed.inbox WHERE event_id IN (" + ids + ")") ==
          static_cast<int64_t>(events.size())) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(25));
    }
    FAIL() << "the feed did not apply " << events.size() << " events";
  }
  void Deliver(const v1::EventEnvelope& event) { Deliver(std::vector<v1::EventEnvelope>{event}); }

  // The earliest clip the explained clip's prompt matched (its original,
  // for a copy); empty when none.
  static std::string FirstPromptMatch(const v1::ClipExplanation& explanation) {
    for (const v1::OriginalityComponent& c : explanation.components()) {
      if (c.kind() == v1::ORIGINALITY_COMPONENT_KIND_PROMPT_NEAR_DUPLICATE && !c.matched_clip_ids().empty()) {
        return c.matched_clip_ids(0);
      }
    }
    return "";
  }

  // `count` unrelated clips by `creators` creators; returns their ids.
  std::vector<std::string> PublishUnrelated(int count, int creators) {
    std::vector<TestUser> authors;
    for (int i = 0; i < creators; ++i) authors.push_back(NewUser());
    std::vector<v1::EventEnvelope> events;
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      events.push_back(Published(authors[i % creators].id, RandomPrompt(random_)));
      ids.push_back(events.back().clip_published().clip_id());
    }
    Deliver(events);
    return ids;
  }

  void Consent(const TestUser& user, bool opted_in) {
    v1::EventEnvelope event = server_.bus().events().New("clipforge.user.consent_changed", "user", user.id);
    event.mutable_user_consent_changed()->set_user_id(user.id);
    event.mutable_user_consent_changed()->set_opted_in(opted_in);
    Deliver(event);
  }

  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  ModerationTestServer server_{Options()};
  std::unique_ptr<v1::FeedService::Stub> feed_ = server_.NewFeedStub();
  std::unique_ptr<v1::ClipsService::Stub> clips_ = server_.NewClipsStub();
  // Other services' events, appended as a superuser (who may write any
  // subject).
  kit::PgPool producer_{{.dsn = server_.bus().pg().dsn(), .size = 1, .statements = {kit::OutboxWriter::Statement()}}};
};

TEST_F(FeedServiceTest, AClipPublishedThroughTheClipsServiceIsServedWithReasonsAndAnExactBreakdown) {
  const TestUser alice = NewUser();
  const TestUser viewer = NewUser();
  const generation_service::JobRecord job =
      JobIn(v1::JOB_STATUS_COMPLETED, ids_.Next(), alice.id, DraftSpec("a lighthouse keeper's cat at dawn", ""),
            absl::Now());
  ASSERT_TRUE(server_.generation()
                  .store()
                  .Transact(generation_service::TxMode::kReadWrite,
                            [&](generation_service::GenerationTx& tx) {
                              tx.InsertJob(job);
                              return absl::OkStatus();
                            })
                  .ok());
  ASSERT_TRUE(StoreOutputs(server_.generation().blobs(), job.job_id).ok());
  v1::PublishClipRequest publish;
  publish.set_request_id(ids_.Next());
  publish.set_job_id(job.job_id);
  publish.set_title("dawn");
  v1::Clip clip;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + alice.token);
  ASSERT_TRUE(clips_->PublishClip(&ctx, publish, &clip).ok());
  server_.PublishEvents();

  // The bus is asynchronous: wait for the pools to hold it.
  for (int i = 0; i < 400 && !server_.feed().state().KeysOf(clip.clip_id()); ++i) absl::SleepFor(absl::Milliseconds(25));
  ASSERT_TRUE(server_.feed().state().KeysOf(clip.clip_id()).has_value());

  const std::vector<v1::FeedItem> items = Items(viewer, 20);
  ASSERT_EQ(items.size(), 1u);
  const v1::FeedItem& item = items[0];
  EXPECT_EQ(item.clip_id(), clip.clip_id());
  ASSERT_FALSE(item.reasons().empty());
  EXPECT_NE(item.reasons(0).type(), v1::FEED_REASON_TYPE_UNSPECIFIED);
  double product = 1.0;
  for (const v1::ScoreFactor& factor : item.score().factors()) product *= factor.value();
  EXPECT_EQ(product, item.score().score());  // bit for bit
  EXPECT_DOUBLE_EQ(item.originality().score(), 1.0);
  EXPECT_FALSE(item.feed_context().empty());

  // Its author does not see their own clip in their feed.
  EXPECT_TRUE(Items(alice, 20).empty());
}

TEST_F(FeedServiceTest, ShowLessOnAPromptClusterLeavesNoneOfItInTheNext200Items) {
  const TestUser viewer = NewUser();
  // A cluster of near-duplicate prompts by different creators (not
  // copies: each adds its own words), among 260 unrelated clips.
  const std::string base = "an origami crane unfolding into a paper city under violet rain";
  std::vector<v1::EventEnvelope> cluster;
  for (const char* twist : {"with brass bells", "at low tide", "in a snow globe", "beside a tram stop",
                            "through fogged glass", "over quiet rooftops"}) {
    cluster.push_back(Published(NewUser().id, absl::StrCat(base, " ", twist)));
  }
  Deliver(cluster);
  PublishUnrelated(260, 65);
  const std::optional<feed_service::ClipKeys> first = server_.feed().state().KeysOf(cluster[0].clip_published().clip_id());
  ASSERT_TRUE(first.has_value());
  std::set<std::string> cluster_ids;
  for (const v1::EventEnvelope& e : cluster) {
    const std::string& id = e.clip_published().clip_id();
    ASSERT_EQ(server_.feed().state().KeysOf(id)->prompt_cluster_id, first->prompt_cluster_id) << "not clustered";
    cluster_ids.insert(id);
  }
  // Before: the cluster is served.
  int seen_before = 0;
  std::string shown;
  for (const v1::FeedItem& item : Items(viewer, 300)) {
    if (cluster_ids.contains(item.clip_id())) {
      ++seen_before;
      shown = item.clip_id();
    }
  }
  ASSERT_GT(seen_before, 0);

  ASSERT_TRUE(Feedback(viewer, shown, v1::FEEDBACK_TYPE_SHOW_LESS, v1::FEEDBACK_SCOPE_PROMPT_CLUSTER).ok());
  const std::vector<v1::FeedItem> after = Items(viewer, 200);
  EXPECT_EQ(after.size(), 200u);
  for (const v1::FeedItem& item : after) EXPECT_FALSE(cluster_ids.contains(item.clip_id())) << item.clip_id();

  // A setting, not a signal: it survives a restart (the new instance
  // rebuilds it from Postgres) without analytics consent.
  auto restarted = server_.NewFeedInstance();
  ASSERT_TRUE(restarted->state().AwaitReady(absl::Seconds(30)));
  feed_service::FeedPageRequest request{.feed = *feed_service::ParseFeedName("for_you"), .page_size = 50};
  std::string token;
  for (int page = 0; page < 4; ++page) {
    request.page_token = token;
    absl::StatusOr<feed_service::FeedPage> served = restarted->logic().GetFeed({.user_id = viewer.id}, request);
    ASSERT_TRUE(served.ok()) << served.status();
    for (const feed_service::ServedItem& item : served->items) {
      EXPECT_FALSE(cluster_ids.contains(item.candidate.clip_id));
    }
    token = served->next_page_token;
  }
}

TEST_F(FeedServiceTest, ARemovalEventTakesTheClipOutWithinOneSecond) {
  const TestUser viewer = NewUser();
  const std::vector<std::string> ids = PublishUnrelated(5, 5);
  std::set<std::string> served;
  for (const v1::FeedItem& item : Items(viewer, 10)) served.insert(item.clip_id());
  ASSERT_TRUE(served.contains(ids[2]));

  v1::EventEnvelope removed = server_.bus().events().New("clipforge.clip.removed", "clip", ids[2]);
  removed.mutable_clip_removed()->set_clip_id(ids[2]);
  removed.mutable_clip_removed()->set_reason(v1::REMOVAL_REASON_MODERATION);
  ASSERT_TRUE(kit::RunInTransaction(producer_, [&](pqxx::work& txn) {
                return kit::OutboxWriter::Append(txn, removed);
              }).ok());
  const absl::Time start = absl::Now();
  server_.PublishEvents();
  bool gone = false;
  while (!gone && absl::Now() - start < absl::Seconds(5)) {
    std::set<std::string> now_served;
    for (const v1::FeedItem& item : Items(viewer, 10)) now_served.insert(item.clip_id());
    gone = !now_served.contains(ids[2]);
    if (!gone) absl::SleepFor(absl::Milliseconds(10));
  }
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(gone);
  EXPECT_LT(took, absl::Seconds(1)) << took;
  // Moderation's removal withdraws the row (a restore may bring it back).
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM feed.clips WHERE clip_id = '" + ids[2] + "' AND withdrawn"), 1);
}

TEST_F(FeedServiceTest, AClipRemovedByModerationAndRestoredIsServedAgainAndAfterARestart) {
  const TestUser viewer = NewUser();
  const std::vector<std::string> ids = PublishUnrelated(5, 5);
  const std::string& clip = ids[2];
  const auto served = [&](const TestUser& user) {
    std::set<std::string> served_ids;
    for (const v1::FeedItem& item : Items(user, 10)) served_ids.insert(item.clip_id());
    return served_ids.contains(clip);
  };
  ASSERT_TRUE(served(viewer));
  v1::EventEnvelope liked = server_.bus().events().New("clipforge.clip.liked", "clip", clip);
  liked.mutable_clip_liked()->set_clip_id(clip);
  liked.mutable_clip_liked()->set_user_id(NewUser().id);
  Deliver(liked);

  v1::EventEnvelope removed = server_.bus().events().New("clipforge.clip.removed", "clip", clip);
  removed.mutable_clip_removed()->set_clip_id(clip);
  removed.mutable_clip_removed()->set_reason(v1::REMOVAL_REASON_MODERATION);
  removed.mutable_clip_removed()->set_decision_id(ids_.Next());
  Deliver(removed);
  EXPECT_FALSE(served(viewer));
  v1::ExplainClipRequest explain;
  explain.set_clip_id(clip);
  v1::ClipExplanation explanation;
  EXPECT_EQ(As(viewer, &v1::FeedService::Stub::ExplainClip, explain, &explanation).error_code(),
            StatusCode::NOT_FOUND);
  {
    auto restarted = server_.NewFeedInstance();
    ASSERT_TRUE(restarted->state().AwaitReady(absl::Seconds(30)));
    EXPECT_FALSE(restarted->state().KeysOf(clip).has_value());
  }

  // The clips service's restore: the clip's current visibility, "removed"
  // in the mask.
  v1::EventEnvelope restored = server_.bus().events().New("clipforge.clip.updated", "clip", clip);
  v1::ClipUpdatedEvent* update = restored.mutable_clip_updated();
  update->set_clip_id(clip);
  update->mutable_update_mask()->add_paths("removed");
  update->set_visibility(v1::VISIBILITY_PUBLIC);
  Deliver(restored);
  EXPECT_TRUE(served(viewer));
  EXPECT_TRUE(As(viewer, &v1::FeedService::Stub::ExplainClip, explain, &explanation).ok());
  EXPECT_EQ(server_.bus().Scalar("SELECT likes FROM feed.clips WHERE clip_id = '" + clip + "' AND NOT withdrawn"), 1);

  auto restarted = server_.NewFeedInstance();
  ASSERT_TRUE(restarted->state().AwaitReady(absl::Seconds(30)));
  EXPECT_EQ(restarted->state().clip_count(), 5u);
  absl::StatusOr<feed_service::FeedPage> page = restarted->logic().GetFeed(
      {.user_id = viewer.id}, {.feed = *feed_service::ParseFeedName("for_you"), .page_size = 10});
  ASSERT_TRUE(page.ok()) << page.status();
  bool found = false;
  for (const feed_service::ServedItem& item : page->items) {
    if (item.candidate.clip_id != clip) continue;
    found = true;
    EXPECT_EQ(item.candidate.likes, 1);
  }
  EXPECT_TRUE(found);
}

TEST_F(FeedServiceTest, WithdrawingConsentTurnsPersonalizationOffAndErasesItsData) {
  const TestUser viewer = NewUser();
  const std::vector<std::string> ids = PublishUnrelated(6, 3);
  v1::GetFeedResponse page;
  ASSERT_TRUE(Page(viewer, "for_you", 10, "", &page).ok());
  EXPECT_EQ(page.personalization_mode(), v1::PERSONALIZATION_MODE_NON_PERSONALIZED);
  // Without consent, implicit signals personalize nothing.
  ASSERT_TRUE(Feedback(viewer, ids[0], v1::FEEDBACK_TYPE_COMPLETE).ok());
  const std::string affinity_rows = "SELECT count(*) FROM feed.affinity WHERE user_id = '" + viewer.id + "'";
  EXPECT_EQ(server_.bus().Scalar(affinity_rows), 0);

  Consent(viewer, true);
  ASSERT_TRUE(Page(viewer, "for_you", 10, "", &page).ok());
  EXPECT_EQ(page.personalization_mode(), v1::PERSONALIZATION_MODE_COLD_START);
  ASSERT_TRUE(Feedback(viewer, ids[0], v1::FEEDBACK_TYPE_COMPLETE).ok());
  ASSERT_TRUE(Feedback(viewer, ids[1], v1::FEEDBACK_TYPE_LIKE).ok());
  EXPECT_EQ(server_.bus().Scalar(affinity_rows), 2);
  // Skips are personalization data too, stored while opted in.
  ASSERT_TRUE(Feedback(viewer, ids[2], v1::FEEDBACK_TYPE_SKIP).ok());
  const std::string skip_rows = "SELECT count(*) FROM feed.skips WHERE user_id = '" + viewer.id + "'";
  EXPECT_EQ(server_.bus().Scalar(skip_rows), 1);
  ASSERT_TRUE(Page(viewer, "for_you", 10, "", &page).ok());
  EXPECT_EQ(page.personalization_mode(), v1::PERSONALIZATION_MODE_PERSONALIZED);
  bool affinity_counted = false;
  for (const v1::FeedItem& item : page.items()) {
    for (const v1::ScoreFactor& f : item.score().factors()) affinity_counted |= f.name() == "affinity" && f.value() > 1.0;
  }
  EXPECT_TRUE(affinity_counted);

  // Withdrawn: erased in the same processing cycle, and the feed says so.
  Consent(viewer, false);
  EXPECT_EQ(server_.bus().Scalar(affinity_rows), 0);
  EXPECT_EQ(server_.bus().Scalar(skip_rows), 0);
  EXPECT_EQ(server_.feed().state().AffinityCount(viewer.id), 0u);
  ASSERT_TRUE(Page(viewer, "for_you", 10, "", &page).ok());
  EXPECT_EQ(page.personalization_mode(), v1::PERSONALIZATION_MODE_NON_PERSONALIZED);
  for (const v1::FeedItem& item : page.items()) {
    for (const v1::ScoreFactor& f : item.score().factors()) {
      if (f.name() == "affinity") {
        EXPECT_EQ(f.value(), 1.0);
      }
    }
  }
}

TEST_F(FeedServiceTest, SeenClipsStayOutOfNewSessionsAfterARestartUntilConsentIsWithdrawn) {
  const TestUser viewer = NewUser();
  const std::vector<std::string> ids = PublishUnrelated(12, 4);
  const std::set<std::string> all(ids.begin(), ids.end());
  const std::set<std::string> unseen(ids.begin() + 6, ids.end());
  const auto served_ids = [](const std::vector<v1::FeedItem>& items) {
    std::set<std::string> served;
    for (const v1::FeedItem& item : items) served.insert(item.clip_id());
    return served;
  };
  Consent(viewer, true);
  for (size_t i = 0; i < 6; ++i) ASSERT_TRUE(Feedback(viewer, ids[i], v1::FEEDBACK_TYPE_SEEN).ok());
  const std::string seen_rows = "SELECT count(*) FROM feed.seen WHERE user_id = '" + viewer.id + "'";
  EXPECT_EQ(server_.bus().Scalar(seen_rows), 6);

  // Items starts a new session (no page token): the seen clips stay out.
  EXPECT_EQ(served_ids(Items(viewer, 50)), unseen);

  // A restarted instance loads them from feed.seen.
  {
    auto restarted = server_.NewFeedInstance();
    ASSERT_TRUE(restarted->state().AwaitReady(absl::Seconds(30)));
    EXPECT_EQ(restarted->state().SeenCount(viewer.id), 6u);
    feed_service::FeedPageRequest request{.feed = *feed_service::ParseFeedName("for_you"), .page_size = 20};
    std::set<std::string> after_restart;
    for (int page = 0; page < 5; ++page) {
      absl::StatusOr<feed_service::FeedPage> served = restarted->logic().GetFeed({.user_id = viewer.id}, request);
      ASSERT_TRUE(served.ok()) << served.status();
      if (served->items.empty()) break;
      for (const feed_service::ServedItem& item : served->items) after_restart.insert(item.candidate.clip_id);
      request.page_token = served->next_page_token;
    }
    EXPECT_EQ(after_restart, unseen);
  }

  // Withdrawn: the rows go in the same processing cycle, and the clips
  // come back.
  Consent(viewer, false);
  EXPECT_EQ(server_.bus().Scalar(seen_rows), 0);
  EXPECT_EQ(server_.feed().state().SeenCount(viewer.id), 0u);
  EXPECT_EQ(served_ids(Items(viewer, 50)), all);
}

TEST_F(FeedServiceTest, ARestartedInstanceRebuildsItsPoolsBeforeItIsReady) {
  PublishUnrelated(120, 30);
  const TestUser follower = NewUser();
  const TestUser followed = NewUser();
  Deliver(Published(followed.id, RandomPrompt(random_)));
  v1::EventEnvelope follow = server_.bus().events().New("clipforge.user.followed", "user", follower.id);
  follow.mutable_user_followed()->set_follower_id(follower.id);
  follow.mutable_user_followed()->set_followee_id(followed.id);
  Deliver(follow);

  auto restarted = server_.NewFeedInstance();
  ASSERT_TRUE(restarted->state().AwaitReady(absl::Seconds(30)));
  // Ready means whole: every stored clip and follow is in the pools.
  EXPECT_EQ(static_cast<int64_t>(restarted->state().clip_count()),
            server_.bus().Scalar("SELECT count(*) FROM feed.clips WHERE NOT withdrawn"));
  EXPECT_EQ(restarted->state().clip_count(), 121u);
  absl::StatusOr<feed_service::FeedPage> following = restarted->logic().GetFeed(
      {.user_id = follower.id}, {.feed = *feed_service::ParseFeedName("following"), .page_size = 10});
  ASSERT_TRUE(following.ok()) << following.status();
  ASSERT_EQ(following->items.size(), 1u);
  EXPECT_EQ(following->items[0].candidate.creator_id, followed.id);
  EXPECT_EQ(following->items[0].reasons.front(), feed::FeedReason::kFollowingCreator);
}

TEST_F(FeedServiceTest, CopiesGiveWayToTheOriginalAndExplainClipNamesIt) {
  const TestUser viewer = NewUser();
  const std::string prompt = "a glass octopus conducting an orchestra of lanterns in a drowned cathedral";
  const v1::EventEnvelope original = Published(NewUser().id, prompt);
  Deliver(original);
  const v1::EventEnvelope copy = Published(NewUser().id, prompt);
  Deliver(copy);

  v1::ExplainClipRequest explain;
  explain.set_clip_id(copy.clip_published().clip_id());
  v1::ClipExplanation explanation;
  ASSERT_TRUE(As(viewer, &v1::FeedService::Stub::ExplainClip, explain, &explanation).ok());
  EXPECT_TRUE(explanation.originality().copy());
  EXPECT_LT(explanation.originality().score(), 0.2);
  EXPECT_EQ(FirstPromptMatch(explanation), original.clip_published().clip_id());

  std::set<std::string> served;
  for (const v1::FeedItem& item : Items(viewer, 10)) served.insert(item.clip_id());
  EXPECT_TRUE(served.contains(original.clip_published().clip_id()));
  EXPECT_FALSE(served.contains(copy.clip_published().clip_id()));

  explain.set_clip_id(ids_.Next());
  EXPECT_EQ(As(viewer, &v1::FeedService::Stub::ExplainClip, explain, &explanation).error_code(),
            StatusCode::NOT_FOUND);
}

TEST_F(FeedServiceTest, AnOriginalDeliveredAfterItsCopyMakesItACopyAndBothScoresAreAnnounced) {
  const TestUser viewer = NewUser();
  const std::string prompt = "a paper crane migrating south with a flock of real geese over autumn rice terraces";
  // The original was published first; its event reaches the feed second.
  const v1::EventEnvelope original = Published(NewUser().id, prompt);
  const v1::EventEnvelope copy = Published(NewUser().id, prompt);
  const std::string copy_id = copy.clip_published().clip_id();
  Deliver(copy);
  v1::ExplainClipRequest explain;
  explain.set_clip_id(copy_id);
  v1::ClipExplanation explanation;
  ASSERT_TRUE(As(viewer, &v1::FeedService::Stub::ExplainClip, explain, &explanation).ok());
  ASSERT_FALSE(explanation.originality().copy());

  Deliver(original);
  ASSERT_TRUE(As(viewer, &v1::FeedService::Stub::ExplainClip, explain, &explanation).ok());
  EXPECT_TRUE(explanation.originality().copy());
  EXPECT_EQ(FirstPromptMatch(explanation), original.clip_published().clip_id());
  std::set<std::string> served;
  for (const v1::FeedItem& item : Items(viewer, 10)) served.insert(item.clip_id());
  EXPECT_TRUE(served.contains(original.clip_published().clip_id()));
  EXPECT_FALSE(served.contains(copy_id));

  // The feed's role appended the scores to the outbox in the consumers'
  // transactions: each clip at first sight, the copy again.
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM bus.outbox WHERE subject = "
                                 "'clipforge.feed.originality_scored' AND aggregate_id = '" + copy_id + "'"),
            2);
  // And it survives a restart: the store holds the new score.
  auto restarted = server_.NewFeedInstance();
  ASSERT_TRUE(restarted->state().AwaitReady(absl::Seconds(30)));
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM feed.clips WHERE is_copy AND clip_id = '" + copy_id + "'"), 1);
  const std::vector<feed_service::RecentCopy> copies = restarted->state().RecentCopies(copy.clip_published().author_id());
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].clip_id, copy_id);
}

TEST_F(FeedServiceTest, AMassReposterLosesReachAppealsAndALiftHoldsAfterARestart) {
  const TestUser reposter = NewUser();
  const TestUser moderator = NewUser({base::Role::kUser, base::Role::kModerator});
  // Five originals by others, then the reposter copies each within a day.
  std::vector<v1::EventEnvelope> originals, copies;
  for (int i = 0; i < 5; ++i) originals.push_back(Published(NewUser().id, RandomPrompt(random_, 14)));
  Deliver(originals);
  for (const v1::EventEnvelope& original : originals) {
    copies.push_back(Published(reposter.id, original.clip_published().prompt()));
  }
  Deliver(copies);
  const v1::EventEnvelope own = Published(reposter.id, RandomPrompt(random_, 14));
  Deliver(own);

  v1::ReachStatus status;
  ASSERT_TRUE(As(reposter, &v1::FeedService::Stub::GetReachStatus, v1::GetReachStatusRequest(), &status).ok());
  EXPECT_TRUE(status.active());
  EXPECT_EQ(status.reach(), 0.25);
  EXPECT_EQ(status.copies(), 5);
  // Even the reposter's own original keeps a quarter of its score.
  const TestUser viewer = NewUser();
  bool seen_own = false;
  for (const v1::FeedItem& item : Items(viewer, 20)) {
    if (item.clip_id() != own.clip_published().clip_id()) continue;
    seen_own = true;
    for (const v1::ScoreFactor& factor : item.score().factors()) {
      if (factor.name() == "reach") {
        EXPECT_EQ(factor.value(), 0.25);
      }
    }
  }
  EXPECT_TRUE(seen_own);

  v1::AppealReachPenaltyRequest appeal;
  appeal.set_request_id(ids_.Next());
  appeal.set_statement("these were my own clips re-uploaded from another account");
  ASSERT_TRUE(As(reposter, &v1::FeedService::Stub::AppealReachPenalty, appeal, &status).ok());
  EXPECT_EQ(status.appeal_state(), v1::REACH_APPEAL_STATE_PENDING);
  v1::DecideReachAppealRequest decide;
  decide.set_request_id(ids_.Next());
  decide.set_creator_id(reposter.id);
  decide.set_lift(true);
  decide.set_note("verified: the other account is theirs");
  EXPECT_EQ(As(reposter, &v1::FeedService::Stub::DecideReachAppeal, decide, &status).error_code(),
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(As(moderator, &v1::FeedService::Stub::DecideReachAppeal, decide, &status).ok());
  EXPECT_FALSE(status.active());
  EXPECT_EQ(status.appeal_state(), v1::REACH_APPEAL_STATE_LIFTED);

  // The lift is stored: a restarted instance neither penalizes again nor
  // counts the forgiven copies.
  auto restarted = server_.NewFeedInstance();
  ASSERT_TRUE(restarted->state().AwaitReady(absl::Seconds(30)));
  absl::StatusOr<feed_service::FeedPage> page = restarted->logic().GetFeed(
      {.user_id = NewUser().id}, {.feed = *feed_service::ParseFeedName("for_you"), .page_size = 20});
  ASSERT_TRUE(page.ok()) << page.status();
  for (const feed_service::ServedItem& item : page->items) {
    if (item.candidate.creator_id == reposter.id) {
      EXPECT_EQ(item.candidate.reach, 1.0);
    }
  }
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM feed.reach_penalties WHERE creator_id = '" + reposter.id +
                                 "' AND lifted_at IS NOT NULL"),
            1);
}

TEST_F(FeedServiceTest, AReencodedVideoWithANewPromptIsACopyBeforeAndAfterARestart) {
  // 30 frames at 1 fps; each copy is re-encoded (a few bits off every
  // frame) with a fifth of its frames new and a prompt of its own.
  std::mt19937_64 rng(7);
  const auto random_frame = [&rng] {
    std::string bytes(32, '\0');
    for (char& b : bytes) b = static_cast<char>(rng() & 0xff);
    return bytes;
  };
  std::vector<std::string> frames;
  for (int i = 0; i < 30; ++i) frames.push_back(random_frame());
  const auto reencoded = [&] {
    std::vector<std::string> copy = frames;
    for (size_t i = 0; i < copy.size(); ++i) {
      if (i < 6) {
        copy[i] = random_frame();
        continue;
      }
      for (int flip = 0; flip < 6; ++flip) copy[i][rng() % 32] ^= static_cast<char>(1 << (rng() % 8));
    }
    return copy;
  };
  const auto with_frames = [](v1::EventEnvelope event, const std::vector<std::string>& hashes) {
    for (const std::string& hash : hashes) event.mutable_clip_published()->add_frame_hashes(hash);
    return event;
  };
  const v1::EventEnvelope original = with_frames(Published(NewUser().id, RandomPrompt(random_)), frames);
  Deliver(original);
  const v1::EventEnvelope copy = with_frames(Published(NewUser().id, RandomPrompt(random_)), reencoded());
  Deliver(copy);

  const TestUser viewer = NewUser();
  const auto media_match_of = [&](const std::string& clip_id) {
    v1::ExplainClipRequest explain;
    explain.set_clip_id(clip_id);
    v1::ClipExplanation explanation;
    EXPECT_TRUE(As(viewer, &v1::FeedService::Stub::ExplainClip, explain, &explanation).ok());
    EXPECT_TRUE(explanation.originality().copy());
    for (const v1::OriginalityComponent& c : explanation.components()) {
      if (c.kind() == v1::ORIGINALITY_COMPONENT_KIND_MEDIA_NEAR_DUPLICATE && c.matched_clip_ids_size() > 0) {
        return c.matched_clip_ids(0);
      }
    }
    return std::string();
  };
  EXPECT_EQ(media_match_of(copy.clip_published().clip_id()), original.clip_published().clip_id());
  EXPECT_EQ(server_.bus().Scalar("SELECT length(frame_hashes) FROM feed.clips WHERE clip_id = '" +
                                 copy.clip_published().clip_id() + "'"),
            30 * 32);

  // A restarted instance indexes the stored frames again: for a later
  // re-encoded copy, its pools propose the original.
  auto restarted = server_.NewFeedInstance();
  ASSERT_TRUE(restarted->state().AwaitReady(absl::Seconds(30)));
  const feed_service::PublishedClip later{.clip_id = ids_.Next(),
                                          .creator_id = NewUser().id,
                                          .prompt = RandomPrompt(random_),
                                          .published_at = absl::Now()};
  std::vector<feed::FrameHash> later_frames;
  for (const std::string& hash : reencoded()) later_frames.push_back(*feed_service::FrameHashFromBytes(hash));
  const std::vector<feed_service::FrameMatchCandidate> found =
      restarted->state().FrameMatchCandidates(later, later_frames);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().clip_id, original.clip_published().clip_id());
}

TEST_F(FeedServiceTest, ThemesAreCreatedByAdminsJoinedAndServeTheirTaggedClips) {
  const TestUser admin = NewUser({base::Role::kUser, base::Role::kAdmin});
  const TestUser viewer = NewUser();
  v1::CreateThemeRequest create;
  create.set_request_id(ids_.Next());
  create.mutable_theme()->set_slug("neon-noir");
  create.mutable_theme()->set_display_name("Neon noir");
  create.mutable_theme()->add_tags("neon");
  v1::Theme theme;
  EXPECT_EQ(As(viewer, &v1::FeedService::Stub::CreateTheme, create, &theme).error_code(),
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(As(admin, &v1::FeedService::Stub::CreateTheme, create, &theme).ok());
  create.set_request_id(ids_.Next());
  EXPECT_EQ(As(admin, &v1::FeedService::Stub::CreateTheme, create, &theme).error_code(),
            StatusCode::ALREADY_EXISTS);

  const v1::EventEnvelope tagged = Published(NewUser().id, RandomPrompt(random_), {"neon"});
  Deliver(tagged);
  PublishUnrelated(10, 5);
  const std::string theme_feed = "theme/" + theme.theme_id();
  const std::vector<v1::FeedItem> items = Items(viewer, 20, theme_feed);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].clip_id(), tagged.clip_published().clip_id());

  v1::JoinThemeRequest join;
  join.set_request_id(ids_.Next());
  join.set_theme_id(theme.theme_id());
  v1::Theme joined;
  ASSERT_TRUE(As(viewer, &v1::FeedService::Stub::JoinTheme, join, &joined).ok());
  EXPECT_TRUE(joined.joined());
  EXPECT_EQ(joined.member_count(), 1);
  EXPECT_EQ(joined.clip_count(), 1);
  // Joined: its clip comes to for_you from the chamber.
  bool from_chamber = false;
  for (const v1::FeedItem& item : Items(viewer, 20)) {
    if (item.clip_id() == tagged.clip_published().clip_id()) {
      from_chamber = item.reasons(0).type() == v1::FEED_REASON_TYPE_IN_YOUR_ECHO_CHAMBER &&
                     item.reasons(0).theme_id() == theme.theme_id();
    }
  }
  EXPECT_TRUE(from_chamber);

  v1::ListThemesRequest list;
  list.set_joined_only(true);
  v1::ListThemesResponse listed;
  ASSERT_TRUE(As(viewer, &v1::FeedService::Stub::ListThemes, list, &listed).ok());
  ASSERT_EQ(listed.themes_size(), 1);
  v1::LeaveThemeRequest leave;
  leave.set_request_id(ids_.Next());
  leave.set_theme_id(theme.theme_id());
  ASSERT_TRUE(As(viewer, &v1::FeedService::Stub::LeaveTheme, leave, &joined).ok());
  EXPECT_FALSE(joined.joined());
  EXPECT_EQ(joined.member_count(), 0);
  EXPECT_EQ(server_.bus().Scalar("SELECT member_count FROM feed.themes"), 0);
}

TEST_F(FeedServiceTest, BadInputAndForeignTokensAreRefusedNamingTheField) {
  const TestUser alice = NewUser();
  const TestUser bob = NewUser();
  PublishUnrelated(30, 10);
  v1::GetFeedResponse page;
  grpc::Status status = Page(alice, "for_me", 10, "", &page);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("feed"), std::string::npos);
  status = Page(alice, "for_you", 51, "", &page);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("page_size"), std::string::npos);

  ASSERT_TRUE(Page(alice, "for_you", 10, "", &page).ok());
  const std::string token = page.next_page_token();
  // Another user's token, another feed's token, a forged one.
  for (const auto& [user, feed, bad] : {std::tuple(bob, std::string("for_you"), token),
                                        std::tuple(alice, std::string("trending"), token),
                                        std::tuple(alice, std::string("for_you"), token.substr(0, token.size() - 2) + "AA")}) {
    status = Page(user, feed, 10, bad, &page);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("page_token"), std::string::npos) << status.error_message();
    EXPECT_NE(status.error_message().find("start a new feed session"), std::string::npos);
  }

  v1::UpdateRankingWeightsRequest weights;
  weights.set_request_id(ids_.Next());
  weights.mutable_weights()->set_freshness(3.0);
  weights.mutable_update_mask()->add_paths("freshness");
  v1::RankingWeights updated;
  status = As(alice, &v1::FeedService::Stub::UpdateRankingWeights, weights, &updated);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("weights.freshness"), std::string::npos);
  weights.mutable_weights()->set_freshness(2.0);
  ASSERT_TRUE(As(alice, &v1::FeedService::Stub::UpdateRankingWeights, weights, &updated).ok());
  EXPECT_EQ(updated.freshness(), 2.0);
  EXPECT_TRUE(updated.has_update_time());
  v1::RankingWeights got;
  ASSERT_TRUE(As(alice, &v1::FeedService::Stub::GetRankingWeights, v1::GetRankingWeightsRequest(), &got).ok());
  EXPECT_EQ(got.freshness(), 2.0);

  // No token: UNAUTHENTICATED.
  grpc::ClientContext anonymous;
  v1::GetFeedRequest request;
  request.set_feed("for_you");
  EXPECT_EQ(feed_->GetFeed(&anonymous, request, &page).error_code(), StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace clipforge::testing
