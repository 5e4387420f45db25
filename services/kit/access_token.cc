#include "services/kit/access_token.h"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/uuid.h"

namespace clipforge::kit {
namespace {

static_assert(crypto_sign_SECRETKEYBYTES == 64 && crypto_sign_PUBLICKEYBYTES == 32 &&
              crypto_sign_SEEDBYTES == 32 && crypto_sign_BYTES == 64);
static_assert(static_cast<int>(base::Role::kAdmin) == 4, "roles byte layout: append, never renumber");

constexpr size_t kFixedPayloadBytes = 1 + 16 + 16 + 1 + 8 + 8;  // Everything but the key id.
constexpr size_t kMaxPayloadBytes = kFixedPayloadBytes + kMaxKeyIdBytes;
constexpr absl::string_view kSeedFileTag = "cf-ed25519-seed:";
constexpr absl::string_view kVerifyFileTag = "cf-ed25519-pub:";

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "access_token: precondition violated: %s\n", what);
  std::abort();
}

absl::Status Refuse(absl::string_view reason) {
  return absl::UnauthenticatedError(absl::StrCat("access token: ", reason));
}

std::string Base64UrlEncode(const unsigned char* data, size_t size) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(out.size() - 1);  // The encoder writes a terminating NUL.
  return out;
}

// Strict decoding into `out` (capacity `max`); false on any invalid input or
// when the result does not fit.
bool Base64UrlDecode(absl::string_view text, unsigned char* out, size_t max, size_t* size) {
  return sodium_base642bin(out, max, text.data(), text.size(), /*ignore=*/nullptr, size,
                           /*b64_end=*/nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
}

void PutInt64(std::string& out, int64_t value) {
  const auto u = static_cast<uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xFF));
}

int64_t GetInt64(const unsigned char* p) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | p[i];
  return static_cast<int64_t>(u);
}

std::string EncodePayload(absl::string_view key_id, const AccessClaims& claims) {
  const absl::StatusOr<base::UuidBytes> user = base::ParseUuid(claims.user_id);
  const absl::StatusOr<base::UuidBytes> session = base::ParseUuid(claims.session_id);
  if (!user.ok()) Die("Sign: user_id is not a canonical UUID");
  if (!session.ok()) Die("Sign: session_id is not a canonical UUID");
  const uint8_t roles = claims.roles.bits();
  std::string payload;
  payload.reserve(kFixedPayloadBytes + key_id.size());
  payload.push_back(static_cast<char>(key_id.size()));
  payload.append(key_id.data(), key_id.size());
  payload.append(reinterpret_cast<const char*>(user->data()), user->size());
  payload.append(reinterpret_cast<const char*>(session->data()), session->size());
  payload.push_back(static_cast<char>(roles));
  PutInt64(payload, absl::ToUnixSeconds(claims.issued_at));
  PutInt64(payload, absl::ToUnixSeconds(claims.expires_at));
  return payload;
}

// Parses the exact layout; false for anything else.
bool DecodePayload(const unsigned char* p, size_t size, AccessClaims& claims) {
  if (size < 1) return false;
  const size_t k = p[0];
  if (k < 1 || k > kMaxKeyIdBytes || size != kFixedPayloadBytes + k) return false;
  const absl::string_view key_id(reinterpret_cast<const char*>(p + 1), k);
  if (!IsValidKeyId(key_id)) return false;
  base::UuidBytes user, session;
  std::copy(p + 1 + k, p + 17 + k, user.begin());
  std::copy(p + 17 + k, p + 33 + k, session.begin());
  const std::optional<base::RoleSet> roles = base::RoleSet::FromBits(p[33 + k]);
  if (!roles) return false;
  const int64_t issued_at = GetInt64(p + 34 + k);
  const int64_t expires_at = GetInt64(p + 42 + k);
  if (expires_at <= issued_at) return false;

  claims.key_id = std::string(key_id);
  claims.user_id = base::FormatUuid(user);
  claims.session_id = base::FormatUuid(session);
  claims.roles = *roles;
  claims.issued_at = absl::FromUnixSeconds(issued_at);
  claims.expires_at = absl::FromUnixSeconds(expires_at);
  return true;
}

absl::StatusOr<KeyFileEntry> ParseKeyLine(absl::string_view text, absl::string_view tag,
                                          absl::string_view what) {
  const absl::Status bad = absl::InvalidArgumentError(
      absl::StrCat(what, ": expected '", tag, "<key id>:<base64url key>'"));
  absl::string_view line = absl::StripAsciiWhitespace(text);
  if (!absl::ConsumePrefix(&line, tag)) return bad;
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return bad;
  const absl::string_view key_id = line.substr(0, colon);
  if (!IsValidKeyId(key_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the key id must be 1-16 characters of [A-Za-z0-9_-]"));
  }
  unsigned char key[32];
  size_t size = 0;
  if (!Base64UrlDecode(line.substr(colon + 1), key, sizeof key, &size) || size != sizeof key) {
    sodium_memzero(key, sizeof key);
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the key must be 32 bytes in base64url without padding"));
  }
  KeyFileEntry entry{std::string(key_id), std::string(reinterpret_cast<const char*>(key), size)};
  sodium_memzero(key, sizeof key);
  return entry;
}

std::string FormatKeyLine(absl::string_view tag, absl::string_view key_id, absl::string_view key) {
  if (!IsValidKeyId(key_id)) Die("key file: invalid key id");
  if (key.size() != 32) Die("key file: the key must be 32 bytes");
  return absl::StrCat(tag, key_id, ":",
                      Base64UrlEncode(reinterpret_cast<const unsigned char*>(key.data()), key.size()));
}

}  // namespace

bool IsValidKeyId(absl::string_view key_id) {
  if (key_id.empty() || key_id.size() > kMaxKeyIdBytes) return false;
  for (const char c : key_id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

absl::StatusOr<AccessTokenSigner> AccessTokenSigner::FromSeed(absl::string_view key_id,
                                                              absl::string_view seed32) {
  if (!IsValidKeyId(key_id)) {
    return absl::InvalidArgumentError("key_id: must be 1-16 characters of [A-Za-z0-9_-]");
  }
  if (seed32.size() != crypto_sign_SEEDBYTES) {
    return absl::InvalidArgumentError("seed: must be 32 bytes");
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  AccessTokenSigner signer;
  signer.key_id_ = std::string(key_id);
  crypto_sign_seed_keypair(signer.public_key_.data(), signer.secret_key_.data(),
                           reinterpret_cast<const unsigned char*>(seed32.data()));
  return signer;
}

AccessTokenSigner::~AccessTokenSigner() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

std::string AccessTokenSigner::Sign(const AccessClaims& claims) const {
  const std::string payload = EncodePayload(key_id_, claims);
  std::string token = absl::StrCat(
      kAccessTokenPrefix,
      Base64UrlEncode(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()));
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), secret_key_.data());
  absl::StrAppend(&token, ".", Base64UrlEncode(signature, sizeof signature));
  return token;
}

std::string AccessTokenSigner::public_key() const {
  return std::string(reinterpret_cast<const char*>(public_key_.data()), public_key_.size());
}

absl::Status AccessTokenKeyring::AddPublicKey(absl::string_view key_id,
                                              absl::string_view public_key32) {
  if (!IsValidKeyId(key_id)) {
    return absl::InvalidArgumentError("key_id: must be 1-16 characters of [A-Za-z0-9_-]");
  }
  if (public_key32.size() != crypto_sign_PUBLICKEYBYTES) {
    return absl::InvalidArgumentError("public_key: must be 32 bytes");
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  std::array<unsigned char, 32> key;
  std::copy(public_key32.begin(), public_key32.end(), key.begin());
  const auto [it, inserted] = keys_.try_emplace(std::string(key_id), key);
  if (!inserted && it->second != key) {
    return absl::AlreadyExistsError(
        absl::StrCat("key_id: '", key_id, "' is already in the keyring with another key"));
  }
  return absl::OkStatus();
}

absl::StatusOr<AccessClaims> AccessTokenKeyring::Verify(absl::string_view token,
                                                        absl::Time now) const {
  if (token.size() > kMaxAccessTokenBytes) return Refuse("too long");
  if (!absl::StartsWith(token, kAccessTokenPrefix)) return Refuse("unsupported format");
  const absl::string_view body = token.substr(kAccessTokenPrefix.size());
  const size_t dot = body.find('.');
  if (dot == absl::string_view::npos) return Refuse("malformed");

  unsigned char payload[kMaxPayloadBytes];
  size_t payload_size = 0;
  if (!Base64UrlDecode(body.substr(0, dot), payload, sizeof payload, &payload_size)) {
    return Refuse("malformed payload");
  }
  unsigned char signature[crypto_sign_BYTES];
  size_t signature_size = 0;
  if (!Base64UrlDecode(body.substr(dot + 1), signature, sizeof signature, &signature_size) ||
      signature_size != sizeof signature) {
    return Refuse("malformed signature");
  }
  AccessClaims claims;
  if (!DecodePayload(payload, payload_size, claims)) return Refuse("malformed payload");

  const auto key = keys_.find(claims.key_id);
  if (key == keys_.end()) return Refuse("unknown key");
  const absl::string_view signed_part = token.substr(0, kAccessTokenPrefix.size() + dot);
  if (crypto_sign_verify_detached(signature,
                                  reinterpret_cast<const unsigned char*>(signed_part.data()),
                                  signed_part.size(), key->second.data()) != 0) {
    return Refuse("bad signature");
  }
  if (now >= claims.expires_at) return Refuse("expired");
  if (claims.issued_at > now + kMaxIssuedAtSkew) return Refuse("issued in the future");
  return claims;
}

absl::StatusOr<KeyFileEntry> ParseSigningKeySeed(absl::string_view text) {
  return ParseKeyLine(text, kSeedFileTag, "signing key");
}

absl::StatusOr<KeyFileEntry> ParseVerifyKey(absl::string_view text) {
  return ParseKeyLine(text, kVerifyFileTag, "verify key");
}

std::string FormatSigningKeySeed(absl::string_view key_id, absl::string_view seed32) {
  return FormatKeyLine(kSeedFileTag, key_id, seed32);
}

std::string FormatVerifyKey(absl::string_view key_id, absl::string_view public_key32) {
  return FormatKeyLine(kVerifyFileTag, key_id, public_key32);
}

std::string GenerateSigningKeySeed(base::RandomSource& random) {
  std::string seed(crypto_sign_SEEDBYTES, '\0');
  random.Fill(seed.data(), seed.size());
  return seed;
}

}  // namespace clipforge::kit
