// api-keys, api-keys create, api-keys revoke: a developer's API keys for the
// generation API, managed with the session's access token. A key is shown
// once, when it is created; lists show its prefix only.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/time_format.h"

namespace clipforge::cli {
namespace {

using Generation = v1::GenerationService::StubInterface;

Record ApiKeyRow(const v1::ApiKey& key) {
  Record record;
  record.Str("key_id", key.key_id()).Str("name", key.name()).Str("prefix", key.prefix());
  record.Str("daily_seconds", key.daily_seconds() == 0 ? "tier" : std::to_string(key.daily_seconds()));
  record.Str("created", FormatProtoTime(key.create_time()));
  record.Str("last_used", key.has_last_use_time() ? FormatProtoTime(key.last_use_time()) : "never");
  if (key.has_revoke_time()) record.Str("revoked", FormatProtoTime(key.revoke_time()));
  return record;
}

}  // namespace

absl::Status RunApiKeys(CommandContext& ctx) {
  v1::ListApiKeysRequest request;
  request.set_include_revoked(ctx.invocation().Has("all"));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::ListApiKeysResponse response;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Generation::ListApiKeys, request, response));
  std::vector<Record> rows;
  for (const v1::ApiKey& key : response.api_keys()) rows.push_back(ApiKeyRow(key));
  Record record;
  record.Table("api_keys", std::move(rows));
  ctx.out().Result(record);
  return absl::OkStatus();
}

absl::Status RunApiKeysCreate(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::CreateApiKeyRequest request;
  request.set_name(inv.Operand(0));
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> daily, inv.IntFlag("daily-seconds", 0, 86400));
  request.set_daily_seconds(daily.value_or(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::CreateApiKeyResponse response;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Generation::CreateApiKey, request, response));
  Record record = ApiKeyRow(response.api_key());
  record.Str("key", response.key());
  ctx.out().Result(record);
  ctx.out().Note("The key is shown this once: keep it secret. Apps send it as `authorization: Bearer <key>`.");
  return absl::OkStatus();
}

absl::Status RunApiKeysRevoke(CommandContext& ctx) {
  v1::RevokeApiKeyRequest request;
  request.set_key_id(ctx.invocation().Operand(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::ApiKey key;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Generation::RevokeApiKey, request, key));
  ctx.out().Result(ApiKeyRow(key));
  return absl::OkStatus();
}

}  // namespace clipforge::cli
