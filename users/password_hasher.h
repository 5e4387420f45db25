// Password hashing: argon2id through libsodium, as PHC strings
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), which carry their own
// salt and parameters so that old hashes keep verifying after the parameters
// change.
//
// Cost: each Hash, Verify or BurnEquivalentTime runs argon2id once, taking
// mem_limit bytes of memory and tens of milliseconds of one core. Run them on
// the blocking executor, never on a gRPC thread, and size that executor so
// that (threads x mem_limit) fits in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::users {

// Defaults are OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
struct PasswordHashParams {
  uint64_t ops_limit = 2;
  size_t mem_limit = 19 * 1024 * 1024;  // Bytes.
};

class PasswordHasher {
 public:
  // INVALID_ARGUMENT when the parameters are outside libsodium's argon2id
  // limits (ops_limit >= 1, mem_limit >= 8 KiB). Computes the dummy hash used
  // by BurnEquivalentTime, so it costs one hash.
  static absl::StatusOr<PasswordHasher> Create(PasswordHashParams params = {});

  // A fresh random salt each time (libsodium's own CSPRNG). RESOURCE_EXHAUSTED
  // when mem_limit cannot be allocated.
  absl::StatusOr<std::string> Hash(absl::string_view password) const;

  // Constant-time comparison; false for a wrong password or a malformed hash.
  bool Verify(absl::string_view hash, absl::string_view password) const;

  // True when `hash` is not argon2id with this hasher's parameters: after a
  // successful login, store Hash(password) in its place.
  bool NeedsRehash(absl::string_view hash) const;

  // Verifies `password` against a dummy hash made with the same parameters
  // and ignores the result. Call it when the account does not exist, so that
  // "no such user" costs what "wrong password" costs.
  void BurnEquivalentTime(absl::string_view password) const;

  const PasswordHashParams& params() const { return params_; }

 private:
  PasswordHasher(PasswordHashParams params, std::string dummy_hash)
      : params_(params), dummy_hash_(std::move(dummy_hash)) {}

  PasswordHashParams params_;
  std::string dummy_hash_;
};

}  // namespace clipforge::users
