// The users logic over the in-memory fake store, a fake clock and cheap
// password hashing: what every logic test starts from.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "base/uuid.h"
#include "clipforge/v1/users.pb.h"
#include "services/kit/access_token.h"
#include "services/kit/compute_slots.h"
#include "services/kit/idempotency.h"
#include "services/kit/event_factory.h"
#include "services/users/logic.h"
#include "tests/unit/users/fake_users_store.h"

namespace clipforge::users::testing {

using base::testing::IsOk;
using base::testing::IsOkAndHolds;
using base::testing::StatusIs;
using ::testing::HasSubstr;

inline constexpr char kPassword[] = "correct horse battery";
inline constexpr char kAddress[] = "203.0.113.7";

class UsersLogicTest : public ::testing::Test {
 protected:
  std::string NewId() { return ids_.Next(); }

  Registration RegistrationOf(const std::string& handle, const std::string& password = kPassword) {
    return {.request_id = NewId(),
            .handle = handle,
            .email = handle + "@example.com",
            .password = password,
            .display_name = "Name of " + handle};
  }

  // Registers `handle`; the test fails unless it works.
  SignedIn Register(const std::string& handle) {
    absl::StatusOr<SignedIn> signed_in = sessions_.Register(RegistrationOf(handle), kAddress);
    EXPECT_THAT(signed_in, IsOk());
    return signed_in.value_or(SignedIn{});
  }

  LoginAttempt LoginOf(const std::string& who, const std::string& password = kPassword) {
    return {NewId(), LoginKey(who), password, "phone"};
  }

  // The caller an access token of `who` stands for.
  static kit::Caller CallerOf(const SignedIn& who) {
    return {who.account.user_id, who.account.roles, who.tokens.session_id};
  }

  // An idempotency key for a fresh request (any message stands in for it:
  // the logic only compares keys).
  kit::IdempotencyKey KeyFor(const SignedIn& who, const std::string& request_id = "") {
    v1::FollowRequest request;
    request.set_request_id(request_id.empty() ? NewId() : request_id);
    return kit::IdempotencyKeyFor(who.account.user_id, request.request_id(), request);
  }

  // Makes `who` an admin the way the operator does; returns a caller with
  // the admin role in its token.
  kit::Caller MakeAdmin(const SignedIn& who) {
    EXPECT_THAT(roles_.MakeAdmin(who.account.handle), IsOkAndHolds(true));
    kit::Caller caller = CallerOf(who);
    caller.roles = caller.roles.With(base::Role::kAdmin);
    return caller;
  }

  base::testing::FakeClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory factory_{ids_, clock_};
  UserEvents events_{factory_};
  FakeUsersStore store_;
  kit::AccessTokenSigner signer_ =
      kit::AccessTokenSigner::FromSeed("test1", kit::GenerateSigningKeySeed(random_)).value();
  PasswordHasher hasher_ = PasswordHasher::Create({.ops_limit = 1, .mem_limit = 64 * 1024}).value();
  kit::ComputeSlots compute_{{.slots = 1, .pin = false}};
  PasswordWork passwords_{hasher_, compute_};
  LoginThrottle throttle_{LoginThrottleOptions{}};
  UsersLogicOptions options_;
  SessionLogic sessions_{store_, clock_, ids_, random_, signer_, passwords_, throttle_, events_, options_};
  ProfileLogic profiles_{store_, clock_, events_};
  GraphLogic graph_{store_, clock_, events_, options_};
  RoleLogic roles_{store_, clock_, events_};
  PrivacyLogic privacy_{store_, clock_, passwords_, throttle_, events_, options_};
};

}  // namespace clipforge::users::testing
