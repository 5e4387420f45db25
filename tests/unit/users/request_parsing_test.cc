// The adapter's validation and conversion of requests: every bad field
// named, values normalized.
#include "services/users/request_parsing.h"

#include <gtest/gtest.h>

#include "base/testing/status_matchers.h"

namespace clipforge::users {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kRequestId[] = "0190d8e1-7c2a-7f00-8000-000000000001";

v1::RegisterRequest RegisterRequestWith(const std::string& password) {
  v1::RegisterRequest r;
  r.set_request_id(kRequestId);
  r.set_handle("@Carol");
  r.set_email(" Carol-The-User@Example.com ");
  r.set_password(password);
  r.set_display_name("  Carol ");
  return r;
}

TEST(ParseRegistrationTest, NormalizesHandleEmailAndDisplayName) {
  ASSERT_OK_AND_ASSIGN(const Registration r, ParseRegistration(RegisterRequestWith("correct horse battery")));
  EXPECT_EQ(r.handle, "carol");
  EXPECT_EQ(r.email, "carol-the-user@example.com");
  EXPECT_EQ(r.display_name, "Carol");
}

TEST(ParseRegistrationTest, CommonShortAndPersonalPasswordsAreRefused) {
  for (const std::string password : {"password123", "short", "carol-the-user", "CAROL-the-user"}) {
    EXPECT_THAT(ParseRegistration(RegisterRequestWith(password)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("password")))
        << password;
  }
}

TEST(ParseRegistrationTest, NamesEveryBadField) {
  v1::RegisterRequest r = RegisterRequestWith("correct horse battery");
  r.set_request_id("not-a-uuid");
  r.set_handle("x");
  r.set_email("no-at-sign");
  r.add_languages("not a tag");
  EXPECT_THAT(ParseRegistration(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             AllOf(HasSubstr("request_id"), HasSubstr("handle"),
                                                   HasSubstr("email"), HasSubstr("languages"))));
}

TEST(ParseRegistrationTest, TheBirthDateIsOptionalAndMustBeADate) {
  ASSERT_OK_AND_ASSIGN(const Registration none, ParseRegistration(RegisterRequestWith("correct horse battery")));
  EXPECT_EQ(none.birth_date, std::nullopt);
  v1::RegisterRequest r = RegisterRequestWith("correct horse battery");
  r.set_birth_date("2011-01-10");
  ASSERT_OK_AND_ASSIGN(const Registration dated, ParseRegistration(r));
  EXPECT_EQ(dated.birth_date, absl::CivilDay(2011, 1, 10));
  for (const char* bad : {"2011-1-10", "10/01/2011", "2011-02-29", "1899-12-31"}) {
    r.set_birth_date(bad);
    EXPECT_THAT(ParseRegistration(r), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("birth_date")))
        << bad;
  }
  // Named beside the other bad fields.
  r.set_handle("x");
  r.set_birth_date("someday");
  EXPECT_THAT(ParseRegistration(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             AllOf(HasSubstr("handle"), HasSubstr("birth_date"))));
}

TEST(ParseProfileChangeTest, TakesOnlyTheMaskedFields) {
  v1::UpdateMyProfileRequest r;
  r.set_request_id(kRequestId);
  r.mutable_update_mask()->add_paths("bio");
  r.mutable_profile()->set_bio("hello");
  r.mutable_profile()->set_display_name("ignored: not in the mask");
  ASSERT_OK_AND_ASSIGN(const ProfileChange change, ParseProfileChange(r));
  EXPECT_EQ(change.bio, "hello");
  EXPECT_FALSE(change.display_name.has_value());
}

TEST(ParseProfileChangeTest, RefusesUnknownPathsAndBadValuesNamingThem) {
  v1::UpdateMyProfileRequest r;
  r.set_request_id(kRequestId);
  EXPECT_THAT(ParseProfileChange(r), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask")));
  r.mutable_update_mask()->add_paths("email");
  r.mutable_update_mask()->add_paths("avatar");
  r.mutable_profile()->mutable_avatar()->set_sha256("XYZ");
  EXPECT_THAT(ParseProfileChange(r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("'email' cannot be updated"), HasSubstr("profile.avatar.sha256"))));
}

TEST(ParseProfileChangeTest, ManyMaskPathsGetAShortRefusal) {
  for (const int n : {5, 1'000, 100'000}) {
    v1::UpdateMyProfileRequest r;
    r.set_request_id(kRequestId);
    for (int i = 0; i < n; ++i) r.mutable_update_mask()->add_paths("");
    const absl::Status status = ParseProfileChange(r).status();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask: at most 4 paths")));
    EXPECT_LT(status.message().size(), 200u) << n;
  }
}

TEST(ParseProfileChangeTest, RefusesAPathNamedTwice) {
  v1::UpdateMyProfileRequest r;
  r.set_request_id(kRequestId);
  r.mutable_update_mask()->add_paths("bio");
  r.mutable_update_mask()->add_paths("bio");
  r.mutable_profile()->set_bio("hello");
  EXPECT_THAT(ParseProfileChange(r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask: 'bio' is named twice")));
}

TEST(ParseProfileChangeTest, ManyBadPathsAreCountedNotSpelledOut) {
  v1::UpdateMyProfileRequest r;
  r.set_request_id("not a uuid");
  for (const char* path : {"", "x", "y", "bio"}) r.mutable_update_mask()->add_paths(path);
  r.mutable_profile()->set_bio(std::string(100'000, 'b'));
  const absl::Status status = ParseProfileChange(r).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("request_id"), HasSubstr("profile.bio"))));
  EXPECT_LT(status.message().size(), 1'000u);
}

TEST(ParseUserLookupTest, OneOfUserIdOrHandle) {
  v1::GetPublicProfileRequest r;
  EXPECT_THAT(ParseUserLookup(r), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lookup")));
  r.set_handle("@Dave");
  ASSERT_OK_AND_ASSIGN(const UserLookup by_handle, ParseUserLookup(r));
  EXPECT_EQ(by_handle.handle, "dave");
  r.set_user_id("nope");
  EXPECT_THAT(ParseUserLookup(r), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("user_id")));
}

TEST(ParseLoginTest, KeysOnWhatTheUserTypedNormalized) {
  v1::LoginRequest r;
  r.set_request_id(kRequestId);
  r.set_handle_or_email("  @Dave ");
  r.set_password("x");
  ASSERT_OK_AND_ASSIGN(const LoginAttempt attempt, ParseLogin(r));
  EXPECT_EQ(attempt.login_key, "dave");
  r.clear_password();
  EXPECT_THAT(ParseLogin(r), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("password")));
}

}  // namespace
}  // namespace clipforge::users
