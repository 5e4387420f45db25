// UsersService over a real Postgres, wired as `clipforged serve` wires it:
// every RPC's main path through the adapter, the Postgres store's SQL (its
// counters, cascades, locks and races), bad inputs, and for every
// authenticated RPC that a missing, malformed, expired, tampered or revoked
// token is UNAUTHENTICATED. The rules themselves are unit-tested over the
// fake store (tests/unit/users/*_logic_test.cc).
#include <grpcpp/create_channel.h>
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/time_util.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/uuid.h"
#include "tests/support/error_reason.h"
#include "tests/support/raw_grpc.h"
#include "tests/support/users_test_server.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/users/component.h"
#include "users/refresh_token.h"

namespace clipforge::testing {
namespace {

using grpc::StatusCode;

class UsersServiceTest : public ::testing::Test {
 protected:
  std::string NewId() { return ids_.Next(); }

  // A registration of `handle` with a fresh request_id.
  v1::RegisterRequest RegisterAs(const std::string& handle, const std::string& password = "correct horse battery") {
    v1::RegisterRequest request;
    request.set_request_id(NewId());
    request.set_handle(handle);
    request.set_email(handle + "@example.com");
    request.set_password(password);
    request.set_display_name("Name of " + handle);
    return request;
  }

  // Registers `handle` and returns its response (tokens + user).
  v1::RegisterResponse Register(const std::string& handle, const std::string& password = "correct horse battery") {
    const v1::RegisterRequest request = RegisterAs(handle, password);
    v1::RegisterResponse response;
    grpc::ClientContext ctx;
    const grpc::Status status = stub_->Register(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // A login request with a fresh request_id.
  v1::LoginRequest LoginAs(const std::string& handle_or_email,
                           const std::string& password = "correct horse battery") {
    v1::LoginRequest request;
    request.set_request_id(NewId());
    request.set_handle_or_email(handle_or_email);
    request.set_password(password);
    return request;
  }

  static void Auth(grpc::ClientContext& ctx, const v1::AuthTokens& tokens) {
    ctx.AddMetadata("authorization", "Bearer " + tokens.access_token());
  }

  grpc::Status Follow(const v1::AuthTokens& who, const std::string& target, v1::Relationship* out = nullptr) {
    v1::FollowRequest request;
    request.set_request_id(NewId());
    request.set_target_user_id(target);
    v1::Relationship response;
    grpc::ClientContext ctx;
    Auth(ctx, who);
    return stub_->Follow(&ctx, request, out ? out : &response);
  }

  // Ends the session `who` signed in with.
  grpc::Status Logout(const v1::AuthTokens& who) {
    v1::LogoutRequest logout;
    logout.set_request_id(NewId());
    google::protobuf::Empty empty;
    grpc::ClientContext ctx;
    Auth(ctx, who);
    return stub_->Logout(&ctx, logout, &empty);
  }

  v1::User Me(const v1::AuthTokens& who, grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    Auth(ctx, who);
    v1::User user;
    const grpc::Status s = stub_->GetMyProfile(&ctx, v1::GetMyProfileRequest(), &user);
    if (status) *status = s;
    return user;
  }

  UsersTestServer server_;
  std::unique_ptr<v1::UsersService::Stub> stub_ = server_.NewStub();
  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
};

TEST_F(UsersServiceTest, RegisterCreatesAccountSessionAndEvent) {
  const auto r = Register("alice");
  EXPECT_EQ(r.user().profile().handle(), "alice");
  EXPECT_EQ(r.user().email(), "alice@example.com");
  ASSERT_EQ(r.user().roles_size(), 1);
  EXPECT_EQ(r.user().roles(0), v1::ROLE_USER);
  EXPECT_FALSE(r.user().analytics_consent().opted_in());  // Opt-in, off by default.
  EXPECT_EQ(r.user().tier(), v1::TIER_FREE);
  EXPECT_EQ(r.tokens().access_token().rfind("cf1.", 0), 0u);
  EXPECT_FALSE(r.tokens().refresh_token().empty());
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.user.registered'"), 1);
  // The password is stored only as an Argon2id hash, the refresh token only as a hash.
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.accounts WHERE password_hash LIKE '$argon2id$%'"), 1);
  EXPECT_EQ(server_.Scalar(absl::StrCat("SELECT count(*) FROM users.refresh_tokens WHERE token_hash = '",
                                        r.tokens().refresh_token(), "'")),
            0);
  EXPECT_EQ(Me(r.tokens()).profile().handle(), "alice");
}

TEST_F(UsersServiceTest, ARetriedRegistrationSignsInAgainAndNothingElseTakesTheHandle) {
  v1::RegisterRequest request = RegisterAs("ivy");
  v1::RegisterResponse first, retried, other;
  grpc::ClientContext a, b, c, d;
  ASSERT_TRUE(stub_->Register(&a, request, &first).ok());
  // The answer was lost; the same request comes again.
  ASSERT_TRUE(stub_->Register(&b, request, &retried).ok());
  EXPECT_EQ(retried.user().profile().user_id(), first.user().profile().user_id());
  EXPECT_EQ(retried.tokens().session_id(), first.tokens().session_id());
  EXPECT_NE(retried.tokens().refresh_token(), first.tokens().refresh_token());
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.accounts WHERE handle = 'ivy'"), 1);
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.user.registered'"), 1);
  // The same request with another password, or another request: taken.
  request.set_password("another good password");
  grpc::Status status = stub_->Register(&c, request, &other);
  EXPECT_EQ(status.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_NE(status.error_message().find("handle"), std::string::npos);
  request.set_password("correct horse battery");
  request.set_request_id(NewId());
  status = stub_->Register(&d, request, &other);
  EXPECT_EQ(status.error_code(), StatusCode::ALREADY_EXISTS);
}

TEST_F(UsersServiceTest, RegisterRejectsBadInputNamingEachField) {
  v1::RegisterRequest request;
  request.set_request_id("not-a-uuid");
  request.set_handle("x!");
  request.set_email("nobody");
  request.set_password("1234567890");
  request.set_display_name("");
  v1::RegisterResponse response;
  grpc::ClientContext ctx;
  const grpc::Status status = stub_->Register(&ctx, request, &response);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  for (const char* field : {"request_id", "handle", "email", "password", "display_name"}) {
    EXPECT_NE(status.error_message().find(field), std::string::npos) << field << ": " << status.error_message();
  }
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.accounts"), 0);
}

// A birth date at sign-up: 13 to 17 opens a teen account, which keeps only
// when it becomes an adult's (no birth date is stored) and cannot opt in to
// analytics until then; under 13 is refused.
TEST_F(UsersServiceTest, TeenAccountsAreNeverPersonalizedUntilTheyTurnEighteen) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilDay today = absl::ToCivilDay(server_.clock().Now(), utc);
  // 18 tomorrow (or the day after, around 29 February): a teen today.
  const absl::CivilDay teen_birth = absl::CivilDay(today.year() - 18, today.month(), today.day()) + 1;
  const auto register_born = [&](const std::string& handle, const std::string& birth_date, bool opt_in,
                                 v1::RegisterResponse* response) {
    v1::RegisterRequest request = RegisterAs(handle);
    request.set_birth_date(birth_date);
    request.set_analytics_opt_in(opt_in);
    grpc::ClientContext ctx;
    return stub_->Register(&ctx, request, response);
  };
  const auto set_consent = [&](const v1::AuthTokens& tokens, bool opted_in) {
    v1::SetAnalyticsConsentRequest request;
    request.set_request_id(NewId());
    request.set_opted_in(opted_in);
    v1::AnalyticsConsent consent;
    grpc::ClientContext ctx;
    Auth(ctx, tokens);
    return stub_->SetAnalyticsConsent(&ctx, request, &consent);
  };

  v1::RegisterResponse teen;
  const grpc::Status registered = register_born("tina", absl::FormatCivilTime(teen_birth), false, &teen);
  ASSERT_TRUE(registered.ok()) << registered.error_message();
  EXPECT_TRUE(teen.user().teen_account());
  EXPECT_FALSE(teen.user().analytics_consent().opted_in());
  EXPECT_TRUE(Me(teen.tokens()).teen_account());
  // Only adult_at is kept: 00:00 UTC on the first of the month after the
  // 18th birthday (a 29 February birth's birthday is 1 March in a common
  // year, as CivilDay normalizes it), which tells the month, not the day.
  const absl::CivilDay eighteenth(teen_birth.year() + 18, teen_birth.month(), teen_birth.day());
  const absl::Time adult_at = absl::FromCivil(absl::CivilDay(absl::CivilMonth(eighteenth) + 1), utc);
  EXPECT_EQ(server_.Scalar("SELECT extract(epoch FROM adult_at)::bigint FROM users.accounts WHERE handle = 'tina'"),
            absl::ToUnixSeconds(adult_at));
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM information_schema.columns "
                           "WHERE table_schema = 'users' AND column_name LIKE '%birth%'"),
            0);

  // No opting in while a teen; opting out is fine.
  const grpc::Status refused = set_consent(teen.tokens(), true);
  EXPECT_EQ(refused.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(refused), "TEEN_ACCOUNT");
  EXPECT_TRUE(set_consent(teen.tokens(), false).ok());
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.accounts WHERE handle = 'tina' AND analytics_opt_in"), 0);

  // Under 13, or a teen opting in at sign-up: refused, nothing stored.
  const int64_t accounts = server_.Scalar("SELECT count(*) FROM users.accounts");
  v1::RegisterResponse unused;
  const absl::CivilDay child_birth = absl::CivilDay(today.year() - 12, today.month(), today.day());
  const grpc::Status too_young = register_born("kiddo", absl::FormatCivilTime(child_birth), false, &unused);
  EXPECT_EQ(too_young.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(too_young), "TOO_YOUNG");
  const grpc::Status opted_in = register_born("teena", absl::FormatCivilTime(teen_birth), true, &unused);
  EXPECT_EQ(opted_in.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(opted_in), "TEEN_ACCOUNT");
  const grpc::Status malformed = register_born("teeny", "31/12/2010", false, &unused);
  EXPECT_EQ(malformed.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(malformed.error_message().find("birth_date"), std::string::npos) << malformed.error_message();
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.accounts"), accounts);

  // From adult_at on it is an adult's account, and may opt in.
  server_.clock().Advance(adult_at - server_.clock().Now());
  v1::LoginResponse adult;
  grpc::ClientContext login;
  ASSERT_TRUE(stub_->Login(&login, LoginAs("tina"), &adult).ok());
  EXPECT_FALSE(adult.user().teen_account());
  const grpc::Status now_allowed = set_consent(adult.tokens(), true);
  EXPECT_TRUE(now_allowed.ok()) << now_allowed.error_message();
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.accounts WHERE handle = 'tina' AND analytics_opt_in"), 1);
}

TEST_F(UsersServiceTest, HandleAndEmailAreUniqueCaseInsensitively) {
  Register("bob");
  v1::RegisterRequest request;
  request.set_request_id(NewId());
  request.set_handle("BOB");
  request.set_email("other@example.com");
  request.set_password("correct horse battery");
  request.set_display_name("Bob 2");
  v1::RegisterResponse response;
  grpc::ClientContext a;
  const grpc::Status taken = stub_->Register(&a, request, &response);
  EXPECT_EQ(taken.error_code(), StatusCode::ALREADY_EXISTS);
  // The reason travels beside the message as AIP-193 ErrorInfo.
  google::rpc::Status rich;
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rich.ParseFromString(taken.error_details()));
  ASSERT_EQ(rich.details_size(), 1);
  ASSERT_TRUE(rich.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "HANDLE_TAKEN");
  EXPECT_EQ(info.domain(), "clipforge.dev");
  EXPECT_FALSE(info.metadata().at("request_id").empty());
  request.set_request_id(NewId());
  request.set_handle("bobby");
  request.set_email("BOB@Example.COM");
  grpc::ClientContext b;
  const grpc::Status status = stub_->Register(&b, request, &response);
  EXPECT_EQ(status.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_NE(status.error_message().find("email"), std::string::npos);
}

// Behind a trusted proxy every connection comes from the proxy: the
// per-address budget must follow x-forwarded-for, or one client locks
// everyone out.
TEST(UsersBehindAProxyTest, SignUpBudgetsFollowTheForwardedClient) {
  UsersTestServer server({.trusted_proxies = "127.0.0.0/8"});
  const auto stub = server.NewStub();
  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  const auto sign_up = [&](const std::string& handle, const std::string& forwarded_for) {
    v1::RegisterRequest request;
    request.set_request_id(ids.Next());
    request.set_handle(handle);
    request.set_email(handle + "@example.com");
    request.set_password("correct horse battery");
    request.set_display_name(handle);
    v1::RegisterResponse response;
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-forwarded-for", forwarded_for);
    return stub->Register(&ctx, request, &response).error_code();
  };
  StatusCode last = StatusCode::OK;
  int accepted = 0;
  for (int i = 0; i < 40 && last != StatusCode::RESOURCE_EXHAUSTED; ++i) {
    last = sign_up("noisy" + std::to_string(i), "198.51.100.1");
    if (last == StatusCode::OK) ++accepted;
  }
  EXPECT_EQ(last, StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(accepted, 30);
  // Another client behind the same proxy still signs up.
  EXPECT_EQ(sign_up("quiet", "203.0.113.5"), StatusCode::OK);
  // What the noisy client writes itself, left of what the proxy appended,
  // buys it nothing.
  EXPECT_EQ(sign_up("sneaky", "203.0.113.99, 198.51.100.1"), StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(UsersServiceTest, LoginByHandleOrEmailAndNoEnumeration) {
  Register("dave");
  for (const std::string who : {"dave", "@Dave", "DAVE@example.com"}) {
    v1::LoginRequest request = LoginAs(who);
    v1::LoginResponse response;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->Login(&ctx, request, &response).ok()) << who;
    EXPECT_EQ(response.user().profile().handle(), "dave");
  }
  // Wrong password and unknown user: the same code and message.
  std::string messages[2];
  int i = 0;
  for (const std::string who : {"dave", "nobody_here"}) {
    v1::LoginRequest request = LoginAs(who, "wrong password here");
    v1::LoginResponse response;
    grpc::ClientContext ctx;
    const grpc::Status status = stub_->Login(&ctx, request, &response);
    EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED);
    messages[i++] = status.error_message();
  }
  EXPECT_EQ(messages[0], messages[1]);
}

TEST_F(UsersServiceTest, TwoConcurrentLoginsWithOneRequestIdShareOneSession) {
  Register("jack");
  const v1::LoginRequest request = LoginAs("jack");
  v1::LoginResponse responses[2];
  grpc::Status statuses[2];
  std::thread racers[2];
  for (int i = 0; i < 2; ++i) {
    racers[i] = std::thread([&, i] {
      auto stub = server_.NewStub();
      grpc::ClientContext ctx;
      statuses[i] = stub->Login(&ctx, request, &responses[i]);
    });
  }
  for (auto& r : racers) r.join();
  ASSERT_TRUE(statuses[0].ok()) << statuses[0].error_message();
  ASSERT_TRUE(statuses[1].ok()) << statuses[1].error_message();
  EXPECT_EQ(responses[0].tokens().session_id(), responses[1].tokens().session_id());
  EXPECT_EQ(server_.Scalar(absl::StrCat("SELECT count(*) FROM users.sessions WHERE login_request = '",
                                        request.request_id(), "'")),
            1);
}

TEST_F(UsersServiceTest, LoginUpgradesAHashMadeWithOlderParameters) {
  Register("hank");
  // A hash from before the parameters were raised (the test server hashes
  // with 64 KiB and one iteration).
  char old_hash[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(old_hash, "correct horse battery", 21, 2, 32 * 1024, crypto_pwhash_ALG_ARGON2ID13),
            0);
  ASSERT_EQ(server_.Scalar(absl::StrCat("WITH u AS (UPDATE users.accounts SET password_hash = '", old_hash,
                                        "' WHERE handle = 'hank' RETURNING 1) SELECT count(*) FROM u")),
            1);
  v1::LoginRequest request = LoginAs("hank");
  v1::LoginResponse response;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->Login(&ctx, request, &response).ok());
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.accounts WHERE handle = 'hank' "
                           "AND password_hash LIKE '$argon2id$v=19$m=64,t=1,p=1$%'"),
            1);
  // And the upgraded hash still takes the same password.
  request.set_request_id(NewId());
  grpc::ClientContext again;
  EXPECT_TRUE(stub_->Login(&again, request, &response).ok());
}

TEST_F(UsersServiceTest, RefreshRotatesAndReuseRevokesTheWholeSession) {
  const auto r = Register("frank");
  v1::RefreshTokenRequest first;
  first.set_request_id(NewId());
  first.set_refresh_token(r.tokens().refresh_token());
  v1::RefreshTokenResponse rotated;
  grpc::ClientContext a;
  ASSERT_TRUE(stub_->RefreshToken(&a, first, &rotated).ok());
  EXPECT_NE(rotated.tokens().refresh_token(), r.tokens().refresh_token());
  EXPECT_EQ(rotated.tokens().session_id(), r.tokens().session_id());

  // A retry of the same request within the grace period is not theft.
  v1::RefreshTokenResponse retried;
  grpc::ClientContext b;
  ASSERT_TRUE(stub_->RefreshToken(&b, first, &retried).ok());

  // Once the retry's own result has been used, replaying the retry is theft too.
  v1::RefreshTokenRequest use_it;
  use_it.set_request_id(NewId());
  use_it.set_refresh_token(retried.tokens().refresh_token());
  v1::RefreshTokenResponse used;
  grpc::ClientContext u;
  ASSERT_TRUE(stub_->RefreshToken(&u, use_it, &used).ok());
  v1::RefreshTokenRequest next_use;
  next_use.set_request_id(NewId());
  next_use.set_refresh_token(used.tokens().refresh_token());
  v1::RefreshTokenResponse later;
  grpc::ClientContext n;
  ASSERT_TRUE(stub_->RefreshToken(&n, next_use, &later).ok());
  v1::RefreshTokenResponse replayed;
  grpc::ClientContext r2;
  EXPECT_EQ(stub_->RefreshToken(&r2, use_it, &replayed).error_code(), StatusCode::UNAUTHENTICATED);
  grpc::Status ended;
  Me(later.tokens(), &ended);
  EXPECT_EQ(ended.error_code(), StatusCode::UNAUTHENTICATED);
}

// A client that retries a refresh while the first call still runs: the
// retry waits for the first call's lock, then must see the first call's
// successor token as unused (a retry, not theft). Each round races two
// calls with one request_id; the session must survive every round.
TEST_F(UsersServiceTest, ARefreshRetriedWhileTheFirstCallRunsKeepsTheSession) {
  const auto r = Register("rory");
  const std::string session_id = r.tokens().session_id();
  std::string live = r.tokens().refresh_token();
  constexpr int kRounds = 40;
  for (int round = 0; round < kRounds; ++round) {
    v1::RefreshTokenRequest request;
    request.set_request_id(NewId());
    request.set_refresh_token(live);
    v1::RefreshTokenResponse responses[2];
    grpc::Status statuses[2];
    std::atomic<int> ready{0};
    std::thread racers[2];
    for (int i = 0; i < 2; ++i) {
      racers[i] = std::thread([&, i] {
        auto stub = server_.NewStub();
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        ++ready;
        while (ready.load() < 2) {}  // Both threads start their call together.
        statuses[i] = stub->RefreshToken(&ctx, request, &responses[i]);
      });
    }
    for (auto& racer : racers) racer.join();
    ASSERT_TRUE(statuses[0].ok()) << "round " << round << ": " << statuses[0].error_message();
    ASSERT_TRUE(statuses[1].ok()) << "round " << round << ": " << statuses[1].error_message();
    ASSERT_EQ(server_.Scalar(absl::StrCat("SELECT count(*) FROM users.sessions WHERE session_id = '", session_id,
                                          "' AND revoked_at IS NULL")),
              1)
        << "round " << round << ": the session was ended";
    // Exactly one of the two answers holds the live token; the next round
    // exchanges it.
    int live_count = 0;
    for (const auto& response : responses) {
      ASSERT_EQ(response.tokens().session_id(), session_id);
      const std::string& token = response.tokens().refresh_token();
      if (server_.Scalar(absl::StrCat("SELECT count(*) FROM users.refresh_tokens WHERE token_hash = '",
                                      users::HashRefreshToken(token), "' AND retired_at IS NULL")) == 1) {
        live = token;
        ++live_count;
      }
    }
    ASSERT_EQ(live_count, 1) << "round " << round;
  }
  v1::RefreshTokenRequest last;
  last.set_request_id(NewId());
  last.set_refresh_token(live);
  v1::RefreshTokenResponse response;
  grpc::ClientContext ctx;
  EXPECT_TRUE(stub_->RefreshToken(&ctx, last, &response).ok());
}

TEST_F(UsersServiceTest, LogoutAndLogoutEverywhereRevokeSessions) {
  const auto r = Register("gina");
  v1::LoginRequest login;
  login.set_request_id(NewId());
  login.set_handle_or_email("gina");
  login.set_password("correct horse battery");
  v1::LoginResponse second;
  grpc::ClientContext l;
  ASSERT_TRUE(stub_->Login(&l, login, &second).ok());

  ASSERT_TRUE(Logout(r.tokens()).ok());
  grpc::Status status;
  Me(r.tokens(), &status);
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED);
  Me(second.tokens(), &status);
  EXPECT_TRUE(status.ok());

  v1::LogoutEverywhereRequest everywhere;
  everywhere.set_request_id(NewId());
  v1::LogoutEverywhereResponse ended;
  grpc::ClientContext b;
  Auth(b, second.tokens());
  ASSERT_TRUE(stub_->LogoutEverywhere(&b, everywhere, &ended).ok());
  EXPECT_EQ(ended.sessions_ended(), 1);
  Me(second.tokens(), &status);
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED);
}

// Every authenticated RPC, called raw with an empty request.
class EveryAuthenticatedRpcTest : public UsersServiceTest {
 protected:
  std::vector<std::string> AuthenticatedUnaryMethods() {
    std::vector<std::string> out;
    const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
        "clipforge.v1.UsersService");
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* m = service->method(i);
      const std::string name = m->name();
      if (name == "Register" || name == "Login" || name == "RefreshToken" || name == "GetPublicProfile") continue;
      if (m->server_streaming()) continue;  // ExportMyData: tested with its stub below.
      out.push_back("/clipforge.v1.UsersService/" + name);
    }
    return out;
  }
  StatusCode Call(const std::string& method, const std::string& authorization) {
    std::vector<std::pair<std::string, std::string>> metadata;
    if (!authorization.empty()) metadata.emplace_back("authorization", authorization);
    return static_cast<StatusCode>(
        RawUnaryCall(server_.channel(), method, "", absl::Seconds(5), metadata).status().code());
  }
};

TEST_F(EveryAuthenticatedRpcTest, RefusesMissingMalformedExpiredTamperedAndRevokedTokens) {
  const auto r = Register("henry");
  const std::string good = r.tokens().access_token();
  std::string tampered = good;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';

  const auto methods = AuthenticatedUnaryMethods();
  ASSERT_GE(methods.size(), 19u);
  for (const std::string& method : methods) {
    EXPECT_EQ(Call(method, ""), StatusCode::UNAUTHENTICATED) << method << " without a token";
    EXPECT_EQ(Call(method, "Bearer"), StatusCode::UNAUTHENTICATED) << method << " malformed";
    EXPECT_EQ(Call(method, "Bearer none." + good.substr(4)), StatusCode::UNAUTHENTICATED) << method << " alg";
    EXPECT_EQ(Call(method, "Bearer " + tampered), StatusCode::UNAUTHENTICATED) << method << " tampered";
    // With the valid token the call gets past authentication.
    EXPECT_NE(Call(method, "Bearer " + good), StatusCode::UNAUTHENTICATED) << method << " valid";
  }
  server_.clock().Advance(absl::Minutes(16));
  for (const std::string& method : methods) {
    EXPECT_EQ(Call(method, "Bearer " + good), StatusCode::UNAUTHENTICATED) << method << " expired";
  }
}

TEST_F(EveryAuthenticatedRpcTest, RefusesTokensOfARevokedSession) {
  const auto r = Register("irene");
  ASSERT_TRUE(Logout(r.tokens()).ok());
  for (const std::string& method : AuthenticatedUnaryMethods()) {
    EXPECT_EQ(Call(method, "Bearer " + r.tokens().access_token()), StatusCode::UNAUTHENTICATED) << method;
  }
  grpc::ClientContext export_ctx;
  Auth(export_ctx, r.tokens());
  auto reader = stub_->ExportMyData(&export_ctx, v1::ExportMyDataRequest());
  v1::DataChunk chunk;
  while (reader->Read(&chunk)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), StatusCode::UNAUTHENTICATED);
}

// The purge's SQL against the real schema (the rules are unit-tested over
// the fake store): cutoffs decide, batches bound each delete, cascades take
// a session's tokens, live sessions stay.
TEST_F(UsersServiceTest, ThePurgeDeletesEndedSessionsAndExpiredTokensInBatches) {
  const auto live = Register("paula");
  const auto gone = Register("quentin");
  ASSERT_TRUE(Logout(gone.tokens()).ok());

  users::UsersStorage storage({.url = server_.pg().dsn()});
  const absl::Time now = absl::Now();
  const absl::Time past = now - absl::Hours(1);
  const absl::Time soon = now + absl::Minutes(1);
  auto purged = storage.store().PurgeEndedSessions({past, past, past}, 10);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->tokens, 0);
  EXPECT_EQ(purged->sessions, 0);

  purged = storage.store().PurgeEndedSessions({past, soon, past}, 10);  // Revoked ones only.
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->sessions, 1);
  grpc::Status status;
  Me(live.tokens(), &status);
  EXPECT_TRUE(status.ok()) << "the live session was purged: " << status.error_message();

  // Everything past its end, one row of each per batch.
  purged = storage.store().PurgeEndedSessions({now + absl::Hours(24 * 365), soon, soon}, 1);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->tokens, 1);
  EXPECT_EQ(purged->sessions, 1);
  Me(live.tokens(), &status);
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << "a purged session still signs calls";
}

TEST_F(UsersServiceTest, ProfilesUpdateWithAMaskAndValidateEachField) {
  const auto r = Register("jack");
  v1::UpdateMyProfileRequest request;
  request.set_request_id(NewId());
  request.mutable_profile()->set_display_name("  Jack Sparrow ");
  request.mutable_profile()->set_bio("Captain.");
  request.mutable_profile()->add_languages("en");
  request.mutable_profile()->add_languages("pt-BR");
  request.mutable_update_mask()->add_paths("display_name");
  request.mutable_update_mask()->add_paths("bio");
  request.mutable_update_mask()->add_paths("languages");
  v1::User updated;
  grpc::ClientContext a;
  Auth(a, r.tokens());
  const grpc::Status updated_status = stub_->UpdateMyProfile(&a, request, &updated);
  ASSERT_TRUE(updated_status.ok()) << updated_status.error_message();
  EXPECT_EQ(updated.profile().display_name(), "Jack Sparrow");
  EXPECT_EQ(updated.profile().bio(), "Captain.");
  EXPECT_EQ(updated.profile().languages_size(), 2);
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.user.profile_updated'"), 1);

  // The same request_id again replays; with other content it is refused.
  grpc::ClientContext replay;
  Auth(replay, r.tokens());
  v1::User again;
  ASSERT_TRUE(stub_->UpdateMyProfile(&replay, request, &again).ok());
  EXPECT_EQ(again.profile().display_name(), "Jack Sparrow");
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.user.profile_updated'"), 1);
  request.mutable_profile()->set_bio("Changed.");
  grpc::ClientContext reused;
  Auth(reused, r.tokens());
  EXPECT_EQ(stub_->UpdateMyProfile(&reused, request, &again).error_code(), StatusCode::ALREADY_EXISTS);

  v1::UpdateMyProfileRequest bad;
  bad.set_request_id(NewId());
  bad.mutable_profile()->set_bio(std::string(501, 'b'));
  bad.mutable_update_mask()->add_paths("bio");
  bad.mutable_update_mask()->add_paths("email");
  grpc::ClientContext b;
  Auth(b, r.tokens());
  const grpc::Status status = stub_->UpdateMyProfile(&b, bad, &updated);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("bio"), std::string::npos) << status.error_message();
  EXPECT_NE(status.error_message().find("'email' cannot be updated"), std::string::npos);
}

TEST_F(UsersServiceTest, FollowGraphWithCountersPagingAndBlocks) {
  const auto star = Register("star");
  std::vector<v1::RegisterResponse> fans;
  for (int i = 0; i < 5; ++i) fans.push_back(Register("fan" + std::to_string(i)));
  for (const auto& fan : fans) ASSERT_TRUE(Follow(fan.tokens(), star.user().profile().user_id()).ok());
  // Following twice changes nothing.
  ASSERT_TRUE(Follow(fans[0].tokens(), star.user().profile().user_id()).ok());
  EXPECT_EQ(Me(star.tokens()).profile().follower_count(), 5);
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.user.followed'"), 5);

  // Newest first, two per page.
  std::vector<std::string> seen;
  std::string token;
  do {
    v1::ListFollowersRequest request;
    request.set_user_id(star.user().profile().user_id());
    request.set_page_size(2);
    request.set_page_token(token);
    v1::ListFollowersResponse page;
    grpc::ClientContext ctx;
    Auth(ctx, star.tokens());
    ASSERT_TRUE(stub_->ListFollowers(&ctx, request, &page).ok());
    for (const auto& f : page.followers()) seen.push_back(f.user().handle());
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"fan4", "fan3", "fan2", "fan1", "fan0"}));

  // A page token is bound to its list.
  v1::ListFollowingRequest wrong_list;
  wrong_list.set_user_id(star.user().profile().user_id());
  wrong_list.set_page_token(absl::WebSafeBase64Escape("p1|0|x|1|y"));
  v1::ListFollowingResponse ignored;
  grpc::ClientContext bad_token;
  Auth(bad_token, star.tokens());
  EXPECT_EQ(stub_->ListFollowing(&bad_token, wrong_list, &ignored).error_code(), StatusCode::INVALID_ARGUMENT);

  // The star blocks fan0: the follow ends, fan0 cannot follow again nor see the profile.
  v1::BlockRequest block;
  block.set_request_id(NewId());
  block.set_target_user_id(fans[0].user().profile().user_id());
  v1::Relationship relation;
  grpc::ClientContext b;
  Auth(b, star.tokens());
  ASSERT_TRUE(stub_->Block(&b, block, &relation).ok());
  EXPECT_TRUE(relation.blocking());
  EXPECT_EQ(Me(star.tokens()).profile().follower_count(), 4);
  EXPECT_EQ(Follow(fans[0].tokens(), star.user().profile().user_id()).error_code(), StatusCode::FAILED_PRECONDITION);
  v1::GetPublicProfileRequest lookup;
  lookup.set_handle("star");
  v1::Profile profile;
  grpc::ClientContext p;
  Auth(p, fans[0].tokens());
  EXPECT_EQ(stub_->GetPublicProfile(&p, lookup, &profile).error_code(), StatusCode::NOT_FOUND);
  grpc::ClientContext anonymous;
  ASSERT_TRUE(stub_->GetPublicProfile(&anonymous, lookup, &profile).ok());
  EXPECT_EQ(profile.follower_count(), 4);
  EXPECT_FALSE(profile.has_viewer_relationship());
  grpc::ClientContext viewer;
  Auth(viewer, fans[1].tokens());
  ASSERT_TRUE(stub_->GetPublicProfile(&viewer, lookup, &profile).ok());
  EXPECT_TRUE(profile.viewer_relationship().following());

  // Self-follow and malformed ids are invalid; unknown users are not found.
  EXPECT_EQ(Follow(star.tokens(), star.user().profile().user_id()).error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Follow(star.tokens(), "not-a-uuid").error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Follow(star.tokens(), NewId()).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(UsersServiceTest, ARetriedFollowReplaysAndAReusedRequestIdIsRefused) {
  const auto a = Register("quinn");
  const auto b = Register("rosa");
  const auto c = Register("sam");
  v1::FollowRequest request;
  request.set_request_id(NewId());
  request.set_target_user_id(b.user().profile().user_id());
  for (int attempt = 0; attempt < 2; ++attempt) {
    v1::Relationship relation;
    grpc::ClientContext ctx;
    Auth(ctx, a.tokens());
    ASSERT_TRUE(stub_->Follow(&ctx, request, &relation).ok());
    EXPECT_TRUE(relation.following());
  }
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.user.followed'"), 1);
  request.set_target_user_id(c.user().profile().user_id());
  v1::Relationship relation;
  grpc::ClientContext other_target;
  Auth(other_target, a.tokens());
  EXPECT_EQ(stub_->Follow(&other_target, request, &relation).error_code(), StatusCode::ALREADY_EXISTS);
  // The same id for another method is a different request too.
  v1::MuteRequest mute;
  mute.set_request_id(request.request_id());
  mute.set_target_user_id(b.user().profile().user_id());
  grpc::ClientContext other_method;
  Auth(other_method, a.tokens());
  EXPECT_EQ(stub_->Mute(&other_method, mute, &relation).error_code(), StatusCode::ALREADY_EXISTS);
}

TEST_F(UsersServiceTest, MutesAndListsOfBlockedAndMuted) {
  const auto a = Register("amy");
  const auto b = Register("ben");
  v1::MuteRequest mute;
  mute.set_request_id(NewId());
  mute.set_target_user_id(b.user().profile().user_id());
  v1::Relationship relation;
  grpc::ClientContext m;
  Auth(m, a.tokens());
  ASSERT_TRUE(stub_->Mute(&m, mute, &relation).ok());
  EXPECT_TRUE(relation.muting());
  v1::ListMutedResponse muted;
  grpc::ClientContext l;
  Auth(l, a.tokens());
  ASSERT_TRUE(stub_->ListMuted(&l, v1::ListMutedRequest(), &muted).ok());
  ASSERT_EQ(muted.muted_size(), 1);
  EXPECT_EQ(muted.muted(0).user().handle(), "ben");
  v1::ListBlockedRequest bad_size;
  bad_size.set_page_size(1000);
  v1::ListBlockedResponse blocked;
  grpc::ClientContext s;
  Auth(s, a.tokens());
  const grpc::Status status = stub_->ListBlocked(&s, bad_size, &blocked);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("page_size"), std::string::npos);
}

TEST_F(UsersServiceTest, OnlyAdminsGrantRoles) {
  const auto admin = Register("root_user");
  const auto user = Register("ordinary");
  v1::GrantRoleRequest grant;
  grant.set_request_id(NewId());
  grant.set_user_id(user.user().profile().user_id());
  grant.set_role(v1::ROLE_CREATOR);
  grant.set_reason("makes great clips");
  v1::UserRoles roles;
  grpc::ClientContext denied;
  Auth(denied, user.tokens());
  EXPECT_EQ(stub_->GrantRole(&denied, grant, &roles).error_code(), StatusCode::PERMISSION_DENIED);

  // Make root_user an admin the way the operator does, then log in again.
  server_.Scalar(absl::StrCat("UPDATE users.accounts SET roles = 17 WHERE handle = 'root_user'; SELECT 1"));
  v1::LoginRequest login;
  login.set_request_id(NewId());
  login.set_handle_or_email("root_user");
  login.set_password("correct horse battery");
  v1::LoginResponse session;
  grpc::ClientContext l;
  ASSERT_TRUE(stub_->Login(&l, login, &session).ok());
  grpc::ClientContext ok;
  Auth(ok, session.tokens());
  ASSERT_TRUE(stub_->GrantRole(&ok, grant, &roles).ok());
  EXPECT_EQ(roles.roles_size(), 2);
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.user.roles_changed'"), 1);
  // The admin's old token (without the role) is still refused.
  grpc::ClientContext stale;
  Auth(stale, admin.tokens());
  grant.set_request_id(NewId());
  EXPECT_EQ(stub_->GrantRole(&stale, grant, &roles).error_code(), StatusCode::PERMISSION_DENIED);
}

TEST_F(UsersServiceTest, ExportStreamsAJsonArchiveOfEverythingHeld) {
  const auto r = Register("liam");
  const auto other = Register("mia");
  ASSERT_TRUE(Follow(r.tokens(), other.user().profile().user_id()).ok());
  grpc::ClientContext ctx;
  Auth(ctx, r.tokens());
  auto reader = stub_->ExportMyData(&ctx, v1::ExportMyDataRequest());
  std::string archive;
  v1::DataChunk chunk, last;
  while (reader->Read(&chunk)) {
    EXPECT_EQ(chunk.offset(), static_cast<int64_t>(archive.size()));
    archive += chunk.data();
    last = chunk;
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_TRUE(last.final_chunk());
  EXPECT_EQ(last.total_bytes(), static_cast<int64_t>(archive.size()));
  EXPECT_EQ(last.content_type(), "application/json");
  EXPECT_NE(archive.find("\"handle\":\"liam\""), std::string::npos);
  EXPECT_NE(archive.find("\"email\":\"liam@example.com\""), std::string::npos);
  EXPECT_NE(archive.find("\"handle\":\"mia\""), std::string::npos);  // In "following".
  EXPECT_EQ(archive.find("argon2"), std::string::npos);              // No secrets.

  // Three a day; the fourth is refused.
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext again;
    Auth(again, r.tokens());
    auto stream = stub_->ExportMyData(&again, v1::ExportMyDataRequest());
    while (stream->Read(&chunk)) {
    }
    const grpc::Status status = stream->Finish();
    if (i < 2) {
      EXPECT_TRUE(status.ok()) << status.error_message();
    } else {
      EXPECT_EQ(status.error_code(), StatusCode::RESOURCE_EXHAUSTED);
    }
  }
}

// The daily export limit holds for parallel exports too: each waits for the
// others' records instead of counting from before them.
TEST_F(UsersServiceTest, ParallelExportsStillStopAtTheDailyLimit) {
  constexpr int kRounds = 6;  // A fresh user each round.
  constexpr int kParallel = 8;
  for (int round = 0; round < kRounds; ++round) {
    const auto r = Register(absl::StrCat("nora", round));
    grpc::Status statuses[kParallel];
    std::atomic<int> ready{0};
    std::vector<std::thread> exporters;
    for (int i = 0; i < kParallel; ++i) {
      exporters.emplace_back([&, i] {
        auto stub = server_.NewStub();
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        Auth(ctx, r.tokens());
        ++ready;
        while (ready.load() < kParallel) {}  // All start together.
        auto stream = stub->ExportMyData(&ctx, v1::ExportMyDataRequest());
        v1::DataChunk chunk;
        while (stream->Read(&chunk)) {
        }
        statuses[i] = stream->Finish();
      });
    }
    for (auto& exporter : exporters) exporter.join();
    int ok = 0;
    for (const grpc::Status& status : statuses) {
      if (status.ok()) {
        ++ok;
      } else {
        EXPECT_EQ(status.error_code(), StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
      }
    }
    ASSERT_EQ(ok, 3) << "round " << round;
    ASSERT_EQ(server_.Scalar(absl::StrCat("SELECT count(*) FROM users.exports WHERE user_id = '",
                                          r.user().profile().user_id(), "'")),
              3)
        << "round " << round;
  }
}

TEST_F(UsersServiceTest, DeleteAccountNeedsThePasswordErasesAndEmitsTheEvent) {
  const auto r = Register("noah");
  const auto other = Register("olga");
  ASSERT_TRUE(Follow(other.tokens(), r.user().profile().user_id()).ok());
  ASSERT_TRUE(Follow(r.tokens(), other.user().profile().user_id()).ok());  // Mutual.
  EXPECT_GT(server_.Scalar(absl::StrCat("SELECT count(*) FROM users.idempotency WHERE caller_id = '",
                                        r.user().profile().user_id(), "'")),
            0);
  v1::DeleteMyAccountRequest request;
  request.set_request_id(NewId());
  request.set_password("wrong password!!");
  v1::DeleteMyAccountResponse response;
  grpc::ClientContext a;
  Auth(a, r.tokens());
  EXPECT_EQ(stub_->DeleteMyAccount(&a, request, &response).error_code(), StatusCode::PERMISSION_DENIED);
  request.set_password("correct horse battery");
  grpc::ClientContext b;
  Auth(b, r.tokens());
  ASSERT_TRUE(stub_->DeleteMyAccount(&b, request, &response).ok());
  // The response promises when the rest of the data is gone: 30 days on.
  ASSERT_TRUE(response.has_delete_time());
  ASSERT_TRUE(response.has_purge_time());
  EXPECT_EQ(response.purge_time().seconds() - response.delete_time().seconds(), 30 * 24 * 3600);
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.accounts WHERE handle = 'noah'"), 0);
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.follows"), 0);
  // The follower's counter dropped with the deleted account's follows.
  EXPECT_EQ(Me(other.tokens()).profile().following_count(), 0);
  EXPECT_EQ(Me(other.tokens()).profile().follower_count(), 0);
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM users.sessions WHERE user_id NOT IN (SELECT user_id FROM users.accounts)"), 0);
  EXPECT_EQ(server_.Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.user.deleted'"), 1);
  grpc::Status status;
  Me(r.tokens(), &status);
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED);
  // Records of the account's requests went with it.
  EXPECT_EQ(server_.Scalar(absl::StrCat("SELECT count(*) FROM users.idempotency WHERE caller_id = '",
                                        r.user().profile().user_id(), "'")),
            0);
  // The handle stays reserved for 30 days, then is free again.
  v1::RegisterRequest again;
  again.set_request_id(NewId());
  again.set_handle("noah");
  again.set_email("new-noah@example.com");
  again.set_password("correct horse battery");
  again.set_display_name("Another Noah");
  v1::RegisterResponse registered;
  grpc::ClientContext early;
  EXPECT_EQ(stub_->Register(&early, again, &registered).error_code(), StatusCode::ALREADY_EXISTS);
  server_.clock().Advance(absl::Hours(24 * 31));
  grpc::ClientContext later;
  EXPECT_TRUE(stub_->Register(&later, again, &registered).ok());
}

TEST_F(UsersServiceTest, APostgresOutageIsUnavailableAndTheServiceRecovers) {
  const auto r = Register("patient");
  // Both of the service's pools hold open connections when Postgres goes.
  v1::LoginResponse login;
  grpc::ClientContext before;
  ASSERT_TRUE(stub_->Login(&before, LoginAs("patient"), &login).ok());
  server_.pg().Stop();
  // The client learns that the service is unavailable and the request id to
  // quote, never how the database is reached.
  const std::string port = std::to_string(server_.pg().port());
  auto expect_plain = [&](const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), StatusCode::UNAVAILABLE) << status.error_message();
    EXPECT_NE(status.error_message().find("request_id "), std::string::npos) << status.error_message();
    for (const std::string& secret : {port, std::string("127.0.0.1"), std::string("host"),
                                      std::string("cf_users"), std::string("connect")}) {
      EXPECT_EQ(status.error_message().find(secret), std::string::npos) << status.error_message();
    }
  };
  grpc::Status status;
  Me(r.tokens(), &status);
  expect_plain(status);
  grpc::ClientContext during;
  expect_plain(stub_->Login(&during, LoginAs("patient"), &login));
  v1::GetPublicProfileRequest lookup;
  lookup.set_handle("patient");
  v1::Profile profile;
  grpc::ClientContext ctx;
  expect_plain(stub_->GetPublicProfile(&ctx, lookup, &profile));
  server_.pg().Restart();
  EXPECT_EQ(Me(r.tokens(), &status).profile().handle(), "patient");
  EXPECT_TRUE(status.ok()) << status.error_message();
  grpc::ClientContext after;
  const grpc::Status logged_in = stub_->Login(&after, LoginAs("patient"), &login);
  EXPECT_TRUE(logged_in.ok()) << logged_in.error_message();
}

TEST_F(UsersServiceTest, ACallerNeverSeesAConstraintName) {
  const auto r = Register("quinn");
  // A rule only the database knows, so the write reaches it.
  server_.Scalar("ALTER TABLE users.accounts ADD CONSTRAINT cf_secret_rule_check "
                 "CHECK (display_name <> 'Forbidden Name'); SELECT 1");
  v1::UpdateMyProfileRequest update;
  update.set_request_id(NewId());
  update.mutable_profile()->set_display_name("Forbidden Name");
  update.mutable_update_mask()->add_paths("display_name");
  v1::User user;
  grpc::ClientContext ctx;
  Auth(ctx, r.tokens());
  const grpc::Status status = stub_->UpdateMyProfile(&ctx, update, &user);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION) << status.error_message();
  for (const char* secret : {"cf_secret_rule_check", "constraint", "accounts", "relation"}) {
    EXPECT_EQ(status.error_message().find(secret), std::string::npos) << status.error_message();
  }
}

TEST_F(UsersServiceTest, TheLastAdminCannotBeRemoved) {
  const auto admin = Register("only_admin");
  server_.Scalar("UPDATE users.accounts SET roles = 17 WHERE handle = 'only_admin'; SELECT 1");
  const v1::LoginRequest login = LoginAs("only_admin");
  v1::LoginResponse session;
  grpc::ClientContext l;
  ASSERT_TRUE(stub_->Login(&l, login, &session).ok());
  v1::RevokeRoleRequest revoke;
  revoke.set_request_id(NewId());
  revoke.set_user_id(admin.user().profile().user_id());
  revoke.set_role(v1::ROLE_ADMIN);
  revoke.set_reason("stepping down");
  v1::UserRoles roles;
  grpc::ClientContext r;
  Auth(r, session.tokens());
  const grpc::Status status = stub_->RevokeRole(&r, revoke, &roles);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("LAST_ADMIN"), std::string::npos);
  v1::DeleteMyAccountRequest del;
  del.set_request_id(NewId());
  del.set_password("correct horse battery");
  v1::DeleteMyAccountResponse deleted;
  grpc::ClientContext d;
  Auth(d, session.tokens());
  EXPECT_EQ(stub_->DeleteMyAccount(&d, del, &deleted).error_code(), StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace clipforge::testing
