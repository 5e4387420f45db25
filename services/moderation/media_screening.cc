#include "services/moderation/media_screening.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "media/pdq_file.h"
#include "services/moderation/bank_convert.h"

namespace clipforge::moderation_service {
namespace {

// CheckVideo samples one frame a second plus the first and the last; a
// bound on the frames keeps one call's work finite (an hour of video).
// Frames nothing refers to are not decoded (a sample may come a frame or
// two after its second): decoding is most of a check's time, and a bank
// match needs any frame of the video, not the one at an exact second.
constexpr double kSampleEverySeconds = 1.0;
constexpr int kMaxSampledFrames = 3602;

absl::StatusOr<std::vector<FrameHash>> HashFrames(const std::string& path) {
  media::FrameReaderOptions options{.every_frame = false,
                                    .interval_seconds = kSampleEverySeconds,
                                    .max_frames = kMaxSampledFrames,
                                    .reference_frames_only = true};
  absl::StatusOr<std::vector<media::FramePdq>> hashed = media::PdqOfFrames(path, options);
  if (!hashed.ok()) {
    // The bytes are the caller's: what FFmpeg makes of them is about `blob`.
    if (absl::IsInvalidArgument(hashed.status()) || absl::IsResourceExhausted(hashed.status())) {
      return absl::Status(hashed.status().code(), absl::StrCat("blob: ", hashed.status().message()));
    }
    return hashed.status();
  }
  std::vector<FrameHash> frames;
  frames.reserve(hashed->size());
  for (const media::FramePdq& f : *hashed) {
    frames.push_back({.frame_index = static_cast<int32_t>(frames.size()),
                      .offset = absl::Microseconds(static_cast<int64_t>(f.time_seconds * 1e6)),
                      .hash = f.pdq.hash,
                      .quality = f.pdq.quality});
  }
  return frames;
}

}  // namespace

absl::StatusOr<MediaCheck> MediaScreening::Screen(const std::string& sha256, const std::optional<TargetRef>& subject) {
  // Kept until the frames are hashed: FFmpeg opens file.path(), and a
  // spooled copy is unlinked when `file` goes.
  CF_ASSIGN_OR_RETURN(const kit::BlobFile file, blobs_.Open(sha256));
  const std::shared_ptr<const ActiveBanks> banks = banks_.Get();
  if (banks == nullptr) return absl::UnavailableError("the hash banks are not loaded yet; retry");
  CF_ASSIGN_OR_RETURN(const std::vector<FrameHash> frames, compute_.Run([&] { return HashFrames(file.path()); }));
  MediaCheck check = banks->Check(frames);
  if (subject && check.decision != v1::MODERATION_DECISION_ALLOW) {
    CaseRecord finding{.target = *subject,
                       .subject_user_id = subject->kind == v1::CONTENT_KIND_USER ? subject->id : "",
                       .source = v1::CASE_SOURCE_MEDIA_FILTER,
                       .categories = check.categories};
    // The evidence is the frames as the API shows them.
    v1::CheckVideoResponse shown;
    FillMediaCheck(check, &shown);
    *finding.evidence.mutable_frame_matches() = shown.frames();
    CF_RETURN_IF_ERROR(review_.OpenFilterCase(finding, check.decision).status());
  }
  return check;
}

}  // namespace clipforge::moderation_service
