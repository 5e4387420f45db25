// `clipforge generate --soundtrack FILE`: the audio file read and checked
// locally, then uploaded with UploadMedia (UPLOAD_KIND_SOUNDTRACK) for
// JobSpec.soundtrack.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/command_context.h"
#include "clipforge/v1/common.pb.h"

namespace clipforge::cli {

// generation.proto's limit on a soundtrack, and the most data one
// UploadMediaRequest may carry.
inline constexpr int64_t kMaxSoundtrackBytes = int64_t{20} << 20;
inline constexpr size_t kUploadChunkBytes = size_t{1} << 20;

struct SoundtrackFile {
  std::string file_name;     // the base name, shown by the server only
  std::string content_type;  // from the extension
  std::string data;
  std::string sha256;  // of `data`, lowercase hex
};

// The MIME type UPLOAD_KIND_SOUNDTRACK takes for `path`'s extension
// (.mp3, .m4a, .aac, .ogg, .oga, .opus, .wav); "" for any other.
std::string SoundtrackContentType(absl::string_view path);

// Reads `path`. A UsageError, before anything is sent, when it cannot be
// read, is empty or over 20 MiB, or has no extension the server takes. (Its
// length in seconds only the server measures.)
absl::StatusOr<SoundtrackFile> ReadSoundtrack(absl::string_view path);

// UploadMedia: the header (kind, type, size, SHA-256, name), then the data
// in 1 MiB messages. Returns the blob to put in JobSpec.soundtrack. A retry
// (after a token refresh) reuses the request id, which the server answers
// with the first result.
absl::StatusOr<v1::BlobRef> UploadSoundtrack(CommandContext& ctx, Session& session, const SoundtrackFile& file);

}  // namespace clipforge::cli
