// The roles a user can hold, and the one type that carries a set of them
// everywhere: in accounts, in access tokens, in the caller of an RPC.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

namespace clipforge::base {

// The numeric values are part of two formats: bit i of an access token's
// roles byte and of the users.accounts.roles column is the role with value
// i. Never renumber, only append (at most 8 roles fit the token's byte).
enum class Role : uint8_t { kUser = 0, kCreator = 1, kBrand = 2, kModerator = 3, kAdmin = 4 };

inline constexpr Role kAllRoles[] = {Role::kUser, Role::kCreator, Role::kBrand, Role::kModerator, Role::kAdmin};

class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= Bit(r);
  }

  // nullopt when `bits` names a role that does not exist.
  static constexpr std::optional<RoleSet> FromBits(uint32_t bits) {
    if (bits & ~kKnownBits) return std::nullopt;
    RoleSet set;
    set.bits_ = static_cast<uint8_t>(bits);
    return set;
  }

  constexpr uint8_t bits() const { return bits_; }
  constexpr bool Has(Role role) const { return (bits_ & Bit(role)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr RoleSet With(Role role) const { return FromBitsUnchecked(bits_ | Bit(role)); }
  constexpr RoleSet Without(Role role) const { return FromBitsUnchecked(bits_ & ~Bit(role)); }

  // The roles in enum order.
  std::vector<Role> ToVector() const {
    std::vector<Role> roles;
    for (Role r : kAllRoles) {
      if (Has(r)) roles.push_back(r);
    }
    return roles;
  }

  friend constexpr bool operator==(RoleSet a, RoleSet b) { return a.bits_ == b.bits_; }

 private:
  static constexpr uint8_t Bit(Role role) { return static_cast<uint8_t>(1u << static_cast<unsigned>(role)); }
  static constexpr uint32_t kKnownBits = (1u << (static_cast<unsigned>(Role::kAdmin) + 1)) - 1;
  static constexpr RoleSet FromBitsUnchecked(uint32_t bits) {
    RoleSet set;
    set.bits_ = static_cast<uint8_t>(bits);
    return set;
  }

  uint8_t bits_ = 0;
};

}  // namespace clipforge::base
