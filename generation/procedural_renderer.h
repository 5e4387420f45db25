// The reference renderer: a procedural scene drawn on the CPU with integer
// arithmetic. The prompt's words pick the scene (scene_recipe.h), the seed
// varies it, and each frame is a pure function of (spec, frame index), so
// the same spec renders byte-identical frames in any order and on any
// number of threads. It is cheap by design (about one store per pixel plus
// sparse details): the encoder, not the renderer, sets the pace of a job.
//
// The "ClipForge" mark is not drawn here: the encoding pipeline stamps it
// on every frame of every renderer (bitmap_text.h).
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "generation/renderer.h"

namespace clipforge::generation {

class ProceduralRenderer final : public Renderer {
 public:
  static constexpr absl::string_view kName = "procedural-1";
  static constexpr absl::string_view kVersion = "1.0.0";

  absl::string_view name() const override { return kName; }
  absl::string_view version() const override { return kVersion; }
  absl::StatusOr<std::unique_ptr<Scene>> Prepare(const RenderSpec& spec) const override;
};

}  // namespace clipforge::generation
