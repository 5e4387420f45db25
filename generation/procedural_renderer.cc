#include "generation/procedural_renderer.h"

#include <algorithm>
#include <vector>

#include "generation/bitmap_text.h"
#include "generation/raster.h"
#include "generation/scene_model.h"
#include "generation/scene_recipe.h"

namespace clipforge::generation {
namespace {

using raster::BlendPixel;
using raster::BlendSpan;
using raster::Cos;
using raster::FillSpan;
using raster::Mix;
using raster::Put;
using raster::Scale;
using raster::Sin;

uint32_t Hash(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

int64_t Mod(int64_t v, int64_t m) { return ((v % m) + m) % m; }

// Where the camera is in one frame. Motion is in pixels at parallax 256
// (the nearest ground); `t` is the frame's time in 1/65536 s.
struct Camera {
  int64_t t = 0;
  int pan = 0, orbit = 0, shake_x = 0, shake_y = 0, tilt = 0;
  int zoom = 65536, inv_zoom = 65536;  // 16.16
  int horizon = 0;                     // screen row of the horizon

  int Offset(int parallax) const { return (pan * parallax >> 8) + (orbit * (parallax - 128) >> 7) + shake_x; }
  // Pixels for a speed in pixels (or angle units) per second.
  int64_t Move(int64_t per_second) const { return per_second * t >> 16; }
};

// The caption wrapped to at most two lines that fit the width.
std::vector<std::string> WrapCaption(const std::string& text, int max_chars) {
  std::vector<std::string> lines;
  if (text.empty() || max_chars < 4) return lines;
  std::string rest = text;
  while (!rest.empty() && lines.size() < 2) {
    if (static_cast<int>(rest.size()) <= max_chars) {
      lines.push_back(rest);
      break;
    }
    size_t cut = rest.rfind(' ', max_chars);
    if (cut == std::string::npos || cut == 0) cut = max_chars;
    if (lines.size() == 1) {  // the last line: cut with an ellipsis
      lines.push_back(rest.substr(0, std::min<size_t>(cut, max_chars - 3)) + "...");
      break;
    }
    lines.push_back(rest.substr(0, cut));
    rest = rest.substr(cut);
    while (!rest.empty() && rest.front() == ' ') rest.erase(rest.begin());
  }
  return lines;
}

class ProceduralScene final : public Scene {
 public:
  explicit ProceduralScene(SceneModel model) : m_(std::move(model)) {
    caption_scale_ = std::max(1, m_.unit / 240);
    const int margin = m_.unit / 30;
    caption_ = WrapCaption(m_.caption, (m_.width - 2 * margin) / (6 * caption_scale_));
  }

  void Render(int frame_index, RgbFrame out) const override {
    const Camera cam = CameraAt(frame_index);
    std::vector<Rgb> sky(m_.height);
    SkyRows(cam, sky);
    const int hz = std::clamp(cam.horizon, 0, m_.height);
    for (int y = 0; y < hz; ++y) FillSpan(out.Row(y), m_.width, 0, m_.width, sky[y]);
    Stars(cam, sky, out);
    SunAndMoon(cam, sky, out);
    Clouds(cam, sky, out);
    if (m_.water) {
      Water(cam, sky, out);
    } else {
      GroundRows(cam, out);
    }
    Layers(cam, frame_index, out);
    if (m_.water) Glints(cam, frame_index, out);
    Signs(cam, frame_index, out);
    Shapes(cam, out);
    Particles(cam, out);
    Snow(cam, out);
    Rain(cam, out);
    Caption(out);
  }

 private:
  Camera CameraAt(int f) const {
    Camera c;
    c.t = (int64_t{f} << 16) / m_.fps;
    const int64_t u = m_.frame_count > 1 ? int64_t{f} * 65536 / (m_.frame_count - 1) : 0;  // progress
    const int U = m_.unit;
    c.horizon = m_.horizon;
    switch (m_.camera) {
      case CameraMove::kStatic: break;
      case CameraMove::kDrift: c.pan = static_cast<int>(c.Move(m_.drift_dir * U * 20 / 1000)); break;
      case CameraMove::kPanLeft: c.pan = static_cast<int>(c.Move(-U * 100 / 1000)); break;
      case CameraMove::kPanRight: c.pan = static_cast<int>(c.Move(U * 100 / 1000)); break;
      case CameraMove::kZoomIn: c.zoom = 65536 + static_cast<int>(u * 30 / 100); break;
      case CameraMove::kZoomOut: c.zoom = 65536 * 130 / 100 - static_cast<int>(u * 30 / 100); break;
      case CameraMove::kOrbit: {
        const int angle = static_cast<int>(c.Move(80));  // 0.08 turn per second
        c.orbit = U * 250 / 1000 * Sin(angle) / 4096;
        c.zoom = 65536 + (65536 * 6 / 100) * (4096 - Cos(angle)) / 8192;
        break;
      }
      case CameraMove::kTilt: c.tilt = static_cast<int>(int64_t{m_.height} * 150 / 1000 * u / 65536) - m_.height * 75 / 1000; break;
      case CameraMove::kShake: {
        const int a = std::max(1, U / 100);
        const int p = static_cast<int>(m_.variation & 1023);
        c.shake_x = a * (Sin(f * 37 + p) + Sin(f * 23 + 3 * p)) / 8192;
        c.shake_y = a * (Sin(f * 29 + 2 * p) + Sin(f * 41 + 5 * p)) / 8192;
        c.pan = static_cast<int>(c.Move(m_.drift_dir * U * 20 / 1000));
        break;
      }
    }
    c.inv_zoom = static_cast<int>((int64_t{1} << 32) / c.zoom);
    c.horizon += c.tilt + c.shake_y;
    return c;
  }

  int ScreenY(const Camera& c, int height) const { return c.horizon - static_cast<int>(int64_t{height} * c.zoom >> 16); }
  int Scaled(const Camera& c, int v) const { return static_cast<int>(int64_t{v} * c.zoom >> 16); }
  // The screen column of world column `wx` for a layer moved by `offset`.
  int ScreenX(const Camera& c, int64_t wx, int offset) const {
    const int64_t L = m_.world_len;
    const int64_t d = Mod(wx - (m_.width / 2 + offset) + L / 2, L) - L / 2;
    return m_.width / 2 + static_cast<int>(d * c.zoom >> 16);
  }

  void SkyRows(const Camera& c, std::vector<Rgb>& sky) const {
    const int hz = c.horizon;
    const int mid = hz * 55 / 100;
    for (int y = 0; y < m_.height; ++y) {
      if (y >= hz || hz <= 0) {
        sky[y] = m_.sky.horizon;
      } else if (y < mid) {
        sky[y] = Mix(m_.sky.top, m_.sky.mid, mid > 0 ? y * 256 / mid : 256);
      } else {
        sky[y] = Mix(m_.sky.mid, m_.sky.horizon, (y - mid) * 256 / std::max(1, hz - mid));
      }
    }
  }

  void Stars(const Camera& c, const std::vector<Rgb>& sky, RgbFrame out) const {
    const int offset = c.Offset(13);
    const int hz = std::min(c.horizon, m_.height);
    for (const Star& s : m_.stars) {
      const int x = ScreenX(c, s.wx, offset), y = ScreenY(c, s.height);
      if (y < 0 || y + s.size > hz || x < 0 || x + s.size > m_.width) continue;
      const int twinkle = 3 * 4096 + Sin(s.phase + static_cast<int>(c.Move(s.rate)));
      const int b = s.brightness * twinkle / (4 * 4096);
      for (int dy = 0; dy < s.size; ++dy) {
        FillSpan(out.Row(y + dy), m_.width, x, x + s.size, Mix(sky[y + dy], {255, 255, 245}, b));
      }
    }
  }

  void SunAndMoon(const Camera& c, const std::vector<Rgb>& sky, RgbFrame out) const {
    const Body& b = m_.sun;
    if (!b.present) return;
    constexpr int kRings = 6;
    const int cx = b.x + c.shake_x, cy = ScreenY(c, b.height + static_cast<int>(c.Move(b.rise_per_s)));
    const int r = Scaled(c, b.radius), glow = std::max(r + 1, Scaled(c, b.glow_radius));
    int radius[kRings + 1], alpha[kRings];
    for (int k = 0; k < kRings; ++k) {
      radius[k] = glow - (glow - r) * k / kRings;
      alpha[k] = (b.moon ? 20 : 35) + (b.moon ? 60 : 150) * k / kRings;
    }
    radius[kRings] = r;
    const int y_end = std::min({cy + glow + 1, c.horizon, m_.height});
    for (int y = std::max(0, cy - glow); y < y_end; ++y) {
      const int64_t dy = y - cy;
      int half[kRings + 1];
      for (int k = 0; k <= kRings; ++k) {
        const int64_t q = int64_t{radius[k]} * radius[k] - dy * dy;
        half[k] = q < 0 ? -1 : raster::ISqrt(q);
      }
      uint8_t* row = out.Row(y);
      for (int k = 0; k < kRings; ++k) {
        if (half[k] < 0) continue;
        const Rgb colour = Mix(sky[y], b.glow, alpha[k]);
        const int inner = half[k + 1];
        if (inner < 0) {
          FillSpan(row, m_.width, cx - half[k], cx + half[k] + 1, colour);
        } else {
          FillSpan(row, m_.width, cx - half[k], cx - inner, colour);
          FillSpan(row, m_.width, cx + inner + 1, cx + half[k] + 1, colour);
        }
      }
      if (half[kRings] >= 0) FillSpan(row, m_.width, cx - half[kRings], cx + half[kRings] + 1, b.colour);
    }
    if (b.moon) {  // darker seas on the moon
      const Rgb sea = Mix(b.colour, m_.sky.mid, 60);
      const auto spot = [&](int dx, int dy, int rr) {
        raster::EllipseSpans(std::min(c.horizon, m_.height), cx + dx, cy + dy, rr, rr,
                             [&](int y, int x0, int x1) { FillSpan(out.Row(y), m_.width, x0, x1, sea); });
      };
      spot(-r / 3, -r / 4, r / 4);
      spot(r / 4, r / 5, r / 5);
      spot(-r / 8, r / 2, r / 7);
    }
  }

  void Clouds(const Camera& c, const std::vector<Rgb>& sky, RgbFrame out) const {
    if (m_.clouds.empty()) return;
    const int offset = c.Offset(64);
    const int wind = static_cast<int>(c.Move(m_.unit * 12 / 1000));
    const int limit = std::min(c.horizon, m_.height);
    for (const Cloud& cl : m_.clouds) {
      const int rx = Scaled(c, cl.rx), ry = Scaled(c, cl.ry);
      const int cx = ScreenX(c, cl.wx + wind, offset), cy = ScreenY(c, cl.height);
      if (cx + 2 * rx < 0 || cx - 2 * rx >= m_.width) continue;
      const int top = cy - ry * 135 / 100, span = std::max(1, ry * 22 / 10);
      const auto puff = [&](int px, int py, int prx, int pry) {
        raster::EllipseSpans(limit, px, py, prx, pry, [&](int y, int x0, int x1) {
          const Rgb body = Mix(m_.cloud_top, m_.cloud_bottom, std::clamp((y - top) * 256 / span, 0, 256));
          FillSpan(out.Row(y), m_.width, x0, x1, Mix(sky[y], body, m_.cloud_alpha));
        });
      };
      puff(cx, cy + ry / 5, rx, ry * 6 / 10);
      puff(cx - rx / 2, cy, rx * 55 / 100, ry * 8 / 10);
      puff(cx + rx * 45 / 100, cy, rx / 2, ry * 3 / 4);
      puff(cx, cy - ry * 35 / 100, rx * 6 / 10, ry);
    }
  }

  // Water: the sky mirrored (compressed) and darkened, bluer with depth.
  void Water(const Camera& c, const std::vector<Rgb>& sky, RgbFrame out) const {
    const int hz = std::max(0, c.horizon), depth = std::max(1, m_.height - hz);
    for (int y = hz; y < m_.height; ++y) {
      const int mirror = std::clamp(c.horizon - 1 - (y - c.horizon) * 2, 0, m_.height - 1);
      const Rgb colour = Mix(Scale(sky[mirror], 215), m_.water_colour, 90 + (y - hz) * 100 / depth);
      FillSpan(out.Row(y), m_.width, 0, m_.width, colour);
    }
  }

  void GroundRows(const Camera& c, RgbFrame out) const {
    const int hz = std::max(0, c.horizon), depth = std::max(1, m_.height - hz);
    for (int y = hz; y < m_.height; ++y) {
      FillSpan(out.Row(y), m_.width, 0, m_.width, Mix(m_.ground_far, m_.ground_near, (y - hz) * 256 / depth));
    }
    if (m_.ground == Ground::kNeonGrid) {
      NeonGrid(c, hz, depth, out);
      return;
    }
    // Sparse darker dashes that slide with the camera, faster near the
    // bottom: enough texture to read as ground and to show motion.
    const int dashes = 2 + m_.width / 240;
    for (int y = hz + 1; y < m_.height; y += 3) {
      const int d = y - c.horizon;
      const int parallax = 64 + 256 * d / depth;
      const int len = 2 + m_.unit * d / (30 * depth);
      for (int k = 0; k < dashes; ++k) {
        const uint32_t h = Hash(static_cast<uint32_t>(d * 977 + k * 131));
        const int x = static_cast<int>(Mod(int64_t{h % static_cast<uint32_t>(m_.world_len)} - c.Offset(parallax),
                                           m_.world_len));
        if (x < m_.width) FillSpan(out.Row(y), m_.width, x, x + len, m_.ground_mark);
      }
    }
  }

  // A synthwave floor: lines across that come towards the camera, and
  // lines into the distance that meet at the vanishing point.
  void NeonGrid(const Camera& c, int hz, int depth, RgbFrame out) const {
    const int thick = std::max(1, m_.unit / 360);
    const int64_t k = int64_t{depth} * 8;  // depth of a row: k / (y - horizon)
    const int64_t scroll = c.Move(6 * 65536) % (4 * 65536);
    for (int64_t z = 4 * 65536 - scroll; z <= 64 * 65536; z += 4 * 65536) {
      const int y = c.horizon + static_cast<int>(k * 65536 / z);
      for (int dy = 0; dy < thick; ++dy) {
        if (y + dy >= hz && y + dy < m_.height) FillSpan(out.Row(y + dy), m_.width, 0, m_.width, m_.ground_mark);
      }
    }
    const int64_t spacing = std::max(8, m_.width / 6);
    const int64_t cam = c.Offset(256);
    for (int y = hz + 1; y < m_.height; ++y) {
      const int64_t d = y - c.horizon;
      if (d <= 0) continue;
      // Ground x at the screen's edges, then every line between.
      const int64_t left = cam + (0 - m_.width / 2) * depth / d, right = cam + (m_.width / 2) * depth / d;
      uint8_t* row = out.Row(y);
      for (int64_t i = left / spacing - 1; i <= right / spacing + 1; ++i) {
        const int x = m_.width / 2 + static_cast<int>((i * spacing - cam) * d / depth);
        FillSpan(row, m_.width, x, x + thick, m_.ground_mark);
      }
    }
  }

  // Silhouettes over the horizon, front to back per column so that every
  // pixel is written once; over water each is mirrored below the horizon.
  void Layers(const Camera& c, int f, RgbFrame out) const {
    const int W = m_.width, H = m_.height, n = static_cast<int>(m_.layers.size());
    if (n == 0 || c.horizon <= 0) return;
    const int hz = std::min(c.horizon, H);
    std::vector<int> top(static_cast<size_t>(n) * W);
    std::vector<uint32_t> keys(static_cast<size_t>(n) * W, 0);
    std::vector<Rgb> colours(static_cast<size_t>(n) * H);
    std::vector<int> floors(static_cast<size_t>(n) * H, 0);
    for (int l = 0; l < n; ++l) {
      const Layer& layer = m_.layers[l];
      const int64_t base = (int64_t{W / 2 + c.Offset(layer.parallax)} << 16) - int64_t{W / 2} * c.inv_zoom;
      const bool windows = !layer.window_key.empty();
      for (int x = 0; x < W; ++x) {
        const int64_t wx = Mod((base + int64_t{x} * c.inv_zoom) >> 16, m_.world_len);
        top[l * W + x] = ScreenY(c, layer.height[wx]);
        if (windows) keys[l * W + x] = layer.window_key[wx];
      }
      const int peak = std::max(1, Scaled(c, layer.max_height));
      for (int y = 0; y < H; ++y) {
        Rgb& colour = colours[l * H + y];
        if (y < c.horizon) {
          colour = Mix(layer.top, layer.bottom, std::clamp((y - (c.horizon - peak)) * 256 / peak, 0, 256));
        } else {
          const int mirror = std::max(0, 2 * c.horizon - 1 - y);
          const Rgb above =
              Mix(layer.top, layer.bottom, std::clamp((mirror - (c.horizon - peak)) * 256 / peak, 0, 256));
          colour = Mix(Scale(above, 170), m_.water_colour, 110);
        }
        if (windows && y < c.horizon) {
          const int d = static_cast<int>(int64_t{c.horizon - 1 - y} * c.inv_zoom >> 16);
          const int within = d % layer.floor_pitch, floor = d / layer.floor_pitch;
          if (floor >= 1 && within >= layer.band_lo && within < layer.band_hi) floors[l * H + y] = floor + 1;
        }
      }
    }
    const int change = f / std::max(1, 2 * m_.fps);  // a few windows switch every two seconds
    for (int x = 0; x < W; ++x) {
      int limit = hz;
      for (int l = n - 1; l >= 0 && limit > 0; --l) {
        const int t = top[l * W + x];
        if (t >= limit) continue;
        const int a = std::max(t, 0);
        const Rgb* colour = &colours[static_cast<size_t>(l) * H];
        uint8_t* p = out.Row(a) + x * 3;
        const uint32_t key = keys[l * W + x];
        if (key == 0) {
          for (int y = a; y < limit; ++y, p += out.stride) Put(p, colour[y]);
        } else {
          const Layer& layer = m_.layers[l];
          const int* floor = &floors[static_cast<size_t>(l) * H];
          for (int y = a; y < limit; ++y, p += out.stride) {
            if (floor[y] == 0) {
              Put(p, colour[y]);
              continue;
            }
            uint32_t h = Hash(key * 2654435761u ^ static_cast<uint32_t>(floor[y]) * 2246822519u);
            if (((h >> 8) & 31) == 0) h = Hash(h + static_cast<uint32_t>(change));
            Put(p, static_cast<int>(h & 255) < layer.lit_threshold ? layer.window_lit : layer.window_dark);
          }
        }
        if (m_.water) {  // the mirror image of rows [a, limit)
          const int y0 = std::max(hz, 2 * c.horizon - limit), y1 = std::min(H, 2 * c.horizon - a);
          if (y0 < y1) {
            uint8_t* q = out.Row(y0) + x * 3;
            for (int y = y0; y < y1; ++y, q += out.stride) Put(q, colour[y]);
          }
        }
        limit = t;
      }
    }
  }

  // Glints on the water that come and go, and the sun's (or moon's) path.
  void Glints(const Camera& c, int f, RgbFrame out) const {
    const int hz = std::max(0, c.horizon), depth = std::max(1, m_.height - hz);
    const int per_row = 1 + m_.width * 9 / (2 * m_.unit);  // glints grow with the unit: keep their share
    const Body& b = m_.sun;
    const int sun_y = ScreenY(c, b.height + static_cast<int>(c.Move(b.rise_per_s)));
    const bool path = b.present && sun_y < c.horizon;
    const int drift = static_cast<int>(c.Move(m_.unit / 50));
    for (int y = hz + 1; y < m_.height; ++y) {
      const int d = y - c.horizon;
      uint8_t* row = out.Row(y);
      const int len = 2 + m_.unit * d / (12 * depth);
      for (int k = 0; k < per_row; ++k) {
        const uint32_t h = Hash(static_cast<uint32_t>(d * 7919 + k * 104729) + static_cast<uint32_t>((f + k * 5) / 6) * 15485863u);
        if ((h & 3) == 0) continue;
        const int x = static_cast<int>(Mod(int64_t{(h >> 8) % static_cast<uint32_t>(m_.width)} + drift - c.shake_x,
                                           m_.width));
        BlendSpan(row, m_.width, x, x + len, m_.glint_colour, 130);
      }
      if (path) {
        const int spread = Scaled(c, b.radius) / 2 + d * 2 / 5;
        for (int k = 0; k < 3; ++k) {
          const uint32_t h = Hash(static_cast<uint32_t>(d * 31 + k * 1013) + static_cast<uint32_t>((f + k * 3) / 4) * 7717u);
          const int x = b.x + c.shake_x + static_cast<int>(h % static_cast<uint32_t>(2 * spread + 1)) - spread;
          BlendSpan(row, m_.width, x - spread / 6, x + spread / 6 + 2, b.glow, b.moon ? 140 : 200);
        }
      }
    }
  }

  void Signs(const Camera& c, int f, RgbFrame out) const {
    const int thick = std::max(2, m_.unit / 240);
    for (const Sign& s : m_.signs) {
      if (Hash(static_cast<uint32_t>(s.phase * 65599 + f / 3)) % 29 == 0) continue;  // a flicker
      const int x0 = ScreenX(c, s.wx, c.Offset(s.parallax)), x1 = x0 + Scaled(c, s.w);
      const int y1 = ScreenY(c, s.height), y0 = ScreenY(c, s.height + s.h);
      if (x1 < 0 || x0 >= m_.width || y1 <= 0 || y0 >= m_.height) continue;
      for (int y = std::max(0, y0 - thick); y < std::min(m_.height, y1 + thick); ++y) {
        uint8_t* row = out.Row(y);
        if (y < y0 + thick || y >= y1 - thick) {
          FillSpan(row, m_.width, x0 - thick, x1 + thick, s.colour);
        } else {
          FillSpan(row, m_.width, x0 - thick, x0 + thick, s.colour);
          FillSpan(row, m_.width, x1 - thick, x1 + thick, s.colour);
          BlendSpan(row, m_.width, x0 + thick, x1 - thick, s.colour, 70);
        }
      }
    }
  }

  void Shapes(const Camera& c, RgbFrame out) const {
    for (const Shape& s : m_.shapes) {
      const int x = s.cx + s.ax * Sin(s.px + static_cast<int>(c.Move(s.fx))) / 4096 + c.shake_x;
      const int y = s.cy + s.ay * Sin(s.py + static_cast<int>(c.Move(s.fy))) / 4096 + c.shake_y;
      const int size = Scaled(c, s.size);
      const auto span = [&](int row, int x0, int x1) { BlendSpan(out.Row(row), m_.width, x0, x1, s.colour, 215); };
      if (s.sides == 0) {
        raster::EllipseSpans(m_.height, x, y, size, size, span);
        continue;
      }
      raster::Point points[8];
      const int angle = static_cast<int>(c.Move(s.spin));
      for (int i = 0; i < s.sides; ++i) {
        const int a = angle + i * 1024 / s.sides;
        points[i] = {x * 256 + size * Cos(a) / 16, y * 256 + size * Sin(a) / 16};
      }
      raster::ConvexSpans(m_.height, points, s.sides, span);
    }
  }

  // Where a mover is: its path wrapped around the frame.
  void Position(const Camera& c, const Mover& m, int wrap_margin, int& x, int& y) const {
    const int sway = m.sway * Sin(m.phase + static_cast<int>(c.Move(m.sway_rate))) / 4096;
    x = static_cast<int>(Mod(m.x + c.Move(m.vx) + sway, m_.width));
    y = static_cast<int>(Mod(m.y + c.Move(m.vy), m_.height + wrap_margin)) - wrap_margin;
  }

  void Particles(const Camera& c, RgbFrame out) const {
    for (const Mover& p : m_.particles) {
      int x, y;
      Position(c, p, 0, x, y);
      const int alpha = 160 + 96 * Sin(p.phase * 3 + static_cast<int>(c.Move(300))) / 4096;
      const auto halo = [&](int row, int x0, int x1) { BlendSpan(out.Row(row), m_.width, x0, x1, p.colour, alpha / 4); };
      const auto core = [&](int row, int x0, int x1) { BlendSpan(out.Row(row), m_.width, x0, x1, p.colour, alpha); };
      raster::EllipseSpans(m_.height, x, y, p.size * 3, p.size * 3, halo);
      raster::EllipseSpans(m_.height, x, y, p.size, p.size, core);
    }
  }

  void Snow(const Camera& c, RgbFrame out) const {
    for (const Mover& s : m_.snow) {
      int x, y;
      Position(c, s, 0, x, y);
      for (int dy = 0; dy < s.size && y + dy < m_.height; ++dy) {
        BlendSpan(out.Row(y + dy), m_.width, x, x + s.size, s.colour, 220);
      }
    }
  }

  void Rain(const Camera& c, RgbFrame out) const {
    for (const Mover& d : m_.rain) {
      int x, y;
      Position(c, d, d.size, x, y);
      const int slope = d.vy == 0 ? 0 : d.vx * 256 / d.vy;
      for (int i = 0; i < d.size; ++i) {
        const int py = y + i, px = x + (i * slope >> 8);
        if (py < 0 || py >= m_.height || px < 0 || px >= m_.width) continue;
        BlendPixel(out.Row(py) + px * 3, d.colour, 100);
      }
    }
  }

  void Caption(RgbFrame out) const {
    const int scale = caption_scale_, margin = m_.unit / 30;
    int y = m_.height - margin - static_cast<int>(caption_.size()) * 9 * scale;
    for (const std::string& line : caption_) {
      DrawText(out, margin, y, scale, line, Rgb{240, 240, 240}, /*shadow=*/true);
      y += 9 * scale;
    }
  }

  const SceneModel m_;
  int caption_scale_ = 1;
  std::vector<std::string> caption_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Scene>> ProceduralRenderer::Prepare(const RenderSpec& spec) const {
  if (absl::Status valid = ValidateRenderSpec(spec); !valid.ok()) return valid;
  return std::make_unique<ProceduralScene>(BuildSceneModel(spec, RecipeFor(spec.prompt, spec.seed)));
}

}  // namespace clipforge::generation
