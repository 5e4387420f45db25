// Decoding a sticker picture (PNG or WebP, transparency kept) into one RGBA
// frame, by its content (media/content_input.h), for the effects graph.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "media/av_handles.h"

namespace clipforge::media {

// The first picture of the PNG (or APNG) or WebP at `path` as an RGBA
// frame. INVALID_ARGUMENT when the file is another kind, does not decode,
// or has a side over `max_side` (checked before decoding); NOT_FOUND /
// PERMISSION_DENIED when it cannot be opened.
absl::StatusOr<FramePtr> DecodeStickerRgba(const std::string& path, int max_side);

}  // namespace clipforge::media
