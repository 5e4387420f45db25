// Frame hashes as they cross the bus and the store: 32 bytes each, the
// hash's bytes in order (ClipPublishedEvent.frame_hashes, moderation's
// PdqBytes), concatenated for a clip's list. The feed reads them into
// feed::FrameHash words one way and writes them back the same way: a
// Hamming distance does not depend on which bit lands where, only on
// every hash being read alike.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "feed/media_match.h"

namespace clipforge::feed_service {

inline constexpr size_t kFrameHashBytes = 32;

// None unless `bytes` is exactly kFrameHashBytes long.
std::optional<feed::FrameHash> FrameHashFromBytes(absl::string_view bytes);
std::string FrameHashBytes(const feed::FrameHash& hash);

// A clip's frames, concatenated; FramesFromBytes reads whole hashes only
// (a torn tail is dropped).
std::string FramesToBytes(absl::Span<const feed::FrameHash> frames);
std::vector<feed::FrameHash> FramesFromBytes(absl::string_view bytes);

}  // namespace clipforge::feed_service
