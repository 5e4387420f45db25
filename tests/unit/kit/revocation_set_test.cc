#include "services/kit/revocation_set.h"

#include <gtest/gtest.h>

#include <memory>

#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/uuid.h"
#include "services/kit/access_token.h"
#include "services/kit/keyring_token_verifier.h"

namespace clipforge::kit {
namespace {

constexpr absl::Duration kLifetime = absl::Minutes(15);

TEST(RevocationSetTest, RemembersAnEndedSessionForOneTokenLifetime) {
  base::testing::FakeClock clock;
  RevocationSet set(clock, kLifetime);
  set.Revoke("s1", clock.Now());
  EXPECT_TRUE(set.Revoked("s1"));
  EXPECT_FALSE(set.Revoked("s2"));
  clock.Advance(kLifetime - absl::Seconds(1));
  set.Revoke("s2", clock.Now());  // Prunes what no token needs any more.
  EXPECT_TRUE(set.Revoked("s1"));
  clock.Advance(absl::Seconds(2));
  set.Revoke("s3", clock.Now());
  EXPECT_FALSE(set.Revoked("s1"));  // Every token of s1 has expired.
  EXPECT_TRUE(set.Revoked("s2"));
  EXPECT_EQ(set.size(), 2u);
  // An end older than a token lifetime changes nothing.
  set.Revoke("s4", clock.Now() - kLifetime);
  EXPECT_FALSE(set.Revoked("s4"));
}

TEST(RevocationSetTest, KeepsAtMostMaxEntriesDroppingTheOldest) {
  base::testing::FakeClock clock;
  RevocationSet set(clock, kLifetime, /*max_entries=*/3);
  for (const char* id : {"a", "b", "c", "d"}) set.Revoke(id, clock.Now());
  EXPECT_EQ(set.size(), 3u);
  EXPECT_FALSE(set.Revoked("a"));
  EXPECT_TRUE(set.Revoked("d"));
  set.Revoke("d", clock.Now());  // Twice: still one entry.
  EXPECT_EQ(set.size(), 3u);
}

TEST(RevocationSetTest, TheVerifierRefusesTokensOfRevokedSessions) {
  base::testing::FakeClock clock;
  base::SecureRandom random;
  const AccessTokenSigner signer = AccessTokenSigner::FromSeed("k1", GenerateSigningKeySeed(random)).value();
  auto keyring = std::make_shared<AccessTokenKeyring>();
  ASSERT_TRUE(keyring->AddPublicKey(signer.key_id(), signer.public_key()).ok());
  RevocationSet set(clock, kLifetime);
  const KeyringTokenVerifier verifier(keyring, clock, &set);
  base::UuidV7Generator ids(clock, random);
  AccessClaims claims;
  claims.user_id = ids.Next();
  claims.session_id = ids.Next();
  claims.issued_at = clock.Now();
  claims.expires_at = clock.Now() + kLifetime;
  const std::string token = signer.Sign(claims);
  ASSERT_TRUE(verifier.Verify(token).ok());
  set.Revoke(claims.session_id, clock.Now());
  const absl::StatusOr<Caller> refused = verifier.Verify(token);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(refused.status().message().find("session has ended"), std::string::npos);
}

}  // namespace
}  // namespace clipforge::kit
