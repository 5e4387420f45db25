#include "media/pdq_file.h"

#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "moderation/pdq.h"

namespace clipforge::media {
namespace {

moderation::ImageView ViewOf(const Frame& frame) {
  return {frame.rgb.data(), frame.width, frame.height, frame.width * 3, moderation::PixelFormat::kRgb24};
}

}  // namespace

absl::StatusOr<std::vector<FramePdq>> PdqOfFrames(const std::string& path, const FrameReaderOptions& frames) {
  std::vector<FramePdq> hashes;
  moderation::PdqHasher hasher;
  const auto hash = [&](const Frame& frame) -> absl::Status {
    absl::StatusOr<moderation::PdqResult> pdq = hasher.Hash(ViewOf(frame));
    if (!pdq.ok()) return pdq.status();
    hashes.push_back({frame.time_seconds, *pdq});
    return absl::OkStatus();
  };
  absl::StatusOr<MediaInfo> read = ReadFrames(path, frames, hash);
  if (!read.ok()) return read.status();
  // Reference frames more than an interval apart: a stream made so that
  // most of it is never decoded that way. Every frame is read instead, so
  // no interval goes unseen.
  if (frames.reference_frames_only && !frames.every_frame &&
      read->max_decoded_gap_seconds > frames.interval_seconds + 1e-6) {
    hashes.clear();
    FrameReaderOptions all = frames;
    all.reference_frames_only = false;
    CF_RETURN_IF_ERROR(ReadFrames(path, all, hash).status());
  }
  return hashes;
}

absl::StatusOr<std::vector<std::string>> PdqOfFile(const std::string& path, const PdqFileOptions& options) {
  std::vector<std::string> lines;
  moderation::PdqHasher hasher;
  bool done = false;
  const absl::Status read =
      ReadFrames(path, options.frames, [&](const Frame& frame) -> absl::Status {
        absl::StatusOr<moderation::PdqResult> pdq = hasher.Hash(ViewOf(frame));
        if (!pdq.ok()) return pdq.status();
        if (options.per_frame) {
          lines.push_back(absl::StrFormat("%.3f %s %d", frame.time_seconds, pdq->hash.ToHex(), pdq->quality));
        } else {
          lines.push_back(absl::StrFormat("%s %d", pdq->hash.ToHex(), pdq->quality));
          done = true;
          return absl::CancelledError("first frame taken");  // stops the read
        }
        return absl::OkStatus();
      }).status();
  if (!read.ok() && !(done && absl::IsCancelled(read))) return read;
  return lines;
}

}  // namespace clipforge::media
