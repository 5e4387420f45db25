// The audit log over the fake store: every rule and policy change appends
// one chained entry in its own transaction, refused changes append
// nothing, and Verify finds a changed entry.
#include "services/moderation/audit_logic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "services/kit/event_factory.h"
#include "services/moderation/rule_logic.h"
#include "tests/unit/moderation_service/fake_moderation_store.h"

namespace clipforge::moderation_service::testing {
namespace {

using base::testing::StatusIs;
using ::testing::HasSubstr;

class AuditLogicTest : public ::testing::Test {
 protected:
  kit::IdempotencyKey Key() { return {admin_.user_id, ids_.Next(), "m", "f"}; }

  RuleRecord CreateKill() {
    return rules_
        .Create(admin_, Key(),
                {.kind = v1::RULE_KIND_KEYWORD,
                 .pattern = "kill",
                 .category = v1::MODERATION_CATEGORY_VIOLENCE,
                 .decision = v1::MODERATION_DECISION_BLOCK})
        .value();
  }

  base::testing::FakeClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory factory_{ids_, clock_};
  ModerationEvents events_{factory_};
  FakeModerationStore store_;
  RuleLogic rules_{store_, clock_, ids_, events_};
  AuditLogic audit_{store_};
  kit::Caller admin_{.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kAdmin}};
};

TEST_F(AuditLogicTest, EveryChangeAppendsOneChainedEntry) {
  const RuleRecord rule = CreateKill();
  clock_.Advance(absl::Seconds(1));
  RuleRecord values;
  values.enabled = false;
  ASSERT_TRUE(rules_.Update(admin_, Key(), rule.rule_id, values, {.enabled = true}).ok());
  ASSERT_TRUE(rules_.Delete(admin_, Key(), rule.rule_id).ok());
  ASSERT_TRUE(rules_.UpdatePolicy(admin_, Key(), {.category = v1::MODERATION_CATEGORY_SPAM, .queue_priority = 5},
                                  {.queue_priority = true})
                  .ok());
  // Refused: nothing appended.
  EXPECT_FALSE(rules_.Delete(admin_, Key(), rule.rule_id).ok());

  ASSERT_OK_AND_ASSIGN(const AuditPage page, audit_.List(admin_, {}, 10));
  ASSERT_EQ(page.entries.size(), 4u);
  EXPECT_EQ(page.next_sequence, 0);
  const std::vector<std::string> actions = {"rule.created", "rule.updated", "rule.deleted", "policy.updated"};
  for (size_t i = 0; i < 4; ++i) {
    const AuditEntryRecord& e = page.entries[i];
    EXPECT_EQ(e.fields.sequence, static_cast<int64_t>(i + 1));
    EXPECT_EQ(e.fields.action, actions[i]);
    EXPECT_EQ(e.fields.actor_id, admin_.user_id);
    EXPECT_EQ(e.prev_hash, i == 0 ? moderation::GenesisHash() : page.entries[i - 1].entry_hash);
  }
  EXPECT_EQ(page.entries[0].fields.object_id, rule.rule_id);
  EXPECT_THAT(page.entries[1].fields.details_json, HasSubstr("\"enabled\":false"));
  EXPECT_EQ(page.entries[3].fields.object_id, "MODERATION_CATEGORY_SPAM");

  ASSERT_OK_AND_ASSIGN(const ChainReport report, audit_.Verify(admin_, 0, 0));
  EXPECT_TRUE(report.valid);
  EXPECT_EQ(report.checked, 4);
  EXPECT_EQ(report.last_sequence, 4);
  EXPECT_EQ(report.last_hash, page.entries[3].entry_hash);
}

TEST_F(AuditLogicTest, VerifyNamesTheFirstChangedEntry) {
  for (int i = 0; i < 5; ++i) CreateKill();
  FakeModerationState state = store_.state();
  state.audit[2].fields.details_json = "{\"pattern\":\"kiss\"}";
  store_.set_state(state);
  ASSERT_OK_AND_ASSIGN(ChainReport report, audit_.Verify(admin_, 0, 0));
  EXPECT_FALSE(report.valid);
  EXPECT_EQ(report.first_invalid, 3);
  EXPECT_EQ(report.last_sequence, 2);
  // A range after the change still holds on its own links.
  ASSERT_OK_AND_ASSIGN(report, audit_.Verify(admin_, 4, 5));
  EXPECT_TRUE(report.valid);
  EXPECT_EQ(report.checked, 2);

  state.audit.erase(state.audit.begin() + 4);  // The last entry removed, the head not.
  store_.set_state(state);
  ASSERT_OK_AND_ASSIGN(report, audit_.Verify(admin_, 4, 0));
  EXPECT_FALSE(report.valid);
  EXPECT_EQ(report.first_invalid, 5);
}

TEST_F(AuditLogicTest, OnlyAdminsReadAndRangesAreChecked) {
  CreateKill();
  const kit::Caller moderator{.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kModerator}};
  EXPECT_THAT(audit_.List(moderator, {}, 10), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(audit_.Verify(moderator, 0, 0), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(audit_.Verify(admin_, 1, 2), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(audit_.Verify(admin_, -1, 0), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AuditLogicTest, ListPagesAndFiltersByActor) {
  for (int i = 0; i < 5; ++i) CreateKill();
  ASSERT_OK_AND_ASSIGN(AuditPage page, audit_.List(admin_, {.from_sequence = 1}, 2));
  EXPECT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.next_sequence, 3);
  ASSERT_OK_AND_ASSIGN(page, audit_.List(admin_, {.from_sequence = 1, .actor_id = "someone else"}, 10));
  EXPECT_TRUE(page.entries.empty());
}

}  // namespace
}  // namespace clipforge::moderation_service::testing
