#include "tests/unit/c2pa/h264_mp4.h"

#include <memory>

#include "generation/procedural_renderer.h"
#include "media/clip_encoder.h"

namespace clipforge::test_media {

// The clip comes from the same renderer and encoder as a worker's output, so
// the Content Credentials tests sign exactly the kind of file users get.
absl::Status WriteH264Mp4(const std::string& path, int frames, int seed) {
  const generation::RenderSpec spec{.prompt = "a test clip, neon city at night",
                                    .seed = static_cast<uint64_t>(seed),
                                    .width = 320,
                                    .height = 180,
                                    .fps = 24,
                                    .frame_count = frames};
  auto scene = generation::ProceduralRenderer().Prepare(spec);
  if (!scene.ok()) return scene.status();
  auto result = media::EncodeClip(**scene, spec, media::EncodeSettings{},
                                  media::ClipFiles{.video_path = path, .thumbnail_path = path + ".thumb.jpg"},
                                  [](int) { return true; });
  return result.status();
}

}  // namespace clipforge::test_media
