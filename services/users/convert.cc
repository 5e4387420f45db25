#include "services/users/convert.h"

#include "google/protobuf/util/time_util.h"

namespace clipforge::users {

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// The API's roles are kit::Role shifted by one (0 is ROLE_UNSPECIFIED).
v1::Role ToProtoRole(kit::Role role) { return static_cast<v1::Role>(static_cast<int>(role) + 1); }

std::optional<kit::Role> FromProtoRole(v1::Role role) {
  if (role < v1::ROLE_USER || role > v1::ROLE_ADMIN) return std::nullopt;
  return static_cast<kit::Role>(static_cast<int>(role) - 1);
}

void FillProfile(const Account& a, v1::Profile* p) {
  p->set_user_id(a.user_id);
  p->set_handle(a.handle);
  p->set_display_name(a.display_name);
  p->set_bio(a.bio);
  if (!a.avatar_blob_id.empty()) p->mutable_avatar()->set_sha256(a.avatar_blob_id);
  for (const std::string& l : a.languages) p->add_languages(l);
  for (kit::Role r : RolesOf(a.roles)) {
    if (r == kit::Role::kCreator || r == kit::Role::kBrand) p->add_badges(ToProtoRole(r));
  }
  p->set_follower_count(a.follower_count);
  p->set_following_count(a.following_count);
  *p->mutable_create_time() = ToTimestamp(a.created_at);
}

void FillConsent(const Account& a, v1::AnalyticsConsent* c) {
  c->set_opted_in(a.analytics_opt_in);
  if (a.consent_time) *c->mutable_update_time() = ToTimestamp(*a.consent_time);
  c->set_policy_version(a.consent_policy_version);
}

void FillUser(const Account& a, v1::User* u) {
  FillProfile(a, u->mutable_profile());
  u->set_email(a.email);
  for (kit::Role r : RolesOf(a.roles)) u->add_roles(ToProtoRole(r));
  // Paid tiers arrive with subscriptions; until then every account is free.
  u->set_tier(v1::TIER_FREE);
  FillConsent(a, u->mutable_analytics_consent());
  *u->mutable_update_time() = ToTimestamp(a.updated_at);
}

void FillRelationship(const std::string& other_id, const Relation& r, v1::Relationship* out) {
  out->set_user_id(other_id);
  out->set_following(r.following);
  out->set_followed_by(r.followed_by);
  out->set_blocking(r.blocking);
  out->set_muting(r.muting);
  if (r.follow_time) *out->mutable_follow_time() = ToTimestamp(*r.follow_time);
}

void FillRelatedUser(const RelatedAccount& related, v1::RelatedUser* out) {
  out->mutable_user()->set_user_id(related.user_id);
  out->mutable_user()->set_handle(related.handle);
  out->mutable_user()->set_display_name(related.display_name);
  *out->mutable_create_time() = ToTimestamp(related.since);
}

}  // namespace clipforge::users
