// The tipping logic's world for unit tests: a fake clock, the fake stores,
// a started ledger writer over them, the sandbox provider and TippingLogic,
// with the small helpers every logic test uses. The tips, top-ups,
// earnings release and ledger health tests derive their fixtures from it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/role.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "base/uuid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/account.h"
#include "services/kit/event_factory.h"
#include "services/tipping/tipping_logic.h"
#include "tests/unit/tipping_service/fake_ledger_store.h"
#include "tests/unit/tipping_service/fake_tipping_store.h"

namespace clipforge::tipping_service::testing {

class TippingWorldTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(writer_.Start(), base::testing::IsOk()); }
  void TearDown() override { writer_.Stop(); }

  kit::Caller User() { return kit::Caller{.user_id = ids_.Next(), .roles = {base::Role::kUser}}; }

  // A clip by `author` in the directory (a fork of `parent` when given).
  std::string Clip(const kit::Caller& author, const std::string& parent = "") {
    const std::string clip_id = ids_.Next();
    EXPECT_THAT(store_.PutClip({.clip_id = clip_id, .author_id = author.user_id, .parent_clip_id = parent}),
                base::testing::IsOk());
    return clip_id;
  }

  // The user's balance of `kind` now; -1 when it cannot be read.
  ledger::Micros Balance(const kit::Caller& user, ledger::AccountKind kind) {
    const absl::StatusOr<std::vector<AccountBalanceView>> balances = logic_.GetBalance(user, "", std::nullopt);
    EXPECT_THAT(balances, base::testing::IsOk());
    if (!balances.ok()) return -1;
    for (const AccountBalanceView& view : *balances) {
      if (view.kind == kind) return view.balance;
    }
    return -1;
  }

  base::testing::FakeClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory factory_{ids_, clock_};
  TippingEvents events_{factory_};
  FakeLedgerStore ledger_;
  FakeTippingStore store_{ledger_};
  LedgerWriter writer_{ledger_, clock_};
  PaymentProviders providers_ = [] {
    PaymentProviders providers;
    providers.Add(std::make_unique<SandboxPaymentProvider>());
    return providers;
  }();
  TippingLogic logic_{store_, writer_, providers_, events_, clock_, TippingConfig{}};
};

}  // namespace clipforge::tipping_service::testing
