#include "base/role.h"

#include <gtest/gtest.h>

namespace clipforge::base {
namespace {

TEST(RoleSetTest, BitIIsTheRoleWithValueI) {
  // The access-token byte and the accounts.roles column both rely on this.
  EXPECT_EQ(RoleSet{Role::kUser}.bits(), 0b00001);
  EXPECT_EQ((RoleSet{Role::kUser, Role::kAdmin}.bits()), 0b10001);
  EXPECT_EQ((RoleSet{Role::kCreator, Role::kBrand, Role::kModerator}.bits()), 0b01110);
}

TEST(RoleSetTest, FromBitsRefusesRolesThatDoNotExist) {
  EXPECT_EQ(RoleSet::FromBits(0b11111), (RoleSet{Role::kUser, Role::kCreator, Role::kBrand, Role::kModerator,
                                                 Role::kAdmin}));
  EXPECT_EQ(RoleSet::FromBits(0), RoleSet{});
  EXPECT_FALSE(RoleSet::FromBits(0b100000).has_value());
  EXPECT_FALSE(RoleSet::FromBits(0x100).has_value());
}

TEST(RoleSetTest, WithWithoutHasAndOrder) {
  RoleSet roles{Role::kUser};
  roles = roles.With(Role::kAdmin).With(Role::kCreator).With(Role::kAdmin);
  EXPECT_TRUE(roles.Has(Role::kAdmin));
  EXPECT_FALSE(roles.Has(Role::kBrand));
  EXPECT_EQ(roles.ToVector(), (std::vector<Role>{Role::kUser, Role::kCreator, Role::kAdmin}));
  roles = roles.Without(Role::kAdmin).Without(Role::kBrand);
  EXPECT_EQ(roles, (RoleSet{Role::kUser, Role::kCreator}));
  EXPECT_TRUE(RoleSet{}.empty());
}

}  // namespace
}  // namespace clipforge::base
