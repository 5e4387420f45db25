#include "services/users/export_archive.h"

#include "absl/strings/str_cat.h"
#include "base/json_writer.h"
#include "users/age.h"

namespace clipforge::users {
namespace {

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone()); }

void WriteList(base::JsonWriter& json, UsersTx& tx, ListKind kind, const std::string& user_id) {
  json.BeginArray();
  std::optional<ListCursor> after;
  for (;;) {
    const std::vector<RelatedAccount> page = tx.List(kind, user_id, user_id, after, 1000);
    for (const RelatedAccount& r : page) {
      json.BeginObject().Key("user_id").String(r.user_id).Key("handle").String(r.handle);
      json.Key("since").String(Rfc3339(r.since)).EndObject();
    }
    if (page.size() < 1000) break;
    after = ListCursor{page.back().since, page.back().user_id};
  }
  json.EndArray();
}

}  // namespace

absl::StatusOr<std::string> BuildExportArchive(UsersTx& tx, const std::string& user_id, absl::Time now) {
  const auto account = tx.AccountById(user_id);
  if (!account) return absl::NotFoundError("user: not found");
  base::JsonWriter json;
  json.BeginObject();
  json.Key("format").String("clipforge.users.export.v1");
  json.Key("exported_at").String(Rfc3339(now));
  json.Key("account").BeginObject();
  json.Key("user_id").String(account->user_id).Key("handle").String(account->handle);
  json.Key("email").String(account->email).Key("display_name").String(account->display_name);
  json.Key("bio").String(account->bio).Key("avatar_sha256").String(account->avatar_blob_id);
  json.Key("languages").BeginArray();
  for (const std::string& l : account->languages) json.String(l);
  json.EndArray();
  json.Key("roles").Int(account->roles.bits());
  json.Key("created_at").String(Rfc3339(account->created_at));
  json.Key("updated_at").String(Rfc3339(account->updated_at));
  // The birth date is not held; a teen account's adult_at is.
  json.Key("teen_account").Bool(IsTeenAccount(account->adult_at, now));
  if (account->adult_at) json.Key("adult_at").String(Rfc3339(*account->adult_at));
  json.EndObject();
  json.Key("analytics_consent").BeginObject().Key("opted_in").Bool(account->analytics_opt_in);
  json.Key("policy_version").String(account->consent_policy_version).Key("updated_at");
  if (account->consent_time) {
    json.String(Rfc3339(*account->consent_time));
  } else {
    json.Null();
  }
  json.EndObject();
  json.Key("sessions").BeginArray();
  for (const auto& session : tx.SessionsOf(user_id)) {
    json.BeginObject().Key("session_id").String(session.session_id).Key("device_name").String(session.device_name);
    json.Key("created_at").String(Rfc3339(session.created_at)).Key("ended_at");
    if (session.revoked_at) {
      json.String(Rfc3339(*session.revoked_at));
    } else {
      json.Null();
    }
    json.EndObject();
  }
  json.EndArray();
  json.Key("following");
  WriteList(json, tx, ListKind::kFollowing, user_id);
  json.Key("followers");
  WriteList(json, tx, ListKind::kFollowers, user_id);
  json.Key("blocked");
  WriteList(json, tx, ListKind::kBlocked, user_id);
  json.Key("muted");
  WriteList(json, tx, ListKind::kMuted, user_id);
  json.EndObject();
  return json.str();
}

}  // namespace clipforge::users
