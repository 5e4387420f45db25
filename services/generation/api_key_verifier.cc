#include "services/generation/api_key_verifier.h"

#include "absl/strings/str_cat.h"
#include "base/role.h"
#include "base/status_macros.h"
#include "services/generation/api_key_logic.h"
#include "services/generation/secret_token.h"

namespace clipforge::generation_service {
namespace {

absl::Status Refused() { return absl::UnauthenticatedError("authorization: not a valid API key"); }

}  // namespace

ApiKeyVerifier::ApiKeyVerifier(GenerationStore& store, const base::Clock& clock, ApiKeyLimits limits)
    : store_(store),
      clock_(clock),
      limits_(limits),
      known_(limits.ttl, kMaxCached),
      refused_(limits.ttl, kMaxCached),
      rate_(base::KeyedRateLimiter::Options{.per_second = limits.calls_per_minute / 60.0, .burst = limits.burst}) {}

absl::StatusOr<kit::Caller> ApiKeyVerifier::Verify(absl::string_view token) const {
  CF_ASSIGN_OR_RETURN(const SecretToken parsed, ParseSecretToken(token, kApiKeyPrefix, Refused()));
  const absl::Time now = clock_.Now();
  if (refused_.Get(parsed.id, now)) return Refused();
  std::optional<Known> known = known_.Get(parsed.id, now);
  if (!known) {
    // A read on the caller's thread, at most once per key per ttl (misses
    // are remembered too).
    CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) {
      known.reset();
      std::optional<ApiKeyRecord> key = tx.GetApiKey(parsed.id);
      if (key && !key->revoke_time) known = Known{.user_id = key->user_id, .secret_sha256 = key->secret_sha256};
      return absl::OkStatus();
    }));
    if (known) {
      known_.Put(parsed.id, *known, now);
    } else {
      refused_.Put(parsed.id, true, now);
    }
  }
  if (!known || !SecretMatches(known->secret_sha256, parsed.secret)) return Refused();
  if (!rate_.Allow(parsed.id, now)) {
    return absl::ResourceExhaustedError(absl::StrCat("authorization: API key ", ApiKeyPrefixOf(parsed.id),
                                                     " is over its rate of ", limits_.calls_per_minute,
                                                     " calls a minute; slow down"));
  }
  return kit::Caller{.user_id = known->user_id,
                     .roles = base::RoleSet{base::Role::kUser},
                     .session_id = "",
                     .api_key_id = parsed.id};
}

}  // namespace clipforge::generation_service
