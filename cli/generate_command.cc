// generate PROMPT: render a clip from the command line. Checks every flag,
// uploads the soundtrack if one is given, creates the job (CreateJob, with a
// fresh request id), follows it with WatchJob showing its progress, and
// downloads the video once it completes. Ctrl-C only stops the watching:
// the job is the server's, and `clipforge cancel` is what cancels it.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/status_macros.h"
#include "cli/commands.h"
#include "cli/content_download.h"
#include "cli/effect_words.h"
#include "cli/errors.h"
#include "cli/job_progress.h"
#include "cli/job_spec_flags.h"
#include "cli/job_views.h"
#include "cli/job_watch.h"
#include "cli/media_upload.h"
#include "cli/status_message.h"

namespace clipforge::cli {
namespace {

using Generation = v1::GenerationService::StubInterface;

// "RENDER_ERROR" for the --json error's reason, as scripts switch on it.
std::string FailureReason(v1::GenerationFailureCode code) {
  return absl::AsciiStrToUpper(absl::StrReplaceAll(FailureCodeWord(code), {{"-", "_"}}));
}

absl::Status JobFailedError(const v1::GenerationJob& job) {
  const v1::JobFailure& failure = job.failure();
  std::string message = absl::StrCat("job ", job.job_id(), " failed: ", FailureCodeWord(failure.code()));
  if (!failure.message().empty()) absl::StrAppend(&message, ": ", failure.message());
  return WithReason(absl::AbortedError(message), FailureReason(failure.code()));
}

// What `generate` prints for a job that reached `job`'s state.
absl::Status Conclude(CommandContext& ctx, Session& session, const v1::GenerationJob& job) {
  const Invocation& inv = ctx.invocation();
  const std::string& id = job.job_id();
  Record record;
  record.Str("job_id", id).Str("status", JobStatusWord(job.status()));
  switch (job.status()) {
    case v1::JOB_STATUS_COMPLETED:
      break;
    case v1::JOB_STATUS_PENDING_REVIEW:
      ctx.out().Result(record);
      ctx.out().Note(absl::StrCat("The prompt waits for a moderator's review. `clipforge jobs` shows when the job "
                                  "moves on; once it is completed, `clipforge download ",
                                  id, "` fetches the clip."));
      return absl::OkStatus();
    case v1::JOB_STATUS_FAILED:
      return JobFailedError(job);
    case v1::JOB_STATUS_CANCELLED:
      return absl::CancelledError(absl::StrCat("job ", id, " was cancelled"));
    default:
      return absl::InternalError(absl::StrCat("job ", id, " stopped in status ", JobStatusWord(job.status())));
  }
  if (job.spec().has_seed()) record.Int("seed", job.spec().seed());
  if (inv.Has("no-download")) {
    ctx.out().Result(record);
    ctx.out().Note(absl::StrCat("Download it with `clipforge download ", id, "`."));
    return absl::OkStatus();
  }
  const std::string path = inv.Get("out").value_or(DefaultContentPath(id, v1::CONTENT_VARIANT_VIDEO));
  absl::StatusOr<DownloadedContent> video =
      DownloadContent(ctx, session, id, v1::CONTENT_VARIANT_VIDEO, path, job.outputs().video().sha256());
  if (!video.ok()) {
    return WithMessageSuffix(video.status(),
                             absl::StrCat(" (job ", id, " is completed: `clipforge download ", id, "` tries again)"));
  }
  record.Str("path", video->path).Int("bytes", video->bytes).Str("sha256", video->sha256);
  ctx.out().Result(record);
  return absl::OkStatus();
}

}  // namespace

absl::Status RunGenerate(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(v1::JobSpec spec, JobSpecFromFlags(inv));
  const std::optional<std::string> out = inv.Get("out");
  if (out && (out->empty() || out->back() == '/')) return UsageError("--out must name a file");
  if (out && inv.Has("no-download")) return UsageError("--out names where to download: drop it or --no-download");
  // Every file is read and checked before anything is sent.
  std::optional<MediaFile> soundtrack;
  if (const std::optional<std::string> path = inv.Get("soundtrack")) {
    CF_ASSIGN_OR_RETURN(soundtrack, ReadMediaFile(*path, v1::UPLOAD_KIND_SOUNDTRACK, "--soundtrack="));
  }
  // The --effect words are the spec's effects, in order.
  std::vector<std::pair<int, MediaFile>> stickers;
  const std::vector<std::string> words = inv.GetAll("effect");
  for (int i = 0; i < static_cast<int>(words.size()); ++i) {
    const std::string path = StickerPath(words[i]);
    if (path.empty()) continue;
    CF_ASSIGN_OR_RETURN(MediaFile file, ReadMediaFile(path, v1::UPLOAD_KIND_STICKER, "--effect=sticker:"));
    stickers.emplace_back(i, std::move(file));
  }

  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  if (soundtrack) {
    CF_ASSIGN_OR_RETURN(*spec.mutable_soundtrack(), UploadMediaFile(ctx, *session, *soundtrack));
  }
  for (const auto& [index, file] : stickers) {
    CF_ASSIGN_OR_RETURN(const v1::BlobRef image, UploadMediaFile(ctx, *session, file));
    spec.mutable_effects(index)->mutable_sticker()->mutable_image()->set_sha256(image.sha256());
  }
  v1::CreateJobRequest request;
  request.set_request_id(ctx.connection().NewId());
  *request.mutable_spec() = std::move(spec);
  v1::GenerationJob job;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Generation::CreateJob, request, job));

  ctx.out().Note(absl::StrCat("job ", job.job_id(), " created. Ctrl-C stops watching, not the job (`clipforge cancel ",
                              job.job_id(), "` cancels it)."));
  JobProgress progress(ctx.out());
  progress.Show(job);
  if (!WatchEnds(job.status())) {
    CF_ASSIGN_OR_RETURN(job, WatchJob(ctx, *session, job, [&](const v1::GenerationJob& state) { progress.Show(state); }));
  }
  return Conclude(ctx, *session, job);
}

}  // namespace clipforge::cli
