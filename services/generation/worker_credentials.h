// Worker credentials: what a generation worker sends as `authorization:
// Worker <credential>`, a "cfw_<id>_<secret>" token (secret_token.h).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/uuid.h"
#include "services/generation/expiring_cache.h"
#include "services/generation/store_interface.h"

namespace clipforge::generation_service {

struct ParsedCredential {
  std::string credential_id;
  std::string secret;  // 32 raw bytes.
};

// UNAUTHENTICATED for anything that is not a well-formed credential.
absl::StatusOr<ParsedCredential> ParseWorkerCredential(absl::string_view text);

struct IssuedCredential {
  std::string credential_id;
  std::string credential;  // The whole "cfw_..." string, shown once.
};

// Stores a new credential named `name` (1-64 characters; ALREADY_EXISTS
// when taken) and returns it.
absl::StatusOr<IssuedCredential> IssueWorkerCredential(GenerationStore& store, base::UuidV7Generator& ids,
                                                       base::RandomSource& random, const base::Clock& clock,
                                                       const std::string& name);
// Revokes the credential named `name` (NOT_FOUND when there is none).
absl::Status RevokeWorkerCredential(GenerationStore& store, const base::Clock& clock, const std::string& name);

// Checks credentials against the store, remembering each id's stored hash
// for `ttl` (a revocation takes effect within it) so that a worker's calls
// do not each cost a database read.
class WorkerCredentialVerifier {
 public:
  WorkerCredentialVerifier(GenerationStore& store, const base::Clock& clock, absl::Duration ttl = absl::Seconds(30))
      : store_(store), clock_(clock), cache_(ttl, kMaxCached) {}

  // The credential's id; UNAUTHENTICATED when it is malformed, unknown,
  // revoked or its secret does not match.
  absl::StatusOr<std::string> Verify(absl::string_view credential);

 private:
  static constexpr size_t kMaxCached = 10000;

  GenerationStore& store_;
  const base::Clock& clock_;
  // Each id's stored hash; nullopt: unknown or revoked.
  ExpiringCache<std::optional<std::string>> cache_;
};

}  // namespace clipforge::generation_service
