// ModerationService's prompt filter and rules over a real Postgres and a
// real JetStream nats-server, wired as `clipforged serve` wires it: a rule
// an admin creates is live on the server that took it when CreateRule
// answers (the poll interval is an hour here), bad rules never reach the
// live policy, retries replay, and only admins touch rules. That the
// rule_changed event carries a change to other instances is shown with two
// clipforged processes (tests/e2e/moderation_cli_e2etest.cc); the rules of
// matching themselves are unit-tested (tests/unit/moderation*).
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <pqxx/pqxx>

#include "base/role.h"
#include "base/uuid.h"
#include "tests/support/moderation_test_server.h"

namespace clipforge::testing {
namespace {

using grpc::StatusCode;

class ModerationServiceTest : public ::testing::Test {
 protected:
  std::string NewId() { return ids_.Next(); }

  void Authorize(grpc::ClientContext& ctx, const std::string& token) {
    ctx.AddMetadata("authorization", "Bearer " + token);
  }

  grpc::Status Create(const v1::Rule& rule, v1::Rule* out, const std::string& request_id = "") {
    v1::CreateRuleRequest request;
    request.set_request_id(request_id.empty() ? NewId() : request_id);
    *request.mutable_rule() = rule;
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    return stub_->CreateRule(&ctx, request, out);
  }

  v1::Rule CreateOk(const v1::Rule& rule) {
    v1::Rule out;
    const grpc::Status status = Create(rule, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static v1::Rule Keyword(const std::string& pattern, v1::ModerationCategory category,
                          v1::ModerationDecision decision = v1::MODERATION_DECISION_BLOCK,
                          v1::RuleKind kind = v1::RULE_KIND_KEYWORD) {
    v1::Rule rule;
    rule.set_kind(kind);
    rule.set_pattern(pattern);
    rule.set_category(category);
    rule.set_decision(decision);
    rule.set_enabled(true);
    return rule;
  }

  // Publishes the outbox and waits until the live policy has `version`.
  void AwaitLive(int64_t version) {
    server_.PublishEvents();
    ASSERT_TRUE(server_.component().reloader().AwaitVersion(version, absl::Seconds(10)))
        << "policy version " << version << " never went live";
  }

  grpc::Status Check(const std::string& text, v1::CheckPromptResponse* out, const std::string& locale = "",
                     v1::TextSurface surface = v1::TEXT_SURFACE_UNSPECIFIED) {
    v1::CheckPromptRequest request;
    request.set_text(text);
    request.set_locale(locale);
    request.set_surface(surface);
    grpc::ClientContext ctx;
    Authorize(ctx, user_);
    return stub_->CheckPrompt(&ctx, request, out);
  }

  v1::CheckPromptResponse CheckOk(const std::string& text, const std::string& locale = "",
                                  v1::TextSurface surface = v1::TEXT_SURFACE_UNSPECIFIED) {
    v1::CheckPromptResponse out;
    const grpc::Status status = Check(text, &out, locale, surface);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  ModerationTestServer server_;
  std::unique_ptr<v1::ModerationService::Stub> stub_ = server_.NewStub();
  std::string admin_ = server_.Token({base::Role::kUser, base::Role::kAdmin});
  std::string user_ = server_.Token({base::Role::kUser});
};

TEST_F(ModerationServiceTest, EveryRpcNeedsAToken) {
  v1::CheckPromptRequest request;
  request.set_text("hello");
  v1::CheckPromptResponse response;
  grpc::ClientContext ctx;
  EXPECT_EQ(stub_->CheckPrompt(&ctx, request, &response).error_code(), StatusCode::UNAUTHENTICATED);
  grpc::ClientContext list_ctx;
  v1::ListRulesResponse rules;
  EXPECT_EQ(stub_->ListRules(&list_ctx, {}, &rules).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(ModerationServiceTest, ARuleIsLiveHereWhenCreateRuleAnswers) {
  EXPECT_EQ(CheckOk("I will kill you").decision(), v1::MODERATION_DECISION_ALLOW);
  const v1::Rule rule = CreateOk(Keyword("kill", v1::MODERATION_CATEGORY_VIOLENCE));
  EXPECT_GE(server_.component().policy().Get()->version(), rule.version()) << "no wait, no event needed";

  const v1::CheckPromptResponse response = CheckOk("Я сказал: I will K.I.L.L you");
  EXPECT_EQ(response.decision(), v1::MODERATION_DECISION_BLOCK);
  EXPECT_EQ(response.rules_version(), rule.version());
  ASSERT_EQ(response.categories_size(), 1);
  EXPECT_EQ(response.categories(0), v1::MODERATION_CATEGORY_VIOLENCE);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).rule_id(), rule.rule_id());
  ASSERT_EQ(response.matches(0).spans_size(), 1);
  // Code points of the original text: "K.I.L.L" starts after "Я сказал: I will ".
  EXPECT_EQ(response.matches(0).spans(0).start(), 17);
  EXPECT_EQ(response.matches(0).spans(0).end(), 24);
}

TEST_F(ModerationServiceTest, ChangesGoLiveAsADeltaAndCompactionFoldsThemIn) {
  const v1::Rule kill = CreateOk(Keyword("kill", v1::MODERATION_CATEGORY_VIOLENCE));
  const v1::Rule scam = CreateOk(Keyword("scam", v1::MODERATION_CATEGORY_SPAM));
  AwaitLive(scam.version());
  const auto layered = server_.component().policy().Get();
  EXPECT_EQ(layered->delta_rule_count(), 2u) << "the two new rules were compiled alone";
  EXPECT_EQ(layered->base_version(), 0);

  ASSERT_TRUE(server_.component().reloader().Compact().ok());
  const auto compacted = server_.component().policy().Get();
  EXPECT_FALSE(compacted->layered());
  EXPECT_EQ(compacted->version(), scam.version());
  EXPECT_EQ(compacted->rule_count(), 2u);
  const v1::CheckPromptResponse response = CheckOk("a kill scam");
  EXPECT_EQ(response.matches_size(), 2);
  EXPECT_EQ(response.matches(0).rule_id(), kill.rule_id());
}

// The hot swap under load: four clients check a text without pause while an
// admin adds a rule for it, compaction rebuilds the policy, and the rule is
// switched off. Every check answers, and each answer is exactly what its
// rules_version says: a check never sees half a policy, and a client never
// sees the version go back.
TEST_F(ModerationServiceTest, ThePolicySwapsUnderLoadWithoutAHalfStateOrAFailedCheck) {
  constexpr int kClients = 4;
  const std::string text = "the dragon breathes fire over the harbour";
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  struct Seen {
    int64_t version;
    v1::ModerationDecision decision;
  };
  std::vector<std::vector<Seen>> seen(kClients);
  std::vector<int> failures(kClients, 0);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = server_.NewStub();
      v1::CheckPromptRequest request;
      request.set_text(text);
      while (!stop.load()) {
        grpc::ClientContext ctx;
        Authorize(ctx, user_);
        v1::CheckPromptResponse response;
        if (!stub->CheckPrompt(&ctx, request, &response).ok()) {
          ++failures[c];
          continue;
        }
        seen[c].push_back({response.rules_version(), response.decision()});
        ++answered;
      }
    });
  }
  // Lets the clients answer another 100 checks between steps.
  const auto pause = [&] {
    const int target = answered.load() + 100;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (answered.load() < target && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  };
  pause();
  const v1::Rule rule = CreateOk(Keyword("dragon", v1::MODERATION_CATEGORY_VIOLENCE));
  pause();
  ASSERT_TRUE(server_.component().reloader().Compact().ok());
  pause();
  v1::UpdateRuleRequest off;
  off.set_request_id(NewId());
  off.mutable_rule()->set_rule_id(rule.rule_id());
  off.mutable_rule()->set_enabled(false);
  off.mutable_update_mask()->add_paths("enabled");
  v1::Rule disabled;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    ASSERT_TRUE(stub_->UpdateRule(&ctx, off, &disabled).ok());
  }
  pause();
  stop = true;
  for (std::thread& t : clients) t.join();

  size_t blocked = 0, total = 0;
  for (int c = 0; c < kClients; ++c) {
    EXPECT_EQ(failures[c], 0) << "client " << c;
    int64_t last = 0;
    for (const Seen& s : seen[c]) {
      EXPECT_GE(s.version, last) << "client " << c << " saw the policy go back";
      last = s.version;
      const bool live = s.version >= rule.version() && s.version < disabled.version();
      EXPECT_EQ(s.decision, live ? v1::MODERATION_DECISION_BLOCK : v1::MODERATION_DECISION_ALLOW)
          << "version " << s.version;
      blocked += live;
    }
    total += seen[c].size();
  }
  EXPECT_GT(blocked, 0u) << "no check ran while the rule was live";
  EXPECT_GT(total - blocked, 0u);
}

TEST_F(ModerationServiceTest, RulesInOtherScriptsMatchWithSpansInCodePoints) {
  const v1::Rule ru = CreateOk(Keyword("убить", v1::MODERATION_CATEGORY_VIOLENCE));
  const v1::Rule zh = CreateOk(Keyword("杀人", v1::MODERATION_CATEGORY_VIOLENCE));
  AwaitLive(zh.version());
  const v1::CheckPromptResponse response = CheckOk("我要杀人了 и убить");
  EXPECT_EQ(response.decision(), v1::MODERATION_DECISION_BLOCK);
  ASSERT_EQ(response.matches_size(), 2);
  EXPECT_EQ(response.matches(0).rule_id(), zh.rule_id());
  EXPECT_EQ(response.matches(0).spans(0).start(), 2);
  EXPECT_EQ(response.matches(0).spans(0).end(), 4);
  EXPECT_EQ(response.matches(1).rule_id(), ru.rule_id());
  EXPECT_EQ(response.matches(1).spans(0).start(), 8);
  EXPECT_EQ(response.matches(1).spans(0).end(), 13);
}

TEST_F(ModerationServiceTest, ABadRuleIsRefusedWithItsReasonAndTheLivePolicyStays) {
  const v1::Rule good = CreateOk(Keyword("kill", v1::MODERATION_CATEGORY_VIOLENCE));
  AwaitLive(good.version());
  v1::Rule out;
  grpc::Status status = Create(Keyword("(unclosed", v1::MODERATION_CATEGORY_SPAM,
                                       v1::MODERATION_DECISION_BLOCK, v1::RULE_KIND_REGEX), &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("rule.pattern"), std::string::npos) << status.error_message();
  status = Create(Keyword("a*", v1::MODERATION_CATEGORY_SPAM, v1::MODERATION_DECISION_BLOCK, v1::RULE_KIND_REGEX),
                  &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << "a regex matching the empty string";
  status = Create(Keyword("two words", v1::MODERATION_CATEGORY_SPAM), &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << "a keyword of two words";
  status = Create(Keyword("x", v1::MODERATION_CATEGORY_SPAM, v1::MODERATION_DECISION_ALLOW), &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("rule.decision"), std::string::npos) << status.error_message();

  const v1::CheckPromptResponse response = CheckOk("kill");
  EXPECT_EQ(response.decision(), v1::MODERATION_DECISION_BLOCK);
  EXPECT_EQ(response.rules_version(), good.version()) << "no refused rule changed the version";
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM moderation.rules"), 1);
}

TEST_F(ModerationServiceTest, ARetriedCreateReplaysAndAReusedIdIsRefused) {
  const std::string request_id = NewId();
  v1::Rule first, second, other;
  ASSERT_TRUE(Create(Keyword("scam", v1::MODERATION_CATEGORY_SPAM), &first, request_id).ok());
  ASSERT_TRUE(Create(Keyword("scam", v1::MODERATION_CATEGORY_SPAM), &second, request_id).ok());
  EXPECT_EQ(first.rule_id(), second.rule_id());
  EXPECT_EQ(first.version(), second.version());
  EXPECT_EQ(Create(Keyword("fraud", v1::MODERATION_CATEGORY_SPAM), &other, request_id).error_code(),
            StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM moderation.rules"), 1);
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.moderation.rule_changed'"),
            1);
}

TEST_F(ModerationServiceTest, OnlyAdminsTouchRulesAndPolicies) {
  const v1::Rule rule = CreateOk(Keyword("scam", v1::MODERATION_CATEGORY_SPAM));
  const std::string moderator = server_.Token({base::Role::kUser, base::Role::kModerator});
  for (const std::string& token : {user_, moderator}) {
    {
      v1::CreateRuleRequest request;
      request.set_request_id(NewId());
      *request.mutable_rule() = Keyword("x", v1::MODERATION_CATEGORY_SPAM);
      grpc::ClientContext ctx;
      Authorize(ctx, token);
      v1::Rule out;
      EXPECT_EQ(stub_->CreateRule(&ctx, request, &out).error_code(), StatusCode::PERMISSION_DENIED);
    }
    {
      v1::DeleteRuleRequest request;
      request.set_request_id(NewId());
      request.set_rule_id(rule.rule_id());
      grpc::ClientContext ctx;
      Authorize(ctx, token);
      google::protobuf::Empty out;
      EXPECT_EQ(stub_->DeleteRule(&ctx, request, &out).error_code(), StatusCode::PERMISSION_DENIED);
    }
    {
      grpc::ClientContext ctx;
      Authorize(ctx, token);
      v1::ListRulesResponse out;
      EXPECT_EQ(stub_->ListRules(&ctx, {}, &out).error_code(), StatusCode::PERMISSION_DENIED);
    }
    {
      grpc::ClientContext ctx;
      Authorize(ctx, token);
      v1::ListPoliciesResponse out;
      EXPECT_EQ(stub_->ListPolicies(&ctx, {}, &out).error_code(), StatusCode::PERMISSION_DENIED);
    }
  }
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM moderation.rules"), 1);
}

TEST_F(ModerationServiceTest, DisablingAndDeletingARuleTakeItOutOfChecks) {
  const v1::Rule rule = CreateOk(Keyword("kill", v1::MODERATION_CATEGORY_VIOLENCE));
  AwaitLive(rule.version());
  ASSERT_EQ(CheckOk("kill").decision(), v1::MODERATION_DECISION_BLOCK);

  v1::UpdateRuleRequest update;
  update.set_request_id(NewId());
  update.mutable_rule()->set_rule_id(rule.rule_id());
  update.mutable_rule()->set_enabled(false);
  update.mutable_rule()->set_pattern("ignored: not in the mask");
  update.mutable_update_mask()->add_paths("enabled");
  v1::Rule disabled;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    ASSERT_TRUE(stub_->UpdateRule(&ctx, update, &disabled).ok());
  }
  EXPECT_FALSE(disabled.enabled());
  EXPECT_EQ(disabled.pattern(), "kill");
  EXPECT_GT(disabled.version(), rule.version());
  AwaitLive(disabled.version());
  EXPECT_EQ(CheckOk("kill").decision(), v1::MODERATION_DECISION_ALLOW);

  v1::DeleteRuleRequest del;
  del.set_request_id(NewId());
  del.set_rule_id(rule.rule_id());
  google::protobuf::Empty empty;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    ASSERT_TRUE(stub_->DeleteRule(&ctx, del, &empty).ok());
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    EXPECT_TRUE(stub_->DeleteRule(&ctx, del, &empty).ok()) << "a retried delete replays";
  }
  del.set_request_id(NewId());
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    EXPECT_EQ(stub_->DeleteRule(&ctx, del, &empty).error_code(), StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    update.set_request_id(NewId());
    v1::Rule out;
    EXPECT_EQ(stub_->UpdateRule(&ctx, update, &out).error_code(), StatusCode::NOT_FOUND);
  }
}

TEST_F(ModerationServiceTest, ListRulesPagesInCreationOrderAndFiltersByCategory) {
  std::vector<std::string> spam_ids;
  for (const char* word : {"alpha", "bravo", "charlie", "delta", "echo"}) {
    spam_ids.push_back(CreateOk(Keyword(word, v1::MODERATION_CATEGORY_SPAM)).rule_id());
  }
  CreateOk(Keyword("kill", v1::MODERATION_CATEGORY_VIOLENCE));
  std::vector<std::string> seen;
  v1::ListRulesRequest request;
  request.set_page_size(2);
  request.set_category(v1::MODERATION_CATEGORY_SPAM);
  for (int pages = 0; pages < 10; ++pages) {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    v1::ListRulesResponse response;
    ASSERT_TRUE(stub_->ListRules(&ctx, request, &response).ok());
    for (const v1::Rule& rule : response.rules()) seen.push_back(rule.rule_id());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(seen, spam_ids);

  request.set_category(v1::MODERATION_CATEGORY_VIOLENCE);  // A token of the spam listing.
  grpc::ClientContext ctx;
  Authorize(ctx, admin_);
  v1::ListRulesResponse response;
  EXPECT_EQ(stub_->ListRules(&ctx, request, &response).error_code(), StatusCode::INVALID_ARGUMENT);
}

TEST_F(ModerationServiceTest, ACategoryCapLowersBlocksToReview) {
  const v1::Rule rule = CreateOk(Keyword("kill", v1::MODERATION_CATEGORY_VIOLENCE));
  v1::UpdatePolicyRequest request;
  request.set_request_id(NewId());
  request.mutable_policy()->set_category(v1::MODERATION_CATEGORY_VIOLENCE);
  request.mutable_policy()->set_max_automatic_decision(v1::MODERATION_DECISION_REVIEW);
  request.mutable_update_mask()->add_paths("max_automatic_decision");
  v1::CategoryPolicy policy;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    ASSERT_TRUE(stub_->UpdatePolicy(&ctx, request, &policy).ok());
  }
  EXPECT_EQ(policy.max_automatic_decision(), v1::MODERATION_DECISION_REVIEW);
  EXPECT_EQ(policy.queue_priority(), 70) << "fields outside the mask keep their values";
  AwaitLive(rule.version() + 1);
  const v1::CheckPromptResponse response = CheckOk("kill");
  EXPECT_EQ(response.decision(), v1::MODERATION_DECISION_REVIEW);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).decision(), v1::MODERATION_DECISION_REVIEW);

  grpc::ClientContext ctx;
  Authorize(ctx, admin_);
  v1::ListPoliciesResponse policies;
  ASSERT_TRUE(stub_->ListPolicies(&ctx, {}, &policies).ok());
  EXPECT_EQ(policies.policies_size(), 13);
}

TEST_F(ModerationServiceTest, BadChecksAreRefusedNamingTheField) {
  v1::CheckPromptResponse response;
  grpc::Status status = Check("", &response);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("text"), std::string::npos);
  status = Check(std::string(10'001, 'a'), &response);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Check(std::string(10'000, 'a'), &response).ok());
  // 10,000 four-byte code points: the limit is in characters.
  std::string emoji;
  for (int i = 0; i < 10'000; ++i) emoji += "\xF0\x9F\x98\x80";
  EXPECT_TRUE(Check(emoji, &response).ok());
  status = Check("hello", &response, "not a tag!");
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("locale"), std::string::npos);
  status = Check("hello", &response, "", static_cast<v1::TextSurface>(99));
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
}

TEST_F(ModerationServiceTest, RulesLimitedToASurfaceOrLocaleApplyOnlyThere) {
  v1::Rule chat_only = Keyword("noob", v1::MODERATION_CATEGORY_HARASSMENT, v1::MODERATION_DECISION_REVIEW);
  chat_only.add_surfaces(v1::TEXT_SURFACE_CHAT);
  CreateOk(chat_only);
  v1::Rule german = Keyword("gift", v1::MODERATION_CATEGORY_ILLEGAL_ACTIVITY);
  german.add_locales("de");
  const v1::Rule last = CreateOk(german);
  AwaitLive(last.version());
  EXPECT_EQ(CheckOk("noob").decision(), v1::MODERATION_DECISION_ALLOW);
  EXPECT_EQ(CheckOk("noob", "", v1::TEXT_SURFACE_CHAT).decision(), v1::MODERATION_DECISION_REVIEW);
  EXPECT_EQ(CheckOk("a gift", "en").decision(), v1::MODERATION_DECISION_ALLOW);
  EXPECT_EQ(CheckOk("ein gift", "de-AT").decision(), v1::MODERATION_DECISION_BLOCK);
}

TEST_F(ModerationServiceTest, TheAuditLogChainsEveryChangeAndShowsTampering) {
  const v1::Rule first = CreateOk(Keyword("kill", v1::MODERATION_CATEGORY_VIOLENCE));
  CreateOk(Keyword("scam", v1::MODERATION_CATEGORY_SPAM));
  CreateOk(Keyword("maim", v1::MODERATION_CATEGORY_VIOLENCE));
  v1::ListAuditEntriesResponse listed;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    ASSERT_TRUE(stub_->ListAuditEntries(&ctx, {}, &listed).ok());
  }
  ASSERT_EQ(listed.entries_size(), 3);
  EXPECT_EQ(listed.entries(0).sequence(), 1);
  EXPECT_EQ(listed.entries(0).action(), "rule.created");
  EXPECT_EQ(listed.entries(0).object_id(), first.rule_id());
  EXPECT_EQ(listed.entries(0).prev_hash(), std::string(32, '\0'));
  EXPECT_EQ(listed.entries(1).prev_hash(), listed.entries(0).entry_hash());
  EXPECT_EQ(listed.entries(0).actor().kind(), v1::ACTOR_KIND_USER);

  const auto verify = [&]() {
    v1::VerifyAuditChainResponse response;
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    EXPECT_TRUE(stub_->VerifyAuditChain(&ctx, {}, &response).ok());
    return response;
  };
  v1::VerifyAuditChainResponse report = verify();
  EXPECT_TRUE(report.valid());
  EXPECT_EQ(report.entries_checked(), 3);
  EXPECT_EQ(report.last_hash(), listed.entries(2).entry_hash());

  // The table refuses changes, even a superuser's...
  pqxx::connection admin_conn(server_.bus().pg().dsn());
  EXPECT_THROW(pqxx::nontransaction(admin_conn).exec(
                   "UPDATE moderation.audit_log SET details_json = '{}' WHERE sequence = 2"),
               pqxx::sql_error);
  EXPECT_THROW(pqxx::nontransaction(admin_conn).exec("DELETE FROM moderation.audit_log WHERE sequence = 3"),
               pqxx::sql_error);
  // ...and one who switches the guard off is found by the chain.
  pqxx::nontransaction(admin_conn).exec(
      "ALTER TABLE moderation.audit_log DISABLE TRIGGER audit_log_no_change; "
      "UPDATE moderation.audit_log SET details_json = '{\"pattern\":\"kiss\"}' WHERE sequence = 2; "
      "ALTER TABLE moderation.audit_log ENABLE TRIGGER audit_log_no_change");
  report = verify();
  EXPECT_FALSE(report.valid());
  EXPECT_EQ(report.first_invalid_sequence(), 2);
  EXPECT_EQ(report.last_sequence(), 1);

  grpc::ClientContext ctx;
  Authorize(ctx, user_);
  v1::VerifyAuditChainResponse denied;
  EXPECT_EQ(stub_->VerifyAuditChain(&ctx, {}, &denied).error_code(), StatusCode::PERMISSION_DENIED);
}

TEST(ModerationServiceThrottleTest, OneUserChecksAtMostTheRateAndOthersAreUnaffected) {
  ModerationTestServer server({.checks_per_second = 5});
  auto stub = server.NewStub();
  const std::string mallory = server.Token({base::Role::kUser});
  const std::string alice = server.Token({base::Role::kUser});
  const auto check = [&](const std::string& token) {
    v1::CheckPromptRequest request;
    request.set_text("a quiet lake at dawn");
    v1::CheckPromptResponse response;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    return stub->CheckPrompt(&ctx, request, &response).error_code();
  };
  // A burst of twice the rate, then refusals (well within a second).
  int allowed = 0;
  grpc::StatusCode refused = grpc::StatusCode::OK;
  for (int i = 0; i < 40 && refused == grpc::StatusCode::OK; ++i) {
    const grpc::StatusCode code = check(mallory);
    if (code == grpc::StatusCode::OK) {
      ++allowed;
    } else {
      refused = code;
    }
  }
  EXPECT_EQ(refused, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_GE(allowed, 10);
  EXPECT_LT(allowed, 40);
  EXPECT_EQ(check(alice), grpc::StatusCode::OK) << "one user's flood spends only their own budget";
}

TEST(ModerationServicePollTest, WithoutTheBusAChangeArrivesByPolling) {
  ModerationTestServer server({.policy_poll_interval = absl::Milliseconds(50), .subscribe_to_changes = false});
  auto stub = server.NewStub();
  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  v1::CreateRuleRequest request;
  request.set_request_id(ids.Next());
  request.mutable_rule()->set_kind(v1::RULE_KIND_PHRASE);
  request.mutable_rule()->set_pattern("free money");
  request.mutable_rule()->set_category(v1::MODERATION_CATEGORY_SPAM);
  request.mutable_rule()->set_decision(v1::MODERATION_DECISION_REVIEW);
  request.mutable_rule()->set_enabled(true);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + server.Token({base::Role::kUser, base::Role::kAdmin}));
  v1::Rule rule;
  ASSERT_TRUE(stub->CreateRule(&ctx, request, &rule).ok());
  EXPECT_TRUE(server.component().reloader().AwaitVersion(rule.version(), absl::Seconds(10)));
  EXPECT_EQ(server.component().policy().Get()->version(), rule.version());
}

TEST(ModerationServiceLimitTest, TheRuleCountIsCapped) {
  ModerationTestServer server({.limits = {.max_rules = 2}});
  auto stub = server.NewStub();
  const std::string admin = server.Token({base::Role::kUser, base::Role::kAdmin});
  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  std::vector<grpc::StatusCode> codes;
  for (const char* word : {"one", "two", "three"}) {
    v1::CreateRuleRequest request;
    request.set_request_id(ids.Next());
    request.mutable_rule()->set_kind(v1::RULE_KIND_KEYWORD);
    request.mutable_rule()->set_pattern(word);
    request.mutable_rule()->set_category(v1::MODERATION_CATEGORY_SPAM);
    request.mutable_rule()->set_decision(v1::MODERATION_DECISION_BLOCK);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin);
    v1::Rule rule;
    codes.push_back(stub->CreateRule(&ctx, request, &rule).error_code());
  }
  EXPECT_EQ(codes, (std::vector<grpc::StatusCode>{StatusCode::OK, StatusCode::OK, StatusCode::RESOURCE_EXHAUSTED}));
}

}  // namespace
}  // namespace clipforge::testing
