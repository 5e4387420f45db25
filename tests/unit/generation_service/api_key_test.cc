// Developers' API keys over the fake store: created once (the key shown
// once, its hash kept), listed, revoked; verified as a bearer token (the
// user, no admin powers, the key's rate); managed only with an access
// token; a key's jobs within its own daily quota.
#include "services/generation/api_key_logic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/generation/api_key_verifier.h"
#include "tests/unit/generation_service/generation_fixture.h"

namespace clipforge::generation_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class ApiKeyTest : public GenerationFixture {
 protected:
  CreatedApiKey MustCreateKey(const kit::Caller& owner, const std::string& name, int32_t daily_seconds = 0) {
    absl::StatusOr<CreatedApiKey> created =
        keys_.Create(owner, Key(owner.user_id), {.name = name, .daily_seconds = daily_seconds});
    EXPECT_THAT(created, IsOk());
    return created.ok() ? *created : CreatedApiKey{};
  }
  std::vector<std::string> Names(const kit::Caller& owner, bool include_revoked = false) {
    std::vector<std::string> names;
    absl::StatusOr<std::vector<ApiKeyRecord>> keys = keys_.List(owner, include_revoked);
    EXPECT_THAT(keys, IsOk());
    if (keys.ok()) {
      for (const ApiKeyRecord& key : *keys) names.push_back(key.name);
    }
    return names;
  }

  ApiKeyLogic keys_{store_, clock_, ids_, random_};
  ApiKeyVerifier verifier_{store_, clock_, {.calls_per_minute = 60, .burst = 3, .ttl = absl::Seconds(30)}};
};

TEST_F(ApiKeyTest, AKeyIsShownOnceStoredAsAHashAndActsAsItsUser) {
  const kit::Caller alice = User();
  const CreatedApiKey created = MustCreateKey(alice, "my app", 60);
  EXPECT_THAT(created.text, StartsWith("cfk_" + created.key.key_id + "_"));
  EXPECT_EQ(created.key.user_id, alice.user_id);
  EXPECT_EQ(created.key.daily_seconds, 60);
  EXPECT_EQ(ApiKeyPrefixOf(created.key.key_id), "cfk_" + created.key.key_id);
  // The store has the hash, not the secret.
  const ApiKeyRecord stored = store_.state().api_keys.at(created.key.key_id);
  EXPECT_EQ(stored.secret_sha256.size(), 32u);
  EXPECT_EQ(created.text.find(stored.secret_sha256), std::string::npos);

  ASSERT_OK_AND_ASSIGN(const kit::Caller caller, verifier_.Verify(created.text));
  EXPECT_EQ(caller.user_id, alice.user_id);
  EXPECT_EQ(caller.api_key_id, created.key.key_id);
  EXPECT_TRUE(caller.HasRole(base::Role::kUser));
  EXPECT_FALSE(caller.HasRole(base::Role::kAdmin));
}

TEST_F(ApiKeyTest, AnAdminsKeyCarriesNoAdminPowers) {
  const kit::Caller admin = Admin();
  const CreatedApiKey created = MustCreateKey(admin, "ops");
  ASSERT_OK_AND_ASSIGN(const kit::Caller caller, verifier_.Verify(created.text));
  EXPECT_FALSE(caller.HasRole(base::Role::kAdmin));
  // So someone else's job stays hidden from it.
  const JobRecord job = MustCreate(User(), "a private job");
  EXPECT_THAT(jobs_.Get(caller, job.job_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(jobs_.Get(admin, job.job_id), IsOk());
}

TEST_F(ApiKeyTest, WrongMalformedOrUnknownKeysAreRefused) {
  const CreatedApiKey created = MustCreateKey(User(), "app");
  // A changed character in the middle of the secret (the last one carries
  // padding bits too).
  std::string wrong = created.text;
  char& c = wrong[4 + 36 + 1 + 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_THAT(verifier_.Verify(wrong), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(verifier_.Verify("cfk_nonsense"), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(verifier_.Verify("cfw_" + created.text.substr(4)), StatusIs(absl::StatusCode::kUnauthenticated));
  const std::string unknown = "cfk_" + ids_.Next() + created.text.substr(4 + 36);
  EXPECT_THAT(verifier_.Verify(unknown), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(ApiKeyTest, ARevokedKeyStopsHereAtOnceAndElsewhereWithinTheTtl) {
  const kit::Caller alice = User();
  const CreatedApiKey created = MustCreateKey(alice, "app");
  ApiKeyVerifier elsewhere{store_, clock_, {.ttl = absl::Seconds(30)}};
  ASSERT_THAT(verifier_.Verify(created.text), IsOk());
  ASSERT_THAT(elsewhere.Verify(created.text), IsOk());

  ASSERT_OK_AND_ASSIGN(const ApiKeyRecord revoked, keys_.Revoke(alice, Key(alice.user_id), created.key.key_id));
  EXPECT_EQ(revoked.revoke_time, clock_.Now());
  verifier_.Forget(created.key.key_id);  // what the adapter does on this instance
  EXPECT_THAT(verifier_.Verify(created.text), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(elsewhere.Verify(created.text), IsOk());  // still remembered...
  clock_.Advance(absl::Seconds(30));
  EXPECT_THAT(elsewhere.Verify(created.text), StatusIs(absl::StatusCode::kUnauthenticated));  // ...not past the ttl

  // Revoking again is fine and keeps the first time; jobs it would create
  // are refused even before the verifier notices.
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK_AND_ASSIGN(const ApiKeyRecord again, keys_.Revoke(alice, Key(alice.user_id), created.key.key_id));
  EXPECT_EQ(again.revoke_time, revoked.revoke_time);
  kit::Caller stale = alice;
  stale.api_key_id = created.key.key_id;
  EXPECT_THAT(Create(stale, Request("a job after the revoke")), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(ApiKeyTest, EachKeyHasItsOwnRate) {
  const kit::Caller alice = User();
  const CreatedApiKey one = MustCreateKey(alice, "one"), two = MustCreateKey(alice, "two");
  for (int i = 0; i < 3; ++i) ASSERT_THAT(verifier_.Verify(one.text), IsOk());  // the burst
  EXPECT_THAT(verifier_.Verify(one.text), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("cfk_")));
  EXPECT_THAT(verifier_.Verify(two.text), IsOk());  // another key is not slowed
  clock_.Advance(absl::Seconds(1));                 // 60 a minute: one more a second
  EXPECT_THAT(verifier_.Verify(one.text), IsOk());
}

TEST_F(ApiKeyTest, KeysAreManagedOnlyWithAnAccessToken) {
  const kit::Caller alice = User();
  const CreatedApiKey created = MustCreateKey(alice, "app");
  ASSERT_OK_AND_ASSIGN(const kit::Caller with_key, verifier_.Verify(created.text));
  EXPECT_THAT(keys_.Create(with_key, Key(alice.user_id), {.name = "another"}),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(keys_.List(with_key, true), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(keys_.Revoke(with_key, Key(alice.user_id), created.key.key_id),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Names(alice), ElementsAre("app"));
}

TEST_F(ApiKeyTest, NamesAreUniqueAmongLiveKeysAndLiveKeysAreCapped) {
  const kit::Caller alice = User(), bob = User();
  const CreatedApiKey first = MustCreateKey(alice, "app");
  EXPECT_THAT(keys_.Create(alice, Key(alice.user_id), {.name = "app"}),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("app")));
  MustCreateKey(bob, "app");  // another user's names are theirs
  ASSERT_THAT(keys_.Revoke(alice, Key(alice.user_id), first.key.key_id), IsOk());
  MustCreateKey(alice, "app");  // the name is free again
  for (int i = 1; i < 20; ++i) MustCreateKey(alice, absl::StrCat("app ", i));
  EXPECT_THAT(keys_.Create(alice, Key(alice.user_id), {.name = "one too many"}),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("20")));
  EXPECT_EQ(Names(alice).size(), 20u);
  const std::vector<std::string> all = Names(alice, /*include_revoked=*/true);
  ASSERT_EQ(all.size(), 21u);
  EXPECT_EQ(all.back(), "app");  // revoked ones come last
}

TEST_F(ApiKeyTest, ARetriedCreateReturnsTheSameKeyWithoutItsSecret) {
  const kit::Caller alice = User();
  const kit::IdempotencyKey key = Key(alice.user_id, "CreateApiKey");
  ASSERT_OK_AND_ASSIGN(const CreatedApiKey first, keys_.Create(alice, key, {.name = "app"}));
  ASSERT_OK_AND_ASSIGN(const CreatedApiKey retry, keys_.Create(alice, key, {.name = "app"}));
  EXPECT_EQ(retry.key.key_id, first.key.key_id);
  EXPECT_THAT(retry.text, IsEmpty());
  EXPECT_EQ(store_.state().api_keys.size(), 1u);
}

TEST_F(ApiKeyTest, SomeoneElsesKeyIsNotFound) {
  const kit::Caller alice = User(), bob = User();
  const CreatedApiKey created = MustCreateKey(alice, "app");
  EXPECT_THAT(keys_.Revoke(bob, Key(bob.user_id), created.key.key_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Names(bob, true), IsEmpty());
  EXPECT_THAT(verifier_.Verify(created.text), IsOk());
}

TEST_F(ApiKeyTest, AKeysJobsStayWithinItsDailyQuotaAndTheUsers) {
  const kit::Caller alice = User();
  SetTier(alice, v1::TIER_PRO);
  const CreatedApiKey created = MustCreateKey(alice, "app", /*daily_seconds=*/5);
  ASSERT_OK_AND_ASSIGN(const kit::Caller with_key, verifier_.Verify(created.text));
  // Drafts cost a quarter of their seconds: 8 s costs 2, twice is 4.
  ASSERT_OK_AND_ASSIGN(const JobView first, Create(with_key, Request("a first clip", 8)));
  EXPECT_EQ(first.job.api_key_id, created.key.key_id);
  EXPECT_EQ(store_.state().api_keys.at(created.key.key_id).last_use_time, clock_.Now());
  ASSERT_THAT(Create(with_key, Request("a second clip", 8)), IsOk());
  const absl::StatusOr<JobView> over = Create(with_key, Request("a third clip", 8));
  EXPECT_THAT(over, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("this API key allows 5")));
  EXPECT_EQ(Reason(over), "QUOTA_EXCEEDED");
  // The user's own access token is not held to the key's quota.
  EXPECT_THAT(Create(alice, Request("a clip from the app's owner", 8)), IsOk());
  // The next UTC day the key may go on.
  clock_.Advance(absl::Hours(24));
  EXPECT_THAT(Create(with_key, Request("tomorrow's clip", 8)), IsOk());
}

TEST_F(ApiKeyTest, ADeletedAccountsJobsAreCancelledAndItsKeysRevoked) {
  const kit::Caller alice = User(), bob = User();
  const CreatedApiKey key = MustCreateKey(alice, "app");
  const JobRecord queued = MustCreate(alice, "a queued job");
  const JobRecord rendering = MustCreate(alice, "a job being rendered");
  const JobRecord bobs = MustCreate(bob, "someone else's job");
  const WorkerIdentity worker = Worker();
  std::optional<JobRecord> leased = Lease(worker);
  ASSERT_TRUE(leased.has_value());
  ASSERT_EQ(leased->job_id, queued.job_id);  // the queue's head

  const auto apply = [&] {
    return store_.Transact(TxMode::kReadWrite,
                           [&](GenerationTx& tx) { return jobs_.ApplyAccountDeleted(tx, alice.user_id); });
  };
  ASSERT_THAT(apply(), IsOk());
  const FakeGenerationState state = store_.state();
  EXPECT_EQ(state.jobs.at(queued.job_id).status, v1::JOB_STATUS_CANCELLED);
  EXPECT_EQ(state.jobs.at(rendering.job_id).status, v1::JOB_STATUS_CANCELLED);
  EXPECT_EQ(state.jobs.at(bobs.job_id).status, v1::JOB_STATUS_QUEUED);
  EXPECT_TRUE(state.api_keys.at(key.key.key_id).revoke_time.has_value());
  EXPECT_EQ(CountEvents(kCancelledSubject), 2);
  // The worker rendering it is told to stop.
  ASSERT_OK_AND_ASSIGN(const LeaseState lease, workers_.Renew(worker, queued.job_id, leased->lease_epoch,
                                                              std::nullopt, ""));
  EXPECT_TRUE(lease.cancel_requested);
  // Applied again (a redelivery), nothing more happens.
  ASSERT_THAT(apply(), IsOk());
  EXPECT_EQ(CountEvents(kCancelledSubject), 2);
  EXPECT_THAT(verifier_.Verify(key.text), StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace clipforge::generation_service::testing
