// Checking a file a user uploaded (a soundtrack, a sticker, an avatar)
// before anything else uses it: what it is, judged by its bytes alone
// (libavformat's probe on the content, never the file name or the type the
// client claimed), that it really decodes (its first frame), and that it is
// within the limits of what it is uploaded as.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace clipforge::media {

enum class MediaKind { kAudio, kImage };

struct ProbedMedia {
  MediaKind kind = MediaKind::kAudio;
  // audio/mpeg, audio/mp4, audio/aac, audio/ogg, audio/wav, image/png,
  // image/webp or image/jpeg.
  std::string mime_type;
  absl::Duration duration;    // audio; zero for images
  int width = 0, height = 0;  // images; zero for audio
};

// What one kind of upload may be. Use the constants below; they are plain
// values so that a test (or a future kind) can state its own.
struct UploadKindLimits {
  std::string name;                     // "soundtrack": used in messages
  MediaKind kind = MediaKind::kAudio;
  std::vector<std::string> mime_types;  // accepted types, of those above
  int64_t max_bytes = 0;
  absl::Duration max_duration;          // audio
  int max_width = 0, max_height = 0;    // images
};

// Soundtracks: MP3, AAC (ADTS or in MP4/M4A), Ogg (Vorbis, Opus), WAV, at
// most 120 s and 64 MiB.
UploadKindLimits SoundtrackUpload();
// Stickers: PNG or WebP (transparency kept), at most 1024x1024 and 4 MiB.
UploadKindLimits StickerUpload();
// Avatars: JPEG, PNG or WebP, at most 4096x4096 and 16 MiB.
UploadKindLimits AvatarUpload();

// Probes the file at `path` against `limits`.
//
// Errors: NOT_FOUND / PERMISSION_DENIED when it cannot be read;
// INVALID_ARGUMENT with a message fit for the uploader otherwise: "not a
// decodable audio file: ..." / "not a decodable image file: ..." (unknown
// content, damaged, truncated), "sticker must be PNG or WebP, got
// image/jpeg" (another type), or the limit exceeded ("sticker is 2048x2048,
// over 1024x1024"; "soundtrack is 130.0 s long, over 120 s"). Pictures are
// measured from their header before they are decoded, so an image that
// declares a huge size is refused without allocating it.
absl::StatusOr<ProbedMedia> ProbeUpload(const std::string& path, const UploadKindLimits& limits);

}  // namespace clipforge::media
