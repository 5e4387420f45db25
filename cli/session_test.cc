#include "cli/session.h"

#include <gtest/gtest.h>

#include <vector>

#include "cli/errors.h"
#include "cli/test_util.h"

namespace clipforge::cli {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1714564800);

Credentials Stored(absl::Duration access_left) {
  Credentials c;
  c.server = "127.0.0.1:50051";
  c.user_id = "u1";
  c.handle = "alice";
  c.session_id = "s1";
  c.access_token = "access-1";
  c.access_token_expire_time = kNow + access_left;
  c.refresh_token = "refresh-1";
  c.refresh_token_expire_time = kNow + absl::Hours(24 * 30);
  return c;
}

TEST(NeedsRefreshTest, RefreshesWithin30SecondsOfExpiry) {
  EXPECT_FALSE(NeedsRefresh(Stored(absl::Minutes(15)), kNow));
  EXPECT_FALSE(NeedsRefresh(Stored(absl::Seconds(31)), kNow));
  EXPECT_TRUE(NeedsRefresh(Stored(absl::Seconds(30)), kNow));
  EXPECT_TRUE(NeedsRefresh(Stored(absl::Seconds(1)), kNow));
  EXPECT_TRUE(NeedsRefresh(Stored(-absl::Minutes(5)), kNow));
  Credentials no_token = Stored(absl::Minutes(15));
  no_token.access_token.clear();
  EXPECT_TRUE(NeedsRefresh(no_token, kNow));
  EXPECT_TRUE(NeedsRefresh(Stored(absl::Minutes(2)), kNow, absl::Minutes(5)));
}

class FakeRefresher final : public TokenRefresher {
 public:
  absl::StatusOr<v1::AuthTokens> Refresh(absl::string_view refresh_token) override {
    presented.emplace_back(refresh_token);
    if (!fail.ok()) return fail;
    v1::AuthTokens tokens;
    const int n = static_cast<int>(presented.size()) + 1;
    tokens.set_access_token("access-" + std::to_string(n));
    tokens.set_refresh_token("refresh-" + std::to_string(n));
    tokens.mutable_access_token_expire_time()->set_seconds(absl::ToUnixSeconds(kNow) + 900);
    tokens.mutable_refresh_token_expire_time()->set_seconds(absl::ToUnixSeconds(kNow) + 86400);
    tokens.set_session_id("s1");
    return tokens;
  }

  std::vector<std::string> presented;
  absl::Status fail;
};

class SessionTest : public ::testing::Test {
 protected:
  void Store(const Credentials& c) { ASSERT_TRUE(store_.Save(c).ok()); }

  // Runs a call whose attempts answer in turn from `answers` and records the
  // access token each attempt carried.
  absl::Status CallWith(Session& session, std::vector<absl::Status> answers) {
    size_t i = 0;
    return session.Call([&](const Credentials& c) {
      tokens_sent_.push_back(c.access_token);
      return i < answers.size() ? answers[i++] : absl::OkStatus();
    });
  }

  testing::TempDir tmp_;
  CredentialStore store_{tmp_.path()};
  testing::FakeClock clock_{kNow};
  FakeRefresher refresher_;
  std::vector<std::string> tokens_sent_;
};

TEST_F(SessionTest, FreshTokenIsUsedAsIs) {
  Store(Stored(absl::Minutes(10)));
  Session session(store_, Stored(absl::Minutes(10)), refresher_, clock_);
  EXPECT_TRUE(CallWith(session, {}).ok());
  EXPECT_EQ(tokens_sent_, std::vector<std::string>{"access-1"});
  EXPECT_TRUE(refresher_.presented.empty());
}

TEST_F(SessionTest, TokenNearExpiryIsRefreshedFirstAndStored) {
  Store(Stored(absl::Seconds(20)));
  Session session(store_, Stored(absl::Seconds(20)), refresher_, clock_);
  EXPECT_TRUE(CallWith(session, {}).ok());
  EXPECT_EQ(refresher_.presented, std::vector<std::string>{"refresh-1"});
  EXPECT_EQ(tokens_sent_, std::vector<std::string>{"access-2"});
  const auto on_disk = store_.Load();
  ASSERT_TRUE(on_disk.ok());
  EXPECT_EQ(on_disk->refresh_token, "refresh-2");
  EXPECT_EQ(on_disk->access_token_expire_time, kNow + absl::Seconds(900));
}

TEST_F(SessionTest, UnauthenticatedIsRefreshedAndRetriedOnce) {
  Store(Stored(absl::Minutes(10)));
  Session session(store_, Stored(absl::Minutes(10)), refresher_, clock_);
  EXPECT_TRUE(CallWith(session, {absl::UnauthenticatedError("revoked key")}).ok());
  EXPECT_EQ(tokens_sent_, (std::vector<std::string>{"access-1", "access-2"}));
  EXPECT_EQ(refresher_.presented.size(), 1u);
}

TEST_F(SessionTest, SecondUnauthenticatedMeansLogInAgain) {
  Store(Stored(absl::Minutes(10)));
  Session session(store_, Stored(absl::Minutes(10)), refresher_, clock_);
  const absl::Status status = CallWith(
      session, {absl::UnauthenticatedError("no"), absl::UnauthenticatedError("still no")});
  EXPECT_EQ(ExitCodeOf(status), kExitNotLoggedIn);
  EXPECT_NE(status.message().find("clipforge login"), absl::string_view::npos);
  EXPECT_EQ(tokens_sent_.size(), 2u);
  EXPECT_EQ(refresher_.presented.size(), 1u);
}

TEST_F(SessionTest, RefusedRefreshEndsTheSessionAndForgetsIt) {
  Store(Stored(absl::Seconds(5)));
  refresher_.fail = absl::UnauthenticatedError("REFRESH_TOKEN_REUSED");
  Session session(store_, Stored(absl::Seconds(5)), refresher_, clock_);
  const absl::Status status = CallWith(session, {});
  EXPECT_EQ(ExitCodeOf(status), kExitNotLoggedIn);
  EXPECT_EQ(status.message(), "your session has ended — run `clipforge login`");
  EXPECT_TRUE(tokens_sent_.empty());
  EXPECT_TRUE(absl::IsNotFound(store_.Load().status()));
}

TEST_F(SessionTest, UnreachableRefreshKeepsTheSession) {
  Store(Stored(absl::Seconds(5)));
  refresher_.fail = absl::UnavailableError("cannot reach the server at 127.0.0.1:50051");
  Session session(store_, Stored(absl::Seconds(5)), refresher_, clock_);
  const absl::Status status = CallWith(session, {});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ExitCodeOf(status), kExitFailure);
  EXPECT_TRUE(store_.Load().ok());
}

TEST_F(SessionTest, ExpiredRefreshTokenNeedsNoServer) {
  Credentials c = Stored(-absl::Minutes(1));
  c.refresh_token_expire_time = kNow - absl::Seconds(1);
  Store(c);
  Session session(store_, c, refresher_, clock_);
  const absl::Status status = CallWith(session, {});
  EXPECT_EQ(ExitCodeOf(status), kExitNotLoggedIn);
  EXPECT_EQ(status.message(), "your session has expired — run `clipforge login`");
  EXPECT_TRUE(refresher_.presented.empty());
}

TEST_F(SessionTest, PairRotatedByAnotherProcessIsPickedUp) {
  Session session(store_, Stored(absl::Seconds(10)), refresher_, clock_);
  Credentials newer = Stored(absl::Minutes(14));
  newer.access_token = "access-from-other-process";
  newer.refresh_token = "refresh-from-other-process";
  Store(newer);
  EXPECT_TRUE(CallWith(session, {}).ok());
  EXPECT_TRUE(refresher_.presented.empty());  // the retired refresh-1 is never presented
  EXPECT_EQ(tokens_sent_, std::vector<std::string>{"access-from-other-process"});
}

TEST_F(SessionTest, OtherFailuresAreNotRetried) {
  Store(Stored(absl::Minutes(10)));
  Session session(store_, Stored(absl::Minutes(10)), refresher_, clock_);
  const absl::Status status = CallWith(session, {absl::NotFoundError("no user @bob")});
  EXPECT_EQ(status.message(), "no user @bob");
  EXPECT_EQ(tokens_sent_.size(), 1u);
  EXPECT_TRUE(refresher_.presented.empty());
}

TEST_F(SessionTest, LogoutElsewhereMeansNotLoggedIn) {
  Session session(store_, Stored(absl::Seconds(1)), refresher_, clock_);  // nothing on disk
  EXPECT_EQ(ExitCodeOf(CallWith(session, {})), kExitNotLoggedIn);
  EXPECT_TRUE(refresher_.presented.empty());
}

TEST(ApplyTokensTest, UnsetExpiriesGetTheDocumentedLifetimes) {
  Credentials c;
  v1::AuthTokens tokens;
  tokens.set_access_token("a");
  tokens.set_refresh_token("r");
  tokens.set_session_id("s");
  ApplyTokens(tokens, kNow, c);
  EXPECT_EQ(c.access_token_expire_time, kNow + absl::Minutes(15));
  EXPECT_EQ(c.refresh_token_expire_time, kNow + absl::Hours(24 * 30));
  EXPECT_EQ(c.session_id, "s");
}

}  // namespace
}  // namespace clipforge::cli
