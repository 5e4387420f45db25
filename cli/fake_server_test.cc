// The CLI end to end against an in-process fake UsersService (and a fake
// ModerationService for reports, the queue and decisions) on a free port:
// metadata, request ids, token refresh and retry, paging, export
// verification and the credentials file, without Postgres or the real
// services.
#include <sodium.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cli/credentials.h"
#include "cli/errors.h"
#include "cli/test_util.h"
#include "clipforge/v1/moderation.grpc.pb.h"
#include "clipforge/v1/users.grpc.pb.h"
#include "base/validation.h"

namespace clipforge::cli {
namespace {

google::protobuf::Timestamp In(absl::Duration d) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::Now() + d));
  return t;
}

grpc::Status Fail(grpc::ServerContext* ctx, grpc::StatusCode code, std::string message,
                  v1::ErrorDetail detail = {}) {
  ctx->AddTrailingMetadata("clipforge-error-bin", detail.SerializeAsString());
  return grpc::Status(code, message);
}

class FakeUsers final : public v1::UsersService::Service {
 public:
  struct Account {
    v1::User user;
    std::string password;
  };

  absl::Mutex mu;
  std::map<std::string, Account> by_handle ABSL_GUARDED_BY(mu);
  std::map<std::string, std::string> access_to_handle ABSL_GUARDED_BY(mu);
  std::map<std::string, std::string> refresh_to_handle ABSL_GUARDED_BY(mu);
  std::vector<std::string> followers_of_alice ABSL_GUARDED_BY(mu);
  absl::Duration access_lifetime ABSL_GUARDED_BY(mu) = absl::Minutes(15);
  int refreshes ABSL_GUARDED_BY(mu) = 0;
  int list_calls ABSL_GUARDED_BY(mu) = 0;
  std::vector<std::string> request_ids ABSL_GUARDED_BY(mu);     // body request_id
  std::vector<std::string> x_request_ids ABSL_GUARDED_BY(mu);   // metadata
  std::vector<std::string> last_mask ABSL_GUARDED_BY(mu);
  std::string last_follow_target ABSL_GUARDED_BY(mu);
  std::string last_logout_refresh ABSL_GUARDED_BY(mu);
  std::string last_birth_date ABSL_GUARDED_BY(mu);
  bool consent ABSL_GUARDED_BY(mu) = false;
  bool corrupt_export ABSL_GUARDED_BY(mu) = false;
  int next_id ABSL_GUARDED_BY(mu) = 0;

  v1::AuthTokens Issue(const std::string& handle) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    v1::AuthTokens tokens;
    ++next_id;
    tokens.set_access_token(absl::StrCat("AT", next_id, "-", handle));
    tokens.set_refresh_token(absl::StrCat("RT", next_id, "-", handle));
    *tokens.mutable_access_token_expire_time() = In(access_lifetime);
    *tokens.mutable_refresh_token_expire_time() = In(absl::Hours(24));
    tokens.set_session_id(absl::StrCat("session-", handle));
    access_to_handle[tokens.access_token()] = handle;
    refresh_to_handle[tokens.refresh_token()] = handle;
    return tokens;
  }

  Account* Caller(grpc::ServerContext* ctx) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const auto& md = ctx->client_metadata();
    const auto rid = md.find("x-request-id");
    if (rid != md.end()) x_request_ids.emplace_back(rid->second.data(), rid->second.size());
    const auto auth = md.find("authorization");
    if (auth == md.end()) return nullptr;
    const std::string value(auth->second.data(), auth->second.size());
    if (value.rfind("Bearer ", 0) != 0) return nullptr;
    const auto it = access_to_handle.find(value.substr(7));
    if (it == access_to_handle.end()) return nullptr;
    return &by_handle[it->second];
  }

  void Note(const std::string& request_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    request_ids.push_back(request_id);
  }

  grpc::Status Register(grpc::ServerContext* ctx, const v1::RegisterRequest* req,
                        v1::RegisterResponse* resp) override {
    absl::MutexLock lock(&mu);
    Note(req->request_id());
    if (req->handle().size() < 3 || req->handle().size() > 30) {
      v1::ErrorDetail detail;
      auto* v = detail.add_field_violations();
      v->set_field("handle");
      v->set_description("must be 3-30 characters");
      return Fail(ctx, grpc::StatusCode::INVALID_ARGUMENT, "handle: bad", detail);
    }
    if (by_handle.count(req->handle())) {
      v1::ErrorDetail detail;
      detail.set_reason("HANDLE_TAKEN");
      return Fail(ctx, grpc::StatusCode::ALREADY_EXISTS, "handle exists", detail);
    }
    Account& account = by_handle[req->handle()];
    account.password = req->password();
    v1::Profile& p = *account.user.mutable_profile();
    p.set_user_id(absl::StrCat("id-", req->handle()));
    p.set_handle(req->handle());
    p.set_display_name(req->display_name());
    *p.mutable_languages() = req->languages();
    account.user.add_roles(v1::ROLE_USER);
    account.user.set_email(req->email());
    account.user.mutable_analytics_consent()->set_opted_in(req->analytics_opt_in());
    // Any birth date makes a teen here: the server judges the age.
    last_birth_date = req->birth_date();
    account.user.set_teen_account(!req->birth_date().empty());
    *resp->mutable_user() = account.user;
    *resp->mutable_tokens() = Issue(req->handle());
    return grpc::Status::OK;
  }

  grpc::Status Login(grpc::ServerContext* ctx, const v1::LoginRequest* req,
                     v1::LoginResponse* resp) override {
    absl::MutexLock lock(&mu);
    const auto it = by_handle.find(req->handle_or_email());
    if (it == by_handle.end() || it->second.password != req->password()) {
      return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "bad credentials");
    }
    *resp->mutable_user() = it->second.user;
    *resp->mutable_tokens() = Issue(it->first);
    return grpc::Status::OK;
  }

  grpc::Status RefreshToken(grpc::ServerContext* ctx, const v1::RefreshTokenRequest* req,
                            v1::RefreshTokenResponse* resp) override {
    absl::MutexLock lock(&mu);
    ++refreshes;
    const auto it = refresh_to_handle.find(req->refresh_token());
    if (it == refresh_to_handle.end()) {
      return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "REFRESH_TOKEN_INVALID");
    }
    const std::string handle = it->second;
    refresh_to_handle.erase(it);
    *resp->mutable_tokens() = Issue(handle);
    return grpc::Status::OK;
  }

  grpc::Status Logout(grpc::ServerContext* ctx, const v1::LogoutRequest* req,
                      google::protobuf::Empty*) override {
    absl::MutexLock lock(&mu);
    if (Caller(ctx) == nullptr) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    last_logout_refresh = req->refresh_token();
    refresh_to_handle.erase(req->refresh_token());
    return grpc::Status::OK;
  }

  grpc::Status GetMyProfile(grpc::ServerContext* ctx, const v1::GetMyProfileRequest*,
                            v1::User* resp) override {
    absl::MutexLock lock(&mu);
    Account* account = Caller(ctx);
    if (account == nullptr) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    *resp = account->user;
    return grpc::Status::OK;
  }

  grpc::Status UpdateMyProfile(grpc::ServerContext* ctx, const v1::UpdateMyProfileRequest* req,
                               v1::User* resp) override {
    absl::MutexLock lock(&mu);
    Account* account = Caller(ctx);
    if (account == nullptr) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    last_mask.assign(req->update_mask().paths().begin(), req->update_mask().paths().end());
    for (const std::string& path : last_mask) {
      if (path == "bio") account->user.mutable_profile()->set_bio(req->profile().bio());
      if (path == "display_name") {
        account->user.mutable_profile()->set_display_name(req->profile().display_name());
      }
    }
    *resp = account->user;
    return grpc::Status::OK;
  }

  grpc::Status GetPublicProfile(grpc::ServerContext* ctx, const v1::GetPublicProfileRequest* req,
                                v1::Profile* resp) override {
    absl::MutexLock lock(&mu);
    const auto it = by_handle.find(req->handle());
    if (it == by_handle.end()) return Fail(ctx, grpc::StatusCode::NOT_FOUND, "no such user");
    *resp = it->second.user.profile();
    return grpc::Status::OK;
  }

  grpc::Status Follow(grpc::ServerContext* ctx, const v1::FollowRequest* req,
                      v1::Relationship* resp) override {
    absl::MutexLock lock(&mu);
    if (Caller(ctx) == nullptr) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    Note(req->request_id());
    last_follow_target = req->target_user_id();
    resp->set_user_id(req->target_user_id());
    resp->set_following(true);
    *resp->mutable_follow_time() = In(absl::ZeroDuration());
    return grpc::Status::OK;
  }

  grpc::Status ListFollowers(grpc::ServerContext* ctx, const v1::ListFollowersRequest* req,
                             v1::ListFollowersResponse* resp) override {
    absl::MutexLock lock(&mu);
    if (Caller(ctx) == nullptr) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    ++list_calls;
    size_t start = req->page_token().empty() ? 0 : std::stoul(req->page_token());
    const size_t size = req->page_size() == 0 ? 20 : static_cast<size_t>(req->page_size());
    for (size_t i = start; i < followers_of_alice.size() && i < start + size; ++i) {
      v1::RelatedUser* related = resp->add_followers();
      related->mutable_user()->set_handle(followers_of_alice[i]);
      related->mutable_user()->set_display_name("Follower " + followers_of_alice[i]);
      related->mutable_user()->set_user_id("id-" + followers_of_alice[i]);
      related->mutable_create_time()->set_seconds(1714564800);
    }
    if (start + size < followers_of_alice.size()) resp->set_next_page_token(std::to_string(start + size));
    return grpc::Status::OK;
  }

  grpc::Status SetAnalyticsConsent(grpc::ServerContext* ctx,
                                   const v1::SetAnalyticsConsentRequest* req,
                                   v1::AnalyticsConsent* resp) override {
    absl::MutexLock lock(&mu);
    if (Caller(ctx) == nullptr) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    consent = req->opted_in();
    resp->set_opted_in(consent);
    return grpc::Status::OK;
  }

  grpc::Status ExportMyData(grpc::ServerContext* ctx, const v1::ExportMyDataRequest*,
                            grpc::ServerWriter<v1::DataChunk>* writer) override {
    bool corrupt;
    {
      absl::MutexLock lock(&mu);
      if (Caller(ctx) == nullptr) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
      corrupt = corrupt_export;
    }
    const std::string parts[] = {"PK-first-part|", "second-part|", "last"};
    std::string whole;
    for (const auto& p : parts) whole += p;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(whole.data()), whole.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    int64_t offset = 0;
    for (size_t i = 0; i < 3; ++i) {
      v1::DataChunk chunk;
      chunk.set_data(parts[i]);
      chunk.set_offset(offset);
      chunk.set_content_type("application/zip");
      offset += static_cast<int64_t>(parts[i].size());
      if (i == 2) {
        chunk.set_final_chunk(true);
        chunk.set_total_bytes(offset);
        chunk.set_sha256(corrupt ? std::string(64, '0') : std::string(hex));
      }
      writer->Write(chunk);
    }
    return grpc::Status::OK;
  }

  grpc::Status DeleteMyAccount(grpc::ServerContext* ctx, const v1::DeleteMyAccountRequest* req,
                               v1::DeleteMyAccountResponse* resp) override {
    absl::MutexLock lock(&mu);
    Account* account = Caller(ctx);
    if (account == nullptr) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    if (account->password != req->password()) {
      v1::ErrorDetail detail;
      detail.set_reason("BAD_PASSWORD");
      return Fail(ctx, grpc::StatusCode::PERMISSION_DENIED, "bad password", detail);
    }
    by_handle.erase(account->user.profile().handle());
    *resp->mutable_delete_time() = In(absl::ZeroDuration());
    *resp->mutable_purge_time() = In(absl::Hours(24 * 30));
    return grpc::Status::OK;
  }
};

// Keeps the last request of each review RPC and answers with what a real
// server would send back for it.
class FakeModeration final : public v1::ModerationService::Service {
 public:
  absl::Mutex mu;
  std::vector<std::string> request_ids ABSL_GUARDED_BY(mu);
  v1::CreateReportRequest last_report ABSL_GUARDED_BY(mu);
  v1::ListCasesRequest last_list ABSL_GUARDED_BY(mu);
  v1::ClaimNextCaseRequest last_claim ABSL_GUARDED_BY(mu);
  v1::DecideCaseRequest last_decide ABSL_GUARDED_BY(mu);
  v1::DecideAppealRequest last_decide_appeal ABSL_GUARDED_BY(mu);
  std::vector<v1::Report> my_reports ABSL_GUARDED_BY(mu);  // served two a page
  int report_list_calls ABSL_GUARDED_BY(mu) = 0;
  bool queue_empty ABSL_GUARDED_BY(mu) = false;

  static bool SignedIn(grpc::ServerContext* ctx) {
    const auto& md = ctx->client_metadata();
    const auto auth = md.find("authorization");
    return auth != md.end() && std::string(auth->second.data(), auth->second.size()).rfind("Bearer ", 0) == 0;
  }

  static v1::ReviewCase SampleCase() {
    v1::ReviewCase c;
    c.set_case_id("case-1");
    c.mutable_target()->set_kind(v1::CONTENT_KIND_CLIP);
    c.mutable_target()->set_id("clip-1");
    c.set_source(v1::CASE_SOURCE_USER_REPORT);
    c.set_status(v1::CASE_STATUS_OPEN);
    c.add_categories(v1::MODERATION_CATEGORY_SPAM);
    c.set_priority(40);
    c.set_report_count(3);
    c.mutable_context()->mutable_author()->set_handle("mallory");
    c.mutable_context()->set_prompt("buy cheap pills now");
    v1::RuleMatch& match = *c.add_rule_matches();
    match.set_rule_id("rule-1");
    match.set_category(v1::MODERATION_CATEGORY_SPAM);
    match.set_decision(v1::MODERATION_DECISION_REVIEW);
    v1::TextSpan& span = *match.add_spans();
    span.set_start(4);
    span.set_end(15);
    v1::Decision& prior = *c.mutable_context()->add_prior_decisions();
    prior.set_decision_id("decision-0");
    prior.set_action(v1::MODERATION_ACTION_WARN_AUTHOR);
    prior.add_categories(v1::MODERATION_CATEGORY_SPAM);
    prior.mutable_target()->set_kind(v1::CONTENT_KIND_COMMENT);
    prior.mutable_target()->set_id("comment-9");
    prior.mutable_create_time()->set_seconds(1714564800);
    return c;
  }

  grpc::Status CreateReport(grpc::ServerContext* ctx, const v1::CreateReportRequest* req,
                            v1::Report* resp) override {
    if (!SignedIn(ctx)) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    absl::MutexLock lock(&mu);
    request_ids.push_back(req->request_id());
    last_report = *req;
    resp->set_report_id("report-1");
    *resp->mutable_target() = req->target();
    resp->set_reason(req->reason());
    resp->set_details(req->details());
    resp->set_status(v1::REPORT_STATUS_OPEN);
    resp->mutable_create_time()->set_seconds(1714564800);
    return grpc::Status::OK;
  }

  grpc::Status ListMyReports(grpc::ServerContext* ctx, const v1::ListMyReportsRequest* req,
                             v1::ListMyReportsResponse* resp) override {
    if (!SignedIn(ctx)) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    absl::MutexLock lock(&mu);
    ++report_list_calls;
    const size_t start = req->page_token().empty() ? 0 : std::stoul(req->page_token());
    for (size_t i = start; i < my_reports.size() && i < start + 2; ++i) *resp->add_reports() = my_reports[i];
    if (start + 2 < my_reports.size()) resp->set_next_page_token(std::to_string(start + 2));
    return grpc::Status::OK;
  }

  grpc::Status ListCases(grpc::ServerContext* ctx, const v1::ListCasesRequest* req,
                         v1::ListCasesResponse* resp) override {
    if (!SignedIn(ctx)) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    absl::MutexLock lock(&mu);
    last_list = *req;
    *resp->add_cases() = SampleCase();
    resp->set_open_count(7);
    return grpc::Status::OK;
  }

  grpc::Status ClaimNextCase(grpc::ServerContext* ctx, const v1::ClaimNextCaseRequest* req,
                             v1::ClaimNextCaseResponse* resp) override {
    if (!SignedIn(ctx)) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    absl::MutexLock lock(&mu);
    request_ids.push_back(req->request_id());
    last_claim = *req;
    if (queue_empty) return grpc::Status::OK;
    *resp->mutable_review_case() = SampleCase();
    resp->mutable_review_case()->set_status(v1::CASE_STATUS_CLAIMED);
    resp->mutable_claim()->set_claim_id("claim-1");
    resp->mutable_claim()->set_case_id("case-1");
    resp->mutable_claim()->mutable_expire_time()->set_seconds(1714565400);
    return grpc::Status::OK;
  }

  grpc::Status DecideCase(grpc::ServerContext* ctx, const v1::DecideCaseRequest* req,
                          v1::Decision* resp) override {
    if (!SignedIn(ctx)) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    absl::MutexLock lock(&mu);
    request_ids.push_back(req->request_id());
    last_decide = *req;
    resp->set_decision_id("decision-1");
    resp->set_case_id(req->case_id());
    resp->mutable_target()->set_kind(v1::CONTENT_KIND_USER);
    resp->mutable_target()->set_id("user-1");
    resp->set_action(req->action());
    *resp->mutable_categories() = req->categories();
    if (req->has_statement()) *resp->mutable_statement() = req->statement();
    resp->set_moderator_id("id-alice");
    resp->mutable_create_time()->set_seconds(1714564800);
    return grpc::Status::OK;
  }

  grpc::Status DecideAppeal(grpc::ServerContext* ctx, const v1::DecideAppealRequest* req,
                            v1::Appeal* resp) override {
    if (!SignedIn(ctx)) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    absl::MutexLock lock(&mu);
    request_ids.push_back(req->request_id());
    last_decide_appeal = *req;
    resp->set_appeal_id(req->appeal_id());
    resp->set_decision_id("decision-1");
    resp->set_status(req->outcome());
    v1::Decision& outcome = *resp->mutable_outcome();
    outcome.set_decision_id("decision-2");
    outcome.set_action(req->action());
    *outcome.mutable_statement() = req->statement();
    return grpc::Status::OK;
  }

  // Adds every entry but those labelled "bad", which it rejects.
  grpc::Status ImportHashes(grpc::ServerContext* ctx, const v1::ImportHashesRequest* req,
                            v1::ImportHashesResponse* resp) override {
    if (!SignedIn(ctx)) return Fail(ctx, grpc::StatusCode::UNAUTHENTICATED, "no token");
    absl::MutexLock lock(&mu);
    imports.push_back(*req);
    for (int i = 0; i < req->entries_size(); ++i) {
      if (req->entries(i).external_id() != "bad") {
        resp->set_added_count(resp->added_count() + 1);
        continue;
      }
      resp->set_rejected_count(resp->rejected_count() + 1);
      v1::FieldViolation& v = *resp->add_rejections();
      v.set_field("entries[" + std::to_string(i) + "].hash");
      v.set_reason("BAD_FORMAT");
      v.set_description("refused by the fake");
    }
    return grpc::Status::OK;
  }
  std::vector<v1::ImportHashesRequest> imports ABSL_GUARDED_BY(mu);
};

using Result = testing::CliResult;

class CliAgainstFakeServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }

  // Runs clipforge with `stdin_lines` as what it reads from stdin.
  Result Cli(std::vector<std::string> args, std::deque<std::string> stdin_lines = {}) {
    return cli_.Run(std::move(args), std::move(stdin_lines));
  }

  void RegisterAlice() {
    const Result r = Cli({"register", "--handle=alice", "--email=alice@example.com",
                          "--display-name=Alice", "--languages=en,pt-BR", "--password-stdin"},
                         {"correct horse battery"});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  absl::StatusOr<Credentials> Stored() { return CredentialStore(cli_.config_dir()).Load(); }

  FakeUsers users_;
  FakeModeration moderation_;
  testing::FakeServerCli cli_{{&users_, &moderation_}};
};

TEST_F(CliAgainstFakeServerTest, RegisterStoresAPrivateSessionAndPrintsNoTokens) {
  const Result r = Cli({"--json", "register", "--handle=alice", "--email=alice@example.com",
                        "--display-name=Alice", "--password-stdin"},
                       {"correct horse battery"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"handle\":\"alice\",\"user_id\":\"id-alice\",\"display_name\":\"Alice\","
            "\"session_id\":\"session-alice\"}\n");
  EXPECT_EQ(r.out.find("AT1"), std::string::npos);
  EXPECT_EQ(r.out.find("RT1"), std::string::npos);
  const auto stored = Stored();
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->access_token, "AT1-alice");
  EXPECT_EQ(stored->server, cli_.server_address());
  struct stat st;
  ASSERT_EQ(::stat(CredentialStore(cli_.config_dir()).path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  absl::MutexLock lock(&users_.mu);
  ASSERT_EQ(users_.request_ids.size(), 1u);
  EXPECT_TRUE(base::IsCanonicalUuid(users_.request_ids[0])) << users_.request_ids[0];
}

TEST_F(CliAgainstFakeServerTest, ABirthDateIsSentAndATeenAccountShown) {
  const Result r = Cli({"register", "--handle=tia", "--email=tia@example.com", "--display-name=Tia",
                        "--birth-date=2011-01-10", "--password-stdin"},
                       {"correct horse battery"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("teen account: yes"), std::string::npos) << r.out;
  {
    absl::MutexLock lock(&users_.mu);
    EXPECT_EQ(users_.last_birth_date, "2011-01-10");
  }
  const Result whoami = Cli({"--json", "whoami"});
  ASSERT_EQ(whoami.code, 0) << whoami.err;
  EXPECT_NE(whoami.out.find("\"teen_account\":true"), std::string::npos) << whoami.out;
}

TEST_F(CliAgainstFakeServerTest, AnAdultsAccountSaysNothingOfTeens) {
  RegisterAlice();
  {
    absl::MutexLock lock(&users_.mu);
    EXPECT_EQ(users_.last_birth_date, "");
  }
  const Result r = Cli({"--json", "whoami"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("teen"), std::string::npos) << r.out;
}

TEST_F(CliAgainstFakeServerTest, ServerErrorsReadPlainly) {
  RegisterAlice();
  Result r = Cli({"--json", "register", "--handle=alice", "--email=b@example.com",
                  "--display-name=B", "--password-stdin"},
                 {"another password"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "clipforge: that handle is taken\n");
  EXPECT_EQ(r.out,
            "{\"error\":{\"code\":\"ALREADY_EXISTS\",\"message\":\"that handle is taken\","
            "\"reason\":\"HANDLE_TAKEN\",\"exit_code\":1}}\n");

  r = Cli({"register", "--handle=ab", "--email=c@example.com", "--display-name=C",
           "--password-stdin"},
          {"another password"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "clipforge: invalid input: handle: must be 3-30 characters\n");

  r = Cli({"login", "alice", "--password-stdin"}, {"wrong password"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "clipforge: wrong handle, email or password\n");

  r = Cli({"profile", "nobody"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "clipforge: no user @nobody\n");
}

TEST_F(CliAgainstFakeServerTest, WhoamiSendsTheBearerTokenAndARequestId) {
  RegisterAlice();
  const Result r = Cli({"whoami"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("handle:           alice\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("roles:            user\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("analytics opt in: no\n"), std::string::npos) << r.out;
  absl::MutexLock lock(&users_.mu);
  ASSERT_FALSE(users_.x_request_ids.empty());
  EXPECT_TRUE(base::IsCanonicalUuid(users_.x_request_ids.back()));
  EXPECT_EQ(users_.refreshes, 0);
}

TEST_F(CliAgainstFakeServerTest, ShortLivedTokenIsRefreshedBeforeTheCall) {
  {
    absl::MutexLock lock(&users_.mu);
    users_.access_lifetime = absl::Seconds(10);
  }
  RegisterAlice();
  ASSERT_EQ(Cli({"whoami"}).code, 0);
  const auto stored = Stored();
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->refresh_token, "RT2-alice");
  absl::MutexLock lock(&users_.mu);
  EXPECT_EQ(users_.refreshes, 1);
}

TEST_F(CliAgainstFakeServerTest, RejectedTokenIsRefreshedAndTheCallRetried) {
  RegisterAlice();
  {
    absl::MutexLock lock(&users_.mu);
    users_.access_to_handle.clear();  // e.g. the signing key rotated
  }
  const Result r = Cli({"whoami"});
  ASSERT_EQ(r.code, 0) << r.err;
  absl::MutexLock lock(&users_.mu);
  EXPECT_EQ(users_.refreshes, 1);
}

TEST_F(CliAgainstFakeServerTest, RevokedSessionMeansLogInAgain) {
  RegisterAlice();
  {
    absl::MutexLock lock(&users_.mu);
    users_.access_to_handle.clear();
    users_.refresh_to_handle.clear();
  }
  const Result r = Cli({"whoami"});
  EXPECT_EQ(r.code, kExitNotLoggedIn);
  EXPECT_EQ(r.err, "clipforge: your session has ended — run `clipforge login`\n");
  EXPECT_TRUE(absl::IsNotFound(Stored().status()));
}

TEST_F(CliAgainstFakeServerTest, FollowResolvesTheHandle) {
  ASSERT_EQ(Cli({"register", "--handle=bob", "--email=bob@example.com", "--display-name=Bob",
                 "--password-stdin"},
                {"bob's password"})
                .code,
            0);
  RegisterAlice();
  const Result r = Cli({"follow", "@bob"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("following:   yes"), std::string::npos) << r.out;
  absl::MutexLock lock(&users_.mu);
  EXPECT_EQ(users_.last_follow_target, "id-bob");
}

TEST_F(CliAgainstFakeServerTest, FollowersPagesWithAll) {
  RegisterAlice();
  {
    absl::MutexLock lock(&users_.mu);
    users_.followers_of_alice = {"bob", "carol", "dave"};
  }
  Result r = Cli({"followers", "--page-size=2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "HANDLE  DISPLAY NAME    SINCE\n"
            "bob     Follower bob    2024-05-01T12:00:00Z\n"
            "carol   Follower carol  2024-05-01T12:00:00Z\n");
  EXPECT_EQ(r.err, "More: run again with --all, or with --page-token=2\n");

  r = Cli({"--json", "followers", "--page-size=1", "--all"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"handle\":\"dave\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"next_page_token\":\"\""), std::string::npos) << r.out;
  absl::MutexLock lock(&users_.mu);
  EXPECT_EQ(users_.list_calls, 4);  // one page of 2, then three pages of 1
}

TEST_F(CliAgainstFakeServerTest, ProfileSetSendsOnlyTheGivenFields) {
  RegisterAlice();
  const Result r = Cli({"profile", "set", "--bio="});
  ASSERT_EQ(r.code, 0) << r.err;
  absl::MutexLock lock(&users_.mu);
  EXPECT_EQ(users_.last_mask, std::vector<std::string>{"bio"});
}

TEST_F(CliAgainstFakeServerTest, ExportWritesAVerifiedPrivateFile) {
  RegisterAlice();
  const std::string path = cli_.config_dir() + "/export.zip";
  Result r = Cli({"export", "--out=" + path});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(path);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(data, "PK-first-part|second-part|last");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  {
    absl::MutexLock lock(&users_.mu);
    users_.corrupt_export = true;
  }
  const std::string bad = cli_.config_dir() + "/bad.zip";
  r = Cli({"export", "--out=" + bad});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "clipforge: the export's SHA-256 does not match; nothing was written\n");
  EXPECT_NE(::stat(bad.c_str(), &st), 0);
}

TEST_F(CliAgainstFakeServerTest, ConsentLogoutAndDelete) {
  RegisterAlice();
  Result r = Cli({"--json", "consent", "on"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"analytics_opt_in\":true}\n");

  r = Cli({"logout"});
  ASSERT_EQ(r.code, 0) << r.err;
  {
    absl::MutexLock lock(&users_.mu);
    EXPECT_EQ(users_.last_logout_refresh, "RT1-alice");
  }
  EXPECT_EQ(Cli({"whoami"}).code, kExitNotLoggedIn);

  r = Cli({"login", "alice", "--password-stdin"}, {"correct horse battery"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli({"delete-account", "--yes", "--password-stdin"}, {"not it"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "clipforge: wrong password\n");
  EXPECT_TRUE(Stored().ok());
  r = Cli({"delete-account", "--yes", "--password-stdin"}, {"correct horse battery"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::IsNotFound(Stored().status()));
}

TEST_F(CliAgainstFakeServerTest, AnotherServersSessionIsNotUsed) {
  RegisterAlice();
  const Result r = Cli({"--server=127.0.0.1:1", "whoami"});
  EXPECT_EQ(r.code, kExitNotLoggedIn);
  EXPECT_NE(r.err.find("your stored session is for " + cli_.server_address()), std::string::npos) << r.err;
}

TEST_F(CliAgainstFakeServerTest, ReportSendsTheTargetAndReasonWithAFreshRequestId) {
  RegisterAlice();
  Result r = Cli({"report", "job", "job-1", "--reason=harassment", "--details=names a classmate"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "report id:   report-1\n"
            "target kind: job\n"
            "target:      job-1\n"
            "reason:      harassment\n"
            "details:     names a classmate\n"
            "status:      open\n"
            "filed:       2024-05-01T12:00:00Z\n");
  r = Cli({"--json", "report", "chat", "message-1", "--reason=spam"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"target_kind\":\"chat\""), std::string::npos) << r.out;
  absl::MutexLock lock(&moderation_.mu);
  EXPECT_EQ(moderation_.last_report.target().kind(), v1::CONTENT_KIND_PARTY_CHAT);
  EXPECT_EQ(moderation_.last_report.target().id(), "message-1");
  EXPECT_EQ(moderation_.last_report.reason(), v1::MODERATION_CATEGORY_SPAM);
  EXPECT_EQ(moderation_.last_report.details(), "");
  ASSERT_EQ(moderation_.request_ids.size(), 2u);
  EXPECT_TRUE(base::IsCanonicalUuid(moderation_.request_ids[0])) << moderation_.request_ids[0];
  EXPECT_TRUE(base::IsCanonicalUuid(moderation_.request_ids[1])) << moderation_.request_ids[1];
  EXPECT_NE(moderation_.request_ids[0], moderation_.request_ids[1]);
}

TEST_F(CliAgainstFakeServerTest, ReportsFetchesEveryPageWithTheOutcomes) {
  RegisterAlice();
  {
    absl::MutexLock lock(&moderation_.mu);
    for (int i = 1; i <= 3; ++i) {
      v1::Report report;
      report.set_report_id(absl::StrCat("report-", i));
      report.mutable_target()->set_kind(v1::CONTENT_KIND_CLIP);
      report.mutable_target()->set_id(absl::StrCat("clip-", i));
      report.set_reason(v1::MODERATION_CATEGORY_SPAM);
      report.set_status(i == 1 ? v1::REPORT_STATUS_ACTION_TAKEN : v1::REPORT_STATUS_OPEN);
      report.mutable_create_time()->set_seconds(1714564800);
      if (i == 1) {
        report.mutable_outcome()->set_decision_id("decision-1");
        report.mutable_outcome()->set_action(v1::MODERATION_ACTION_REMOVE);
      }
      moderation_.my_reports.push_back(report);
    }
  }
  const Result r = Cli({"reports"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "REPORT ID  FILED                 TARGET KIND  TARGET  REASON  STATUS        OUTCOME\n"
            "report-1   2024-05-01T12:00:00Z  clip         clip-1  spam    action-taken  remove\n"
            "report-2   2024-05-01T12:00:00Z  clip         clip-2  spam    open          -\n"
            "report-3   2024-05-01T12:00:00Z  clip         clip-3  spam    open          -\n");
  absl::MutexLock lock(&moderation_.mu);
  EXPECT_EQ(moderation_.report_list_calls, 2);  // every page, without --all
}

TEST_F(CliAgainstFakeServerTest, QueueSendsTheFiltersAndPrintsTheOpenCount) {
  RegisterAlice();
  const Result r = Cli({"queue", "--source=user-report,appeal", "--category=spam,hate", "--page-size=10"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "open cases: 7\n"
            "\n"
            "CASE ID  STATUS  PRIORITY  SOURCE       CATEGORIES  REPORTS  TARGET KIND  TARGET\n"
            "case-1   open    40        user-report  spam        3        clip         clip-1\n");
  absl::MutexLock lock(&moderation_.mu);
  EXPECT_EQ(moderation_.last_list.page_size(), 10);
  ASSERT_EQ(moderation_.last_list.sources_size(), 2);
  EXPECT_EQ(moderation_.last_list.sources(0), v1::CASE_SOURCE_USER_REPORT);
  EXPECT_EQ(moderation_.last_list.sources(1), v1::CASE_SOURCE_APPEAL);
  ASSERT_EQ(moderation_.last_list.categories_size(), 2);
  EXPECT_EQ(moderation_.last_list.categories(1), v1::MODERATION_CATEGORY_HATE);
}

TEST_F(CliAgainstFakeServerTest, ClaimShowsTheCaseInFullOrSaysTheQueueIsEmpty) {
  RegisterAlice();
  Result r = Cli({"claim", "--category=spam", "--minutes=5"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "case id:       case-1\n"
            "claim id:      claim-1\n"
            "claim expires: 2024-05-01T12:10:00Z\n"
            "status:        claimed\n"
            "source:        user-report\n"
            "target kind:   clip\n"
            "target:        clip-1\n"
            "author:        @mallory\n"
            "categories:    spam\n"
            "priority:      40\n"
            "reports:       3\n"
            "prompt:        buy cheap pills now\n"
            "\n"
            "RULE ID  CATEGORY  DECISION  TEXT\n"
            "rule-1   spam      review    cheap pills\n"
            "\n"
            "DECISION ID  DECIDED               ACTION  CATEGORIES  TARGET KIND  TARGET\n"
            "decision-0   2024-05-01T12:00:00Z  warn    spam        comment      comment-9\n");
  {
    absl::MutexLock lock(&moderation_.mu);
    EXPECT_EQ(moderation_.last_claim.claim_duration().seconds(), 300);
    ASSERT_EQ(moderation_.last_claim.categories_size(), 1);
    EXPECT_EQ(moderation_.last_claim.categories(0), v1::MODERATION_CATEGORY_SPAM);
    EXPECT_TRUE(base::IsCanonicalUuid(moderation_.last_claim.request_id()));
    moderation_.queue_empty = true;
  }
  r = Cli({"claim"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "the queue is empty\n");
  r = Cli({"--json", "claim"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"claimed\":false}\n");
}

TEST_F(CliAgainstFakeServerTest, DecideSendsTheStatementOfReasons) {
  RegisterAlice();
  const Result r = Cli({"decide", "case-1", "--claim=claim-1", "--action=suspend", "--category=spam,harassment",
                        "--ground=terms", "--reference=Terms 4.2: spam", "--facts=posted 40 scam links in an hour",
                        "--automated-detection", "--scope=worldwide", "--until=2030-01-01T00:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("action:              suspend\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("redress:             internal-appeal, out-of-court-settlement, judicial-remedy\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("until:               2030-01-01T00:00:00Z\n"), std::string::npos) << r.out;
  absl::MutexLock lock(&moderation_.mu);
  const v1::DecideCaseRequest& sent = moderation_.last_decide;
  EXPECT_TRUE(base::IsCanonicalUuid(sent.request_id())) << sent.request_id();
  EXPECT_EQ(sent.case_id(), "case-1");
  EXPECT_EQ(sent.claim_id(), "claim-1");
  EXPECT_EQ(sent.action(), v1::MODERATION_ACTION_SUSPEND_ACCOUNT);
  ASSERT_EQ(sent.categories_size(), 2);
  EXPECT_EQ(sent.categories(0), v1::MODERATION_CATEGORY_SPAM);
  EXPECT_EQ(sent.categories(1), v1::MODERATION_CATEGORY_HARASSMENT);
  ASSERT_TRUE(sent.has_statement());
  const v1::StatementOfReasons& s = sent.statement();
  EXPECT_EQ(s.ground(), v1::DECISION_GROUND_TERMS_OF_SERVICE);
  EXPECT_EQ(s.ground_reference(), "Terms 4.2: spam");
  EXPECT_EQ(s.facts(), "posted 40 scam links in an hour");
  EXPECT_EQ(s.illegality_explanation(), "");
  ASSERT_TRUE(s.has_automation());
  EXPECT_TRUE(s.automation().automated_detection());
  EXPECT_FALSE(s.automation().automated_decision());
  EXPECT_EQ(s.automation().description(), "");
  ASSERT_EQ(s.redress_size(), 3);
  EXPECT_EQ(s.redress(0), v1::REDRESS_OPTION_INTERNAL_APPEAL);
  EXPECT_EQ(s.redress(1), v1::REDRESS_OPTION_OUT_OF_COURT_SETTLEMENT);
  EXPECT_EQ(s.redress(2), v1::REDRESS_OPTION_JUDICIAL_REMEDY);
  EXPECT_EQ(s.territorial_scope(), "worldwide");
  EXPECT_EQ(s.action_end_time().seconds(), 1893456000);
  EXPECT_EQ(s.action_end_time().nanos(), 0);
}

TEST_F(CliAgainstFakeServerTest, BanksImportSendsTheCsvInBatchesAndNamesRejectedLines) {
  RegisterAlice();
  const std::string csv = cli_.config_dir() + "/bank.csv";
  {
    std::ofstream out(csv);
    out << "hash_hex,label\n";
    for (int i = 0; i < 10'003; ++i) {
      char hex[65];
      std::snprintf(hex, sizeof hex, "%064x", i);
      out << hex << "," << (i == 10'001 ? "bad" : "item-" + std::to_string(i)) << "\n";
    }
  }
  const Result r = Cli({"--json", "banks", "import", "bank-1", csv});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"added\":10002"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rejected\":1"), std::string::npos) << r.out;
  // Line 1 is the header: entry 10,001 is on line 10,003.
  EXPECT_NE(r.out.find("line 10003: refused by the fake"), std::string::npos) << r.out;
  absl::MutexLock lock(&moderation_.mu);
  ASSERT_EQ(moderation_.imports.size(), 2u);
  EXPECT_EQ(moderation_.imports[0].entries_size(), 10'000);
  EXPECT_EQ(moderation_.imports[1].entries_size(), 3);
  EXPECT_EQ(moderation_.imports[0].bank_id(), "bank-1");
  EXPECT_NE(moderation_.imports[0].request_id(), moderation_.imports[1].request_id());
  EXPECT_EQ(moderation_.imports[0].entries(1).hash(), std::string(31, '\0') + '\x01');
  EXPECT_EQ(moderation_.imports[0].entries(1).external_id(), "item-1");
}

TEST_F(CliAgainstFakeServerTest, BanksImportOfAMalformedFileSendsNothing) {
  RegisterAlice();
  const std::string csv = cli_.config_dir() + "/bad.csv";
  std::ofstream(csv) << std::string(64, 'a') << ",fine\nnot-a-hash,oops\n";
  const Result r = Cli({"banks", "import", "bank-1", csv});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find("line 2: not 64 hex digits"), std::string::npos) << r.err;
  absl::MutexLock lock(&moderation_.mu);
  EXPECT_TRUE(moderation_.imports.empty());
}

TEST_F(CliAgainstFakeServerTest, DecideNoActionMayGoWithoutAStatement) {
  RegisterAlice();
  const Result r = Cli({"decide", "case-1", "--claim=claim-1", "--action=no_action"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("action:       no-action\n"), std::string::npos) << r.out;
  absl::MutexLock lock(&moderation_.mu);
  EXPECT_EQ(moderation_.last_decide.action(), v1::MODERATION_ACTION_NO_ACTION);
  EXPECT_EQ(moderation_.last_decide.categories_size(), 0);
  EXPECT_FALSE(moderation_.last_decide.has_statement());
}

TEST_F(CliAgainstFakeServerTest, AppealOutcomeOffersOnlyRedressOutsideClipForge) {
  RegisterAlice();
  const Result r = Cli({"--json", "appeal", "decide", "appeal-1", "--claim=claim-2", "--outcome=modified",
                        "--action=label", "--ground=terms", "--reference=Terms 4.2", "--facts=satire, but misleading"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"status\":\"modified\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"decision_id\":\"decision-1\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"outcome_decision_id\":\"decision-2\""), std::string::npos) << r.out;
  absl::MutexLock lock(&moderation_.mu);
  const v1::DecideAppealRequest& sent = moderation_.last_decide_appeal;
  EXPECT_TRUE(base::IsCanonicalUuid(sent.request_id()));
  EXPECT_EQ(sent.appeal_id(), "appeal-1");
  EXPECT_EQ(sent.claim_id(), "claim-2");
  EXPECT_EQ(sent.outcome(), v1::APPEAL_STATUS_MODIFIED);
  EXPECT_EQ(sent.action(), v1::MODERATION_ACTION_LABEL);
  ASSERT_EQ(sent.statement().redress_size(), 2);
  EXPECT_EQ(sent.statement().redress(0), v1::REDRESS_OPTION_OUT_OF_COURT_SETTLEMENT);
  EXPECT_EQ(sent.statement().redress(1), v1::REDRESS_OPTION_JUDICIAL_REMEDY);
  EXPECT_FALSE(sent.statement().automation().automated_decision());
}

}  // namespace
}  // namespace clipforge::cli
