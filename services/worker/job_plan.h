// What a leased job asks this worker to render, checked and translated once:
// the wire JobSpec to the generation core's JobSpec (defaults applied) and
// the frame-level RenderSpec (draft or full quality through PlanRender).
//
// The seam for post-render work: effects and soundtracks are refused here
// with UNIMPLEMENTED until media/ can apply them. When it can, JobPlan gains
// the parsed steps and RenderJob applies them between encoding and signing.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clipforge/v1/generation.pb.h"
#include "generation/job_spec.h"
#include "generation/renderer.h"

namespace clipforge::worker {

struct JobPlan {
  generation::JobSpec spec;
  generation::RenderSpec render;
  // The clip's length: render.frame_count frames at render.fps.
  absl::Duration duration;
};

// INVALID_ARGUMENT for a spec this worker cannot render as asked (a bad
// size, length or prompt, or another renderer named in `model`);
// UNIMPLEMENTED for effects and soundtracks, which it does not apply yet.
absl::StatusOr<JobPlan> PlanJob(const v1::JobSpec& spec);

}  // namespace clipforge::worker
