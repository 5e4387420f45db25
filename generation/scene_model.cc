#include "generation/scene_model.h"

#include <algorithm>
#include <cstdlib>

#include "generation/raster.h"

namespace clipforge::generation {
namespace {

using raster::Mix;
using raster::Scale;

// SplitMix64: small, fast and the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t x = (state_ += 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  }
  // Uniform in [lo, hi]; an empty range gives lo.
  int Range(int lo, int hi) { return hi <= lo ? lo : lo + static_cast<int>(Next() % uint64_t(hi - lo + 1)); }
  bool Chance(int per256) { return static_cast<int>(Next() & 255) < per256; }

 private:
  uint64_t state_;
};

// v * per_mille / 1000, the way every size below is given.
int Pm(int v, int per_mille) { return static_cast<int>(int64_t{v} * per_mille / 1000); }

struct Preset {
  SkyColours sky;
  bool sun = true, moon = false;
  Rgb sun_colour, glow;
  int sun_height_pm = 0;  // of the horizon's height
  int rise = 0;           // +1 rising, -1 sinking
  int radius_pm = 0, glow_pm = 0;  // of the unit
  int ambient = 256;               // light on the land, of 256
  int lit = 0;                     // share of windows lit, of 256
};

Preset PresetFor(TimeOfDay time) {
  switch (time) {
    case TimeOfDay::kDawn:
      return {{{50, 70, 140}, {175, 140, 190}, {255, 185, 140}}, true, false, {255, 222, 175}, {255, 165, 110},
              90, 1, 60, 330, 190, 50};
    case TimeOfDay::kDay:
      return {{{35, 105, 215}, {95, 160, 235}, {185, 215, 245}}, true, false, {255, 252, 235}, {255, 250, 215},
              760, 0, 38, 130, 256, 0};
    case TimeOfDay::kSunset:
      return {{{55, 40, 105}, {205, 85, 95}, {255, 155, 60}}, true, false, {255, 150, 60}, {255, 110, 40},
              120, -1, 80, 430, 165, 60};
    case TimeOfDay::kDusk:
      return {{{18, 20, 58}, {70, 55, 125}, {210, 110, 120}}, false, false, {}, {}, 0, 0, 0, 0, 100, 100};
    case TimeOfDay::kNight:
      return {{{4, 6, 22}, {12, 18, 48}, {32, 45, 88}}, false, true, {235, 235, 215}, {90, 100, 150},
              640, 0, 45, 160, 64, 120};
  }
  return {};
}

Rgb Jitter(Rgb c, Rng& rng) {
  const auto j = [&rng](uint8_t v) { return static_cast<uint8_t>(std::clamp(v + rng.Range(-8, 8), 0, 255)); };
  return Rgb{j(c.r), j(c.g), j(c.b)};
}

int Luma(Rgb c) { return (77 * c.r + 150 * c.g + 29 * c.b) >> 8; }
Rgb Grey(int v) { return Rgb{static_cast<uint8_t>(v), static_cast<uint8_t>(v), static_cast<uint8_t>(v)}; }

// A periodic profile over the world: base plus sine terms whose
// frequencies are whole numbers of periods per world, so it wraps without a
// seam. A ridged term (|sin| folded) makes sharp peaks.
struct Term {
  int freq, amp;
  bool ridged;
};
std::vector<int> Profile(int world_len, int base, const std::vector<Term>& terms, Rng& rng) {
  std::vector<int> h(world_len, base);
  for (const Term& t : terms) {
    const int phase = rng.Range(0, 1023);
    for (int x = 0; x < world_len; ++x) {
      const int s = raster::Sin(phase + static_cast<int>(int64_t{x} * t.freq * 1024 / world_len));
      h[x] += t.ridged ? Pm(t.amp, 1000 - std::abs(s) * 2000 / 4096) : Pm(t.amp, s * 1000 / 4096);
    }
  }
  for (int& v : h) v = std::max(0, v);
  return h;
}

class ModelBuilder {
 public:
  ModelBuilder(const RenderSpec& spec, const SceneRecipe& recipe) : recipe_(recipe), rng_(recipe.variation) {
    m_.width = spec.width;
    m_.height = spec.height;
    m_.fps = spec.fps;
    m_.frame_count = spec.frame_count;
    m_.unit = std::min(spec.width, spec.height);
    m_.world_len = 4 * spec.width;
    m_.camera = recipe.camera;
    m_.variation = recipe.variation;
    m_.caption = Caption(spec.prompt);
  }

  SceneModel Build() {
    const int H = m_.height;
    const int horizon_pm = recipe_.Has(kWater) ? 560 : recipe_.Has(kDesert) ? 640 : 620;
    m_.horizon = Pm(H, horizon_pm) + rng_.Range(-H / 40, H / 40);
    m_.drift_dir = rng_.Chance(128) ? 1 : -1;
    preset_ = PresetFor(recipe_.time);
    Colours();
    Sun();
    Land();
    Sky();
    Weather();
    Shapes();
    Grade();
    return std::move(m_);
  }

 private:
  bool rain() const { return recipe_.Has(kRain); }

  static std::string Caption(absl::string_view prompt) {
    std::string out;
    for (char c : prompt) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      if (space && (out.empty() || out.back() == ' ')) continue;
      out.push_back(space ? ' ' : c);
      if (out.size() >= 80) break;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }

  // Land colours: the base colour dimmed by the time of day, pulled
  // towards the sky's horizon (haze) and the prompt's first colour.
  Rgb Land(Rgb c, int haze) const {
    Rgb lit = Mix(Scale(c, preset_.ambient), m_.sky.horizon, haze);
    if (!recipe_.palette.empty()) lit = Mix(lit, recipe_.palette[0], 40);
    return lit;
  }

  void Colours() {
    SkyColours sky = preset_.sky;
    sky.top = Jitter(sky.top, rng_);
    sky.mid = Jitter(sky.mid, rng_);
    sky.horizon = Jitter(sky.horizon, rng_);
    if (rain()) {
      for (Rgb* c : {&sky.top, &sky.mid, &sky.horizon}) *c = Scale(Mix(*c, Grey(Luma(*c)), 170), 170);
    }
    const std::vector<Rgb>& palette = recipe_.palette;
    if (!palette.empty()) {
      sky.top = Mix(sky.top, palette.back(), 70);
      sky.mid = Mix(sky.mid, palette[0], 80);
      sky.horizon = Mix(sky.horizon, palette[0], 60);
    }
    if (recipe_.Has(kNeon)) sky.horizon = Mix(sky.horizon, Rgb{255, 60, 190}, 90);
    m_.sky = sky;

    if (!palette.empty()) {
      m_.accents = palette;
    } else if (recipe_.Has(kNeon)) {
      m_.accents = {{255, 40, 200}, {40, 230, 255}, {160, 80, 255}};
    } else {
      static constexpr Rgb kVivid[] = {{255, 90, 90},   {255, 190, 60},  {80, 200, 255},
                                       {120, 255, 160}, {200, 110, 255}, {255, 120, 200}};
      const int first = rng_.Range(0, 5);
      for (int i = 0; i < 3; ++i) m_.accents.push_back(kVivid[(first + i * 2) % 6]);
    }

    m_.water = recipe_.Has(kWater);
    m_.water_colour = Mix(Scale(sky.mid, 150), Rgb{15, 45, 75}, 110);
    m_.glint_colour = Mix(sky.horizon, Rgb{255, 255, 255}, recipe_.time == TimeOfDay::kNight ? 60 : 110);

    struct CloudLook {
      Rgb top, bottom;
    };
    CloudLook look;
    switch (recipe_.time) {
      case TimeOfDay::kDawn: look = {{255, 222, 212}, {200, 170, 192}}; break;
      case TimeOfDay::kDay: look = {{250, 250, 252}, {205, 210, 222}}; break;
      case TimeOfDay::kSunset: look = {Mix({255, 255, 255}, preset_.glow, 140), {120, 80, 110}}; break;
      case TimeOfDay::kDusk: look = {{150, 110, 140}, {80, 60, 100}}; break;
      case TimeOfDay::kNight: look = {{70, 75, 95}, {40, 45, 60}}; break;
    }
    if (rain()) look = {{120, 123, 130}, {70, 72, 80}};
    m_.cloud_top = look.top;
    m_.cloud_bottom = look.bottom;
    m_.cloud_alpha = rain() ? 240 : 215;
  }

  void Sun() {
    if (rain() || !(preset_.sun || preset_.moon)) return;
    Body& b = m_.sun;
    b.present = true;
    b.moon = preset_.moon;
    b.x = Pm(m_.width, rng_.Range(250, 750));
    b.height = Pm(m_.horizon, preset_.sun_height_pm + rng_.Range(-40, 40));
    b.rise_per_s = preset_.rise * Pm(m_.unit, 8);
    b.radius = std::max(2, Pm(m_.unit, preset_.radius_pm));
    b.glow_radius = Pm(m_.unit, preset_.glow_pm);
    b.colour = preset_.sun_colour;
    b.glow = preset_.glow;
  }

  void AddLayer(LayerKind kind, int parallax, std::vector<int> height, Rgb top, Rgb bottom) {
    Layer layer;
    layer.kind = kind;
    layer.parallax = parallax;
    layer.max_height = *std::max_element(height.begin(), height.end());
    layer.height = std::move(height);
    layer.top = top;
    layer.bottom = bottom;
    m_.layers.push_back(std::move(layer));
  }

  void Land() {
    const int H = m_.height, U = m_.unit, L = m_.world_len;
    const bool snow = recipe_.Has(kSnow);
    const Rgb snowcap{240, 245, 250};
    if (recipe_.Has(kMountains)) {
      Rgb far = Land({110, 120, 150}, 120);
      AddLayer(LayerKind::kRidge, 40,
               Profile(L, Pm(H, 160),
                       {{rng_.Range(2, 3), Pm(H, 60), false},
                        {rng_.Range(5, 7), Pm(H, 50), true},
                        {rng_.Range(13, 17), Pm(H, 20), true},
                        {rng_.Range(31, 41), Pm(H, 8), false}},
                       rng_),
               snow ? Mix(far, snowcap, 150) : far, Mix(far, m_.sky.horizon, 70));
      Rgb near = Land({75, 90, 95}, 40);
      AddLayer(LayerKind::kRidge, 90,
               Profile(L, Pm(H, 70),
                       {{rng_.Range(3, 5), Pm(H, 35), false},
                        {rng_.Range(9, 12), Pm(H, 30), true},
                        {rng_.Range(23, 29), Pm(H, 10), false}},
                       rng_),
               snow ? Mix(near, snowcap, 170) : Mix(near, m_.sky.horizon, 30), Mix(near, m_.sky.horizon, 90));
    }
    if (recipe_.Has(kDesert)) {
      const Rgb far = Land({225, 175, 110}, 90), near = Land({205, 145, 85}, 20);
      AddLayer(LayerKind::kDunes, 70,
               Profile(L, Pm(H, 50), {{rng_.Range(3, 5), Pm(H, 30), false}, {rng_.Range(7, 9), Pm(H, 15), false}},
                       rng_),
               Scale(far, 280), far);
      AddLayer(LayerKind::kDunes, 180,
               Profile(L, Pm(H, 25), {{rng_.Range(4, 6), Pm(H, 20), false}, {rng_.Range(11, 13), Pm(H, 8), false}},
                       rng_),
               Scale(near, 285), Scale(near, 220));
    }
    if (recipe_.Has(kCity)) {
      Buildings(/*near=*/false);
      Buildings(/*near=*/true);
    }
    if (recipe_.Has(kForest)) {
      Trees(120, Pm(U, 30), Pm(U, 60), Pm(H, 40), Pm(H, 90), Land({45, 95, 65}, 70));
      Trees(256, Pm(U, 50), Pm(U, 100), Pm(H, 80), Pm(H, 180), Land({22, 60, 38}, 10));
    }
    if (m_.layers.empty()) {  // water alone: a low far shore
      const Rgb shore = Land({50, 70, 60}, 90);
      AddLayer(LayerKind::kShore, 30,
               Profile(L, Pm(H, 8), {{rng_.Range(2, 4), Pm(H, 16), false}, {rng_.Range(9, 15), Pm(H, 6), false}},
                       rng_),
               shore, Mix(shore, m_.sky.horizon, 60));
    }
    std::stable_sort(m_.layers.begin(), m_.layers.end(),
                     [](const Layer& a, const Layer& b) { return a.parallax < b.parallax; });
    GroundLook();
  }

  void GroundLook() {
    struct Look {
      generation::Ground kind;
      Rgb far, near;
    };
    Look look{Ground::kGrass, {110, 150, 80}, {50, 100, 40}};
    if (recipe_.Has(kNeon)) {
      look = {Ground::kNeonGrid, {30, 10, 50}, {10, 5, 25}};
    } else if (recipe_.Has(kSnow)) {
      look = {Ground::kSnow, {235, 240, 248}, {200, 210, 225}};
    } else if (recipe_.Has(kDesert)) {
      look = {Ground::kSand, {235, 195, 135}, {205, 150, 90}};
    } else if (recipe_.Has(kCity)) {
      look = {Ground::kStreet, {90, 90, 100}, {45, 45, 52}};
    } else if (recipe_.Has(kMountains) && !recipe_.Has(kForest)) {
      look = {Ground::kRock, {120, 115, 110}, {80, 75, 70}};
    }
    m_.ground = look.kind;
    if (look.kind == Ground::kNeonGrid) {
      m_.ground_far = Mix(look.far, m_.sky.horizon, 60);
      m_.ground_near = look.near;
      m_.ground_mark = m_.accents[0];
    } else {
      m_.ground_far = Land(look.far, 110);
      m_.ground_near = Land(look.near, 20);
      m_.ground_mark = Scale(m_.ground_near, 200);
    }
  }

  void Buildings(bool near) {
    const int U = m_.unit, H = m_.height, L = m_.world_len;
    const Rgb wall = near ? Land(recipe_.Has(kNeon) ? Rgb{35, 30, 55} : Rgb{50, 55, 70}, 15)
                          : Land({80, 90, 110}, 90);
    std::vector<int> height(L, 0);
    Layer layer;
    layer.window_key.assign(L, 0);
    const int window_w = std::max(1, U / 110);
    const int pitch = window_w + std::max(1, window_w * 2 / 3);
    layer.floor_pitch = std::max(3, U / 55);
    layer.band_lo = layer.floor_pitch / 4;
    layer.band_hi = std::max(layer.band_lo + 1, layer.floor_pitch * 3 / 4);
    const int lit = preset_.lit + (near ? 0 : -20);
    layer.lit_threshold = std::clamp(lit, 0, 256);
    layer.window_lit = Mix({255, 205, 120}, m_.accents[0], recipe_.Has(kNeon) ? 90 : 0);
    layer.window_dark = preset_.lit == 0 ? Mix(wall, m_.sky.horizon, 100) : Scale(wall, 190);

    int building = 0;
    for (int x = 0; x < L; ++building) {
      const int w = near ? Pm(U, rng_.Range(70, 160)) : Pm(U, rng_.Range(50, 110));
      const int h = near ? Pm(H, rng_.Range(120, 420)) : Pm(H, rng_.Range(90, 320));
      const int style = rng_.Range(0, 3);
      const int end = std::min(L, x + w);
      for (int c = x; c < end; ++c) {
        const int dx = c - x;
        int v = h;
        if (style == 1 && dx > w / 5 && dx < w - w / 5) v = h + Pm(H, 30);        // a stepped top
        if (style == 2 && std::abs(dx - w / 2) <= std::max(1, U / 360)) v = h + Pm(H, 70);  // an antenna
        if (style == 3) v = h + Pm(H, 50) - std::abs(dx - w / 2) * Pm(H, 50) / std::max(1, w / 2);  // a spire
        height[c] = std::max(height[c], v);
        const int margin = std::max(1, w / 10);
        if (dx >= margin && dx < w - margin && (dx - margin) % pitch < window_w) {
          layer.window_key[c] = (static_cast<uint32_t>(building + 1) << 10) | static_cast<uint32_t>((dx - margin) / pitch + 1);
        }
      }
      if (near && recipe_.Has(kNeon) && rng_.Chance(170)) AddSign(200, x, w, h);
      x = end + (near ? Pm(U, rng_.Range(0, 25)) : 0);
    }
    layer.kind = LayerKind::kBuildings;
    layer.parallax = near ? 200 : 110;
    layer.max_height = *std::max_element(height.begin(), height.end());
    layer.height = std::move(height);
    layer.top = wall;
    layer.bottom = Mix(wall, m_.sky.horizon, near ? 20 : 60);
    m_.layers.push_back(std::move(layer));
  }

  void AddSign(int parallax, int x, int w, int h) {
    const int U = m_.unit;
    Sign sign;
    sign.parallax = parallax;
    if (rng_.Chance(90)) {  // a tall vertical sign
      sign.w = Pm(U, rng_.Range(20, 35));
      sign.h = Pm(U, rng_.Range(80, 160));
    } else {
      sign.w = std::max(4, w * rng_.Range(35, 70) / 100);
      sign.h = Pm(U, rng_.Range(25, 60));
    }
    sign.wx = x + std::max(0, (w - sign.w) / 2);
    sign.height = std::min(h - sign.h, h * rng_.Range(30, 85) / 100);
    if (sign.height < 0) return;
    sign.phase = rng_.Range(0, 1023);
    sign.colour = m_.accents[rng_.Range(0, int(m_.accents.size()) - 1)];
    m_.signs.push_back(sign);
  }

  void Trees(int parallax, int min_w, int max_w, int min_h, int max_h, Rgb colour) {
    const int L = m_.world_len;
    std::vector<int> height(L, 0);
    for (int x = 0; x < L;) {
      const int w = std::max(2, rng_.Range(min_w, max_w)), h = rng_.Range(min_h, max_h);
      for (int dx = -w / 2; dx <= w / 2; ++dx) {
        const int c = ((x + dx) % L + L) % L;
        // A pine: a triangle with a notch at every quarter of its height.
        const int v = h - std::abs(dx) * 2 * h / w;
        const int notch = (std::abs(dx) * 8 / w) % 2 == 1 ? h / 14 : 0;
        height[c] = std::max(height[c], v - notch);
      }
      x += std::max(1, w * rng_.Range(40, 90) / 100);
    }
    AddLayer(LayerKind::kTrees, parallax, std::move(height), Mix(colour, m_.sky.horizon, 25), Scale(colour, 200));
  }

  void Sky() {
    const int U = m_.unit;
    const bool night = recipe_.time == TimeOfDay::kNight;
    if (recipe_.Has(kStars)) {
      int count = static_cast<int>(int64_t{U} * U / (night ? 1100 : 2200));
      if (!night && recipe_.time != TimeOfDay::kDusk) count /= 3;  // stars by day: few and faint
      const int size = std::max(1, U / 720);
      for (int i = 0; i < count; ++i) {
        Star s;
        s.wx = rng_.Range(0, m_.world_len - 1);
        s.height = rng_.Range(Pm(m_.horizon, 60), m_.horizon);
        s.phase = rng_.Range(0, 1023);
        s.rate = rng_.Range(100, 600);
        s.brightness = night ? rng_.Range(120, 256) : rng_.Range(40, 140);
        s.size = rng_.Chance(25) ? size + std::max(1, size / 2) : size;
        m_.stars.push_back(s);
      }
    }
    if (recipe_.Has(kClouds)) {
      const int count = rain() ? rng_.Range(9, 12) : rng_.Range(3, 6);
      for (int i = 0; i < count; ++i) {
        Cloud c;
        c.wx = rng_.Range(0, m_.world_len - 1);
        c.height = rain() ? rng_.Range(Pm(m_.horizon, 550), Pm(m_.horizon, 1050))
                          : rng_.Range(Pm(m_.horizon, 350), Pm(m_.horizon, 900));
        c.rx = rain() ? Pm(U, rng_.Range(200, 350)) : Pm(U, rng_.Range(100, 220));
        c.ry = std::max(2, c.rx * rng_.Range(28, 40) / 100);
        m_.clouds.push_back(c);
      }
    }
  }

  void Weather() {
    const int U = m_.unit, W = m_.width, H = m_.height;
    const int scale = std::max(1, U / 360);
    if (recipe_.Has(kParticles)) {
      const int count = 40 + U / 12;
      for (int i = 0; i < count; ++i) {
        Mover p;
        p.x = rng_.Range(0, W - 1);
        p.y = rng_.Range(0, H - 1);
        p.vx = rng_.Range(-U / 50, U / 50);
        p.vy = -rng_.Range(U / 60, U / 15);
        p.sway = rng_.Range(U / 80, U / 30);
        p.sway_rate = rng_.Range(60, 260);
        p.phase = rng_.Range(0, 1023);
        p.size = scale * rng_.Range(1, 3);
        p.colour = Mix(m_.accents[i % m_.accents.size()], {255, 240, 200}, 90);
        m_.particles.push_back(p);
      }
    }
    if (recipe_.Has(kSnow)) {
      const int count = static_cast<int>(int64_t{U} * U / 2000);
      const int wind = rng_.Range(-U / 40, U / 40);
      for (int i = 0; i < count; ++i) {
        Mover f;
        f.size = std::max(1, U / 720) * rng_.Range(1, 3);
        f.x = rng_.Range(0, W - 1);
        f.y = rng_.Range(0, H - 1);
        f.vx = wind;
        f.vy = Pm(U, rng_.Range(60, 120)) * f.size / std::max(1, U / 720);
        f.sway = rng_.Range(U / 120, U / 40);
        f.sway_rate = rng_.Range(100, 300);
        f.phase = rng_.Range(0, 1023);
        f.colour = {245, 248, 255};
        m_.snow.push_back(f);
      }
    }
    if (rain()) {
      // Streaks are U/45..U/22 long: a count of area / U keeps the share of
      // rain pixels (and the cost per pixel) the same at every size.
      const int count = static_cast<int>(int64_t{W} * H / (U * 2));
      const int slope = rng_.Range(12, 20) * (rng_.Chance(128) ? 1 : -1);  // percent
      for (int i = 0; i < count; ++i) {
        Mover d;
        d.size = rng_.Range(U / 45, U / 22);  // streak length
        d.x = rng_.Range(0, W - 1);
        d.y = rng_.Range(0, H - 1);
        d.vy = Pm(H, rng_.Range(1100, 1600));
        d.vx = d.vy * slope / 100;
        d.colour = {205, 212, 228};
        m_.rain.push_back(d);
      }
    }
  }

  void Shapes() {
    if (!recipe_.Has(kShapes)) return;
    const int U = m_.unit, W = m_.width, H = m_.height;
    const int count = rng_.Range(4, 7);
    static constexpr int kSides[] = {0, 3, 4, 5, 6};
    for (int i = 0; i < count; ++i) {
      Shape s;
      s.sides = kSides[rng_.Range(0, 4)];
      s.size = Pm(U, rng_.Range(50, 130));
      s.cx = Pm(W, rng_.Range(200, 800));
      s.cy = Pm(H, rng_.Range(150, 750));
      s.ax = Pm(W, rng_.Range(80, 250));
      s.ay = Pm(H, rng_.Range(40, 150));
      s.fx = rng_.Range(40, 140);
      s.fy = rng_.Range(40, 140);
      s.px = rng_.Range(0, 1023);
      s.py = rng_.Range(0, 1023);
      s.spin = rng_.Range(-200, 200);
      s.colour = m_.accents[i % m_.accents.size()];
      m_.shapes.push_back(s);
    }
  }

  // Monochrome and pastel prompts change every colour of the model.
  void Grade() {
    if (!recipe_.monochrome && !recipe_.pastel) return;
    const auto grade = [this](Rgb& c) {
      if (recipe_.monochrome) c = Grey(Luma(c));
      if (recipe_.pastel) c = Mix(c, {255, 255, 255}, 90);
    };
    for (Rgb* c : {&m_.sky.top, &m_.sky.mid, &m_.sky.horizon, &m_.sun.colour, &m_.sun.glow, &m_.water_colour,
                   &m_.glint_colour, &m_.ground_far, &m_.ground_near, &m_.ground_mark, &m_.cloud_top,
                   &m_.cloud_bottom}) {
      grade(*c);
    }
    for (Rgb& c : m_.accents) grade(c);
    for (Layer& l : m_.layers) {
      for (Rgb* c : {&l.top, &l.bottom, &l.window_lit, &l.window_dark}) grade(*c);
    }
    for (Sign& s : m_.signs) grade(s.colour);
    for (auto* movers : {&m_.particles, &m_.snow, &m_.rain}) {
      for (Mover& mv : *movers) grade(mv.colour);
    }
    for (Shape& s : m_.shapes) grade(s.colour);
  }

  const SceneRecipe& recipe_;
  Rng rng_;
  Preset preset_;
  SceneModel m_;
};

}  // namespace

SceneModel BuildSceneModel(const RenderSpec& spec, const SceneRecipe& recipe) {
  return ModelBuilder(spec, recipe).Build();
}

}  // namespace clipforge::generation
