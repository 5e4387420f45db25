#include "services/kit/access_token.h"

#include <gtest/gtest.h>

#include "base/testing/fake_clock.h"
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/kit/keyring_token_verifier.h"

namespace clipforge::kit {
namespace {

constexpr char kUser[] = "0190a3c4-5e6f-7abc-8def-0123456789ab";
constexpr char kSession[] = "0190a3c4-5e6f-7abc-8def-ba9876543210";
const absl::Time kIssued = absl::FromUnixSeconds(1'800'000'000);
const absl::Time kExpires = kIssued + absl::Minutes(15);

std::string Seed(unsigned char fill) { return std::string(32, static_cast<char>(fill)); }

AccessTokenSigner Signer(absl::string_view key_id, unsigned char fill) {
  absl::StatusOr<AccessTokenSigner> signer = AccessTokenSigner::FromSeed(key_id, Seed(fill));
  EXPECT_TRUE(signer.ok()) << signer.status();
  return *std::move(signer);
}

AccessClaims Claims() {
  AccessClaims claims;
  claims.user_id = kUser;
  claims.session_id = kSession;
  claims.roles = {base::Role::kUser, base::Role::kCreator};
  claims.issued_at = kIssued;
  claims.expires_at = kExpires;
  return claims;
}

std::string B64(absl::string_view bytes) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.pop_back();
  return out;
}

std::string Unb64(absl::string_view text) {
  std::string out(text.size(), '\0');
  size_t size = 0;
  EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                              text.size(), nullptr, &size, nullptr,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING),
            0);
  out.resize(size);
  return out;
}

// Signs arbitrary payload bytes as a "cf1." token with `signer_seed`: lets a
// test build tokens that are correctly signed but break the layout.
std::string SignRaw(absl::string_view payload, unsigned char fill) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  const std::string seed = Seed(fill);
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
  const std::string signed_part = absl::StrCat("cf1.", B64(payload));
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size(), sk);
  return absl::StrCat(signed_part, ".",
                      B64(absl::string_view(reinterpret_cast<const char*>(sig), sizeof sig)));
}

struct Parts {
  std::string payload_b64;
  std::string signature_b64;
};

Parts Split(absl::string_view token) {
  EXPECT_TRUE(absl::StartsWith(token, "cf1."));
  const absl::string_view body = token.substr(4);
  const size_t dot = body.find('.');
  return {std::string(body.substr(0, dot)), std::string(body.substr(dot + 1))};
}

// Replaces character i of a base64url string with a different valid one.
std::string FlipChar(std::string text, size_t i) {
  text[i] = text[i] == 'A' ? 'B' : 'A';
  return text;
}

class AccessTokenTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(keyring_.AddPublicKey("k1", signer_.public_key()).ok()); }

  void ExpectRefused(absl::string_view token, absl::Time now, absl::string_view reason) {
    const absl::StatusOr<AccessClaims> claims = keyring_.Verify(token, now);
    ASSERT_FALSE(claims.ok()) << "accepted: " << token;
    EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated) << claims.status();
    EXPECT_EQ(claims.status().message(), absl::StrCat("access token: ", reason)) << token;
  }

  AccessTokenSigner signer_ = Signer("k1", 1);
  AccessTokenKeyring keyring_;
  const absl::Time now_ = kIssued + absl::Minutes(1);
};

TEST_F(AccessTokenTest, SignAndVerifyRoundTrip) {
  const std::string token = signer_.Sign(Claims());
  const absl::StatusOr<AccessClaims> claims = keyring_.Verify(token, now_);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->key_id, "k1");
  EXPECT_EQ(claims->user_id, kUser);
  EXPECT_EQ(claims->session_id, kSession);
  EXPECT_EQ(claims->roles.ToVector(), (std::vector<base::Role>{base::Role::kUser, base::Role::kCreator}));
  EXPECT_EQ(claims->issued_at, kIssued);
  EXPECT_EQ(claims->expires_at, kExpires);
}

TEST_F(AccessTokenTest, TokenHasTheDocumentedShape) {
  const std::string token = signer_.Sign(Claims());
  EXPECT_TRUE(absl::StartsWith(token, "cf1."));
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.find_first_of("=+/ \n"), std::string::npos);
  const Parts parts = Split(token);
  EXPECT_EQ(parts.signature_b64.size(), 86u);  // 64 bytes.
  const std::string payload = Unb64(parts.payload_b64);
  ASSERT_EQ(payload.size(), 50u + 2);  // Fixed part + "k1".
  EXPECT_EQ(payload[0], 2);
  EXPECT_EQ(payload.substr(1, 2), "k1");
  EXPECT_EQ(static_cast<unsigned char>(payload[3]), 0x01);   // User id, first byte.
  EXPECT_EQ(static_cast<unsigned char>(payload[19]), 0x01);  // Session id, first byte.
  EXPECT_EQ(payload[35], 0b00011);                           // kUser | kCreator.
  uint64_t issued = 0;
  for (int i = 0; i < 8; ++i) issued = issued << 8 | static_cast<unsigned char>(payload[36 + i]);
  EXPECT_EQ(issued, 1'800'000'000u);
  // Ed25519 is deterministic: the same claims under the same key give the same token.
  EXPECT_EQ(Signer("k1", 1).Sign(Claims()), token);
}

TEST_F(AccessTokenTest, EveryRoleRoundTripsAndDuplicatesCollapse) {
  AccessClaims claims = Claims();
  claims.roles = {base::Role::kAdmin, base::Role::kModerator, base::Role::kBrand, base::Role::kCreator, base::Role::kUser,
                  base::Role::kAdmin};
  absl::StatusOr<AccessClaims> verified = keyring_.Verify(signer_.Sign(claims), now_);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->roles.ToVector(), std::vector<base::Role>(std::begin(base::kAllRoles), std::end(base::kAllRoles)));
  claims.roles = {};
  verified = keyring_.Verify(signer_.Sign(claims), now_);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->roles.empty());
}

TEST_F(AccessTokenTest, TamperedPayloadIsRefused) {
  const std::string token = signer_.Sign(Claims());
  const Parts parts = Split(token);
  int bad_signature = 0;
  for (size_t i = 0; i < parts.payload_b64.size(); ++i) {
    // Depending on the byte hit, the layout check or the signature refuses it.
    const absl::StatusOr<AccessClaims> claims = keyring_.Verify(
        absl::StrCat("cf1.", FlipChar(parts.payload_b64, i), ".", parts.signature_b64), now_);
    ASSERT_FALSE(claims.ok()) << "accepted with character " << i << " changed";
    EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
    bad_signature += claims.status().message() == "access token: bad signature";
  }
  EXPECT_GT(bad_signature, 40);  // Most of the payload is ids and times.
  // Elevate the roles byte to admin and re-encode: the signature no longer matches.
  std::string payload = Unb64(parts.payload_b64);
  payload[35] = 0b10001;
  ExpectRefused(absl::StrCat("cf1.", B64(payload), ".", parts.signature_b64), now_,
                "bad signature");
}

TEST_F(AccessTokenTest, TamperedSignatureIsRefused) {
  const Parts parts = Split(signer_.Sign(Claims()));
  for (size_t i : {size_t{0}, size_t{40}, size_t{84}}) {
    ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, ".", FlipChar(parts.signature_b64, i)),
                  now_, "bad signature");
  }
  ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, "."), now_, "malformed signature");
  ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, ".", parts.signature_b64.substr(0, 85)),
                now_, "malformed signature");
  ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, ".", parts.signature_b64, "AA"), now_,
                "malformed signature");
}

TEST_F(AccessTokenTest, SignatureFromAnotherKeyUnderTheSameIdIsRefused) {
  const std::string forged = Signer("k1", 99).Sign(Claims());
  ExpectRefused(forged, now_, "bad signature");
}

TEST_F(AccessTokenTest, UnknownKeyIdIsRefused) {
  ExpectRefused(Signer("k9", 1).Sign(Claims()), now_, "unknown key");
}

TEST_F(AccessTokenTest, ExpiredAtExactlyTheExpiry) {
  const std::string token = signer_.Sign(Claims());
  EXPECT_TRUE(keyring_.Verify(token, kExpires - absl::Nanoseconds(1)).ok());
  ExpectRefused(token, kExpires, "expired");
  ExpectRefused(token, kExpires + absl::Hours(1), "expired");
}

TEST_F(AccessTokenTest, IssuedMoreThanSixtySecondsInTheFutureIsRefused) {
  const std::string token = signer_.Sign(Claims());
  EXPECT_TRUE(keyring_.Verify(token, kIssued - absl::Seconds(60)).ok());
  ExpectRefused(token, kIssued - absl::Seconds(61), "issued in the future");
}

TEST_F(AccessTokenTest, OtherVersionsAndAlgorithmsAreRefused) {
  const std::string token = signer_.Sign(Claims());
  const std::string rest = token.substr(4);
  for (const char* prefix : {"cf2.", "cf0.", "CF1.", "none.", "cf1", ".", ""}) {
    ExpectRefused(absl::StrCat(prefix, rest), now_, "unsupported format");
  }
  // A JWT-looking token with alg "none" and no signature.
  ExpectRefused("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", now_, "unsupported format");
  ExpectRefused("cf1.", now_, "malformed");
  ExpectRefused(absl::StrCat("cf1.", Split(token).payload_b64), now_, "malformed");
}

TEST_F(AccessTokenTest, PayloadSwappedBetweenTwoTokensIsRefused) {
  AccessClaims other = Claims();
  other.user_id = "0190a3c4-5e6f-7abc-8def-ffffffffffff";
  other.roles = {base::Role::kAdmin};
  const Parts mine = Split(signer_.Sign(Claims()));
  const Parts theirs = Split(signer_.Sign(other));
  ExpectRefused(absl::StrCat("cf1.", theirs.payload_b64, ".", mine.signature_b64), now_,
                "bad signature");
  ExpectRefused(absl::StrCat("cf1.", mine.payload_b64, ".", theirs.signature_b64), now_,
                "bad signature");
}

TEST_F(AccessTokenTest, KeyRotationKeepsOldTokensValidUntilTheOldKeyIsDropped) {
  const AccessTokenSigner next = Signer("k2", 2);
  const std::string old_token = signer_.Sign(Claims());
  const std::string new_token = next.Sign(Claims());
  ExpectRefused(new_token, now_, "unknown key");

  ASSERT_TRUE(keyring_.AddPublicKey("k2", next.public_key()).ok());
  ASSERT_EQ(keyring_.size(), 2u);
  EXPECT_EQ(keyring_.Verify(old_token, now_)->key_id, "k1");
  EXPECT_EQ(keyring_.Verify(new_token, now_)->key_id, "k2");

  AccessTokenKeyring after_rotation;  // Old key dropped once its tokens expired.
  ASSERT_TRUE(after_rotation.AddPublicKey("k2", next.public_key()).ok());
  EXPECT_TRUE(after_rotation.Verify(new_token, now_).ok());
  EXPECT_EQ(after_rotation.Verify(old_token, now_).status().message(), "access token: unknown key");
}

TEST_F(AccessTokenTest, TokensOverTheLengthLimitAreRefused) {
  const std::string token = signer_.Sign(Claims());
  EXPECT_LT(token.size(), 200u);
  ExpectRefused(absl::StrCat(token, std::string(1025 - token.size(), 'A')), now_, "too long");
  ExpectRefused(std::string(1 << 20, 'A'), now_, "too long");
  // Exactly 1024 bytes passes the length check and fails later.
  ExpectRefused(absl::StrCat(token, std::string(1024 - token.size(), 'A')), now_,
                "malformed signature");
}

TEST_F(AccessTokenTest, Base64GarbageIsRefused) {
  const Parts parts = Split(signer_.Sign(Claims()));
  const std::string sig = parts.signature_b64;
  ExpectRefused("cf1.!!!!.????", now_, "malformed payload");
  ExpectRefused(absl::StrCat("cf1..", sig), now_, "malformed payload");
  ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, "=.", sig), now_, "malformed payload");
  ExpectRefused(absl::StrCat("cf1. ", parts.payload_b64, ".", sig), now_, "malformed payload");
  ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, ".", sig, "="), now_,
                "malformed signature");
  ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, ".", sig, "\n"), now_,
                "malformed signature");
  ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, ".", parts.payload_b64, ".", sig), now_,
                "malformed signature");
  // Standard base64 characters instead of base64url.
  std::string std_alphabet = sig;
  std_alphabet[10] = '+';
  ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, ".", std_alphabet), now_,
                "malformed signature");
  // Non-canonical last character (unused bits set) decodes to the same bytes
  // in lax decoders; here it is refused.
  std::string noncanonical = sig;
  noncanonical.back() += 1;  // 'A'/'Q'/'g'/'w' -> 'B'/'R'/'h'/'x': same data bits, a padding bit set.
  ExpectRefused(absl::StrCat("cf1.", parts.payload_b64, ".", noncanonical), now_,
                "malformed signature");
  ExpectRefused(absl::StrCat("cf1.", B64(std::string(200, 'x')), ".", sig), now_,
                "malformed payload");
}

TEST_F(AccessTokenTest, CorrectlySignedButMalformedPayloadsAreRefused) {
  std::string good = Unb64(Split(signer_.Sign(Claims())).payload_b64);
  ASSERT_TRUE(keyring_.Verify(SignRaw(good, 1), now_).ok());  // SignRaw itself is sound.

  std::string bad = good;
  bad[35] = static_cast<char>(0x80);  // An undefined role bit.
  ExpectRefused(SignRaw(bad, 1), now_, "malformed payload");
  bad = good;
  std::memcpy(&bad[44], &good[36], 8);  // expires_at == issued_at.
  ExpectRefused(SignRaw(bad, 1), now_, "malformed payload");
  bad = good;
  bad[0] = 3;  // Key id length disagrees with the payload size.
  ExpectRefused(SignRaw(bad, 1), now_, "malformed payload");
  bad = good;
  bad[2] = '.';  // Key id character outside [A-Za-z0-9_-].
  ExpectRefused(SignRaw(bad, 1), now_, "malformed payload");
  ExpectRefused(SignRaw(good + "x", 1), now_, "malformed payload");
  ExpectRefused(SignRaw(good.substr(0, good.size() - 1), 1), now_, "malformed payload");
  ExpectRefused(SignRaw("", 1), now_, "malformed payload");
}

TEST(AccessTokenKeysTest, SignerAndKeyringRejectBadKeys) {
  EXPECT_EQ(AccessTokenSigner::FromSeed("", Seed(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AccessTokenSigner::FromSeed(std::string(17, 'k'), Seed(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AccessTokenSigner::FromSeed("k:1", Seed(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AccessTokenSigner::FromSeed("k1", std::string(31, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(AccessTokenSigner::FromSeed(std::string(16, 'k'), Seed(1)).ok());

  const AccessTokenSigner signer = Signer("k1", 1);
  EXPECT_EQ(signer.key_id(), "k1");
  EXPECT_EQ(signer.public_key().size(), 32u);
  EXPECT_NE(signer.public_key(), Signer("k1", 2).public_key());

  AccessTokenKeyring keyring;
  EXPECT_EQ(keyring.AddPublicKey("k1", "short").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(keyring.AddPublicKey("bad id", signer.public_key()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(keyring.AddPublicKey("k1", signer.public_key()).ok());
  EXPECT_TRUE(keyring.AddPublicKey("k1", signer.public_key()).ok());  // Idempotent.
  EXPECT_EQ(keyring.AddPublicKey("k1", Signer("k1", 2).public_key()).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(keyring.size(), 1u);
}

TEST(AccessTokenKeysTest, KeyFilesRoundTrip) {
  const std::string seed = Seed(7);
  const std::string line = FormatSigningKeySeed("2026-01", seed);
  EXPECT_TRUE(absl::StartsWith(line, "cf-ed25519-seed:2026-01:")) << line;
  EXPECT_EQ(line.size(), std::string("cf-ed25519-seed:2026-01:").size() + 43);
  absl::StatusOr<KeyFileEntry> parsed = ParseSigningKeySeed(absl::StrCat("  ", line, "\n"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->key_id, "2026-01");
  EXPECT_EQ(parsed->key, seed);

  const AccessTokenSigner signer = Signer("2026-01", 7);
  parsed = ParseVerifyKey(FormatVerifyKey("2026-01", signer.public_key()));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->key, signer.public_key());

  // The two kinds of file are not interchangeable.
  EXPECT_FALSE(ParseVerifyKey(line).ok());
  EXPECT_FALSE(ParseSigningKeySeed(FormatVerifyKey("2026-01", signer.public_key())).ok());
}

TEST(AccessTokenKeysTest, MalformedKeyFilesAreRefusedWithoutQuotingTheKey) {
  const std::string b64 = B64(Seed(7));
  for (const std::string& text : {
           std::string(""),
           absl::StrCat("cf-ed25519-seed:k1", b64),             // Missing separator.
           absl::StrCat("cf-ed25519-seed::", b64),              // Empty key id.
           absl::StrCat("cf-ed25519-seed:k 1:", b64),           // Bad key id.
           absl::StrCat("cf-ed25519-seed:k1:", b64, "A"),       // 33 bytes.
           absl::StrCat("cf-ed25519-seed:k1:", b64.substr(1)),  // Short.
           absl::StrCat("cf-ed25519-seed:k1:", b64, "="),       // Padding.
           absl::StrCat("cf-x25519-seed:k1:", b64),             // Other algorithm.
       }) {
    const absl::StatusOr<KeyFileEntry> parsed = ParseSigningKeySeed(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "signing key: "));
    EXPECT_FALSE(absl::StrContains(parsed.status().message(), b64.substr(0, 20)));
  }
}

TEST(AccessTokenKeysTest, GeneratedSeedsComeFromTheRandomSource) {
  class Counting final : public base::RandomSource {
   public:
    void Fill(void* out, size_t size) override {
      auto* p = static_cast<unsigned char*>(out);
      for (size_t i = 0; i < size; ++i) p[i] = static_cast<unsigned char>(i);
    }
  } random;
  const std::string seed = GenerateSigningKeySeed(random);
  ASSERT_EQ(seed.size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(seed[31]), 31);
  base::SecureRandom secure;
  EXPECT_NE(GenerateSigningKeySeed(secure), GenerateSigningKeySeed(secure));
}


TEST(KeyringTokenVerifierTest, ReturnsTheCallerAndUsesTheClock) {
  const AccessTokenSigner signer = Signer("k1", 1);
  auto keyring = std::make_shared<AccessTokenKeyring>();
  ASSERT_TRUE(keyring->AddPublicKey("k1", signer.public_key()).ok());
  base::testing::FakeClock clock(kIssued);
  const KeyringTokenVerifier verifier(keyring, clock);
  const TokenVerifier& as_interface = verifier;

  AccessClaims claims = Claims();
  claims.roles = {base::Role::kModerator};
  const std::string token = signer.Sign(claims);
  const absl::StatusOr<Caller> caller = as_interface.Verify(token);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->user_id, kUser);
  EXPECT_EQ(caller->session_id, kSession);
  EXPECT_TRUE(caller->HasRole(base::Role::kModerator));
  EXPECT_FALSE(caller->HasRole(base::Role::kAdmin));

  clock.Set(kExpires);
  EXPECT_EQ(as_interface.Verify(token).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(as_interface.Verify("garbage").status().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace clipforge::kit
