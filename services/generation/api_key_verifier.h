// Verifies API keys ("cfk_<id>_<secret>") as bearer tokens of the
// generation API: the key's stored hash (remembered for `ttl`, so a revoke
// takes effect everywhere within it; at once here through Forget), then
// the key's rate limit. The caller it yields is the key's user with only
// the user role (a key never carries admin powers) and api_key_id set.
// The generation component gives its gate this verifier for "cfk_" tokens
// (through a kit::TokenVerifier adapter and kit::AuthGate::With); other
// services never accept keys.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/rate_limiter.h"
#include "services/generation/expiring_cache.h"
#include "services/generation/store_interface.h"
#include "services/kit/caller.h"

namespace clipforge::generation_service {

struct ApiKeyLimits {
  // Calls a key may make, on average, per minute on one instance, in
  // bursts of up to `burst`.
  double calls_per_minute = 120;
  double burst = 30;
  absl::Duration ttl = absl::Seconds(30);
};

class ApiKeyVerifier {
 public:
  ApiKeyVerifier(GenerationStore& store, const base::Clock& clock, ApiKeyLimits limits = {});

  // UNAUTHENTICATED for a malformed, unknown or revoked key or a wrong
  // secret; RESOURCE_EXHAUSTED past the key's rate.
  absl::StatusOr<kit::Caller> Verify(absl::string_view token) const;

  // Drops what is remembered of `key_id` (after a revoke on this instance).
  void Forget(const std::string& key_id) { known_.Forget(key_id); }

 private:
  struct Known {
    std::string user_id;
    std::string secret_sha256;
  };
  static constexpr size_t kMaxCached = 100000;

  GenerationStore& store_;
  const base::Clock& clock_;
  const ApiKeyLimits limits_;
  // Live keys by id, and ids known to be unknown or revoked apart, so that
  // a flood of made-up ids cannot evict the real ones.
  mutable ExpiringCache<Known> known_;
  mutable ExpiringCache<bool> refused_;
  mutable base::KeyedRateLimiter rate_;
};

}  // namespace clipforge::generation_service
