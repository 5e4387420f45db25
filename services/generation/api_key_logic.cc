#include "services/generation/api_key_logic.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/generation/job_logic.h"
#include "services/generation/secret_token.h"

namespace clipforge::generation_service {
namespace {

// A key cannot mint, list or revoke keys: a leaked key must not be able to
// entrench itself or hide its siblings.
absl::Status RequireAccessToken(const kit::Caller& caller) {
  if (!caller.api_key_id.empty()) {
    return absl::PermissionDeniedError("authorization: API keys are managed with an access token, not an API key");
  }
  return absl::OkStatus();
}

absl::StatusOr<ApiKeyRecord> OwnedKey(GenerationTx& tx, const kit::Caller& caller, const std::string& key_id) {
  std::optional<ApiKeyRecord> key = tx.GetApiKey(key_id);
  if (!key || key->user_id != caller.user_id) return absl::NotFoundError(absl::StrCat("key_id: no API key ", key_id));
  return *std::move(key);
}

}  // namespace

std::string ApiKeyPrefixOf(const std::string& key_id) { return absl::StrCat(kApiKeyPrefix, key_id); }

absl::StatusOr<CreatedApiKey> ApiKeyLogic::Create(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                  const NewApiKey& input) {
  CF_RETURN_IF_ERROR(RequireAccessToken(caller));
  CreatedApiKey created;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    created = CreatedApiKey{};
    CF_ASSIGN_OR_RETURN(const std::string key_id,
                        kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
      // The user's row lock serializes their creates: the cap holds.
      tx.LockUser(caller.user_id);
      if (tx.CountLiveApiKeys(caller.user_id) >= rules_.max_live_keys) {
        return absl::ResourceExhaustedError(absl::StrCat("api keys: at most ", rules_.max_live_keys,
                                                         " live keys; revoke one first"));
      }
      const std::string id = ids_.Next();
      NewSecretToken token = MakeSecretToken(kApiKeyPrefix, id, random_);
      const ApiKeyRecord record{.key_id = id,
                                .user_id = caller.user_id,
                                .name = input.name,
                                .secret_sha256 = token.secret_sha256,
                                .daily_seconds = input.daily_seconds,
                                .create_time = clock_.Now()};
      if (!tx.InsertApiKey(record)) {
        return absl::AlreadyExistsError(absl::StrCat("name: you have a live API key named '", input.name, "'"));
      }
      created.text = std::move(token.text);
      return id;
    }));
    CF_ASSIGN_OR_RETURN(created.key, OwnedKey(tx, caller, key_id));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<std::vector<ApiKeyRecord>> ApiKeyLogic::List(const kit::Caller& caller, bool include_revoked) {
  CF_RETURN_IF_ERROR(RequireAccessToken(caller));
  std::vector<ApiKeyRecord> keys;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) {
    keys = tx.ListApiKeys(caller.user_id, include_revoked, rules_.max_live_keys + rules_.max_listed_revoked);
    return absl::OkStatus();
  }));
  return keys;
}

absl::StatusOr<ApiKeyRecord> ApiKeyLogic::Revoke(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                 const std::string& key_id) {
  CF_RETURN_IF_ERROR(RequireAccessToken(caller));
  ApiKeyRecord revoked;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
      CF_RETURN_IF_ERROR(OwnedKey(tx, caller, key_id).status());
      tx.RevokeApiKey(key_id, clock_.Now());
      return key_id;
    }).status());
    CF_ASSIGN_OR_RETURN(revoked, OwnedKey(tx, caller, key_id));
    return absl::OkStatus();
  }));
  return revoked;
}

}  // namespace clipforge::generation_service
