// Developers' API keys for the generation API: a user creates named keys
// (shown once, stored as a hash), lists and revokes them. A key acts as its
// user on GenerationService (api_key_verifier.h) within its own daily quota
// (JobLogic::Create); managing keys needs an access token, never a key.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/uuid.h"
#include "services/generation/store_interface.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"

namespace clipforge::generation_service {

// "cfk_<key id>_<secret>".
inline constexpr absl::string_view kApiKeyPrefix = "cfk_";

struct ApiKeyRules {
  int32_t max_live_keys = 20;
  int32_t max_listed_revoked = 50;
};

struct NewApiKey {
  std::string name;           // 1-64 characters, checked by the adapter
  int32_t daily_seconds = 0;  // 0-86400
};

struct CreatedApiKey {
  ApiKeyRecord key;
  std::string text;  // The whole key; empty when a retry replayed the create.
};

// "cfk_" and the id: the part of the key before its secret, which names it
// in lists and logs without giving it away (the id alone is not secret; a
// UUIDv7's first characters are its time, so a shorter prefix would not
// tell keys made in the same minute apart).
std::string ApiKeyPrefixOf(const std::string& key_id);

class ApiKeyLogic {
 public:
  ApiKeyLogic(GenerationStore& store, const base::Clock& clock, base::UuidV7Generator& ids,
              base::RandomSource& random, ApiKeyRules rules = {})
      : store_(store), clock_(clock), ids_(ids), random_(random), rules_(rules) {}

  // PERMISSION_DENIED for a caller that came with an API key;
  // RESOURCE_EXHAUSTED past max_live_keys; ALREADY_EXISTS for a live name.
  absl::StatusOr<CreatedApiKey> Create(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                       const NewApiKey& input);
  absl::StatusOr<std::vector<ApiKeyRecord>> List(const kit::Caller& caller, bool include_revoked);
  // The key as revoked (already revoked: as it is); NOT_FOUND for someone
  // else's key.
  absl::StatusOr<ApiKeyRecord> Revoke(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                      const std::string& key_id);

 private:
  GenerationStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  base::RandomSource& random_;
  const ApiKeyRules rules_;
};

}  // namespace clipforge::generation_service
