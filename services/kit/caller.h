// Who is calling, as established from a verified access token. Kept apart
// from auth.h (which includes gRPC) so that service logic names the caller
// without pulling in the transport.
#pragma once

#include <string>

#include "base/role.h"

namespace clipforge::kit {

struct Caller {
  std::string user_id;
  base::RoleSet roles;
  std::string session_id;  // The login session the token belongs to.
  // The API key the call came with (a service that takes keys, see
  // AuthGate::With); empty for an access token.
  std::string api_key_id;
  bool HasRole(base::Role role) const { return roles.Has(role); }
};

}  // namespace clipforge::kit
