// Everything the procedural renderer precomputes for one clip from its
// spec and recipe: colours, layer profiles, star, cloud, particle and shape
// placements. Built once by Prepare; each frame is then a cheap function of
// this model and the frame index (see procedural_renderer.cc). Sizes are in
// pixels of the output; heights count upwards from the horizon line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generation/bitmap_text.h"
#include "generation/renderer.h"
#include "generation/scene_recipe.h"

namespace clipforge::generation {

struct SkyColours {
  Rgb top, mid, horizon;
};

// The sun or the moon, with a halo drawn as rings.
struct Body {
  bool present = false;
  bool moon = false;
  int x = 0;
  int height = 0;      // of its centre above the horizon
  int rise_per_s = 0;  // negative: sinking
  int radius = 0;
  int glow_radius = 0;
  Rgb colour, glow;
};

enum class LayerKind { kRidge, kDunes, kTrees, kBuildings, kShore };

// A silhouette over the horizon: its height at each world column (the world
// is world_len columns wide and wraps), drawn with a vertical gradient; it
// moves with the camera at `parallax` (256 = the nearest ground).
struct Layer {
  LayerKind kind = LayerKind::kRidge;
  int parallax = 256;
  std::vector<int> height;
  int max_height = 0;
  Rgb top, bottom;
  // Buildings: window_key[column] != 0 inside a window column; floors are
  // floor_pitch tall with windows in rows [band_lo, band_hi) of each.
  std::vector<uint32_t> window_key;
  int floor_pitch = 0, band_lo = 0, band_hi = 0;
  int lit_threshold = 0;  // of 256: share of windows lit
  Rgb window_lit, window_dark;
};

struct Star {
  int wx = 0, height = 0, phase = 0, rate = 0, brightness = 0, size = 1;
};

struct Cloud {
  int wx = 0, height = 0, rx = 0, ry = 0;
};

// A neon sign on a building; it moves with its layer's parallax.
struct Sign {
  int parallax = 256, wx = 0, height = 0, w = 0, h = 0, phase = 0;
  Rgb colour;
};

// A particle, snowflake or raindrop: starts at (x, y), moves (vx, vy)
// pixels per second, sways sideways by `sway` pixels at `sway_rate`
// (1/1024 turn per second) and wraps around the frame.
struct Mover {
  int x = 0, y = 0, vx = 0, vy = 0, sway = 0, sway_rate = 0, phase = 0, size = 1;
  Rgb colour;
};

// A shape floating on a Lissajous path: sides 0 is a disc.
struct Shape {
  int sides = 0, size = 0, cx = 0, cy = 0, ax = 0, ay = 0, fx = 0, fy = 0, px = 0, py = 0, spin = 0;
  Rgb colour;
};

enum class Ground { kGrass, kSand, kRock, kStreet, kSnow, kNeonGrid };

struct SceneModel {
  int width = 0, height = 0, fps = 30, frame_count = 1;
  int unit = 0;       // min(width, height): the scale of every feature
  int world_len = 0;  // columns in a layer's profile before it repeats
  int horizon = 0;    // row of the horizon at rest
  CameraMove camera = CameraMove::kDrift;
  int drift_dir = 1;
  uint64_t variation = 0;

  SkyColours sky;
  Body sun;
  bool water = false;
  Rgb water_colour, glint_colour;
  Ground ground = Ground::kGrass;
  Rgb ground_far, ground_near, ground_mark;
  Rgb cloud_top, cloud_bottom;
  int cloud_alpha = 0;
  std::vector<Rgb> accents;  // never empty

  std::vector<Layer> layers;  // back to front
  std::vector<Star> stars;
  std::vector<Cloud> clouds;
  std::vector<Sign> signs;
  std::vector<Mover> particles, snow, rain;
  std::vector<Shape> shapes;
  std::string caption;  // upper-case prompt, empty for none
};

// `spec` must be valid (ValidateRenderSpec).
SceneModel BuildSceneModel(const RenderSpec& spec, const SceneRecipe& recipe);

}  // namespace clipforge::generation
