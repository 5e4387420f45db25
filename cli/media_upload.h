// `clipforge generate --soundtrack FILE` and `--effect sticker:FILE`: a
// local file read and checked, then uploaded with UploadMedia as its kind
// (UPLOAD_KIND_SOUNDTRACK, UPLOAD_KIND_STICKER) for the JobSpec to name by
// its hash.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/command_context.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::cli {

// generation.proto's limits on each kind, and the most data one
// UploadMediaRequest may carry.
inline constexpr int64_t kMaxSoundtrackBytes = int64_t{20} << 20;
inline constexpr int64_t kMaxStickerBytes = int64_t{2} << 20;
inline constexpr size_t kUploadChunkBytes = size_t{1} << 20;

struct MediaFile {
  v1::UploadKind kind = v1::UPLOAD_KIND_UNSPECIFIED;
  std::string file_name;     // the base name, shown by the server only
  std::string content_type;  // from the extension
  std::string data;
  std::string sha256;  // of `data`, lowercase hex
};

// The MIME type UPLOAD_KIND_SOUNDTRACK takes for `path`'s extension
// (.mp3, .m4a, .aac, .ogg, .oga, .opus, .wav); "" for any other.
std::string SoundtrackContentType(absl::string_view path);
// The MIME type UPLOAD_KIND_STICKER takes for `path`'s extension (.png,
// .webp); "" for any other.
std::string StickerContentType(absl::string_view path);

// Reads `path` as `kind` (a soundtrack or a sticker). A UsageError naming
// `flag`, before anything is sent, when it cannot be read, is empty or over
// the kind's size, or has no extension the server takes for the kind. (What
// is inside, only the server checks.)
absl::StatusOr<MediaFile> ReadMediaFile(absl::string_view path, v1::UploadKind kind, absl::string_view flag);

// UploadMedia: the header (kind, type, size, SHA-256, name), then the data
// in 1 MiB messages. Returns the blob to name in the JobSpec. A retry
// (after a token refresh) reuses the request id, which the server answers
// with the first result.
absl::StatusOr<v1::BlobRef> UploadMediaFile(CommandContext& ctx, Session& session, const MediaFile& file);

}  // namespace clipforge::cli
