// PDQ hashes of a media file, as text lines, for `clipforged pdq FILE...`
// (wired in later) and for tests:
//   still (per_frame false): one line "HASH QUALITY" for the first frame;
//   per_frame true: one line "SECONDS HASH QUALITY" per sampled frame
//   (FrameReaderOptions decide which: every frame, or every N seconds plus
//   the first and the last).
// HASH is the 64-hex-digit PDQ text form; SECONDS has 3 decimals.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "media/frame_reader.h"
#include "moderation/pdq.h"

namespace clipforge::media {

struct PdqFileOptions {
  bool per_frame = false;
  FrameReaderOptions frames;
};

absl::StatusOr<std::vector<std::string>> PdqOfFile(const std::string& path, const PdqFileOptions& options);

// The PDQ hash and quality of each frame `frames` samples, in order (what
// the media filter matches against hash banks).
struct FramePdq {
  double time_seconds = 0;
  moderation::PdqResult pdq;
};
absl::StatusOr<std::vector<FramePdq>> PdqOfFrames(const std::string& path, const FrameReaderOptions& frames);

}  // namespace clipforge::media
