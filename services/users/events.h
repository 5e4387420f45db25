// Every event the users service emits, built in one place: the logic and
// the admin commands append what these return to the outbox, in the
// transaction of the change they describe.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "base/role.h"
#include "clipforge/v1/events.pb.h"
#include "services/kit/event_factory.h"
#include "users/account.h"
#include "users/graph.h"

namespace clipforge::users {

class UserEvents {
 public:
  // `factory` stamps ids and times; not owned.
  explicit UserEvents(const kit::EventFactory& factory) : factory_(factory) {}

  v1::EventEnvelope Registered(const Account& account) const;
  // `change` names the fields that changed; `account` is the result.
  v1::EventEnvelope ProfileUpdated(const Account& account, const ProfileChange& change) const;
  // `actor` applied `op` to `target` (followed them, blocked them, ...).
  v1::EventEnvelope GraphChanged(GraphOp op, const std::string& actor, const std::string& target) const;
  // `actor_id` is empty for an operator's command.
  v1::EventEnvelope RolesChanged(const std::string& user_id, base::Role role, bool granted, base::RoleSet roles,
                                 const std::string& reason, const std::string& actor_id) const;
  v1::EventEnvelope ConsentChanged(const std::string& user_id, const Consent& consent) const;
  v1::EventEnvelope Deleted(const std::string& user_id, absl::Time purge_time) const;
  // Every service refuses these sessions' access tokens once it reads this.
  v1::EventEnvelope SessionsRevoked(const std::string& user_id, const std::vector<std::string>& session_ids,
                                    const std::string& reason) const;

 private:
  const kit::EventFactory& factory_;
};

}  // namespace clipforge::users
