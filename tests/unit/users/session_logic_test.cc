// Sign-up, login, refresh and logout rules, over the fake store.
#include "absl/strings/str_cat.h"
#include "tests/unit/users/logic_fixture.h"
#include "users/refresh_token.h"

namespace clipforge::users::testing {
namespace {

TEST_F(UsersLogicTest, RegisterCreatesTheAccountASessionAndTheEvent) {
  const SignedIn alice = Register("alice");
  EXPECT_EQ(alice.account.handle, "alice");
  EXPECT_TRUE(alice.account.roles == base::RoleSet{base::Role::kUser});
  EXPECT_FALSE(alice.tokens.access_token.empty());
  EXPECT_TRUE(LooksLikeRefreshToken(alice.tokens.refresh_token));
  const FakeUsersState state = store_.state();
  EXPECT_EQ(state.accounts.size(), 1u);
  EXPECT_TRUE(state.sessions.contains(alice.tokens.session_id));
  EXPECT_TRUE(state.refresh_tokens.contains(HashRefreshToken(alice.tokens.refresh_token)));
  EXPECT_EQ(store_.EventTypes(), std::vector<std::string>{"clipforge.user.registered"});
  // The stored password is a hash that verifies, never the password.
  EXPECT_NE(state.accounts.begin()->second.password_hash, kPassword);
  EXPECT_TRUE(hasher_.Verify(state.accounts.begin()->second.password_hash, kPassword));
}

TEST_F(UsersLogicTest, HandlesAndEmailsAreTakenOnce) {
  Register("bob");
  Registration same_handle = RegistrationOf("bob");
  same_handle.email = "other@example.com";
  EXPECT_THAT(sessions_.Register(same_handle, kAddress),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("handle")));
  Registration same_email = RegistrationOf("bobby");
  same_email.email = "bob@example.com";
  EXPECT_THAT(sessions_.Register(same_email, kAddress),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("email")));
  EXPECT_EQ(store_.state().accounts.size(), 1u);
}

TEST_F(UsersLogicTest, ARetriedRegistrationSignsInToTheSameSessionOnlyWithTheSamePassword) {
  const Registration registration = RegistrationOf("carol");
  ASSERT_OK_AND_ASSIGN(const SignedIn first, sessions_.Register(registration, kAddress));
  ASSERT_OK_AND_ASSIGN(const SignedIn retried, sessions_.Register(registration, kAddress));
  EXPECT_EQ(retried.tokens.session_id, first.tokens.session_id);
  EXPECT_EQ(retried.account.user_id, first.account.user_id);
  Registration other_password = registration;
  other_password.password = "a different passphrase";
  EXPECT_THAT(sessions_.Register(other_password, kAddress), StatusIs(absl::StatusCode::kAlreadyExists));
  Registration other_request = registration;
  other_request.request_id = NewId();
  EXPECT_THAT(sessions_.Register(other_request, kAddress), StatusIs(absl::StatusCode::kAlreadyExists));
  // Too late to be a retry.
  clock_.Advance(options_.login_replay_window + absl::Seconds(1));
  EXPECT_THAT(sessions_.Register(registration, kAddress), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(store_.EventTypes().size(), 1u);
}

TEST_F(UsersLogicTest, SignUpsAreBudgetedPerAddress) {
  absl::Status last;
  int accepted = 0;
  for (int i = 0; i < 40 && last.code() != absl::StatusCode::kResourceExhausted; ++i) {
    last = sessions_.Register(RegistrationOf(absl::StrCat("user", i)), kAddress).status();
    if (last.ok()) ++accepted;
  }
  EXPECT_THAT(last, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("retry in")));
  EXPECT_EQ(accepted, 30);
  // Another address is not affected.
  EXPECT_THAT(sessions_.Register(RegistrationOf("elsewhere"), "198.51.100.1"), IsOk());
}

TEST_F(UsersLogicTest, LoginByHandleOrEmailAndTheSameAnswerForUnknownAccounts) {
  Register("dave");
  for (const std::string who : {"dave", "@Dave", "  DAVE@example.com "}) {
    ASSERT_OK_AND_ASSIGN(const SignedIn in, sessions_.Login(LoginOf(who), kAddress));
    EXPECT_EQ(in.account.handle, "dave") << who;
  }
  const absl::Status wrong = sessions_.Login(LoginOf("dave", "not the password"), kAddress).status();
  const absl::Status unknown = sessions_.Login(LoginOf("nobody_here", "not the password"), kAddress).status();
  EXPECT_THAT(wrong, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(wrong, unknown);
}

TEST_F(UsersLogicTest, RepeatedLoginFailuresAreThrottledUntilTheDelayPasses) {
  Register("erin");
  absl::Status last;
  int failures = 0;
  for (int i = 0; i < 10 && last.code() != absl::StatusCode::kResourceExhausted; ++i) {
    last = sessions_.Login(LoginOf("erin", "not the password"), kAddress).status();
    if (last.code() == absl::StatusCode::kUnauthenticated) ++failures;
  }
  EXPECT_THAT(last, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("retry in")));
  EXPECT_GE(failures, 5);
  // Even the right password waits.
  EXPECT_THAT(sessions_.Login(LoginOf("erin"), kAddress), StatusIs(absl::StatusCode::kResourceExhausted));
  clock_.Advance(absl::Minutes(16));
  EXPECT_THAT(sessions_.Login(LoginOf("erin"), kAddress), IsOk());
}

TEST_F(UsersLogicTest, ASessionEndsNinetyDaysAfterLoginHoweverOftenRefreshed) {
  const SignedIn tess = Register("tess");
  const absl::Time end = clock_.Now() + options_.session_lifetime;
  ASSERT_EQ(options_.session_lifetime, absl::Hours(24 * 90));
  std::string token = tess.tokens.refresh_token;
  // Refreshed every 20 days (the refresh token lives 30): never past the end.
  for (int day = 20; day < 90; day += 20) {
    clock_.Advance(absl::Hours(24 * 20));
    ASSERT_OK_AND_ASSIGN(const IssuedTokens next, sessions_.Refresh(NewId(), token));
    EXPECT_LE(next.refresh_expires_at, end) << "day " << day;
    EXPECT_LE(next.access_expires_at, end) << "day " << day;
    token = next.refresh_token;
  }
  // Day 80: the token issued now stops at day 90, not day 110.
  ASSERT_OK_AND_ASSIGN(const IssuedTokens last, sessions_.Refresh(NewId(), token));
  EXPECT_EQ(last.refresh_expires_at, end);
  clock_.Advance(end - clock_.Now());
  EXPECT_THAT(sessions_.Refresh(NewId(), last.refresh_token), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(UsersLogicTest, ThePurgeDeletesExpiredTokensAndLongEndedSessionsOnly) {
  const SignedIn live = Register("live");
  const SignedIn quitter = Register("quitter");
  ASSERT_THAT(sessions_.Logout(CallerOf(quitter), ""), IsOk());
  // A refreshed token leaves its retired predecessor, live until it expires.
  ASSERT_OK_AND_ASSIGN(const IssuedTokens refreshed, sessions_.Refresh(NewId(), live.tokens.refresh_token));
  ASSERT_OK_AND_ASSIGN(PurgedRows purged, sessions_.PurgeEnded());
  EXPECT_EQ(purged.tokens, 0);
  EXPECT_EQ(purged.sessions, 0);

  // A week later: the logged-out session has been kept long enough.
  clock_.Advance(options_.ended_session_retention + absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(purged, sessions_.PurgeEnded());
  EXPECT_EQ(purged.sessions, 1);
  EXPECT_EQ(store_.state().sessions.count(quitter.account.user_id), 0);
  EXPECT_THAT(sessions_.Refresh(NewId(), refreshed.refresh_token), IsOk()) << "the live session was touched";

  // Past the refresh tokens' 30 days the old ones go; past the session's
  // 90 days plus the retention, the session goes too, in small batches.
  clock_.Advance(options_.session_lifetime);
  ASSERT_OK_AND_ASSIGN(purged, sessions_.PurgeEnded(/*batch=*/1));
  EXPECT_GE(purged.tokens, 1);  // The rest went with their session.
  EXPECT_EQ(purged.sessions, 1);
  EXPECT_TRUE(store_.state().sessions.empty());
  EXPECT_TRUE(store_.state().refresh_tokens.empty());
}

TEST_F(UsersLogicTest, ThePurgeReportsAStorageOutage) {
  store_.FailWith(absl::UnavailableError("database down"));
  EXPECT_THAT(sessions_.PurgeEnded(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(UsersLogicTest, OneClientsLoginFailuresDoNotLockTheOwnerOut) {
  Register("erik");
  constexpr char kAttacker[] = "198.51.100.66";
  absl::Status last;
  for (int i = 0; i < 20 && last.code() != absl::StatusCode::kResourceExhausted; ++i) {
    last = sessions_.Login(LoginOf("erik", "a guess"), kAttacker).status();
  }
  ASSERT_THAT(last, StatusIs(absl::StatusCode::kResourceExhausted));
  // The owner, from her own address, logs in at once.
  EXPECT_THAT(sessions_.Login(LoginOf("erik"), kAddress), IsOk());
}

TEST_F(UsersLogicTest, LoginKeysCannotThrottleSignUps) {
  // What a client types at login never names the sign-up budget.
  const std::string typed = absl::StrCat("register@", kAddress);
  absl::Status last;
  for (int i = 0; i < 20 && last.code() != absl::StatusCode::kResourceExhausted; ++i) {
    last = sessions_.Login(LoginOf(typed, "a guess"), kAddress).status();
  }
  ASSERT_THAT(last, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(sessions_.Register(RegistrationOf("ferd"), kAddress), IsOk());
}

TEST_F(UsersLogicTest, ARetriedLoginContinuesItsSessionOnlyWhileFreshAndOpen) {
  Register("gwen");
  const LoginAttempt attempt = LoginOf("gwen");
  ASSERT_OK_AND_ASSIGN(const SignedIn first, sessions_.Login(attempt, kAddress));
  ASSERT_OK_AND_ASSIGN(const SignedIn retried, sessions_.Login(attempt, kAddress));
  EXPECT_EQ(retried.tokens.session_id, first.tokens.session_id);
  EXPECT_NE(retried.tokens.refresh_token, first.tokens.refresh_token);
  // The first answer's refresh token is retired; the retry's is the live one.
  EXPECT_THAT(sessions_.Refresh(NewId(), retried.tokens.refresh_token), IsOk());

  clock_.Advance(options_.login_replay_window + absl::Seconds(1));
  EXPECT_THAT(sessions_.Login(attempt, kAddress),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("request_id")));

  const LoginAttempt second = LoginOf("gwen");
  ASSERT_OK_AND_ASSIGN(const SignedIn in, sessions_.Login(second, kAddress));
  ASSERT_THAT(sessions_.Logout(CallerOf(in), ""), IsOk());
  EXPECT_THAT(sessions_.Login(second, kAddress), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("ended")));
}

TEST_F(UsersLogicTest, LoginUpgradesAHashMadeWithCheaperParameters) {
  const SignedIn hank = Register("hank");
  const PasswordHasher cheap = PasswordHasher::Create({.ops_limit = 1, .mem_limit = 32 * 1024}).value();
  const std::string old_hash = cheap.Hash(kPassword).value();
  ASSERT_THAT(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) {
    Account account = *tx.AccountById(hank.account.user_id);
    account.password_hash = old_hash;
    tx.InsertAccount(account);
    return absl::OkStatus();
  }), IsOk());
  ASSERT_THAT(sessions_.Login(LoginOf("hank"), kAddress), IsOk());
  const std::string upgraded = store_.state().accounts.at(hank.account.user_id).password_hash;
  EXPECT_NE(upgraded, old_hash);
  EXPECT_FALSE(hasher_.NeedsRehash(upgraded));
  EXPECT_TRUE(hasher_.Verify(upgraded, kPassword));
}

TEST_F(UsersLogicTest, RefreshRotatesARetryIsNotTheftAndReuseEndsTheSession) {
  const SignedIn frank = Register("frank");
  const std::string exchange = NewId();
  ASSERT_OK_AND_ASSIGN(const IssuedTokens rotated, sessions_.Refresh(exchange, frank.tokens.refresh_token));
  EXPECT_NE(rotated.refresh_token, frank.tokens.refresh_token);
  EXPECT_EQ(rotated.session_id, frank.tokens.session_id);
  // The answer was lost: the same exchange again gets a new pair.
  ASSERT_OK_AND_ASSIGN(const IssuedTokens retried, sessions_.Refresh(exchange, frank.tokens.refresh_token));
  ASSERT_OK_AND_ASSIGN(const IssuedTokens used, sessions_.Refresh(NewId(), retried.refresh_token));
  // The retry's result was used: replaying it now is theft.
  EXPECT_THAT(sessions_.Refresh(exchange, frank.tokens.refresh_token),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("already used")));
  EXPECT_THAT(sessions_.Refresh(NewId(), used.refresh_token), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(store_.state().sessions.at(frank.tokens.session_id).revoke_reason, "refresh_token_reuse");
  EXPECT_THAT(profiles_.GetMine(CallerOf(frank)), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(UsersLogicTest, ARetiredTokenUnderANewRequestIdEndsTheSession) {
  const SignedIn ivy = Register("ivy");
  ASSERT_OK_AND_ASSIGN(const IssuedTokens next, sessions_.Refresh(NewId(), ivy.tokens.refresh_token));
  EXPECT_THAT(sessions_.Refresh(NewId(), ivy.tokens.refresh_token), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(sessions_.Refresh(NewId(), next.refresh_token), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(UsersLogicTest, MalformedExpiredAndUnknownRefreshTokensAreRefused) {
  const SignedIn jay = Register("jay");
  EXPECT_THAT(sessions_.Refresh(NewId(), "cfr1.nope"), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(sessions_.Refresh(NewId(), GenerateRefreshToken(random_).token),
              StatusIs(absl::StatusCode::kUnauthenticated));
  clock_.Advance(options_.refresh_token_ttl + absl::Seconds(1));
  EXPECT_THAT(sessions_.Refresh(NewId(), jay.tokens.refresh_token), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(UsersLogicTest, NobodyEndsAnotherUsersSession) {
  const SignedIn victim = Register("victim");
  const SignedIn attacker = Register("attacker");
  EXPECT_THAT(sessions_.Logout(CallerOf(attacker), victim.tokens.refresh_token),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(profiles_.GetMine(CallerOf(victim)), IsOk());
}

TEST_F(UsersLogicTest, LogoutEverywhereEndsEverySessionOnce) {
  const SignedIn kim = Register("kim");
  ASSERT_OK_AND_ASSIGN(const SignedIn phone, sessions_.Login(LoginOf("kim"), kAddress));
  EXPECT_THAT(sessions_.LogoutEverywhere(CallerOf(phone)), IsOkAndHolds(2));
  EXPECT_THAT(profiles_.GetMine(CallerOf(kim)), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(sessions_.LogoutEverywhere(CallerOf(phone)), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(UsersLogicTest, AStorageOutageFailsCallsAndLeavesNothingBehind) {
  store_.FailWith(absl::UnavailableError("database: unreachable"));
  EXPECT_THAT(sessions_.Register(RegistrationOf("lou"), kAddress), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(sessions_.Login(LoginOf("lou"), kAddress), StatusIs(absl::StatusCode::kUnavailable));
  store_.FailWith(absl::OkStatus());
  EXPECT_TRUE(store_.state().accounts.empty());
  EXPECT_THAT(sessions_.Register(RegistrationOf("lou"), kAddress), IsOk());
}

}  // namespace
}  // namespace clipforge::users::testing

namespace clipforge::users::testing {
namespace {

// The sessions_revoked events committed so far, as (reason, session ids).
std::vector<std::pair<std::string, std::vector<std::string>>> Revocations(const FakeUsersStore& store) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const v1::EventEnvelope& event : store.state().outbox) {
    if (!event.has_user_sessions_revoked()) continue;
    const auto& revoked = event.user_sessions_revoked();
    out.emplace_back(revoked.reason(),
                     std::vector<std::string>(revoked.session_ids().begin(), revoked.session_ids().end()));
  }
  return out;
}

TEST_F(UsersLogicTest, EveryWayASessionEndsIsAnnouncedToOtherServices) {
  const SignedIn sam = Register("sam");
  ASSERT_OK_AND_ASSIGN(const SignedIn phone, sessions_.Login(LoginOf("sam"), kAddress));
  ASSERT_THAT(sessions_.Logout(CallerOf(phone), ""), IsOk());
  ASSERT_OK_AND_ASSIGN(const SignedIn tablet, sessions_.Login(LoginOf("sam"), kAddress));
  ASSERT_THAT(sessions_.LogoutEverywhere(CallerOf(tablet)), IsOk());
  using Revocation = std::pair<std::string, std::vector<std::string>>;
  EXPECT_EQ(Revocations(store_),
            (std::vector<Revocation>{{"logout", {phone.tokens.session_id}},
                                     {"logout_everywhere", {sam.tokens.session_id, tablet.tokens.session_id}}}));

  // A stolen refresh token ends its session, and says so.
  ASSERT_OK_AND_ASSIGN(const SignedIn laptop, sessions_.Login(LoginOf("sam"), kAddress));
  ASSERT_THAT(sessions_.Refresh(NewId(), laptop.tokens.refresh_token), IsOk());
  EXPECT_THAT(sessions_.Refresh(NewId(), laptop.tokens.refresh_token), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(Revocations(store_).back(), (Revocation{"refresh_token_reuse", {laptop.tokens.session_id}}));

  // Deleting the account ends its live sessions.
  ASSERT_OK_AND_ASSIGN(const SignedIn last, sessions_.Login(LoginOf("sam"), kAddress));
  ASSERT_THAT(privacy_.DeleteAccount(CallerOf(last), kPassword, kAddress), IsOk());
  EXPECT_EQ(Revocations(store_).back(), (Revocation{"account_deleted", {last.tokens.session_id}}));
}

}  // namespace
}  // namespace clipforge::users::testing
