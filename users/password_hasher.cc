#include "users/password_hasher.h"

#include <sodium.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"

namespace clipforge::users {
namespace {

constexpr absl::string_view kArgon2idPrefix = "$argon2id$";
// Hashed once per hasher; nobody can log in with it (no account has it).
constexpr absl::string_view kDummyPassword = "clipforge: no such account, same cost";

// crypto_pwhash_* take NUL-terminated hash strings.
bool CopyHash(absl::string_view hash, char (&out)[crypto_pwhash_STRBYTES]) {
  if (hash.size() >= sizeof out || hash.find('\0') != absl::string_view::npos) return false;
  hash.copy(out, hash.size());
  out[hash.size()] = '\0';
  return true;
}

}  // namespace

absl::StatusOr<PasswordHasher> PasswordHasher::Create(PasswordHashParams params) {
  if (params.ops_limit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params.ops_limit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
    return absl::InvalidArgumentError("ops_limit: outside argon2id's limits");
  }
  if (params.mem_limit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.mem_limit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return absl::InvalidArgumentError("mem_limit: outside argon2id's limits");
  }
  // Also selects the fastest argon2 implementation for this CPU.
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  PasswordHasher hasher(params, "");
  absl::StatusOr<std::string> dummy = hasher.Hash(kDummyPassword);
  if (!dummy.ok()) return dummy.status();
  hasher.dummy_hash_ = *std::move(dummy);
  return hasher;
}

absl::StatusOr<std::string> PasswordHasher::Hash(absl::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.ops_limit,
                            params_.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("password hash: out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(absl::string_view hash, absl::string_view password) const {
  char str[crypto_pwhash_STRBYTES];
  if (!CopyHash(hash, str)) return false;
  return crypto_pwhash_str_verify(str, password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(absl::string_view hash) const {
  char str[crypto_pwhash_STRBYTES];
  if (!absl::StartsWith(hash, kArgon2idPrefix) || !CopyHash(hash, str)) return true;
  return crypto_pwhash_str_needs_rehash(str, params_.ops_limit, params_.mem_limit) != 0;
}

void PasswordHasher::BurnEquivalentTime(absl::string_view password) const {
  // The outcome is irrelevant (nobody knows the dummy password); the cost is the point.
  [[maybe_unused]] const int outcome =
      crypto_pwhash_str_verify(dummy_hash_.c_str(), password.data(), password.size());
}

}  // namespace clipforge::users
