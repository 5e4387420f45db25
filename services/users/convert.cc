#include "services/users/convert.h"

#include "users/age.h"

namespace clipforge::users {

v1::Role ToProtoRole(base::Role role) { return static_cast<v1::Role>(static_cast<int>(role) + 1); }

std::optional<base::Role> FromProtoRole(v1::Role role) {
  if (role < v1::ROLE_USER || role > v1::ROLE_ADMIN) return std::nullopt;
  return static_cast<base::Role>(static_cast<int>(role) - 1);
}

absl::StatusOr<base::RoleSet> FromProtoRoles(const google::protobuf::RepeatedField<int>& roles) {
  base::RoleSet set;
  for (int value : roles) {
    const std::optional<base::Role> role = FromProtoRole(static_cast<v1::Role>(value));
    if (!role) return absl::InvalidArgumentError("roles: unknown role");
    set = set.With(*role);
  }
  return set;
}

void FillProfile(const Account& a, v1::Profile* p) {
  p->set_user_id(a.user_id);
  p->set_handle(a.handle);
  p->set_display_name(a.display_name);
  p->set_bio(a.bio);
  if (!a.avatar_blob_id.empty()) p->mutable_avatar()->set_sha256(a.avatar_blob_id);
  for (const std::string& l : a.languages) p->add_languages(l);
  for (base::Role r : a.roles.ToVector()) {
    if (r == base::Role::kCreator || r == base::Role::kBrand) p->add_badges(ToProtoRole(r));
  }
  p->set_follower_count(a.follower_count);
  p->set_following_count(a.following_count);
  *p->mutable_create_time() = ToTimestamp(a.created_at);
}

void FillConsent(const Consent& consent, v1::AnalyticsConsent* out) {
  out->set_opted_in(consent.opted_in);
  if (consent.update_time) *out->mutable_update_time() = ToTimestamp(*consent.update_time);
  out->set_policy_version(consent.policy_version);
}

void FillUser(const Account& a, absl::Time now, v1::User* u) {
  FillProfile(a, u->mutable_profile());
  u->set_email(a.email);
  for (base::Role r : a.roles.ToVector()) u->add_roles(ToProtoRole(r));
  // Paid tiers arrive with subscriptions; until then every account is free.
  u->set_tier(v1::TIER_FREE);
  FillConsent(ConsentOf(a), u->mutable_analytics_consent());
  *u->mutable_update_time() = ToTimestamp(a.updated_at);
  u->set_teen_account(IsTeenAccount(a.adult_at, now));
}

void FillUserAsUpdated(const Account& a, v1::User* u) { FillUser(a, a.updated_at, u); }

void FillRelationship(const RelationshipView& view, v1::Relationship* out) {
  out->set_user_id(view.user_id);
  out->set_following(view.relation.following);
  out->set_followed_by(view.relation.followed_by);
  out->set_blocking(view.relation.blocking);
  out->set_muting(view.relation.muting);
  if (view.relation.follow_time) *out->mutable_follow_time() = ToTimestamp(*view.relation.follow_time);
}

void FillRelatedUser(const RelatedAccount& related, v1::RelatedUser* out) {
  out->mutable_user()->set_user_id(related.user_id);
  out->mutable_user()->set_handle(related.handle);
  out->mutable_user()->set_display_name(related.display_name);
  *out->mutable_create_time() = ToTimestamp(related.since);
}

void FillTokens(const IssuedTokens& tokens, v1::AuthTokens* out) {
  out->set_access_token(tokens.access_token);
  *out->mutable_access_token_expire_time() = ToTimestamp(tokens.access_expires_at);
  out->set_refresh_token(tokens.refresh_token);
  *out->mutable_refresh_token_expire_time() = ToTimestamp(tokens.refresh_expires_at);
  out->set_session_id(tokens.session_id);
}

void FillRoles(const RolesView& roles, v1::UserRoles* out) {
  out->set_user_id(roles.user_id);
  for (base::Role r : roles.roles.ToVector()) out->add_roles(ToProtoRole(r));
  *out->mutable_update_time() = ToTimestamp(roles.update_time);
}

Account AccountFromUser(const v1::User& u) {
  const v1::Profile& p = u.profile();
  Account a;
  a.user_id = p.user_id();
  a.handle = p.handle();
  a.display_name = p.display_name();
  a.bio = p.bio();
  a.avatar_blob_id = p.avatar().sha256();
  a.languages = {p.languages().begin(), p.languages().end()};
  a.follower_count = p.follower_count();
  a.following_count = p.following_count();
  a.created_at = FromTimestamp(p.create_time());
  a.email = u.email();
  a.roles = FromProtoRoles(u.roles()).value_or(base::RoleSet{base::Role::kUser});
  const Consent consent = ConsentFromProto(u.analytics_consent());
  a.analytics_opt_in = consent.opted_in;
  a.consent_time = consent.update_time;
  a.consent_policy_version = consent.policy_version;
  a.updated_at = FromTimestamp(u.update_time());
  if (u.teen_account()) a.adult_at = absl::InfiniteFuture();
  return a;
}

Consent ConsentFromProto(const v1::AnalyticsConsent& c) {
  Consent consent{c.opted_in(), std::nullopt, c.policy_version()};
  if (c.has_update_time()) consent.update_time = FromTimestamp(c.update_time());
  return consent;
}

RelationshipView RelationshipFromProto(const v1::Relationship& r) {
  RelationshipView view;
  view.user_id = r.user_id();
  view.relation.following = r.following();
  view.relation.followed_by = r.followed_by();
  view.relation.blocking = r.blocking();
  view.relation.muting = r.muting();
  if (r.has_follow_time()) view.relation.follow_time = FromTimestamp(r.follow_time());
  return view;
}

RolesView RolesFromProto(const v1::UserRoles& r) {
  return {r.user_id(), FromProtoRoles(r.roles()).value_or(base::RoleSet{base::Role::kUser}),
          FromTimestamp(r.update_time())};
}

}  // namespace clipforge::users
