// What a leased job asks this worker to render, checked and translated once:
// the wire JobSpec to the generation core's JobSpec (defaults applied) and
// the frame-level RenderSpec (draft or full quality through PlanRender).
//
// Effects (text, colour grades, speed) become media::Effect values that
// EncodeClip applies between rendering and encoding; stickers and
// soundtracks (which need uploaded inputs) are refused UNIMPLEMENTED.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clipforge/v1/generation.pb.h"
#include "generation/job_spec.h"
#include "generation/renderer.h"
#include "media/effects.h"

namespace clipforge::worker {

struct JobPlan {
  generation::JobSpec spec;
  generation::RenderSpec render;
  // Applied in EncodeClip; a speed change makes the clip shorter or longer.
  std::vector<media::Effect> effects;
  // The clip's length: the frames encoded (after any speed change) at
  // render.fps.
  absl::Duration duration;
};

// INVALID_ARGUMENT for a spec this worker cannot render as asked (a bad
// size, length or prompt, or another renderer named in `model`);
// UNIMPLEMENTED for stickers and soundtracks, which it does not apply yet.
absl::StatusOr<JobPlan> PlanJob(const v1::JobSpec& spec);

}  // namespace clipforge::worker
