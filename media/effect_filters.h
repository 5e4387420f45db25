// Which libavfilter filters, with which options, make each effect of
// media/effects.h: the recipe, kept apart from running the graph
// (media/effects_graph.h) so that it reads as a table and is tested as one.
//
// Options are given as values, never as a filter-graph string: the graph
// is built filter by filter with av_opt_set semantics, so a user's text
// needs no escaping and cannot inject filters.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "media/effects.h"

namespace clipforge::media {

struct FilterSpec {
  std::string filter;  // libavfilter's name ("colorchannelmixer")
  std::vector<std::pair<std::string, std::string>> options;  // in the order they are set
};

// setpts then fps: `speed` times as fast at a constant `fps`.
std::vector<FilterSpec> SpeedFilters(double speed, int fps);

// One to two filters on RGB (or YUV for kVivid's eq, which libavfilter
// converts to and from) making the preset at the effect's intensity.
std::vector<FilterSpec> ColorGradeFilters(const ColorGradeEffect& grade);

// libavfilter's timeline expression for [start, end) in seconds of output
// time (end <= 0: from start on).
std::string EnableExpression(absl::Duration start, absl::Duration end);

// drawtext for `text` on frames `frame_height` pixels tall, its font found
// by fontconfig from `font` ("Sans").
FilterSpec DrawTextFilter(const TextOverlayEffect& text, int frame_height, const std::string& font);

// The sticker's pixel width on frames `frame_width` wide (at least 1).
int StickerWidth(const StickerEffect& sticker, int frame_width);

// scale for the sticker image, to StickerWidth wide with its aspect kept.
FilterSpec StickerScaleFilter(const StickerEffect& sticker, int frame_width);

// overlay of the (scaled) sticker on the main input, centred on (x, y), in
// RGB so that neither picture loses chroma resolution.
FilterSpec StickerOverlayFilter(const StickerEffect& sticker);

}  // namespace clipforge::media
