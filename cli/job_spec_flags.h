// `clipforge generate`'s command line into a JobSpec: the prompt and
// --seconds, --size, --seed, --quality, --remix-of, --effect. Everything is
// checked before any call (a mistake is a UsageError, exit 2), as far as the
// client can know: the tier's limits stay the server's to enforce.
#pragma once

#include "absl/status/statusor.h"
#include "cli/args.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::cli {

// JobSpec.seconds and JobSpec.size as generation.proto bounds them.
inline constexpr int32_t kMinClipSeconds = 4;
inline constexpr int32_t kMaxClipSeconds = 300;
inline constexpr size_t kMaxPromptChars = 2000;

// The spec the invocation asks for, without the soundtrack (an upload, see
// media_upload.h).
absl::StatusOr<v1::JobSpec> JobSpecFromFlags(const Invocation& invocation);

// True for "WIDTHxHEIGHT" with two positive whole numbers, e.g. "720x1280".
// Which sizes a tier may render is the server's to say.
bool IsFrameSize(absl::string_view text);

}  // namespace clipforge::cli
