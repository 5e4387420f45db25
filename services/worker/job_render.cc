#include "services/worker/job_render.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "generation/c2pa_manifest.h"
#include "generation/procedural_renderer.h"
#include "media/provenance_mp4.h"
#include "media/soundtrack.h"

namespace clipforge::worker {
namespace {

namespace fs = std::filesystem;

// Encoding ends at this overall percentage; signing is reported at
// kSigningPercent. The rest (to 99) is the loop's, for uploading.
constexpr int kRenderingEndPercent = 90;
constexpr int kSigningPercent = 95;
// EncodeClip reports 0..99.
constexpr int kEncoderMaxPercent = 99;

absl::Status FileSystemError(const std::error_code& ec, absl::string_view what) {
  const std::string message = absl::StrCat(what, ": ", ec.message());
  switch (ec.value()) {
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    default:
      return absl::InternalError(message);
  }
}

// Removes the job's directory when the render does not succeed, so that a
// failed or cancelled job leaves nothing behind.
class DirectoryCleanup {
 public:
  explicit DirectoryCleanup(std::string dir) : dir_(std::move(dir)) {}
  DirectoryCleanup(const DirectoryCleanup&) = delete;
  DirectoryCleanup& operator=(const DirectoryCleanup&) = delete;
  ~DirectoryCleanup() {
    if (!dir_.empty()) RemoveJobDirectory(dir_).IgnoreError();
  }
  void Keep() { dir_.clear(); }

 private:
  std::string dir_;
};

media::ClipCredentials CredentialsFor(const v1::JobAssignment& assignment, const JobPlan& plan) {
  // The clip does not exist until the owner publishes the job's output, so
  // the job id stands in for the clip id (ids are unique across both).
  return media::ClipCredentials{
      .clip_id = assignment.job_id(),
      .job_id = assignment.job_id(),
      .creator_user_id = assignment.user_id(),
      .prompt_sha256_hex = base::Sha256Hex(plan.spec.prompt),
      .renderer_name = std::string(generation::ProceduralRenderer::kName),
      .renderer_version = std::string(generation::ProceduralRenderer::kVersion),
      .seed = static_cast<uint64_t>(plan.spec.seed),
      .title = absl::StrCat(assignment.job_id(), ".mp4"),
  };
}

}  // namespace

absl::Status CheckJobId(absl::string_view job_id) {
  const bool ok = !job_id.empty() && job_id.size() <= 64 &&
                  std::all_of(job_id.begin(), job_id.end(), [](char c) {
                    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
                  });
  if (!ok) return absl::InvalidArgumentError("job_id: must be 1-64 letters, digits, '-' or '_'");
  return absl::OkStatus();
}

absl::Status RemoveJobDirectory(const std::string& job_dir) {
  std::error_code ec;
  fs::remove_all(job_dir, ec);
  if (ec) return FileSystemError(ec, absl::StrCat("cannot remove ", job_dir));
  return absl::OkStatus();
}

absl::StatusOr<RenderedJob> RenderJob(const v1::JobAssignment& assignment, const RenderJobOptions& options,
                                      const FetchedInputs& inputs, RenderProgress progress) {
  const std::optional<std::string>& parent_manifest_store = inputs.parent_manifest_store;
  if (options.signer == nullptr) return absl::InvalidArgumentError("RenderJob: no signer");
  if (options.work_dir.empty()) return absl::InvalidArgumentError("RenderJob: no work directory");
  CF_RETURN_IF_ERROR(CheckJobId(assignment.job_id()));
  CF_ASSIGN_OR_RETURN(const JobPlan plan, PlanJob(assignment.spec(), inputs.files));
  // SignMp4File checks the parent too, but only after the whole render:
  // a store that cannot be an ingredient fails the job before any frame.
  if (parent_manifest_store) {
    if (auto parsed = generation::c2pa::ParseManifestStore(*parent_manifest_store); !parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("parent provenance: ", parsed.status().message()));
    }
  }

  RenderedJob job;
  job.job_dir = (fs::path(options.work_dir) /
                 absl::StrCat("job-", assignment.job_id(), "-", assignment.lease_epoch()))
                    .string();
  // A directory left by a crashed earlier run of this very lease is stale.
  CF_RETURN_IF_ERROR(RemoveJobDirectory(job.job_dir));
  std::error_code ec;
  fs::create_directories(job.job_dir, ec);
  if (ec) return FileSystemError(ec, absl::StrCat("cannot create ", job.job_dir));
  DirectoryCleanup cleanup(job.job_dir);

  const generation::ProceduralRenderer renderer;
  CF_ASSIGN_OR_RETURN(const std::unique_ptr<generation::Scene> scene, renderer.Prepare(plan.render));
  const std::string unsigned_video = (fs::path(job.job_dir) / "unsigned.mp4").string();
  job.video_path = (fs::path(job.job_dir) / "video.mp4").string();
  job.thumbnail_path = (fs::path(job.job_dir) / "thumbnail.jpg").string();
  job.spritesheet_path = (fs::path(job.job_dir) / "spritesheet.jpg").string();
  const media::ClipFiles files{.video_path = unsigned_video,
                               .thumbnail_path = job.thumbnail_path,
                               .spritesheet_path = job.spritesheet_path};
  media::EncodeSettings encode = options.encode;
  encode.effects = plan.effects;
  CF_ASSIGN_OR_RETURN(const media::ClipResult clip,
                      media::EncodeClip(*scene, plan.render, encode, files, [&](int encoded) {
                        return progress(encoded * kRenderingEndPercent / kEncoderMaxPercent, kStageRendering);
                      }));

  // The video packets are copied, not encoded again; the audio is cut or
  // looped to the video's exact length.
  if (!plan.soundtrack_path.empty()) {
    if (!progress(kRenderingEndPercent, kStageSoundtrack)) {
      return absl::CancelledError("render cancelled before the soundtrack");
    }
    CF_RETURN_IF_ERROR(media::AddSoundtrack(unsigned_video, plan.soundtrack_path, unsigned_video).status());
  }
  if (!progress(kSigningPercent, kStageSigning)) return absl::CancelledError("render cancelled before signing");
  CF_ASSIGN_OR_RETURN(job.manifest_store, media::SignMp4File(unsigned_video, job.video_path,
                                                             CredentialsFor(assignment, plan),
                                                             parent_manifest_store, *options.signer));
  fs::remove(unsigned_video, ec);  // Only the signed video is an output.

  job.width = plan.render.width;
  job.height = plan.render.height;
  job.duration = plan.duration;
  job.spritesheet = clip.spritesheet;
  job.frames = clip.frames;
  job.render_time = clip.render_time;
  job.encode_time = clip.encode_time;
  job.renderer = absl::StrCat(renderer.name(), "/", renderer.version());
  cleanup.Keep();
  return job;
}

}  // namespace clipforge::worker
