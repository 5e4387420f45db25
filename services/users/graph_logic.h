// The social graph: follow, block and mute (and their undoing), and the
// paged lists of followers, following, blocked and muted users.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"
#include "services/users/events.h"
#include "services/users/logic_support.h"
#include "services/users/store_interface.h"

namespace clipforge::users {

struct ListPage {
  std::vector<RelatedAccount> users;
  std::string next_page_token;  // Empty on the last page.
};

class GraphLogic {
 public:
  GraphLogic(UsersStore& store, const base::Clock& clock, const UserEvents& events, const UsersLogicOptions& options)
      : store_(store), clock_(clock), events_(events), options_(options) {}

  // Applies `op` from the caller to `target` (idempotent under `key`);
  // emits an event when something changed. A block ends follows both ways.
  absl::StatusOr<RelationshipView> Change(const kit::Caller& caller, const kit::IdempotencyKey& key, GraphOp op,
                                          const std::string& target);

  // One page of `kind`. Follower lists are anyone's (`user_id`), except of a
  // user who blocks the caller; blocked and muted lists are the caller's own
  // (`user_id` is ignored). `page_size` is already validated (1..100).
  absl::StatusOr<ListPage> List(const kit::Caller& caller, ListKind kind, const std::string& user_id, int page_size,
                                const std::string& page_token);

 private:
  UsersStore& store_;
  const base::Clock& clock_;
  const UserEvents& events_;
  const UsersLogicOptions options_;
};

}  // namespace clipforge::users
