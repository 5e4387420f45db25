#include "services/moderation/service.h"

#include "base/status_macros.h"
#include "base/validation.h"
#include "services/kit/idempotency.h"
#include "services/moderation/convert.h"
#include "services/moderation/request_parsing.h"

namespace clipforge::moderation_service {

void ModerationServiceImpl::AwaitLocallyLive(int64_t version) {
  reloader_.RunSoon();
  reloader_.AwaitVersion(version, kLocalLiveWait);
}

grpc::ServerUnaryReactor* ModerationServiceImpl::CheckPrompt(grpc::CallbackServerContext* ctx,
                                                             const v1::CheckPromptRequest* request,
                                                             v1::CheckPromptResponse* response) {
  return runner_.AuthenticatedInline(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    if (throttle_.limiter != nullptr && !throttle_.limiter->Allow(caller.user_id, throttle_.clock.Now())) {
      return absl::ResourceExhaustedError("checks: too many a second for one user; retry in a moment");
    }
    CF_ASSIGN_OR_RETURN(const CheckInput input, ParseCheck(*request));
    const std::shared_ptr<const ActivePolicy> policy = policy_.Get();
    if (policy == nullptr) return absl::UnavailableError("the prompt policy is not loaded yet; retry");
    CF_ASSIGN_OR_RETURN(const CheckResult result, policy->Check(input.text, input.locale, input.surface));
    FillCheckResult(result, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ListRules(grpc::CallbackServerContext* ctx,
                                                           const v1::ListRulesRequest* request,
                                                           v1::ListRulesResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const RuleListing listing, ParseRuleListing(*request));
    CF_ASSIGN_OR_RETURN(const RulePage page,
                        rules_.List(caller, listing.category, listing.after_seq, listing.page_size));
    for (const RuleRecord& rule : page.rules) FillRule(rule, response->add_rules());
    if (page.next_after_seq > 0) response->set_next_page_token(RulePageToken(listing.category, page.next_after_seq));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::CreateRule(grpc::CallbackServerContext* ctx,
                                                            const v1::CreateRuleRequest* request,
                                                            v1::Rule* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "create prompt rules"));
    CF_ASSIGN_OR_RETURN(RuleRecord rule, ParseNewRule(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const RuleRecord created, rules_.Create(caller, key, std::move(rule)));
    AwaitLocallyLive(created.version);
    FillRule(created, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::UpdateRule(grpc::CallbackServerContext* ctx,
                                                            const v1::UpdateRuleRequest* request,
                                                            v1::Rule* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "change prompt rules"));
    CF_ASSIGN_OR_RETURN(const RuleUpdate update, ParseRuleUpdate(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const RuleRecord updated,
                        rules_.Update(caller, key, update.rule_id, update.values, update.mask));
    AwaitLocallyLive(updated.version);
    FillRule(updated, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::DeleteRule(grpc::CallbackServerContext* ctx,
                                                            const v1::DeleteRuleRequest* request,
                                                            google::protobuf::Empty*) {
  return runner_.Authenticated(ctx, [this, request](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "delete prompt rules"));
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Uuid("rule_id", request->rule_id());
    CF_RETURN_IF_ERROR(v.status());
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const int64_t version, rules_.Delete(caller, key, request->rule_id()));
    AwaitLocallyLive(version);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ListPolicies(grpc::CallbackServerContext* ctx,
                                                              const v1::ListPoliciesRequest* request,
                                                              v1::ListPoliciesResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.PageSize("page_size", request->page_size(), 50, 100);
    // Every category fits on one page: no token is ever issued.
    v.Check(request->page_token().empty(), "page_token", "no such page");
    CF_RETURN_IF_ERROR(v.status());
    CF_ASSIGN_OR_RETURN(const std::vector<CategoryPolicyRecord> policies, rules_.ListPolicies(caller));
    for (const CategoryPolicyRecord& policy : policies) FillPolicy(policy, response->add_policies());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::UpdatePolicy(grpc::CallbackServerContext* ctx,
                                                              const v1::UpdatePolicyRequest* request,
                                                              v1::CategoryPolicy* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "change category policies"));
    CF_ASSIGN_OR_RETURN(const PolicyUpdate update, ParsePolicyUpdate(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const CategoryPolicyRecord updated,
                        rules_.UpdatePolicy(caller, key, update.values, update.mask));
    reloader_.RunSoon();  // Its version is the category's, not the rule set's: nothing to wait for.
    FillPolicy(updated, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ListAuditEntries(grpc::CallbackServerContext* ctx,
                                                                  const v1::ListAuditEntriesRequest* request,
                                                                  v1::ListAuditEntriesResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "read the audit log"));
    CF_ASSIGN_OR_RETURN(const AuditListing listing, ParseAuditListing(*request));
    CF_ASSIGN_OR_RETURN(const AuditPage page, audit_.List(caller, listing.filter, listing.page_size));
    for (const AuditEntryRecord& entry : page.entries) FillAuditEntry(entry, response->add_entries());
    if (page.next_sequence > 0) response->set_next_page_token(AuditPageToken(page.next_sequence));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::VerifyAuditChain(grpc::CallbackServerContext* ctx,
                                                                  const v1::VerifyAuditChainRequest* request,
                                                                  v1::VerifyAuditChainResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const ChainReport report,
                        audit_.Verify(caller, request->start_sequence(), request->end_sequence()));
    response->set_valid(report.valid);
    response->set_entries_checked(report.checked);
    response->set_first_invalid_sequence(report.first_invalid);
    response->set_last_sequence(report.last_sequence);
    response->set_last_hash(report.last_hash);
    return absl::OkStatus();
  });
}

}  // namespace clipforge::moderation_service
