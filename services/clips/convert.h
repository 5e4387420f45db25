// Records to API messages for the ClipsService adapter. Media URLs are
// signed here, at read time, so every response carries fresh ones.
#pragma once

#include <optional>

#include "absl/time/time.h"
#include "clipforge/v1/clips.pb.h"
#include "services/clips/clip_logic.h"
#include "services/clips/comment_logic.h"
#include "services/clips/graph_logic.h"
#include "services/kit/signed_url.h"

namespace clipforge::clips_service {

// How long a media URL in a response works.
inline constexpr absl::Duration kMediaUrlTtl = absl::Hours(1);

// A URL for `blob` valid kMediaUrlTtl from `now`; nullopt when no signer is
// configured, the blob is unset, or it cannot be signed (a content type
// that may not be served).
std::optional<v1::SignedUrl> SignedUrlFor(const v1::BlobRef& blob, const kit::MediaUrls& urls, absl::Time now);

// A tombstone gets its ids, depth, removal and times only.
void FillClip(const ClipView& view, const kit::MediaUrls& urls, absl::Time now, v1::Clip* out);
// A hidden node gets its ids and depth only; a removed one those and its
// create time.
void FillNode(const NodeView& node, const kit::MediaUrls& urls, absl::Time now, v1::ClipNode* out);
void FillAttribution(const AttributionResult& result, const kit::MediaUrls& urls, absl::Time now,
                     v1::AttributionChain* out);
void FillLikeState(const LikeState& state, v1::LikeStatus* out);
// A tombstone shows only its id, clip, parent, reply count, `deleted` and
// time.
void FillComment(const CommentView& view, v1::Comment* out);

}  // namespace clipforge::clips_service
