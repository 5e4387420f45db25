#include "services/users/export_archive.h"

#include "absl/strings/str_cat.h"
#include "services/kit/logger.h"
#include "services/users/store.h"

namespace clipforge::users {
namespace {

class JsonWriter {
 public:
  JsonWriter& Key(absl::string_view key) {
    Comma();
    out_ += '"';
    kit::AppendJsonEscaped(out_, key);
    out_ += "\":";
    fresh_ = true;
    return *this;
  }
  JsonWriter& String(absl::string_view value) {
    Comma();
    out_ += '"';
    kit::AppendJsonEscaped(out_, value);
    out_ += '"';
    return *this;
  }
  JsonWriter& Time(absl::Time t) { return String(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone())); }
  JsonWriter& Number(int64_t n) {
    Comma();
    absl::StrAppend(&out_, n);
    return *this;
  }
  JsonWriter& Bool(bool b) {
    Comma();
    out_ += b ? "true" : "false";
    return *this;
  }
  JsonWriter& Null() {
    Comma();
    out_ += "null";
    return *this;
  }
  JsonWriter& Open(char c) {
    Comma();
    out_ += c;
    fresh_ = true;
    return *this;
  }
  JsonWriter& Close(char c) {
    out_ += c;
    fresh_ = false;
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  void Comma() {
    if (!fresh_) out_ += ',';
    fresh_ = false;
  }
  std::string out_;
  bool fresh_ = true;
};

void WriteList(JsonWriter& json, pqxx::work& txn, ListKind kind, const std::string& user_id) {
  json.Open('[');
  std::optional<ListCursor> after;
  for (;;) {
    const std::vector<RelatedAccount> page = UsersStore::List(txn, kind, user_id, user_id, after, 1000);
    for (const RelatedAccount& r : page) {
      json.Open('{').Key("user_id").String(r.user_id).Key("handle").String(r.handle).Key("since").Time(r.since);
      json.Close('}');
    }
    if (page.size() < 1000) break;
    after = ListCursor{page.back().since, page.back().user_id};
  }
  json.Close(']');
}

}  // namespace

absl::StatusOr<std::string> BuildExportArchive(pqxx::work& txn, const std::string& user_id, absl::Time now) {
  const auto account = UsersStore::AccountById(txn, user_id);
  if (!account) return absl::NotFoundError("user: not found");
  JsonWriter json;
  json.Open('{');
  json.Key("format").String("clipforge.users.export.v1");
  json.Key("exported_at").Time(now);
  json.Key("account").Open('{');
  json.Key("user_id").String(account->user_id).Key("handle").String(account->handle);
  json.Key("email").String(account->email).Key("display_name").String(account->display_name);
  json.Key("bio").String(account->bio).Key("avatar_sha256").String(account->avatar_blob_id);
  json.Key("languages").Open('[');
  for (const std::string& l : account->languages) json.String(l);
  json.Close(']');
  json.Key("roles").Number(account->roles);
  json.Key("created_at").Time(account->created_at).Key("updated_at").Time(account->updated_at);
  json.Close('}');
  json.Key("analytics_consent").Open('{').Key("opted_in").Bool(account->analytics_opt_in);
  json.Key("policy_version").String(account->consent_policy_version).Key("updated_at");
  if (account->consent_time) json.Time(*account->consent_time); else json.Null();
  json.Close('}');
  json.Key("sessions").Open('[');
  for (const auto& s : UsersStore::SessionsOf(txn, user_id)) {
    json.Open('{').Key("session_id").String(s.session_id).Key("device_name").String(s.device_name);
    json.Key("created_at").Time(s.created_at).Key("ended_at");
    if (s.revoked_at) json.Time(*s.revoked_at); else json.Null();
    json.Close('}');
  }
  json.Close(']');
  json.Key("following");
  WriteList(json, txn, ListKind::kFollowing, user_id);
  json.Key("followers");
  WriteList(json, txn, ListKind::kFollowers, user_id);
  json.Key("blocked");
  WriteList(json, txn, ListKind::kBlocked, user_id);
  json.Key("muted");
  WriteList(json, txn, ListKind::kMuted, user_id);
  json.Close('}');
  return json.Take();
}

}  // namespace clipforge::users
