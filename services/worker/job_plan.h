// What a leased job asks this worker to render, checked and translated once:
// the wire JobSpec to the generation core's JobSpec (defaults applied) and
// the frame-level RenderSpec (draft or full quality through PlanRender).
//
// Effects (text, colour grades, speed, stickers) become media::Effect
// values that EncodeClip applies between rendering and encoding; stickers
// and the soundtrack name uploaded inputs, which the worker loop fetched to
// local files before planning (InputFiles).
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clipforge/v1/generation.pb.h"
#include "generation/job_spec.h"
#include "generation/renderer.h"
#include "media/effects.h"

namespace clipforge::worker {

// The job's fetched inputs: each input blob's SHA-256 (lowercase hex) to
// the local file holding its verified bytes.
using InputFiles = absl::flat_hash_map<std::string, std::string>;

struct JobPlan {
  generation::JobSpec spec;
  generation::RenderSpec render;
  // Applied in EncodeClip; a speed change makes the clip shorter or longer.
  std::vector<media::Effect> effects;
  // The clip's length: the frames encoded (after any speed change) at
  // render.fps.
  absl::Duration duration;
  // The soundtrack's local file, muxed under the clip after encoding; empty
  // for none.
  std::string soundtrack_path;
};

// INVALID_ARGUMENT for a spec this worker cannot render as asked (a bad
// size, length or prompt, or another renderer named in `model`);
// FAILED_PRECONDITION when a sticker or the soundtrack has no file in
// `inputs`.
absl::StatusOr<JobPlan> PlanJob(const v1::JobSpec& spec, const InputFiles& inputs = {});

}  // namespace clipforge::worker
