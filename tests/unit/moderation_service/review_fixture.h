// What the report, review and appeal logic tests share: the logic over one
// fake store, a clock the tests move, and callers in each role.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "services/kit/event_factory.h"
#include "services/moderation/appeal_logic.h"
#include "services/moderation/report_logic.h"
#include "services/moderation/review_logic.h"
#include "tests/unit/moderation_service/fake_moderation_store.h"

namespace clipforge::moderation_service::testing {

class ReviewFixture : public ::testing::Test {
 protected:
  kit::Caller User() { return {.user_id = ids_.Next(), .roles = {base::Role::kUser}}; }
  kit::Caller Moderator() { return {.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kModerator}}; }
  kit::IdempotencyKey Key(const kit::Caller& caller, const std::string& method = "M") {
    return {caller.user_id, ids_.Next(), method, "f"};
  }

  // Files a report by `reporter` on `target`, asserting it worked.
  ReportView Report(const kit::Caller& reporter, const TargetRef& target,
                    v1::ModerationCategory reason = v1::MODERATION_CATEGORY_SPAM) {
    absl::StatusOr<ReportView> view = reports_.Create(reporter, Key(reporter), {.target = target, .reason = reason});
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? *view : ReportView{};
  }

  // Claims the next case as `moderator`, asserting one was there.
  ClaimedCase Claim(const kit::Caller& moderator, absl::Duration hold = absl::Minutes(10)) {
    absl::StatusOr<std::optional<ClaimedCase>> claimed = review_.ClaimNext(moderator, Key(moderator), {}, hold);
    EXPECT_TRUE(claimed.ok() && claimed->has_value()) << claimed.status();
    return claimed.ok() && claimed->has_value() ? **claimed : ClaimedCase{};
  }

  static v1::StatementOfReasons Statement() {
    v1::StatementOfReasons s;
    s.set_ground(v1::DECISION_GROUND_TERMS_OF_SERVICE);
    s.set_ground_reference("Terms 4.2 (spam)");
    s.set_facts("The clip repeats an advertisement.");
    s.mutable_automation()->set_automated_detection(false);
    s.add_redress(v1::REDRESS_OPTION_INTERNAL_APPEAL);
    return s;
  }

  // Decides the claimed case with `action`, asserting it worked.
  DecisionRecord Decide(const kit::Caller& moderator, const ClaimedCase& claimed,
                        v1::ModerationAction action = v1::MODERATION_ACTION_REMOVE) {
    absl::StatusOr<DecisionRecord> decision = review_.Decide(
        moderator, Key(moderator),
        {.case_id = claimed.claim.case_id, .claim_id = claimed.claim.claim_id, .action = action,
         .categories = {v1::MODERATION_CATEGORY_SPAM}, .statement = Statement()});
    EXPECT_TRUE(decision.ok()) << decision.status();
    return decision.ok() ? *decision : DecisionRecord{};
  }

  TargetRef UserTarget(const kit::Caller& user) { return {v1::CONTENT_KIND_USER, user.user_id}; }
  TargetRef ClipTarget() { return {v1::CONTENT_KIND_CLIP, ids_.Next()}; }

  base::testing::FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory factory_{ids_, clock_};
  ModerationEvents events_{factory_};
  FakeModerationStore store_;
  ReportLogic reports_{store_, clock_, ids_, events_, {.max_reports_per_day = 3}};
  ReviewLogic review_{store_, clock_, ids_, events_, {.max_claims_per_moderator = 2}};
  AppealLogic appeals_{store_, clock_, ids_, events_};
};

}  // namespace clipforge::moderation_service::testing
