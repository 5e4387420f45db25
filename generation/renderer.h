// The renderer plug-in interface: what turns a prompt into frames. The
// worker prepares a Scene once per job and then asks it for each frame; the
// encoding pipeline (media/clip_encoder.h) pulls frames from it, so a
// renderer never sees FFmpeg and a GPU renderer can replace the procedural
// one behind the same interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::generation {

// What to render. The same spec given to the same renderer version yields
// the same frames, byte for byte.
struct RenderSpec {
  std::string prompt;
  uint64_t seed = 0;
  int width = 0;   // even, 16..7680
  int height = 0;  // even, 16..7680
  int fps = 30;    // 1..120
  int frame_count = 0;
};

// OK when `spec` is within the bounds above (frame_count <= 36,000) and the
// prompt is at most 4,096 bytes; INVALID_ARGUMENT naming the field if not.
absl::Status ValidateRenderSpec(const RenderSpec& spec);

// A caller-owned RGB24 image: `height` rows of `width` pixels (R, G, B
// bytes), row r starting at data + r * stride. Renderers write every pixel.
struct RgbFrame {
  uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;  // bytes from one row to the next, >= width * 3

  uint8_t* Row(int y) const { return data + static_cast<std::ptrdiff_t>(y) * stride; }
};

// One prepared clip. Render is deterministic (a pure function of the
// prepared spec and frame_index), may be called in any order and from
// several threads at once on the same Scene.
class Scene {
 public:
  virtual ~Scene() = default;
  // `out` must be spec.width x spec.height; 0 <= frame_index < frame_count.
  virtual void Render(int frame_index, RgbFrame out) const = 0;
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual absl::string_view name() const = 0;
  // Bumped whenever the same spec would render different pixels.
  virtual absl::string_view version() const = 0;
  // INVALID_ARGUMENT for a spec out of the bounds above.
  virtual absl::StatusOr<std::unique_ptr<Scene>> Prepare(const RenderSpec& spec) const = 0;
};

}  // namespace clipforge::generation
