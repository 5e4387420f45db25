#include "services/clips/service.h"

#include <string>
#include <vector>

#include "base/status_macros.h"
#include "base/validation.h"
#include "services/clips/convert.h"
#include "services/clips/request_parsing.h"
#include "services/kit/auth.h"
#include "services/kit/idempotency.h"

namespace clipforge::clips_service {
namespace {

// The request_id and clip_id of a change to one clip.
absl::Status ValidateClipChange(const std::string& request_id, const std::string& clip_id) {
  base::FieldValidator v;
  v.Uuid("request_id", request_id).Uuid("clip_id", clip_id);
  return v.status();
}

void FillNodes(const std::vector<NodeView>& nodes, const kit::MediaUrls& urls, absl::Time now,
               google::protobuf::RepeatedPtrField<v1::ClipNode>* out) {
  for (const NodeView& node : nodes) FillNode(node, urls, now, out->Add());
}

// LikeClip and UnlikeClip: the same request shape, one logic call.
template <typename Request>
absl::Status SetLike(ClipLogic& clips, const kit::Caller& caller, const Request& request, bool like,
                     v1::LikeStatus* response) {
  CF_RETURN_IF_ERROR(ValidateClipChange(request.request_id(), request.clip_id()));
  const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request.request_id(), request);
  CF_ASSIGN_OR_RETURN(const LikeState state, clips.SetLike(caller, key, request.clip_id(), like));
  FillLikeState(state, response);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* ClipsServiceImpl::PublishClip(grpc::CallbackServerContext* ctx,
                                                        const v1::PublishClipRequest* request, v1::Clip* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const NewClip clip, ParsePublishClip(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const ClipView view, d_.clips.Publish(caller, key, clip));
    FillClip(view, d_.media_urls, d_.clock.Now(), response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::GetClip(grpc::CallbackServerContext* ctx,
                                                    const v1::GetClipRequest* request, v1::Clip* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateClipId("clip_id", request->clip_id()));
    CF_ASSIGN_OR_RETURN(const ClipView view, d_.clips.Get(caller, request->clip_id()));
    FillClip(view, d_.media_urls, d_.clock.Now(), response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::ListClips(grpc::CallbackServerContext* ctx,
                                                      const v1::ListClipsRequest* request,
                                                      v1::ListClipsResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const ClipListing listing, ParseListClips(*request));
    CF_ASSIGN_OR_RETURN(const ClipPage page,
                        d_.clips.List(caller, request->author_id(), listing.after_clip_id, listing.page_size));
    const absl::Time now = d_.clock.Now();
    for (const ClipView& view : page.clips) FillClip(view, d_.media_urls, now, response->add_clips());
    if (!page.next_after.empty()) response->set_next_page_token(ClipPageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::UpdateClip(grpc::CallbackServerContext* ctx,
                                                       const v1::UpdateClipRequest* request, v1::Clip* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const ClipChanges changes, ParseUpdateClip(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const ClipView view, d_.clips.Update(caller, key, request->clip().clip_id(), changes));
    FillClip(view, d_.media_urls, d_.clock.Now(), response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::DeleteClip(grpc::CallbackServerContext* ctx,
                                                       const v1::DeleteClipRequest* request,
                                                       google::protobuf::Empty*) {
  return d_.runner.Authenticated(ctx, [this, request](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateClipChange(request->request_id(), request->clip_id()));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    return d_.clips.Delete(caller, key, request->clip_id());
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::LikeClip(grpc::CallbackServerContext* ctx,
                                                     const v1::LikeClipRequest* request, v1::LikeStatus* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    return SetLike(d_.clips, caller, *request, true, response);
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::UnlikeClip(grpc::CallbackServerContext* ctx,
                                                       const v1::UnlikeClipRequest* request,
                                                       v1::LikeStatus* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    return SetLike(d_.clips, caller, *request, false, response);
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::RecordView(grpc::CallbackServerContext* ctx,
                                                       const v1::RecordViewRequest* request,
                                                       v1::RecordViewResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const ViewReport view, ParseRecordView(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const bool counted, d_.clips.RecordView(caller, key, view));
    response->set_counted(counted);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::CreateComment(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateCommentRequest* request,
                                                          v1::Comment* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const NewComment comment, ParseCreateComment(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const CommentView view, d_.comments.Create(caller, key, comment));
    FillComment(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::ListComments(grpc::CallbackServerContext* ctx,
                                                         const v1::ListCommentsRequest* request,
                                                         v1::ListCommentsResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const CommentListing listing, ParseListComments(*request));
    CF_ASSIGN_OR_RETURN(const CommentPage page,
                        d_.comments.List(caller, request->clip_id(), listing.parent_comment_id,
                                         listing.after_comment_id, listing.page_size));
    for (const CommentView& view : page.comments) FillComment(view, response->add_comments());
    if (!page.next_after.empty()) response->set_next_page_token(CommentPageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::DeleteComment(grpc::CallbackServerContext* ctx,
                                                          const v1::DeleteCommentRequest* request,
                                                          google::protobuf::Empty*) {
  return d_.runner.Authenticated(ctx, [this, request](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Uuid("comment_id", request->comment_id());
    CF_RETURN_IF_ERROR(v.status());
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    return d_.comments.Delete(caller, key, request->comment_id());
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::ForkClip(grpc::CallbackServerContext* ctx,
                                                     const v1::ForkClipRequest* request,
                                                     v1::ForkClipResponse* response) {
  const std::string authorization = kit::AuthorizationOf(*ctx);
  return d_.runner.Authenticated(ctx, [this, request, response, authorization](const kit::Caller& caller)
                                 -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateForkClip(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(*response->mutable_job(),
                        d_.clips.Fork(caller, authorization, key, request->clip_id(), request->spec()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::GetLineage(grpc::CallbackServerContext* ctx,
                                                       const v1::GetLineageRequest* request,
                                                       v1::GetLineageResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const LineageListing listing, ParseGetLineage(*request));
    CF_ASSIGN_OR_RETURN(const LineagePage page,
                        d_.graph.Lineage(caller, request->clip_id(), listing.start, listing.page_size));
    FillNodes(page.ancestors, d_.media_urls, d_.clock.Now(), response->mutable_ancestors());
    if (!page.next_start.empty()) response->set_next_page_token(LineagePageToken(page.next_start));
    response->set_depth(page.depth);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::ListDescendants(grpc::CallbackServerContext* ctx,
                                                            const v1::ListDescendantsRequest* request,
                                                            v1::ListDescendantsResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const GraphListing listing, ParseListDescendants(*request));
    CF_ASSIGN_OR_RETURN(const NodePage page, d_.graph.Descendants(caller, request->clip_id(), listing.max_levels,
                                                                  listing.order, listing.after, listing.page_size));
    FillNodes(page.nodes, d_.media_urls, d_.clock.Now(), response->mutable_descendants());
    if (page.next) {
      response->set_next_page_token(
          GraphPageToken(GraphListingKind::kDescendants, request->clip_id(), listing.order, *page.next));
    }
    response->set_total_size(page.total);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::ListVariants(grpc::CallbackServerContext* ctx,
                                                         const v1::ListVariantsRequest* request,
                                                         v1::ListVariantsResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const GraphListing listing, ParseListVariants(*request));
    CF_ASSIGN_OR_RETURN(const NodePage page, d_.graph.Variants(caller, request->clip_id(), listing.relation,
                                                               listing.order, listing.after, listing.page_size));
    FillNodes(page.nodes, d_.media_urls, d_.clock.Now(), response->mutable_variants());
    if (page.next) {
      response->set_next_page_token(
          GraphPageToken(VariantsListing(listing.relation), request->clip_id(), listing.order, *page.next));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::GetCanvas(grpc::CallbackServerContext* ctx,
                                                      const v1::GetCanvasRequest* request,
                                                      v1::GetCanvasResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const GraphListing listing, ParseGetCanvas(*request));
    CF_ASSIGN_OR_RETURN(const NodePage page, d_.graph.Canvas(caller, request->clip_id(), listing.max_levels,
                                                             listing.after, listing.page_size));
    response->set_top_clip_id(request->clip_id());
    FillNodes(page.nodes, d_.media_urls, d_.clock.Now(), response->mutable_nodes());
    if (page.next) {
      response->set_next_page_token(
          GraphPageToken(GraphListingKind::kCanvas, request->clip_id(), listing.order, *page.next));
    }
    response->set_total_size(page.total);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ClipsServiceImpl::GetAttributionChain(grpc::CallbackServerContext* ctx,
                                                                const v1::GetAttributionChainRequest* request,
                                                                v1::AttributionChain* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateClipId("clip_id", request->clip_id()));
    CF_ASSIGN_OR_RETURN(const AttributionResult result, d_.graph.Attribution(caller, request->clip_id()));
    FillAttribution(result, d_.media_urls, d_.clock.Now(), response);
    return absl::OkStatus();
  });
}

}  // namespace clipforge::clips_service
