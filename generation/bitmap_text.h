// Text drawn with a tiny built-in 5x7 bitmap font (no font library): the
// prompt caption of the procedural renderer and the "ClipForge" mark that
// the encoding pipeline stamps on every frame of every renderer.
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"
#include "generation/renderer.h"

namespace clipforge::generation {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

// The font has A-Z, 0-9, space and . , ! ? - ' : / & ; lowercase letters
// draw as capitals except those of "ClipForge", which have their own
// glyphs. Other bytes draw as blanks. Each glyph advances 6 * scale pixels.
int TextWidth(absl::string_view text, int scale);
inline int TextHeight(int scale) { return 7 * scale; }

// Draws `text` with its top-left corner at (x, y), each font pixel a
// scale x scale block, clipped to the frame. With `shadow`, a black copy
// offset down-right by max(1, scale / 2) goes underneath, so the text reads
// on any background.
void DrawText(RgbFrame frame, int x, int y, int scale, absl::string_view text, Rgb color, bool shadow);

// The visible "ClipForge" mark in the top-right corner, sized to the frame
// (about 1/7 of the narrower side wide). Every frame the pipeline encodes
// carries it, whichever renderer drew the frame.
void StampClipForgeMark(RgbFrame frame);

}  // namespace clipforge::generation
