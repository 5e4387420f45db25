// fork CLIP PROMPT: remix a clip. Reads the spec flags as `generate` does
// (job_spec_flags; fields left out take the parent's values on the
// server), uploads a new soundtrack or stickers if given, calls ForkClip
// with a fresh request id, and follows the job it started with the same
// progress display as `generate` (job_watch, job_progress). The fork
// becomes a clip only when it is published: the last line says how.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/status_macros.h"
#include "cli/commands.h"
#include "cli/effect_words.h"
#include "cli/errors.h"
#include "cli/job_progress.h"
#include "cli/job_spec_flags.h"
#include "cli/job_views.h"
#include "cli/job_watch.h"
#include "cli/media_upload.h"

namespace clipforge::cli {
namespace {

using Clips = v1::ClipsService::StubInterface;

// The files the spec flags name, read and checked before anything is sent.
struct SpecFiles {
  std::optional<MediaFile> soundtrack;
  std::vector<std::pair<int, MediaFile>> stickers;  // by index in the spec's effects
};

absl::StatusOr<SpecFiles> ReadSpecFiles(const Invocation& inv) {
  SpecFiles files;
  if (const std::optional<std::string> path = inv.Get("soundtrack")) {
    CF_ASSIGN_OR_RETURN(files.soundtrack, ReadMediaFile(*path, v1::UPLOAD_KIND_SOUNDTRACK, "--soundtrack="));
  }
  const std::vector<std::string> words = inv.GetAll("effect");
  for (int i = 0; i < static_cast<int>(words.size()); ++i) {
    const std::string path = StickerPath(words[i]);
    if (path.empty()) continue;
    CF_ASSIGN_OR_RETURN(MediaFile file, ReadMediaFile(path, v1::UPLOAD_KIND_STICKER, "--effect=sticker:"));
    files.stickers.emplace_back(i, std::move(file));
  }
  return files;
}

// Uploads the files and names them in `spec` by their hashes.
absl::Status UploadSpecFiles(CommandContext& ctx, Session& session, const SpecFiles& files, v1::JobSpec& spec) {
  if (files.soundtrack) {
    CF_ASSIGN_OR_RETURN(*spec.mutable_soundtrack(), UploadMediaFile(ctx, session, *files.soundtrack));
  }
  for (const auto& [index, file] : files.stickers) {
    CF_ASSIGN_OR_RETURN(const v1::BlobRef image, UploadMediaFile(ctx, session, file));
    spec.mutable_effects(index)->mutable_sticker()->mutable_image()->set_sha256(image.sha256());
  }
  return absl::OkStatus();
}

// As `generate` reports a failed job: the code and message, and the code
// (e.g. RENDER_ERROR) as the --json error's reason.
absl::Status ForkFailedError(const v1::GenerationJob& job) {
  const v1::JobFailure& failure = job.failure();
  std::string message = absl::StrCat("job ", job.job_id(), " failed: ", FailureCodeWord(failure.code()));
  if (!failure.message().empty()) absl::StrAppend(&message, ": ", failure.message());
  const std::string reason = absl::AsciiStrToUpper(absl::StrReplaceAll(FailureCodeWord(failure.code()), {{"-", "_"}}));
  return WithReason(absl::AbortedError(message), reason);
}

// The job where the watch left it (or, with --no-wait, as it started), and
// what to do next: publishing is what makes the fork a clip.
absl::Status Conclude(CommandContext& ctx, const v1::GenerationJob& job) {
  const std::string& id = job.job_id();
  switch (job.status()) {
    case v1::JOB_STATUS_FAILED:
      return ForkFailedError(job);
    case v1::JOB_STATUS_CANCELLED:
      return absl::CancelledError(absl::StrCat("job ", id, " was cancelled"));
    case v1::JOB_STATUS_COMPLETED:
      ctx.out().Result(JobRecord(job));
      ctx.out().Note(absl::StrCat("Publish it with `clipforge publish ", id, "`."));
      return absl::OkStatus();
    case v1::JOB_STATUS_PENDING_REVIEW:
      ctx.out().Result(JobRecord(job));
      ctx.out().Note(absl::StrCat("The prompt waits for a moderator's review (`clipforge job ", id,
                                  "` shows when it moves on); once the job is completed, `clipforge publish ", id,
                                  "` publishes it."));
      return absl::OkStatus();
    default:  // --no-wait: queued or in progress
      ctx.out().Result(JobRecord(job));
      ctx.out().Note(absl::StrCat("`clipforge job ", id, "` shows its progress; once it is completed, ",
                                  "`clipforge publish ", id, "` publishes it."));
      return absl::OkStatus();
  }
}

}  // namespace

absl::Status RunFork(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  const std::string clip_id = inv.Operand(0);
  // JobSpecFromFlags reads the prompt as the first operand, where
  // `generate` has it; fork's first operand is the clip.
  Invocation spec_invocation = inv;
  spec_invocation.operands.erase(spec_invocation.operands.begin());
  CF_ASSIGN_OR_RETURN(v1::JobSpec spec, JobSpecFromFlags(spec_invocation));
  CF_ASSIGN_OR_RETURN(const SpecFiles files, ReadSpecFiles(inv));

  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  CF_RETURN_IF_ERROR(UploadSpecFiles(ctx, *session, files, spec));
  v1::ForkClipRequest request;
  request.set_request_id(ctx.connection().NewId());
  request.set_clip_id(clip_id);
  *request.mutable_spec() = std::move(spec);
  v1::ForkClipResponse response;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Clips::ForkClip, request, response));
  v1::GenerationJob job = response.job();
  if (inv.Has("no-wait")) return Conclude(ctx, job);

  ctx.out().Note(absl::StrCat("job ", job.job_id(), " created from clip ", clip_id,
                              ". Ctrl-C stops watching, not the job (`clipforge cancel ", job.job_id(),
                              "` cancels it)."));
  JobProgress progress(ctx.out());
  progress.Show(job);
  if (!WatchEnds(job.status())) {
    CF_ASSIGN_OR_RETURN(job, WatchJob(ctx, *session, job,
                                      [&](const v1::GenerationJob& state) { progress.Show(state); }));
  }
  return Conclude(ctx, job);
}

}  // namespace clipforge::cli
