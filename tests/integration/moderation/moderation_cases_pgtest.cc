// Reports, the review queue, decisions and appeals through ModerationService
// over a real Postgres and a real JetStream nats-server: the whole path
// from reports to a decision, its event and receipt, an appeal decided by
// another moderator; many moderators claiming at once never share a case;
// many reporters at once make one case; a lapsed claim decides nothing;
// normal users never reach the queue.
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "base/role.h"
#include "base/uuid.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/kit/proto_time.h"
#include "tests/support/moderation_test_server.h"

namespace clipforge::testing {
namespace {

using grpc::StatusCode;

struct Person {
  std::string id;
  std::string token;
};

class ModerationCasesTest : public ::testing::Test {
 protected:
  Person NewPerson(base::RoleSet roles) {
    Person person{ids_.Next(), ""};
    person.token = server_.Token(roles, person.id);
    return person;
  }
  Person NewUser() { return NewPerson({base::Role::kUser}); }
  Person NewModerator() { return NewPerson({base::Role::kUser, base::Role::kModerator}); }

  static void Authorize(grpc::ClientContext& ctx, const Person& who) {
    ctx.AddMetadata("authorization", "Bearer " + who.token);
  }

  grpc::Status Report(const Person& reporter, v1::ContentKind kind, const std::string& id,
                      v1::ModerationCategory reason, v1::Report* out) {
    v1::CreateReportRequest request;
    request.set_request_id(ids_.Next());
    request.mutable_target()->set_kind(kind);
    request.mutable_target()->set_id(id);
    request.set_reason(reason);
    request.set_details("seen in my feed");
    grpc::ClientContext ctx;
    Authorize(ctx, reporter);
    return stub_->CreateReport(&ctx, request, out);
  }

  v1::Report ReportOk(const Person& reporter, v1::ContentKind kind, const std::string& id,
                      v1::ModerationCategory reason = v1::MODERATION_CATEGORY_SPAM) {
    v1::Report out;
    const grpc::Status status = Report(reporter, kind, id, reason, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  grpc::Status Claim(const Person& moderator, v1::ClaimNextCaseResponse* out,
                     v1::ModerationService::Stub* stub = nullptr) {
    v1::ClaimNextCaseRequest request;
    request.set_request_id(ids_.Next());
    grpc::ClientContext ctx;
    Authorize(ctx, moderator);
    return (stub ? stub : stub_.get())->ClaimNextCase(&ctx, request, out);
  }

  v1::ClaimNextCaseResponse ClaimOk(const Person& moderator) {
    v1::ClaimNextCaseResponse out;
    const grpc::Status status = Claim(moderator, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static v1::StatementOfReasons Statement(bool appealable = true) {
    v1::StatementOfReasons s;
    s.set_ground(v1::DECISION_GROUND_TERMS_OF_SERVICE);
    s.set_ground_reference("Community guidelines 3.1 (spam)");
    s.set_facts("The account posted the same advertisement 40 times.");
    s.mutable_automation()->set_automated_detection(false);
    if (appealable) s.add_redress(v1::REDRESS_OPTION_INTERNAL_APPEAL);
    s.add_redress(v1::REDRESS_OPTION_OUT_OF_COURT_SETTLEMENT);
    return s;
  }

  v1::DecideCaseRequest Decision(const v1::CaseClaim& claim, v1::ModerationAction action) {
    v1::DecideCaseRequest request;
    request.set_request_id(ids_.Next());
    request.set_case_id(claim.case_id());
    request.set_claim_id(claim.claim_id());
    request.set_action(action);
    request.add_categories(v1::MODERATION_CATEGORY_SPAM);
    *request.mutable_statement() = Statement();
    return request;
  }

  grpc::Status Decide(const Person& moderator, const v1::DecideCaseRequest& request, v1::Decision* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, moderator);
    return stub_->DecideCase(&ctx, request, out);
  }

  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  ModerationTestServer server_;
  std::unique_ptr<v1::ModerationService::Stub> stub_ = server_.NewStub();
};

TEST_F(ModerationCasesTest, FromReportsToADecisionToAnAppealDecidedByAnotherModerator) {
  const Person alice = NewUser(), carol = NewUser(), bob = NewUser();
  const Person first_mod = NewModerator(), second_mod = NewModerator();
  const v1::Report report = ReportOk(alice, v1::CONTENT_KIND_USER, bob.id);
  ReportOk(carol, v1::CONTENT_KIND_USER, bob.id, v1::MODERATION_CATEGORY_HARASSMENT);
  EXPECT_EQ(report.status(), v1::REPORT_STATUS_OPEN);

  v1::ListCasesResponse queue;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, first_mod);
    ASSERT_TRUE(stub_->ListCases(&ctx, {}, &queue).ok());
  }
  ASSERT_EQ(queue.cases_size(), 1);
  EXPECT_EQ(queue.open_count(), 1);
  EXPECT_EQ(queue.cases(0).report_count(), 2);
  EXPECT_EQ(queue.cases(0).source(), v1::CASE_SOURCE_USER_REPORT);
  EXPECT_EQ(queue.cases(0).categories_size(), 2);

  const v1::ClaimNextCaseResponse claimed = ClaimOk(first_mod);
  ASSERT_TRUE(claimed.has_claim());
  EXPECT_EQ(claimed.review_case().case_id(), queue.cases(0).case_id());
  EXPECT_EQ(claimed.review_case().context().author().user_id(), bob.id);
  EXPECT_GT(kit::FromTimestamp(claimed.claim().expire_time()), absl::Now() + absl::Minutes(9));

  v1::DecideCaseRequest request = Decision(claimed.claim(), v1::MODERATION_ACTION_SUSPEND_ACCOUNT);
  *request.mutable_statement()->mutable_action_end_time() = kit::ToTimestamp(absl::Now() + absl::Hours(72));
  v1::Decision decision;
  ASSERT_TRUE(Decide(first_mod, request, &decision).ok());
  EXPECT_EQ(decision.moderator_id(), first_mod.id);
  v1::Decision replayed;
  ASSERT_TRUE(Decide(first_mod, request, &replayed).ok());
  EXPECT_EQ(replayed.decision_id(), decision.decision_id());

  // The decision travels through the outbox.
  server_.PublishEvents();
  bool published = false;
  for (const StreamMessage& message : server_.bus().ReadStream("clipforge.moderation.decided")) {
    if (message.envelope.moderation_decided().decision_id() != decision.decision_id()) continue;
    published = true;
    EXPECT_EQ(message.envelope.moderation_decided().action(), v1::MODERATION_ACTION_SUSPEND_ACCOUNT);
    EXPECT_EQ(message.envelope.moderation_decided().subject_user_id(), bob.id);
    EXPECT_TRUE(message.envelope.moderation_decided().has_action_end_time());
  }
  EXPECT_TRUE(published);

  // The reporter's receipt, without who decided.
  v1::Report receipt;
  {
    v1::GetReportRequest get;
    get.set_report_id(report.report_id());
    grpc::ClientContext ctx;
    Authorize(ctx, alice);
    ASSERT_TRUE(stub_->GetReport(&ctx, get, &receipt).ok());
  }
  EXPECT_EQ(receipt.status(), v1::REPORT_STATUS_ACTION_TAKEN);
  EXPECT_EQ(receipt.outcome().decision_id(), decision.decision_id());
  EXPECT_TRUE(receipt.outcome().moderator_id().empty());
  EXPECT_EQ(receipt.outcome().statement().facts(), request.statement().facts());

  // Bob appeals; the first moderator is never handed the appeal.
  v1::Appeal appeal;
  {
    v1::FileAppealRequest file;
    file.set_request_id(ids_.Next());
    file.set_decision_id(decision.decision_id());
    file.set_text("Those were my own event announcements.");
    grpc::ClientContext ctx;
    Authorize(ctx, bob);
    ASSERT_TRUE(stub_->FileAppeal(&ctx, file, &appeal).ok());
  }
  EXPECT_EQ(appeal.status(), v1::APPEAL_STATUS_PENDING);
  EXPECT_FALSE(ClaimOk(first_mod).has_review_case());
  const v1::ClaimNextCaseResponse appeal_claim = ClaimOk(second_mod);
  ASSERT_TRUE(appeal_claim.has_review_case());
  EXPECT_EQ(appeal_claim.review_case().source(), v1::CASE_SOURCE_APPEAL);
  EXPECT_EQ(appeal_claim.review_case().appeal_id(), appeal.appeal_id());
  ASSERT_EQ(appeal_claim.review_case().context().prior_decisions_size(), 1);

  v1::DecideAppealRequest outcome;
  outcome.set_request_id(ids_.Next());
  outcome.set_appeal_id(appeal.appeal_id());
  outcome.set_claim_id(appeal_claim.claim().claim_id());
  outcome.set_outcome(v1::APPEAL_STATUS_REVERSED);
  *outcome.mutable_statement() = Statement(/*appealable=*/false);
  {
    // The first moderator may not decide it even with the claim.
    grpc::ClientContext ctx;
    Authorize(ctx, first_mod);
    v1::Appeal refused;
    EXPECT_EQ(stub_->DecideAppeal(&ctx, outcome, &refused).error_code(), StatusCode::PERMISSION_DENIED);
  }
  v1::Appeal decided;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, second_mod);
    const grpc::Status status = stub_->DecideAppeal(&ctx, outcome, &decided);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(decided.status(), v1::APPEAL_STATUS_REVERSED);
  EXPECT_EQ(decided.outcome().action(), v1::MODERATION_ACTION_RESTORE);
  {
    v1::GetAppealRequest get;
    get.set_appeal_id(appeal.appeal_id());
    grpc::ClientContext ctx;
    Authorize(ctx, bob);
    v1::Appeal seen;
    ASSERT_TRUE(stub_->GetAppeal(&ctx, get, &seen).ok());
    EXPECT_EQ(seen.status(), v1::APPEAL_STATUS_REVERSED);
    EXPECT_TRUE(seen.outcome().moderator_id().empty());
  }

  // Every decision and the appeal are in the audit log, chained.
  const Person admin = NewPerson({base::Role::kUser, base::Role::kAdmin});
  v1::ListAuditEntriesResponse audit;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin);
    ASSERT_TRUE(stub_->ListAuditEntries(&ctx, {}, &audit).ok());
  }
  std::vector<std::string> actions;
  for (const v1::AuditEntry& entry : audit.entries()) actions.push_back(entry.action());
  EXPECT_EQ(actions, (std::vector<std::string>{"case.decided", "appeal.filed", "appeal.decided"}));
  v1::VerifyAuditChainResponse verified;
  grpc::ClientContext ctx;
  Authorize(ctx, admin);
  ASSERT_TRUE(stub_->VerifyAuditChain(&ctx, {}, &verified).ok());
  EXPECT_TRUE(verified.valid());
  EXPECT_EQ(verified.entries_checked(), 3);
}

TEST_F(ModerationCasesTest, ManyModeratorsClaimingAtOnceNeverShareACase) {
  constexpr int kCases = 40;
  constexpr int kModerators = 10;
  // Distinct reporters: one may file only so many a day.
  for (int i = 0; i < kCases; ++i) ReportOk(NewUser(), v1::CONTENT_KIND_CLIP, ids_.Next());
  std::vector<Person> moderators;
  for (int i = 0; i < kModerators; ++i) moderators.push_back(NewModerator());

  std::mutex mu;
  std::vector<std::string> claimed;
  int failures = 0;
  std::vector<std::thread> threads;
  for (const Person& moderator : moderators) {
    threads.emplace_back([&, moderator] {
      auto stub = server_.NewStub();
      // Each holds at most 5 claims: 10 x 5 covers the 40 cases.
      for (int i = 0; i < 5; ++i) {
        v1::ClaimNextCaseResponse response;
        const grpc::Status status = Claim(moderator, &response, stub.get());
        std::lock_guard lock(mu);
        if (!status.ok()) {
          ++failures;
          ADD_FAILURE() << status.error_message();
          return;
        }
        if (!response.has_claim()) return;
        claimed.push_back(response.claim().case_id());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  const std::set<std::string> distinct(claimed.begin(), claimed.end());
  EXPECT_EQ(distinct.size(), claimed.size()) << "a case was claimed twice";
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kCases));
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM moderation.cases WHERE status = 2"), kCases);
}

TEST_F(ModerationCasesTest, ManyReportersAtOnceMakeOneCase) {
  constexpr int kReporters = 16;
  const std::string clip = ids_.Next();
  std::vector<Person> reporters;
  for (int i = 0; i < kReporters; ++i) reporters.push_back(NewUser());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (const Person& reporter : reporters) {
    threads.emplace_back([&, reporter] {
      v1::Report out;
      const grpc::Status status = Report(reporter, v1::CONTENT_KIND_CLIP, clip, v1::MODERATION_CATEGORY_SPAM, &out);
      if (!status.ok()) ++failures;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM moderation.cases"), 1);
  EXPECT_EQ(server_.bus().Scalar("SELECT report_count FROM moderation.cases"), kReporters);
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM moderation.reports"), kReporters);
}

TEST_F(ModerationCasesTest, ALapsedClaimDecidesNothingAndTheCaseReturnsToTheQueue) {
  const Person alice = NewUser(), mod1 = NewModerator(), mod2 = NewModerator();
  ReportOk(alice, v1::CONTENT_KIND_CLIP, ids_.Next());
  const v1::ClaimNextCaseResponse abandoned = ClaimOk(mod1);
  ASSERT_TRUE(abandoned.has_claim());
  EXPECT_FALSE(ClaimOk(mod2).has_claim());
  // The lease runs out (the clock is the database's, moved here).
  pqxx::connection admin(server_.bus().pg().dsn());
  pqxx::nontransaction(admin).exec(
      "UPDATE moderation.cases SET claim_expires_at = now() - interval '1 second' WHERE status = 2");
  const v1::ClaimNextCaseResponse retaken = ClaimOk(mod2);
  ASSERT_TRUE(retaken.has_claim());
  EXPECT_EQ(retaken.claim().case_id(), abandoned.claim().case_id());

  v1::Decision decision;
  const grpc::Status late = Decide(mod1, Decision(abandoned.claim(), v1::MODERATION_ACTION_REMOVE), &decision);
  EXPECT_EQ(late.error_code(), StatusCode::FAILED_PRECONDITION);
  google::rpc::Status rich;
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rich.ParseFromString(late.error_details()));
  ASSERT_EQ(rich.details_size(), 1);
  ASSERT_TRUE(rich.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "CLAIM_EXPIRED");
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM moderation.decisions"), 0);
  EXPECT_TRUE(Decide(mod2, Decision(retaken.claim(), v1::MODERATION_ACTION_REMOVE), &decision).ok());
}

TEST_F(ModerationCasesTest, NormalUsersNeverReachTheQueueOrOthersReports) {
  const Person alice = NewUser(), mallory = NewUser();
  const v1::Report report = ReportOk(alice, v1::CONTENT_KIND_CLIP, ids_.Next());
  const auto denied = [&](auto call) {
    grpc::ClientContext ctx;
    Authorize(ctx, mallory);
    return call(ctx).error_code();
  };
  v1::ListCasesResponse cases;
  EXPECT_EQ(denied([&](grpc::ClientContext& c) { return stub_->ListCases(&c, {}, &cases); }),
            StatusCode::PERMISSION_DENIED);
  v1::ClaimNextCaseRequest claim;
  claim.set_request_id(ids_.Next());
  v1::ClaimNextCaseResponse claimed;
  EXPECT_EQ(denied([&](grpc::ClientContext& c) { return stub_->ClaimNextCase(&c, claim, &claimed); }),
            StatusCode::PERMISSION_DENIED);
  v1::GetCaseRequest get_case;
  get_case.set_case_id(ids_.Next());
  v1::ReviewCase review_case;
  EXPECT_EQ(denied([&](grpc::ClientContext& c) { return stub_->GetCase(&c, get_case, &review_case); }),
            StatusCode::PERMISSION_DENIED);
  v1::DecideCaseRequest decide;
  v1::Decision decision;
  EXPECT_EQ(denied([&](grpc::ClientContext& c) { return stub_->DecideCase(&c, decide, &decision); }),
            StatusCode::PERMISSION_DENIED);
  v1::DecideAppealRequest decide_appeal;
  v1::Appeal appeal;
  EXPECT_EQ(denied([&](grpc::ClientContext& c) { return stub_->DecideAppeal(&c, decide_appeal, &appeal); }),
            StatusCode::PERMISSION_DENIED);
  v1::ReleaseCaseRequest release;
  google::protobuf::Empty empty;
  EXPECT_EQ(denied([&](grpc::ClientContext& c) { return stub_->ReleaseCase(&c, release, &empty); }),
            StatusCode::PERMISSION_DENIED);
  v1::GetReportRequest get_report;
  get_report.set_report_id(report.report_id());
  v1::Report seen;
  EXPECT_EQ(denied([&](grpc::ClientContext& c) { return stub_->GetReport(&c, get_report, &seen); }),
            StatusCode::NOT_FOUND);
  // Nor can a stranger appeal a decision about someone else.
  v1::FileAppealRequest file;
  file.set_request_id(ids_.Next());
  file.set_decision_id(ids_.Next());
  file.set_text("let me");
  EXPECT_EQ(denied([&](grpc::ClientContext& c) { return stub_->FileAppeal(&c, file, &appeal); }),
            StatusCode::NOT_FOUND);
}

TEST_F(ModerationCasesTest, BadRequestsAreRefusedNamingTheField) {
  const Person alice = NewUser(), mod = NewModerator();
  v1::Report out;
  grpc::Status status = Report(alice, v1::CONTENT_KIND_UNSPECIFIED, "not-a-uuid", v1::MODERATION_CATEGORY_UNSPECIFIED,
                               &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("target.kind"), std::string::npos);
  EXPECT_NE(status.error_message().find("target.id"), std::string::npos);
  EXPECT_NE(status.error_message().find("reason"), std::string::npos);

  ReportOk(alice, v1::CONTENT_KIND_CLIP, ids_.Next());
  const v1::ClaimNextCaseResponse claimed = ClaimOk(mod);
  v1::DecideCaseRequest request = Decision(claimed.claim(), v1::MODERATION_ACTION_REMOVE);
  request.mutable_statement()->clear_facts();
  request.mutable_statement()->clear_redress();
  v1::Decision decision;
  status = Decide(mod, request, &decision);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("statement.facts"), std::string::npos);
  EXPECT_NE(status.error_message().find("statement.redress"), std::string::npos);

  v1::ClaimNextCaseRequest claim;
  claim.set_request_id(ids_.Next());
  claim.mutable_claim_duration()->set_seconds(3600);
  v1::ClaimNextCaseResponse response;
  grpc::ClientContext ctx;
  Authorize(ctx, mod);
  status = stub_->ClaimNextCase(&ctx, claim, &response);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("claim_duration"), std::string::npos);
}

TEST_F(ModerationCasesTest, ReleaseReturnsACaseAndListsPageThroughReportsAndCases) {
  const Person alice = NewUser(), mod = NewModerator();
  std::vector<std::string> filed;
  for (int i = 0; i < 3; ++i) filed.push_back(ReportOk(alice, v1::CONTENT_KIND_CLIP, ids_.Next()).report_id());

  // The reporter's list, newest first, two a page.
  std::vector<std::string> listed;
  v1::ListMyReportsRequest mine;
  mine.set_page_size(2);
  for (int page = 0; page < 3; ++page) {
    v1::ListMyReportsResponse response;
    grpc::ClientContext ctx;
    Authorize(ctx, alice);
    ASSERT_TRUE(stub_->ListMyReports(&ctx, mine, &response).ok());
    for (const v1::Report& r : response.reports()) listed.push_back(r.report_id());
    if (response.next_page_token().empty()) break;
    mine.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(listed, (std::vector<std::string>{filed[2], filed[1], filed[0]}));

  // The queue, one case a page.
  std::vector<std::string> cases;
  v1::ListCasesRequest queue;
  queue.set_page_size(1);
  for (int page = 0; page < 4; ++page) {
    v1::ListCasesResponse response;
    grpc::ClientContext ctx;
    Authorize(ctx, mod);
    ASSERT_TRUE(stub_->ListCases(&ctx, queue, &response).ok());
    EXPECT_EQ(response.open_count(), 3);
    for (const v1::ReviewCase& c : response.cases()) cases.push_back(c.case_id());
    if (response.next_page_token().empty()) break;
    queue.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(cases.size(), 3u);

  const v1::ClaimNextCaseResponse claimed = ClaimOk(mod);
  ASSERT_TRUE(claimed.has_claim());
  EXPECT_EQ(claimed.claim().case_id(), cases[0]) << "the queue's order is the claims' order";
  v1::GetCaseRequest get;
  get.set_case_id(claimed.claim().case_id());
  v1::ReviewCase seen;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, mod);
    ASSERT_TRUE(stub_->GetCase(&ctx, get, &seen).ok());
  }
  EXPECT_EQ(seen.status(), v1::CASE_STATUS_CLAIMED);
  EXPECT_EQ(seen.report_count(), 1);

  v1::ReleaseCaseRequest release;
  release.set_request_id(ids_.Next());
  release.set_case_id(claimed.claim().case_id());
  release.set_claim_id(claimed.claim().claim_id());
  google::protobuf::Empty empty;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, mod);
    ASSERT_TRUE(stub_->ReleaseCase(&ctx, release, &empty).ok());
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx, mod);
    ASSERT_TRUE(stub_->GetCase(&ctx, get, &seen).ok());
  }
  EXPECT_EQ(seen.status(), v1::CASE_STATUS_OPEN);
  EXPECT_EQ(ClaimOk(mod).claim().case_id(), claimed.claim().case_id()) << "released to the front of the queue";
}

}  // namespace
}  // namespace clipforge::testing
