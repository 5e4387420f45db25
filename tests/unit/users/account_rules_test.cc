#include "users/account_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace clipforge::users {
namespace {

// Expects INVALID_ARGUMENT with a message "field: reason".
void ExpectInvalid(const absl::Status& status, absl::string_view message) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(status.message(), message);
}

std::string Repeat(absl::string_view unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, unit);
  return out;
}

TEST(NormalizeHandleTest, StripsOneAtAndLowercases) {
  EXPECT_EQ(NormalizeHandle("@Alice_01").value(), "alice_01");
  EXPECT_EQ(NormalizeHandle("bob").value(), "bob");
  EXPECT_EQ(NormalizeHandle(std::string(30, 'z')).value(), std::string(30, 'z'));
  EXPECT_EQ(NormalizeHandle("@" + std::string(30, 'Z')).value(), std::string(30, 'z'));
}

TEST(NormalizeHandleTest, RefusesBadShapes) {
  ExpectInvalid(NormalizeHandle("ab").status(), "handle: must be 3-30 characters");
  ExpectInvalid(NormalizeHandle("@ab").status(), "handle: must be 3-30 characters");
  ExpectInvalid(NormalizeHandle(std::string(31, 'a')).status(), "handle: must be 3-30 characters");
  ExpectInvalid(NormalizeHandle("").status(), "handle: must be 3-30 characters");
  for (const char* bad : {"al ice", "al-ice", "alicé", "al.ice", "@@alice", "alice\n"}) {
    ExpectInvalid(NormalizeHandle(bad).status(),
                  "handle: may only contain letters, digits and underscores");
  }
  ExpectInvalid(NormalizeHandle("1alice").status(), "handle: must start with a letter");
  ExpectInvalid(NormalizeHandle("_alice").status(), "handle: must start with a letter");
}

TEST(NormalizeHandleTest, RefusesReservedNamesInAnyCase) {
  for (const char* reserved : {"admin", "Administrator", "@ROOT", "support", "help", "clipforge",
                               "moderator", "staff", "system", "api", "www", "settings",
                               "security", "official", "null", "undefined", "ClipForge_Team",
                               "clipforgeofficial"}) {
    ExpectInvalid(NormalizeHandle(reserved).status(), "handle: is reserved");
  }
  EXPECT_TRUE(NormalizeHandle("admiral").ok());
  EXPECT_TRUE(NormalizeHandle("my_clipforge").ok());
}

TEST(NormalizeEmailTest, TrimsAndLowercases) {
  EXPECT_EQ(NormalizeEmail(" Alice.Smith@Example.COM\n").value(), "alice.smith@example.com");
  EXPECT_EQ(NormalizeEmail("a+tag@mail.example.co.uk").value(), "a+tag@mail.example.co.uk");
  EXPECT_EQ(NormalizeEmail("o'neil_x-1@sub-domain.example").value(),
            "o'neil_x-1@sub-domain.example");
  const std::string longest = absl::StrCat(std::string(64, 'l'), "@", std::string(63, 'd'), ".",
                                           std::string(63, 'd'), ".", std::string(61, 'd'));
  ASSERT_EQ(longest.size(), 254u);
  EXPECT_TRUE(NormalizeEmail(longest).ok());
}

TEST(NormalizeEmailTest, RefusesBadAddresses) {
  ExpectInvalid(NormalizeEmail("a@").status(), "email: must be 3-254 characters");
  ExpectInvalid(NormalizeEmail("   ").status(), "email: must be 3-254 characters");
  ExpectInvalid(NormalizeEmail(absl::StrCat("a@", std::string(250, 'd'), ".com")).status(),
                "email: must be 3-254 characters");
  ExpectInvalid(NormalizeEmail("alice.example.com").status(), "email: must contain exactly one '@'");
  ExpectInvalid(NormalizeEmail("a@b@example.com").status(), "email: must contain exactly one '@'");
  ExpectInvalid(NormalizeEmail("@example.com").status(),
                "email: the part before '@' must be 1-64 characters");
  ExpectInvalid(NormalizeEmail(absl::StrCat(std::string(65, 'l'), "@example.com")).status(),
                "email: the part before '@' must be 1-64 characters");
  for (const char* bad : {".alice@example.com", "alice.@example.com", "al..ice@example.com",
                          "al ice@example.com", "al\"ice@example.com", "alicé@example.com",
                          "al(ice)@example.com"}) {
    ExpectInvalid(NormalizeEmail(bad).status(), "email: the part before '@' is not valid");
  }
  for (const char* bad : {"alice@localhost", "alice@.example.com", "alice@example.com.",
                          "alice@example..com", "alice@-example.com", "alice@example-.com",
                          "alice@exa_mple.com", "alice@exämple.com", "alice@[127.0.0.1]",
                          "alice@example.com:80"}) {
    ExpectInvalid(NormalizeEmail(bad).status(), "email: the domain is not valid");
  }
  ExpectInvalid(
      NormalizeEmail(absl::StrCat("alice@", std::string(64, 'd'), ".com")).status(),
      "email: the domain is not valid");  // A 64-character label.
}

TEST(CheckPasswordTest, AcceptsAGoodPassword) {
  EXPECT_TRUE(CheckPassword("correct horse battery staple", "alice", "alice@example.com").ok());
  EXPECT_TRUE(CheckPassword("zq8#Lm2!vR", "alice", "alice@example.com").ok());  // Exactly 10.
  EXPECT_TRUE(CheckPassword(Repeat("é", 64) + Repeat("ß", 63) + "x", "", "").ok());  // 128 chars.
}

TEST(CheckPasswordTest, CountsCodePointsAndBytes) {
  ExpectInvalid(CheckPassword("zq8#Lm2!v", "", ""), "password: must be at least 10 characters");
  ExpectInvalid(CheckPassword(Repeat("é", 9), "", ""), "password: must be at least 10 characters");
  ExpectInvalid(CheckPassword(Repeat("é", 64) + Repeat("ß", 65), "", ""),
                "password: must be at most 128 characters");
  // 128 four-byte code points are exactly 512 bytes: accepted.
  EXPECT_TRUE(CheckPassword("🦊🐙" + Repeat("🌋🚲🎻🧩", 31) + "🪐🍋", "", "").ok());
  ExpectInvalid(CheckPassword(std::string(513, 'x'), "", ""), "password: must be at most 512 bytes");
  ExpectInvalid(CheckPassword("abcdefghij\xff", "", ""), "password: must be valid UTF-8");
  ExpectInvalid(CheckPassword("abcdefghij\xed\xa0\x80", "", ""),  // A UTF-16 surrogate.
                "password: must be valid UTF-8");
}

TEST(CheckPasswordTest, RefusesCommonPasswordsInAnyCase) {
  for (const char* common : {"1234567890", "QWERTYUIOP", "Password123", "iloveyou12",
                             "aaaaaaaaaaaa", "abcdefghijk", "2345678901"}) {
    ExpectInvalid(CheckPassword(common, "alice", "alice@example.com"), "password: is too common");
  }
}

TEST(CheckPasswordTest, RefusesTheHandleOrEmail) {
  const char* kMessage = "password: must not be your handle or email";
  ExpectInvalid(CheckPassword("Alice_Wonder", "@alice_wonder", "x@example.com"), kMessage);
  ExpectInvalid(CheckPassword("alice_wonder", "alice_wonder", "x@example.com"), kMessage);
  ExpectInvalid(CheckPassword("Alice.Smith.X", "bob", "alice.smith.x@example.com"), kMessage);
  ExpectInvalid(CheckPassword("ALICE.SMITH@EXAMPLE.COM", "bob", " alice.smith@example.com "),
                kMessage);
  EXPECT_TRUE(CheckPassword("alice_wonder!", "alice_wonder", "x@example.com").ok());
}

TEST(DisplayNameTest, AcceptsAndTrims) {
  EXPECT_TRUE(CheckDisplayName("Alice Smith").ok());
  EXPECT_TRUE(CheckDisplayName("Zoë 🦊 Ωmega").ok());
  EXPECT_TRUE(CheckDisplayName(Repeat("é", 50)).ok());
  EXPECT_EQ(NormalizeDisplayName("  Alice \n").value(), "Alice");
  ExpectInvalid(CheckDisplayName(" Alice"), "display_name: must not start or end with spaces");
}

TEST(DisplayNameTest, RefusesBadNames) {
  ExpectInvalid(CheckDisplayName(""), "display_name: is required");
  ExpectInvalid(NormalizeDisplayName("   ").status(), "display_name: is required");
  ExpectInvalid(CheckDisplayName(Repeat("é", 51)), "display_name: must be at most 50 characters");
  ExpectInvalid(CheckDisplayName("Ali\xc3"), "display_name: must be valid UTF-8");
  for (const std::string bad : {"Al\tice", "Al\nice", "Al\x01ice", "Al\x7fice",
                                "Al\xc2\x85ice",       // U+0085, a C1 control.
                                "Al\xe2\x80\xaeice",   // U+202E, right-to-left override.
                                "Al\xe2\x81\xa6ice"}) {  // U+2066, left-to-right isolate.
    ExpectInvalid(CheckDisplayName(bad), "display_name: must not contain control characters");
  }
}

TEST(BioTest, AllowsNewlinesUpTo500Characters) {
  EXPECT_TRUE(CheckBio("").ok());
  EXPECT_TRUE(CheckBio("Line one\nLine two\twith a tab").ok());
  EXPECT_TRUE(CheckBio(Repeat("ü", 500)).ok());
  ExpectInvalid(CheckBio(Repeat("ü", 501)), "bio: must be at most 500 characters");
  ExpectInvalid(CheckBio("bell\x07"), "bio: must not contain control characters");
  ExpectInvalid(CheckBio("\xff"), "bio: must be valid UTF-8");
}

TEST(LanguagesTest, AcceptsPlausibleTags) {
  EXPECT_TRUE(CheckLanguages({}).ok());
  EXPECT_TRUE(CheckLanguages({"en", "pt-BR", "zh-Hant-TW", "es-419", "gsw", "sl-rozaj-biske"}).ok());
  const std::vector<std::string> eight = {"en", "fr", "de", "it", "es", "pt", "nl", "sv"};
  EXPECT_TRUE(CheckLanguages(eight).ok());
}

TEST(LanguagesTest, RefusesBadLists) {
  const std::vector<std::string> nine = {"en", "fr", "de", "it", "es", "pt", "nl", "sv", "da"};
  ExpectInvalid(CheckLanguages(nine), "languages: must have at most 8 entries");
  ExpectInvalid(CheckLanguages({"en", "fr", "EN"}), "languages: must not list a language twice");
  const std::string kReason = ": must be a language tag such as 'en' or 'pt-BR'";
  for (const std::string bad : {"e", "english", "1en", "en_US", "en--US", "en-", "-en",
                                "en-abcdefghi", "é", "en US",
                                "en-aaaaaaaa-bbbbbbbb-cccccccc-dddddd"}) {
    ExpectInvalid(CheckLanguages({"fr", bad}), absl::StrCat("languages[1]", kReason));
  }
}

}  // namespace
}  // namespace clipforge::users
