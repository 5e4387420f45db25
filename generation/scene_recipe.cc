#include "generation/scene_recipe.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace clipforge::generation {
namespace {

uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t Fnv1a(absl::string_view text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (char c : text) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

struct WordEffect {
  absl::string_view word;
  std::optional<TimeOfDay> time;
  uint32_t elements;
  std::optional<CameraMove> camera;
};

// One row per word; a word may set a time, elements and a camera move.
constexpr TimeOfDay kDawn = TimeOfDay::kDawn, kDay = TimeOfDay::kDay, kSunset = TimeOfDay::kSunset,
                    kDusk = TimeOfDay::kDusk, kNight = TimeOfDay::kNight;
const WordEffect kWords[] = {
    {"dawn", kDawn, 0, {}},          {"sunrise", kDawn, 0, {}},         {"morning", kDawn, 0, {}},
    {"daybreak", kDawn, 0, {}},      {"noon", kDay, 0, {}},             {"midday", kDay, 0, {}},
    {"day", kDay, 0, {}},            {"daytime", kDay, 0, {}},          {"daylight", kDay, 0, {}},
    {"sunny", kDay, 0, {}},          {"afternoon", kDay, 0, {}},        {"bright", kDay, 0, {}},
    {"sunset", kSunset, 0, {}},      {"golden", kSunset, 0, {}},        {"evening", kSunset, 0, {}},
    {"dusk", kDusk, 0, {}},          {"twilight", kDusk, 0, {}},        {"night", kNight, 0, {}},
    {"midnight", kNight, 0, {}},     {"nighttime", kNight, 0, {}},      {"moon", kNight, 0, {}},
    {"moonlight", kNight, 0, {}},    {"moonlit", kNight, 0, {}},        {"dark", kNight, 0, {}},
    {"city", {}, kCity, {}},         {"skyline", {}, kCity, {}},        {"building", {}, kCity, {}},
    {"skyscraper", {}, kCity, {}},   {"downtown", {}, kCity, {}},       {"urban", {}, kCity, {}},
    {"street", {}, kCity, {}},       {"metropolis", {}, kCity, {}},     {"tower", {}, kCity, {}},
    {"town", {}, kCity, {}},         {"neon", {}, kNeon, {}},           {"cyberpunk", {}, kNeon | kCity, {}},
    {"synthwave", {}, kNeon, {}},    {"vaporwave", {}, kNeon, {}},      {"retrowave", {}, kNeon, {}},
    {"glow", {}, kNeon, {}},         {"glowing", {}, kNeon, {}},        {"arcade", {}, kNeon, {}},
    {"water", {}, kWater, {}},       {"ocean", {}, kWater, {}},         {"sea", {}, kWater, {}},
    {"lake", {}, kWater, {}},        {"river", {}, kWater, {}},         {"beach", {}, kWater, {}},
    {"wave", {}, kWater, {}},        {"harbor", {}, kWater, {}},        {"harbour", {}, kWater, {}},
    {"bay", {}, kWater, {}},         {"pond", {}, kWater, {}},          {"coast", {}, kWater, {}},
    {"reflection", {}, kWater, {}},  {"forest", {}, kForest, {}},       {"tree", {}, kForest, {}},
    {"wood", {}, kForest, {}},       {"jungle", {}, kForest, {}},       {"pine", {}, kForest, {}},
    {"grove", {}, kForest, {}},      {"mountain", {}, kMountains, {}},  {"hill", {}, kMountains, {}},
    {"peak", {}, kMountains, {}},    {"cliff", {}, kMountains, {}},     {"valley", {}, kMountains, {}},
    {"alp", {}, kMountains, {}},     {"desert", {}, kDesert, {}},       {"dune", {}, kDesert, {}},
    {"sand", {}, kDesert, {}},       {"canyon", {}, kDesert, {}},       {"rain", {}, kRain | kClouds, {}},
    {"rainy", {}, kRain | kClouds, {}}, {"storm", {}, kRain | kClouds, {}}, {"stormy", {}, kRain | kClouds, {}},
    {"drizzle", {}, kRain | kClouds, {}}, {"thunder", {}, kRain | kClouds, {}},
    {"downpour", {}, kRain | kClouds, {}}, {"snow", {}, kSnow, {}},      {"snowy", {}, kSnow, {}},
    {"snowfall", {}, kSnow, {}},     {"blizzard", {}, kSnow | kClouds, {}}, {"winter", {}, kSnow, {}},
    {"frost", {}, kSnow, {}},        {"star", {}, kStars, {}},          {"starry", {}, kStars, {}},
    {"galaxy", {}, kStars, {}},      {"space", {}, kStars, {}},         {"cosmos", {}, kStars, {}},
    {"cosmic", {}, kStars, {}},      {"constellation", {}, kStars, {}}, {"nebula", {}, kStars, {}},
    {"particle", {}, kParticles, {}}, {"firefly", {}, kParticles, {}},  {"spark", {}, kParticles, {}},
    {"sparkle", {}, kParticles, {}}, {"ember", {}, kParticles, {}},     {"dust", {}, kParticles, {}},
    {"glitter", {}, kParticles, {}}, {"bokeh", {}, kParticles, {}},     {"confetti", {}, kParticles, {}},
    {"magic", {}, kParticles, {}},   {"shape", {}, kShapes, {}},        {"geometric", {}, kShapes, {}},
    {"abstract", {}, kShapes, {}},   {"circle", {}, kShapes, {}},       {"cube", {}, kShapes, {}},
    {"square", {}, kShapes, {}},     {"triangle", {}, kShapes, {}},     {"polygon", {}, kShapes, {}},
    {"orb", {}, kShapes, {}},        {"bubble", {}, kShapes, {}},       {"hexagon", {}, kShapes, {}},
    {"cloud", {}, kClouds, {}},      {"cloudy", {}, kClouds, {}},       {"fog", {}, kClouds, {}},
    {"foggy", {}, kClouds, {}},      {"mist", {}, kClouds, {}},         {"misty", {}, kClouds, {}},
    {"overcast", {}, kClouds, {}},   {"pan", {}, 0, CameraMove::kPanRight},
    {"panning", {}, 0, CameraMove::kPanRight}, {"tracking", {}, 0, CameraMove::kPanRight},
    {"flyover", {}, 0, CameraMove::kPanRight}, {"drone", {}, 0, CameraMove::kPanRight},
    {"zoom", {}, 0, CameraMove::kZoomIn}, {"zooming", {}, 0, CameraMove::kZoomIn},
    {"dolly", {}, 0, CameraMove::kZoomIn}, {"push", {}, 0, CameraMove::kZoomIn},
    {"orbit", {}, 0, CameraMove::kOrbit}, {"orbiting", {}, 0, CameraMove::kOrbit},
    {"rotate", {}, 0, CameraMove::kOrbit}, {"spin", {}, 0, CameraMove::kOrbit},
    {"tilt", {}, 0, CameraMove::kTilt}, {"crane", {}, 0, CameraMove::kTilt},
    {"static", {}, 0, CameraMove::kStatic}, {"still", {}, 0, CameraMove::kStatic},
    {"tripod", {}, 0, CameraMove::kStatic}, {"shake", {}, 0, CameraMove::kShake},
    {"shaky", {}, 0, CameraMove::kShake}, {"handheld", {}, 0, CameraMove::kShake},
    {"drift", {}, 0, CameraMove::kDrift}, {"drifting", {}, 0, CameraMove::kDrift},
};

struct ColourWord {
  absl::string_view word;
  Rgb colour;
};
const ColourWord kColours[] = {
    {"red", {230, 40, 50}},      {"crimson", {200, 20, 60}},  {"scarlet", {240, 40, 30}},
    {"orange", {255, 140, 30}},  {"amber", {255, 175, 40}},   {"yellow", {255, 225, 50}},
    {"gold", {255, 200, 60}},    {"golden", {255, 190, 70}},  {"green", {50, 200, 80}},
    {"emerald", {30, 180, 110}}, {"lime", {160, 240, 60}},    {"teal", {20, 170, 170}},
    {"turquoise", {60, 220, 200}}, {"cyan", {40, 230, 240}},  {"aqua", {60, 240, 220}},
    {"blue", {40, 100, 240}},    {"azure", {60, 150, 255}},   {"navy", {20, 40, 120}},
    {"cobalt", {30, 70, 200}},   {"purple", {150, 60, 210}},  {"violet", {140, 80, 240}},
    {"magenta", {240, 40, 200}}, {"lavender", {190, 160, 240}}, {"pink", {255, 110, 180}},
    {"rose", {240, 90, 130}},    {"white", {245, 245, 245}},  {"silver", {200, 205, 215}},
    {"brown", {140, 90, 50}},    {"copper", {200, 110, 60}},  {"black", {15, 15, 20}},
};

// "fireflies" -> "firefly", "trees" -> "tree"; "glass" stays.
std::string Singular(const std::string& word) {
  if (word.size() > 4 && word.ends_with("ies")) return word.substr(0, word.size() - 3) + "y";
  if (word.size() > 3 && word.back() == 's' && !word.ends_with("ss")) return word.substr(0, word.size() - 1);
  return word;
}

std::vector<std::string> Words(absl::string_view prompt) {
  std::vector<std::string> words;
  std::string current;
  for (char c : prompt) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z') {
      current.push_back(c);
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

const WordEffect* FindWord(const std::string& word) {
  for (const WordEffect& effect : kWords) {
    if (effect.word == word) return &effect;
  }
  return nullptr;
}

const ColourWord* FindColour(const std::string& word) {
  for (const ColourWord& colour : kColours) {
    if (colour.word == word) return &colour;
  }
  return nullptr;
}

constexpr uint32_t kLandscape = kCity | kWater | kForest | kMountains | kDesert;

}  // namespace

SceneRecipe RecipeFor(absl::string_view prompt, uint64_t seed) {
  SceneRecipe recipe;
  recipe.variation = SplitMix(seed ^ SplitMix(Fnv1a(prompt)));
  std::optional<TimeOfDay> time;
  std::optional<CameraMove> camera;
  bool left = false, out = false;
  for (const std::string& raw : Words(prompt)) {
    const std::string word = Singular(raw);
    const WordEffect* effect = FindWord(raw);
    if (effect == nullptr) effect = FindWord(word);
    if (effect != nullptr) {
      if (!time && effect->time) time = effect->time;
      if (!camera && effect->camera) camera = effect->camera;
      recipe.elements |= effect->elements;
    }
    const ColourWord* colour = FindColour(raw);
    if (colour == nullptr) colour = FindColour(word);
    if (colour != nullptr && recipe.palette.size() < 4) recipe.palette.push_back(colour->colour);
    if (raw == "left") left = true;
    if (raw == "out" || raw == "back" || raw == "away") out = true;
    if (raw == "monochrome" || raw == "grey" || raw == "gray" || raw == "noir" || raw == "greyscale" ||
        raw == "grayscale") {
      recipe.monochrome = true;
    }
    if (raw == "pastel" || raw == "soft") recipe.pastel = true;
  }

  uint64_t rng = recipe.variation;
  const auto next = [&rng] { return rng = SplitMix(rng); };
  // Landscapes the prompt leaves open: one or two from the variation.
  if ((recipe.elements & kLandscape) == 0) {
    constexpr uint32_t kChoices[] = {kMountains, kWater, kForest, kDesert, kCity};
    recipe.elements |= kChoices[next() % 5];
    if (next() % 2 == 0) recipe.elements |= kChoices[next() % 5];
    if (recipe.Has(kDesert) && recipe.Has(kWater)) recipe.elements &= ~kDesert;
  }
  if (!time) {
    if (recipe.Has(kNeon) || recipe.Has(kStars)) {
      time = next() % 3 == 0 ? kDusk : kNight;
    } else {
      constexpr TimeOfDay kTimes[] = {kDawn, kDay, kDay, kSunset, kDusk, kNight};
      time = kTimes[next() % 6];
    }
  }
  recipe.time = *time;
  if ((recipe.time == kNight || recipe.time == kDusk) && !recipe.Has(kRain)) recipe.elements |= kStars;
  if (camera) {
    if (*camera == CameraMove::kPanRight && left) camera = CameraMove::kPanLeft;
    if (*camera == CameraMove::kZoomIn && out) camera = CameraMove::kZoomOut;
    recipe.camera = *camera;
  }
  return recipe;
}

std::string DescribeRecipe(const SceneRecipe& recipe) {
  constexpr absl::string_view kTimes[] = {"dawn", "day", "sunset", "dusk", "night"};
  constexpr absl::string_view kCameras[] = {"static", "drift",  "pan-left", "pan-right", "zoom-in",
                                            "zoom-out", "orbit", "tilt",     "shake"};
  constexpr absl::string_view kElements[] = {"city",  "neon",      "water",  "forest", "mountains", "desert",
                                             "rain",  "snow",      "stars",  "particles", "shapes", "clouds"};
  std::vector<absl::string_view> parts = {kTimes[static_cast<int>(recipe.time)]};
  for (int bit = 0; bit < 12; ++bit) {
    if (recipe.elements & (1u << bit)) parts.push_back(kElements[bit]);
  }
  return absl::StrCat(absl::StrJoin(parts, " "), " | camera=", kCameras[static_cast<int>(recipe.camera)],
                      " colours=", recipe.palette.size(), recipe.monochrome ? " monochrome" : "",
                      recipe.pastel ? " pastel" : "");
}

}  // namespace clipforge::generation
