// The roles a user can hold. Kept apart from auth.h (which includes gRPC) so
// that the access-token format and the domain libraries can name them.
#pragma once

namespace clipforge::kit {

// The numeric values are part of the access-token format (bit i of the
// token's roles byte is the role with value i): never renumber, only append.
enum class Role { kUser = 0, kCreator = 1, kBrand = 2, kModerator = 3, kAdmin = 4 };

inline constexpr Role kAllRoles[] = {Role::kUser, Role::kCreator, Role::kBrand, Role::kModerator,
                                     Role::kAdmin};

}  // namespace clipforge::kit
