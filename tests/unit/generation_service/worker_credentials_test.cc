// Worker credentials over the fake store: issue and verify, what is
// refused (wrong secret, malformed, unknown, revoked once the cache's ttl
// has passed), names that are taken.
#include "services/generation/worker_credentials.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "base/sha256.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "base/uuid.h"
#include "tests/unit/generation_service/fake_generation_store.h"

namespace clipforge::generation_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::IsOkAndHolds;
using base::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

class WorkerCredentialsTest : public ::testing::Test {
 protected:
  IssuedCredential Issue(const std::string& name) {
    absl::StatusOr<IssuedCredential> issued = IssueWorkerCredential(store_, ids_, random_, clock_, name);
    EXPECT_THAT(issued, IsOk());
    return issued.value_or(IssuedCredential{});
  }
  // `credential_id` with another 32-byte secret.
  static std::string WithSecret(const std::string& credential_id, char fill) {
    std::string encoded;
    absl::WebSafeBase64Escape(std::string(32, fill), &encoded);
    return absl::StrCat("cfw_", credential_id, "_", encoded);
  }

  base::testing::FakeClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  FakeGenerationStore store_;
  WorkerCredentialVerifier verifier_{store_, clock_, absl::Seconds(30)};
};

TEST_F(WorkerCredentialsTest, AnIssuedCredentialVerifies) {
  const IssuedCredential issued = Issue("gpu-node-1");
  EXPECT_TRUE(absl::StartsWith(issued.credential, absl::StrCat("cfw_", issued.credential_id, "_")));
  EXPECT_THAT(verifier_.Verify(issued.credential), IsOkAndHolds(issued.credential_id));

  // Only the secret's hash is stored.
  ASSERT_OK_AND_ASSIGN(const ParsedCredential parsed, ParseWorkerCredential(issued.credential));
  EXPECT_EQ(parsed.credential_id, issued.credential_id);
  const WorkerCredentialRecord stored = store_.state().credentials.at(issued.credential_id);
  EXPECT_EQ(stored.name, "gpu-node-1");
  EXPECT_EQ(stored.secret_sha256, base::Sha256(parsed.secret));
  EXPECT_NE(stored.secret_sha256, parsed.secret);
  EXPECT_EQ(stored.create_time, clock_.Now());

  // Two credentials have different secrets.
  const IssuedCredential other = Issue("gpu-node-2");
  EXPECT_NE(other.credential_id, issued.credential_id);
  EXPECT_THAT(verifier_.Verify(other.credential), IsOkAndHolds(other.credential_id));
}

TEST_F(WorkerCredentialsTest, AWrongSecretIsRefused) {
  const IssuedCredential issued = Issue("gpu-node-1");
  // Before and after the id's hash is cached.
  EXPECT_THAT(verifier_.Verify(WithSecret(issued.credential_id, 'x')),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(verifier_.Verify(issued.credential), IsOk());
  EXPECT_THAT(verifier_.Verify(WithSecret(issued.credential_id, 'y')),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // Another credential's secret under this id.
  const IssuedCredential other = Issue("gpu-node-2");
  const std::string other_secret = other.credential.substr(4 + 36);  // "_" and the secret
  EXPECT_THAT(verifier_.Verify(absl::StrCat("cfw_", issued.credential_id, other_secret)),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(WorkerCredentialsTest, MalformedAndUnknownCredentialsAreRefused) {
  const IssuedCredential issued = Issue("gpu-node-1");
  // "cfw_" + a 36-character id + "_": the secret may itself hold '_'.
  const std::string secret_part = issued.credential.substr(4 + 36 + 1);
  for (const std::string& bad : {
           std::string(""),
           std::string("cfw_"),
           std::string("Worker ") + issued.credential,
           issued.credential.substr(4),                                     // No prefix.
           issued.credential + "A",                                         // Secret too long.
           issued.credential.substr(0, issued.credential.size() - 2),       // Too short.
           absl::StrCat("cfw_", issued.credential_id, "-", secret_part),    // No separator.
           absl::StrCat("cfw_NOT-A-UUID-0000-0000-000000000000_", secret_part),
           absl::StrCat("cfw_", issued.credential_id, "_", "!!not base64!!"),
       }) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(ParseWorkerCredential(bad), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(verifier_.Verify(bad), StatusIs(absl::StatusCode::kUnauthenticated, Not(HasSubstr(secret_part))));
  }
  // Well formed, but no such credential.
  EXPECT_THAT(verifier_.Verify(WithSecret(ids_.Next(), 'z')), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(WorkerCredentialsTest, ARevocationTakesEffectOnceTheCacheExpires) {
  const IssuedCredential issued = Issue("gpu-node-1");
  ASSERT_THAT(verifier_.Verify(issued.credential), IsOk());
  clock_.Advance(absl::Seconds(10));
  ASSERT_THAT(RevokeWorkerCredential(store_, clock_, "gpu-node-1"), IsOk());
  const absl::Time revoked_at = clock_.Now();
  EXPECT_EQ(store_.state().credentials.at(issued.credential_id).revoke_time, revoked_at);

  // Within the ttl of the first lookup the cached answer stands...
  clock_.Advance(absl::Seconds(19));
  EXPECT_THAT(verifier_.Verify(issued.credential), IsOk());
  // ... and once it has passed the revocation is seen.
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(verifier_.Verify(issued.credential), StatusIs(absl::StatusCode::kUnauthenticated));
  clock_.Advance(absl::Minutes(5));
  EXPECT_THAT(verifier_.Verify(issued.credential), StatusIs(absl::StatusCode::kUnauthenticated));
  // A fresh verifier never accepts it.
  WorkerCredentialVerifier fresh(store_, clock_);
  EXPECT_THAT(fresh.Verify(issued.credential), StatusIs(absl::StatusCode::kUnauthenticated));

  // Revoking again keeps the first time; an unknown name is NOT_FOUND.
  EXPECT_THAT(RevokeWorkerCredential(store_, clock_, "gpu-node-1"), IsOk());
  EXPECT_EQ(store_.state().credentials.at(issued.credential_id).revoke_time, revoked_at);
  EXPECT_THAT(RevokeWorkerCredential(store_, clock_, "gpu-node-9"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(WorkerCredentialsTest, NamesAreUniqueAndBounded) {
  Issue("gpu-node-1");
  EXPECT_THAT(IssueWorkerCredential(store_, ids_, random_, clock_, "gpu-node-1"),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("gpu-node-1")));
  EXPECT_EQ(store_.state().credentials.size(), 1u);
  EXPECT_THAT(IssueWorkerCredential(store_, ids_, random_, clock_, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name")));
  EXPECT_THAT(IssueWorkerCredential(store_, ids_, random_, clock_, std::string(65, 'n')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name")));
  EXPECT_THAT(IssueWorkerCredential(store_, ids_, random_, clock_, std::string(64, 'n')), IsOk());
  // A revoked credential's name stays taken.
  ASSERT_THAT(RevokeWorkerCredential(store_, clock_, "gpu-node-1"), IsOk());
  EXPECT_THAT(IssueWorkerCredential(store_, ids_, random_, clock_, "gpu-node-1"),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

}  // namespace
}  // namespace clipforge::generation_service::testing
