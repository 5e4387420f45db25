#include "services/users/events.h"

#include "services/users/convert.h"

namespace clipforge::users {

v1::EventEnvelope UserEvents::Registered(const Account& account) const {
  v1::EventEnvelope event = factory_.New("clipforge.user.registered", "user", account.user_id);
  v1::UserRegisteredEvent* registered = event.mutable_user_registered();
  registered->set_user_id(account.user_id);
  registered->set_handle(account.handle);
  registered->set_display_name(account.display_name);
  for (const std::string& language : account.languages) registered->add_languages(language);
  registered->set_analytics_opted_in(account.analytics_opt_in);
  if (account.adult_at) *registered->mutable_adult_time() = ToTimestamp(*account.adult_at);
  // Paid tiers arrive with subscriptions; until then every account is free.
  registered->set_tier(v1::TIER_FREE);
  return event;
}

v1::EventEnvelope UserEvents::ProfileUpdated(const Account& account, const ProfileChange& change) const {
  v1::EventEnvelope event = factory_.New("clipforge.user.profile_updated", "user", account.user_id);
  v1::UserProfileUpdatedEvent* updated = event.mutable_user_profile_updated();
  updated->set_user_id(account.user_id);
  if (change.display_name) updated->mutable_update_mask()->add_paths("display_name");
  if (change.bio) updated->mutable_update_mask()->add_paths("bio");
  if (change.languages) updated->mutable_update_mask()->add_paths("languages");
  if (change.avatar_blob_id) updated->mutable_update_mask()->add_paths("avatar");
  updated->set_handle(account.handle);
  updated->set_display_name(account.display_name);
  if (!account.avatar_blob_id.empty()) updated->mutable_avatar()->set_sha256(account.avatar_blob_id);
  for (const std::string& language : account.languages) updated->add_languages(language);
  return event;
}

v1::EventEnvelope UserEvents::GraphChanged(GraphOp op, const std::string& actor, const std::string& target) const {
  v1::EventEnvelope event;
  switch (op) {
    case GraphOp::kFollow:
      event = factory_.New("clipforge.user.followed", "user", actor);
      event.mutable_user_followed()->set_follower_id(actor);
      event.mutable_user_followed()->set_followee_id(target);
      break;
    case GraphOp::kUnfollow:
      event = factory_.New("clipforge.user.unfollowed", "user", actor);
      event.mutable_user_unfollowed()->set_follower_id(actor);
      event.mutable_user_unfollowed()->set_followee_id(target);
      break;
    case GraphOp::kBlock:
      event = factory_.New("clipforge.user.blocked", "user", actor);
      event.mutable_user_blocked()->set_blocker_id(actor);
      event.mutable_user_blocked()->set_blocked_id(target);
      break;
    case GraphOp::kUnblock:
      event = factory_.New("clipforge.user.unblocked", "user", actor);
      event.mutable_user_unblocked()->set_blocker_id(actor);
      event.mutable_user_unblocked()->set_blocked_id(target);
      break;
    case GraphOp::kMute:
      event = factory_.New("clipforge.user.muted", "user", actor);
      event.mutable_user_muted()->set_muter_id(actor);
      event.mutable_user_muted()->set_muted_id(target);
      break;
    case GraphOp::kUnmute:
      event = factory_.New("clipforge.user.unmuted", "user", actor);
      event.mutable_user_unmuted()->set_muter_id(actor);
      event.mutable_user_unmuted()->set_muted_id(target);
      break;
  }
  return event;
}

v1::EventEnvelope UserEvents::RolesChanged(const std::string& user_id, base::Role role, bool granted,
                                           base::RoleSet roles, const std::string& reason,
                                           const std::string& actor_id) const {
  v1::EventEnvelope event = factory_.New("clipforge.user.roles_changed", "user", user_id);
  v1::UserRolesChangedEvent* changed = event.mutable_user_roles_changed();
  changed->set_user_id(user_id);
  changed->set_role(ToProtoRole(role));
  changed->set_granted(granted);
  for (base::Role r : roles.ToVector()) changed->add_roles(ToProtoRole(r));
  changed->set_reason(reason);
  if (!actor_id.empty()) event.mutable_actor()->set_id(actor_id);
  return event;
}

v1::EventEnvelope UserEvents::ConsentChanged(const std::string& user_id, const Consent& consent) const {
  v1::EventEnvelope event = factory_.New("clipforge.user.consent_changed", "user", user_id);
  event.mutable_user_consent_changed()->set_user_id(user_id);
  event.mutable_user_consent_changed()->set_opted_in(consent.opted_in);
  event.mutable_user_consent_changed()->set_policy_version(consent.policy_version);
  return event;
}

v1::EventEnvelope UserEvents::Deleted(const std::string& user_id, absl::Time purge_time) const {
  v1::EventEnvelope event = factory_.New("clipforge.user.deleted", "user", user_id);
  event.mutable_user_deleted()->set_user_id(user_id);
  *event.mutable_user_deleted()->mutable_purge_time() = ToTimestamp(purge_time);
  return event;
}

v1::EventEnvelope UserEvents::SessionsRevoked(const std::string& user_id, const std::vector<std::string>& session_ids,
                                              const std::string& reason) const {
  v1::EventEnvelope event = factory_.New("clipforge.user.sessions_revoked", "user", user_id);
  v1::UserSessionsRevokedEvent* revoked = event.mutable_user_sessions_revoked();
  revoked->set_user_id(user_id);
  for (const std::string& id : session_ids) revoked->add_session_ids(id);
  revoked->set_reason(reason);
  return event;
}

}  // namespace clipforge::users
