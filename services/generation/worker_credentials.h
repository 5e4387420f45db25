// Worker credentials: what a generation worker sends as `authorization:
// Worker <credential>`. A credential is "cfw_<id>_<secret>": the id names
// its row (so a credential is found without scanning), the secret is 32
// random bytes (base64url) of which only the SHA-256 is stored, so a leaked
// table grants nothing. Logs may show the "cfw_<id>" prefix, never the
// secret.
#pragma once

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/uuid.h"
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
      : store_(store), clock_(clock), ttl_(ttl) {}

  // The credential's id; UNAUTHENTICATED when it is malformed, unknown,
  // revoked or its secret does not match.
  absl::StatusOr<std::string> Verify(absl::string_view credential);

 private:
  struct Cached {
    std::optional<std::string> secret_sha256;  // nullopt: unknown or revoked.
    absl::Time fetched;
  };
  // Entries kept at most: unknown ids are cached too (a flood of made-up
  // ids costs one read each per ttl), so the map is bounded.
  static constexpr size_t kMaxCached = 10000;

  GenerationStore& store_;
  const base::Clock& clock_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::generation_service
