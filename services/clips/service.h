// The ClipsService gRPC adapter: validate, convert, call the logic,
// convert. Every RPC needs an access token; visibility is the logic's.
#pragma once

#include "clipforge/v1/clips.grpc.pb.h"
#include "services/clips/clip_logic.h"
#include "services/clips/comment_logic.h"
#include "services/clips/graph_logic.h"
#include "services/kit/call_runner.h"
#include "services/kit/signed_url.h"

namespace clipforge::clips_service {

// What the adapter borrows; none of it owned.
struct ClipsServiceDeps {
  ClipLogic& clips;
  CommentLogic& comments;
  GraphLogic& graph;
  const kit::MediaUrls& media_urls;  // Media URLs are left unset without a signer.
  const base::Clock& clock;
  kit::CallRunner& runner;
};

class ClipsServiceImpl final : public v1::ClipsService::CallbackService {
 public:
  explicit ClipsServiceImpl(ClipsServiceDeps deps) : d_(deps) {}

  grpc::ServerUnaryReactor* PublishClip(grpc::CallbackServerContext*, const v1::PublishClipRequest*,
                                        v1::Clip*) override;
  grpc::ServerUnaryReactor* GetClip(grpc::CallbackServerContext*, const v1::GetClipRequest*, v1::Clip*) override;
  grpc::ServerUnaryReactor* ListClips(grpc::CallbackServerContext*, const v1::ListClipsRequest*,
                                      v1::ListClipsResponse*) override;
  grpc::ServerUnaryReactor* UpdateClip(grpc::CallbackServerContext*, const v1::UpdateClipRequest*,
                                       v1::Clip*) override;
  grpc::ServerUnaryReactor* DeleteClip(grpc::CallbackServerContext*, const v1::DeleteClipRequest*,
                                       google::protobuf::Empty*) override;
  grpc::ServerUnaryReactor* LikeClip(grpc::CallbackServerContext*, const v1::LikeClipRequest*,
                                     v1::LikeStatus*) override;
  grpc::ServerUnaryReactor* UnlikeClip(grpc::CallbackServerContext*, const v1::UnlikeClipRequest*,
                                       v1::LikeStatus*) override;
  grpc::ServerUnaryReactor* RecordView(grpc::CallbackServerContext*, const v1::RecordViewRequest*,
                                       v1::RecordViewResponse*) override;
  grpc::ServerUnaryReactor* CreateComment(grpc::CallbackServerContext*, const v1::CreateCommentRequest*,
                                          v1::Comment*) override;
  grpc::ServerUnaryReactor* ListComments(grpc::CallbackServerContext*, const v1::ListCommentsRequest*,
                                         v1::ListCommentsResponse*) override;
  grpc::ServerUnaryReactor* DeleteComment(grpc::CallbackServerContext*, const v1::DeleteCommentRequest*,
                                          google::protobuf::Empty*) override;
  grpc::ServerUnaryReactor* ForkClip(grpc::CallbackServerContext*, const v1::ForkClipRequest*,
                                     v1::ForkClipResponse*) override;
  grpc::ServerUnaryReactor* GetLineage(grpc::CallbackServerContext*, const v1::GetLineageRequest*,
                                       v1::GetLineageResponse*) override;
  grpc::ServerUnaryReactor* ListDescendants(grpc::CallbackServerContext*, const v1::ListDescendantsRequest*,
                                            v1::ListDescendantsResponse*) override;
  grpc::ServerUnaryReactor* ListVariants(grpc::CallbackServerContext*, const v1::ListVariantsRequest*,
                                         v1::ListVariantsResponse*) override;
  grpc::ServerUnaryReactor* GetCanvas(grpc::CallbackServerContext*, const v1::GetCanvasRequest*,
                                      v1::GetCanvasResponse*) override;
  grpc::ServerUnaryReactor* GetAttributionChain(grpc::CallbackServerContext*,
                                                const v1::GetAttributionChainRequest*,
                                                v1::AttributionChain*) override;

 private:
  ClipsServiceDeps d_;
};

}  // namespace clipforge::clips_service
