// One leased job from spec to signed files: plan the frames (job_plan.h),
// render and encode them with the procedural renderer (media::EncodeClip:
// H.264 MP4 with the effects and stickers, JPEG thumbnail and spritesheet),
// mux the soundtrack under it (media::AddSoundtrack), then sign the MP4
// with C2PA Content Credentials (media::SignMp4File), the parent clip's
// manifest as an ingredient for a remix. No network: the worker loop
// fetches inputs before and uploads the outputs after.
#pragma once

#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clipforge/v1/generation.pb.h"
#include "media/clip_encoder.h"
#include "media/provenance_signer.h"
#include "services/worker/job_plan.h"

namespace clipforge::worker {

// The stages RenderJob reports, as ReportProgressRequest.stage.
inline constexpr absl::string_view kStageRendering = "rendering";
inline constexpr absl::string_view kStageSoundtrack = "soundtrack";
inline constexpr absl::string_view kStageSigning = "signing";

struct RenderJobOptions {
  // Each job's files go in a directory of their own under it (created when
  // missing): "job-<job id>-<lease epoch>".
  std::string work_dir;
  // Signs every clip; not owned, must outlive the call.
  const media::ProvenanceSigner* signer = nullptr;
  media::EncodeSettings encode;
};

struct RenderedJob {
  // The job's directory, holding the files below; the caller removes it
  // (RemoveJobDirectory) once the outputs are uploaded.
  std::string job_dir;
  std::string video_path;        // signed H.264 MP4
  std::string thumbnail_path;    // JPEG
  std::string spritesheet_path;  // JPEG
  // The C2PA manifest store embedded in the video (application/c2pa); a
  // remix of this clip passes it as its parent.
  std::string manifest_store;
  int width = 0;
  int height = 0;
  absl::Duration duration;
  media::SpritesheetInfo spritesheet;
  int frames = 0;
  absl::Duration render_time;
  absl::Duration encode_time;
  // "procedural-1/1.0.0", for JobOutputs.renderer.
  std::string renderer;
};

// What the worker loop fetched for a job before rendering it.
struct FetchedInputs {
  // For a remix, the parent clip's manifest store, recorded as a parentOf
  // ingredient.
  std::optional<std::string> parent_manifest_store;
  // The soundtrack and sticker images, as local files.
  InputFiles files;
};

// Called on the rendering thread with the job's overall percentage (0..95,
// never decreasing) and its stage: kStageRendering while frames are encoded
// (0..90), kStageSoundtrack (90) before a soundtrack is muxed,
// kStageSigning (95) before signing. Returning false cancels.
using RenderProgress = absl::FunctionRef<bool(int percent, absl::string_view stage)>;

// Renders `assignment` into signed files with its fetched `inputs`.
//
// Errors: INVALID_ARGUMENT for a spec it cannot render, a sticker or
// soundtrack that does not decode, or a parent store that does not parse;
// FAILED_PRECONDITION for an input missing from `inputs`; CANCELLED when
// `progress` returned false; the encoder's and the file system's errors
// otherwise. On any error the job's directory is removed: no file is left
// behind.
absl::StatusOr<RenderedJob> RenderJob(const v1::JobAssignment& assignment, const RenderJobOptions& options,
                                      const FetchedInputs& inputs, RenderProgress progress);

// The job id names directories under the work directory, so it must not be
// able to leave it: ids are UUIDs, anything outside [A-Za-z0-9_-] (or over
// 64 characters) is INVALID_ARGUMENT.
absl::Status CheckJobId(absl::string_view job_id);

// Removes a job's directory and everything in it; a missing one is fine.
absl::Status RemoveJobDirectory(const std::string& job_dir);

}  // namespace clipforge::worker
