// The users service's logic, split by area. Each class is a plain object
// over a UsersStore (store_interface.h), built in plain unit tests with the
// fake store and clock; UsersComponent builds them for the server.
#pragma once

#include "services/users/graph_logic.h"
#include "services/users/privacy_logic.h"
#include "services/users/profile_logic.h"
#include "services/users/role_logic.h"
#include "services/users/session_logic.h"

namespace clipforge::users {

// What the gRPC adapter calls; none of it owned.
struct UsersLogic {
  SessionLogic& sessions;
  ProfileLogic& profiles;
  GraphLogic& graph;
  RoleLogic& roles;
  PrivacyLogic& privacy;
};

}  // namespace clipforge::users
