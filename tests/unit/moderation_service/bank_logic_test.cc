// BankLogic over the fake store: admins only, imports that report bad
// entries without failing, the entry limit that adds nothing, replays.
#include "services/moderation/bank_logic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "services/kit/event_factory.h"
#include "tests/unit/moderation_service/fake_moderation_store.h"

namespace clipforge::moderation_service::testing {
namespace {

using base::testing::StatusIs;
using ::testing::HasSubstr;

class BankLogicTest : public ::testing::Test {
 protected:
  kit::IdempotencyKey Key() { return {admin_.user_id, ids_.Next(), "M", "f"}; }
  HashBankRecord NewBank(const std::string& name) {
    return {.name = name, .category = v1::MODERATION_CATEGORY_SPAM, .decision = v1::MODERATION_DECISION_REVIEW};
  }
  static std::string Hash(char fill) { return std::string(32, fill); }

  base::testing::FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory factory_{ids_, clock_};
  ModerationEvents events_{factory_};
  FakeModerationStore store_;
  BankLogic logic_{store_, clock_, ids_, events_, {.max_entries = 4, .max_allow_list = 1}};
  kit::Caller admin_{.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kAdmin}};
  kit::Caller moderator_{.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kModerator}};
};

TEST_F(BankLogicTest, OnlyAdminsManageBanks) {
  EXPECT_THAT(logic_.Create(moderator_, Key(), NewBank("x")), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(logic_.List(moderator_, "", 10), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(logic_.Import(moderator_, Key(), ids_.Next(), {}), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_TRUE(store_.state().banks.empty());
}

TEST_F(BankLogicTest, AnImportAddsTheGoodReportsTheBadAndCountsDuplicates) {
  ASSERT_OK_AND_ASSIGN(const HashBankRecord bank, logic_.Create(admin_, Key(), NewBank("spam")));
  ASSERT_OK_AND_ASSIGN(const ImportOutcome first,
                       logic_.Import(admin_, Key(), bank.bank_id,
                                     {{Hash('a'), "1"}, {"short", "2"}, {Hash('a'), "3"}, {Hash('b'), "4"}}));
  EXPECT_EQ(first.added, 2);
  EXPECT_EQ(first.duplicates, 1);
  EXPECT_EQ(first.rejected, 1);
  ASSERT_EQ(first.rejections.size(), 1u);
  EXPECT_EQ(first.rejections[0].index, 1);
  EXPECT_EQ(first.rejections[0].reason, "BAD_FORMAT");
  ASSERT_OK_AND_ASSIGN(const ImportOutcome again, logic_.Import(admin_, Key(), bank.bank_id, {{Hash('b'), "x"}}));
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(again.duplicates, 1);
  const FakeModerationState state = store_.state();
  EXPECT_EQ(state.banks.at(bank.bank_id).entry_count, 2);
  EXPECT_EQ(state.bank_entries.size(), 2u);
  EXPECT_EQ(state.events.back().type(), kBankChangedSubject);
  EXPECT_EQ(state.events.back().moderation_bank_changed().bank_version(), state.banks_version);
  EXPECT_EQ(state.audit.back().fields.action, "bank.imported");
}

TEST_F(BankLogicTest, AnImportPastTheLimitAddsNothing) {
  ASSERT_OK_AND_ASSIGN(const HashBankRecord bank, logic_.Create(admin_, Key(), NewBank("spam")));
  ASSERT_TRUE(logic_.Import(admin_, Key(), bank.bank_id, {{Hash('a'), ""}, {Hash('b'), ""}, {Hash('c'), ""}}).ok());
  EXPECT_THAT(logic_.Import(admin_, Key(), bank.bank_id, {{Hash('d'), ""}, {Hash('e'), ""}}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(store_.state().bank_entries.size(), 3u);
}

TEST_F(BankLogicTest, ARetriedImportReplaysItsOutcome) {
  ASSERT_OK_AND_ASSIGN(const HashBankRecord bank, logic_.Create(admin_, Key(), NewBank("spam")));
  const kit::IdempotencyKey key = Key();
  ASSERT_OK_AND_ASSIGN(const ImportOutcome first, logic_.Import(admin_, key, bank.bank_id, {{Hash('a'), ""}, {"x", ""}}));
  ASSERT_OK_AND_ASSIGN(const ImportOutcome replay, logic_.Import(admin_, key, bank.bank_id, {{Hash('a'), ""}, {"x", ""}}));
  EXPECT_EQ(replay.added, first.added);
  EXPECT_EQ(replay.rejected, first.rejected);
  EXPECT_EQ(replay.version, first.version);
  ASSERT_EQ(replay.rejections.size(), 1u);
  EXPECT_EQ(replay.rejections[0].index, 1);
}

TEST_F(BankLogicTest, NamesAreUniqueAndTheAllowListIsBounded) {
  ASSERT_OK_AND_ASSIGN(const HashBankRecord bank, logic_.Create(admin_, Key(), NewBank("spam")));
  EXPECT_THAT(logic_.Create(admin_, Key(), NewBank("spam")),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("bank.name")));
  ASSERT_TRUE(logic_.AddAllowed(admin_, Key(), {.bank_id = bank.bank_id, .hash = Hash('a'), .reason = "fp"}).ok());
  EXPECT_THAT(logic_.AddAllowed(admin_, Key(), {.hash = Hash('b'), .reason = "fp"}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(logic_.AddAllowed(admin_, Key(), {.bank_id = ids_.Next(), .hash = Hash('b'), .reason = "fp"}),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace clipforge::moderation_service::testing
