// Access tokens: short-lived, Ed25519-signed, verified by every service
// without a database call. Pure: no I/O, no clock (the caller passes `now`).
//
// Format, version 1 (the only one). There is no algorithm field: "cf1." means
// Ed25519 over the layout below, and anything else is refused.
//
//   token = "cf1." + b64(payload) + "." + b64(signature)
//
// b64 is base64url without padding (RFC 4648 §5), decoded strictly (no
// padding, no whitespace, unused trailing bits must be zero). The signature is
// Ed25519 (libsodium crypto_sign_detached) over the ASCII bytes of
// "cf1." + b64(payload), so the version prefix is signed too.
//
// payload (51..66 bytes, integers big-endian):
//   offset  size  field
//   0       1     k = key id length, 1..16
//   1       k     key id, ASCII [A-Za-z0-9_-]
//   1+k     16    user id, UUID bytes
//   17+k    16    session id, UUID bytes
//   33+k    1     roles: bit i set = the base::Role with value i; bits 5-7 zero
//   34+k    8     issued at, int64 Unix seconds
//   42+k    8     expires at, int64 Unix seconds (> issued at)
//
// A token is accepted when it is at most 1024 bytes, parses exactly, names a
// key in the keyring, its signature verifies under that key, `now` is before
// its expiry (no leeway) and it was issued at most 60 s after `now`. Every
// refusal is UNAUTHENTICATED "access token: <short reason>".
//
// Key rotation: sign with the new key, keep the old public key in every
// keyring until the last token it signed has expired (the token lifetime),
// then drop it.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/random.h"
#include "base/role.h"

namespace clipforge::kit {

inline constexpr absl::string_view kAccessTokenPrefix = "cf1.";
inline constexpr size_t kMaxAccessTokenBytes = 1024;
inline constexpr size_t kMaxKeyIdBytes = 16;
// How long an access token lives unless the issuer says otherwise; also how
// long every service remembers a revoked session (revocation_set.h).
inline constexpr absl::Duration kDefaultAccessTokenLifetime = absl::Minutes(15);
// How far in the future a token's issued-at may be (clock skew between nodes).
inline constexpr absl::Duration kMaxIssuedAtSkew = absl::Seconds(60);

struct AccessClaims {
  std::string key_id;      // Set by Verify; Sign ignores it (uses the signer's).
  std::string user_id;     // Canonical lowercase UUID.
  std::string session_id;  // Canonical lowercase UUID.
  base::RoleSet roles;
  absl::Time issued_at;    // Carried in whole seconds (floored).
  absl::Time expires_at;   // Carried in whole seconds (floored).
};

// True for 1..16 characters of [A-Za-z0-9_-].
bool IsValidKeyId(absl::string_view key_id);

class AccessTokenSigner {
 public:
  // `seed32` is the 32-byte Ed25519 seed (crypto_sign_seed_keypair).
  // INVALID_ARGUMENT for a bad key id or a seed of the wrong size.
  static absl::StatusOr<AccessTokenSigner> FromSeed(absl::string_view key_id,
                                                    absl::string_view seed32);

  AccessTokenSigner(const AccessTokenSigner&) = default;
  AccessTokenSigner& operator=(const AccessTokenSigner&) = default;
  ~AccessTokenSigner();  // Wipes the secret key.

  // Precondition (aborts otherwise: ids come from our own database):
  // user_id and session_id are canonical UUIDs.
  std::string Sign(const AccessClaims& claims) const;

  std::string public_key() const;  // 32 raw bytes.
  const std::string& key_id() const { return key_id_; }

 private:
  AccessTokenSigner() = default;

  std::string key_id_;
  std::array<unsigned char, 64> secret_key_{};  // crypto_sign_SECRETKEYBYTES
  std::array<unsigned char, 32> public_key_{};  // crypto_sign_PUBLICKEYBYTES
};

// The public keys a service accepts. Build it at start-up; afterwards Verify
// is const and safe to call from any number of threads.
class AccessTokenKeyring {
 public:
  // INVALID_ARGUMENT for a bad key id or a key that is not 32 bytes;
  // ALREADY_EXISTS when the key id is present with a different key (adding
  // the same pair twice is OK).
  absl::Status AddPublicKey(absl::string_view key_id, absl::string_view public_key32);

  absl::StatusOr<AccessClaims> Verify(absl::string_view token, absl::Time now) const;

  size_t size() const { return keys_.size(); }

 private:
  absl::flat_hash_map<std::string, std::array<unsigned char, 32>> keys_;
};

// Key files (the file I/O is the caller's). One line, surrounding ASCII
// whitespace ignored:
//   signing key (secret):  "cf-ed25519-seed:<key id>:<b64 of the 32-byte seed>"
//   verify key (public):   "cf-ed25519-pub:<key id>:<b64 of the 32-byte public key>"
// Parse errors are INVALID_ARGUMENT and never quote the key material.
struct KeyFileEntry {
  std::string key_id;
  std::string key;  // 32 raw bytes: the seed, or the public key.
};

absl::StatusOr<KeyFileEntry> ParseSigningKeySeed(absl::string_view text);
absl::StatusOr<KeyFileEntry> ParseVerifyKey(absl::string_view text);
// Preconditions (abort otherwise): a valid key id and a 32-byte key. The
// result has no trailing newline.
std::string FormatSigningKeySeed(absl::string_view key_id, absl::string_view seed32);
std::string FormatVerifyKey(absl::string_view key_id, absl::string_view public_key32);
// 32 random bytes for a new signing key.
std::string GenerateSigningKeySeed(base::RandomSource& random);

}  // namespace clipforge::kit
