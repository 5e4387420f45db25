#include "users/common_passwords.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/ascii.h"

namespace clipforge::users {
namespace {

TEST(CommonPasswordsTest, ListIsLongLowercaseAndUnique) {
  const auto list = CommonPasswordList();
  EXPECT_GE(list.size(), 300u);
  std::set<absl::string_view> seen;
  for (const absl::string_view password : list) {
    EXPECT_GE(password.size(), 10u) << password;
    EXPECT_EQ(absl::AsciiStrToLower(password), password);
    EXPECT_TRUE(seen.insert(password).second) << "duplicate: " << password;
  }
}

TEST(CommonPasswordsTest, EveryListedPasswordIsCommonInAnyCase) {
  for (const absl::string_view password : CommonPasswordList()) {
    EXPECT_TRUE(IsCommonPassword(password)) << password;
    EXPECT_TRUE(IsCommonPassword(absl::AsciiStrToUpper(password))) << password;
  }
}

TEST(CommonPasswordsTest, WellKnownBreachPasswords) {
  for (const char* password :
       {"1234567890", "qwertyuiop", "password123", "iloveyou12", "1q2w3e4r5t", "qwerty1234",
        "abcdefghij", "passw0rd12", "0987654321", "1111111111", "password12", "aaaaaaaaaa",
        "qazwsxedc1", "123456789a", "Password123", "QwErTyUiOp", "1qaz2wsx3edc", "basketball"}) {
    EXPECT_TRUE(IsCommonPassword(password)) << password;
  }
}

TEST(CommonPasswordsTest, RepeatsAndRunsAreCommon) {
  for (const char* password :
       {"zzzzzzzzzzzzzzzz", "ZZZZZZZZZZ", "!!!!!!!!!!", "abcdefghijk", "2345678901",
        "9876543210", "zyxwvutsrqp", "xyzabcdefgh", "0123456789012", "abababababab",
        "123123123123", "passpasspass", "qwerqwerqwer", "1212121212121"}) {
    EXPECT_TRUE(IsCommonPassword(password)) << password;
  }
  EXPECT_TRUE(IsCommonPassword(""));
}

TEST(CommonPasswordsTest, OrdinaryPasswordsAreNot) {
  for (const char* password :
       {"correct horse battery staple", "Tr0ub4dor&3x", "zq8#Lm2!vRk", "abcdefghiz",
        "1234567809", "abcde12345x", "passpasspa55", "qwertyuiopz", "velvet-otter-crane"}) {
    EXPECT_FALSE(IsCommonPassword(password)) << password;
  }
}

}  // namespace
}  // namespace clipforge::users
