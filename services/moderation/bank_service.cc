// ModerationServiceImpl's media filter: CheckVideo, hash banks and the
// allow-list. Validate, convert, call the logic, convert.
#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/kit/idempotency.h"
#include "services/moderation/access.h"
#include "services/moderation/bank_convert.h"
#include "services/moderation/bank_request_parsing.h"
#include "services/moderation/service.h"

namespace clipforge::moderation_service {

void ModerationServiceImpl::AwaitBanksLive(int64_t version) {
  media_.reloader.RunSoon();
  media_.reloader.AwaitVersion(version, kLocalLiveWait);
}

grpc::ServerUnaryReactor* ModerationServiceImpl::CheckVideo(grpc::CallbackServerContext* ctx,
                                                            const v1::CheckVideoRequest* request,
                                                            v1::CheckVideoResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    // A media check reads any blob by its hash and costs seconds of CPU:
    // moderators (and, later, the services that render media) only.
    CF_RETURN_IF_ERROR(RequireModerator(caller, "check media"));
    CF_ASSIGN_OR_RETURN(const VideoCheckInput input, ParseCheckVideo(*request));
    CF_ASSIGN_OR_RETURN(const MediaCheck check, media_.screening.Screen(input.sha256, input.subject));
    FillMediaCheck(check, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ListHashBanks(grpc::CallbackServerContext* ctx,
                                                               const v1::ListHashBanksRequest* request,
                                                               v1::ListHashBanksResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "list hash banks"));
    CF_ASSIGN_OR_RETURN(const BankListing listing, ParseBankListing(*request));
    CF_ASSIGN_OR_RETURN(const BankPage page, banks_.List(caller, listing.after_name, listing.page_size));
    for (const HashBankRecord& bank : page.banks) FillBank(bank, response->add_banks());
    if (!page.next_after_name.empty()) response->set_next_page_token(BankPageToken(page.next_after_name));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::CreateHashBank(grpc::CallbackServerContext* ctx,
                                                                const v1::CreateHashBankRequest* request,
                                                                v1::HashBank* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "create hash banks"));
    CF_ASSIGN_OR_RETURN(HashBankRecord bank, ParseNewBank(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const HashBankRecord created, banks_.Create(caller, key, std::move(bank)));
    AwaitBanksLive(created.version);
    FillBank(created, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::UpdateHashBank(grpc::CallbackServerContext* ctx,
                                                                const v1::UpdateHashBankRequest* request,
                                                                v1::HashBank* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "change hash banks"));
    CF_ASSIGN_OR_RETURN(const BankUpdate update, ParseBankUpdate(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const HashBankRecord updated,
                        banks_.Update(caller, key, update.bank_id, update.values, update.mask));
    AwaitBanksLive(updated.version);
    FillBank(updated, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ImportHashes(grpc::CallbackServerContext* ctx,
                                                              const v1::ImportHashesRequest* request,
                                                              v1::ImportHashesResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "import hashes"));
    CF_ASSIGN_OR_RETURN(const std::vector<BankEntryInput> entries, ParseImport(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const ImportOutcome outcome, banks_.Import(caller, key, request->bank_id(), entries));
    AwaitBanksLive(outcome.version);
    FillImport(outcome, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ListAllowListEntries(grpc::CallbackServerContext* ctx,
                                                                      const v1::ListAllowListEntriesRequest* request,
                                                                      v1::ListAllowListEntriesResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "read the allow-list"));
    CF_ASSIGN_OR_RETURN(const AllowListing listing, ParseAllowListing(*request));
    CF_ASSIGN_OR_RETURN(const AllowListPage page,
                        banks_.ListAllowed(caller, listing.bank_id, listing.before, listing.page_size));
    for (const AllowListRecord& entry : page.entries) FillAllowListEntry(entry, response->add_entries());
    if (page.next) response->set_next_page_token(AllowListPageToken(listing.bank_id, *page.next));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::AddAllowListEntry(grpc::CallbackServerContext* ctx,
                                                                   const v1::AddAllowListEntryRequest* request,
                                                                   v1::AllowListEntry* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "change the allow-list"));
    CF_ASSIGN_OR_RETURN(AllowListRecord entry, ParseNewAllowed(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const AllowListRecord added, banks_.AddAllowed(caller, key, std::move(entry)));
    media_.reloader.RunSoon();
    FillAllowListEntry(added, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::RemoveAllowListEntry(grpc::CallbackServerContext* ctx,
                                                                      const v1::RemoveAllowListEntryRequest* request,
                                                                      google::protobuf::Empty*) {
  return runner_.Authenticated(ctx, [this, request](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireAdmin(caller, "change the allow-list"));
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Uuid("entry_id", request->entry_id());
    CF_RETURN_IF_ERROR(v.status());
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_RETURN_IF_ERROR(banks_.RemoveAllowed(caller, key, request->entry_id()));
    media_.reloader.RunSoon();
    return absl::OkStatus();
  });
}

}  // namespace clipforge::moderation_service
