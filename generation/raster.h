// Integer drawing primitives for the procedural renderer: span fills and
// blends, discs, ellipses and convex polygons as row spans, and a
// fixed-point sine. Everything is integer arithmetic so that frames are
// byte-identical on every machine, and per-pixel work is a store or a
// blend (the cost of a frame must stay far below x264's).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "generation/bitmap_text.h"
#include "generation/renderer.h"

namespace clipforge::generation::raster {

// t in 0..256: 0 gives a, 256 gives b.
inline Rgb Mix(Rgb a, Rgb b, int t) {
  return Rgb{static_cast<uint8_t>(a.r + (((b.r - a.r) * t) >> 8)),
             static_cast<uint8_t>(a.g + (((b.g - a.g) * t) >> 8)),
             static_cast<uint8_t>(a.b + (((b.b - a.b) * t) >> 8))};
}

// k in 0..256+: brightness scale, saturating.
inline Rgb Scale(Rgb c, int k) {
  const auto s = [k](int v) { return static_cast<uint8_t>(std::min(255, (v * k) >> 8)); };
  return Rgb{s(c.r), s(c.g), s(c.b)};
}

inline void Put(uint8_t* p, Rgb c) {
  p[0] = c.r;
  p[1] = c.g;
  p[2] = c.b;
}

inline void BlendPixel(uint8_t* p, Rgb c, int alpha) {
  p[0] = static_cast<uint8_t>(p[0] + (((c.r - p[0]) * alpha) >> 8));
  p[1] = static_cast<uint8_t>(p[1] + (((c.g - p[1]) * alpha) >> 8));
  p[2] = static_cast<uint8_t>(p[2] + (((c.b - p[2]) * alpha) >> 8));
}

// Pixels [x0, x1) of `row`, clipped to [0, width).
void FillSpan(uint8_t* row, int width, int x0, int x1, Rgb c);
void BlendSpan(uint8_t* row, int width, int x0, int x1, Rgb c, int alpha);

// floor(sqrt(v)) for v >= 0.
int ISqrt(int64_t v);

// sin of `angle` in 1/1024 turns, as -4096..4096 (Bhaskara's rational
// approximation, within 0.2% of the true sine; smooth enough for motion).
int Sin(int angle);
inline int Cos(int angle) { return Sin(angle + 256); }

// Calls span(y, x0, x1) for each row of the ellipse centred at (cx, cy)
// with radii rx, ry, clipped to the frame's rows (not its columns).
template <typename Span>
void EllipseSpans(int height, int cx, int cy, int rx, int ry, Span span) {
  if (rx <= 0 || ry <= 0) return;
  const int y0 = std::max(0, cy - ry), y1 = std::min(height - 1, cy + ry);
  const int64_t ry2 = int64_t{ry} * ry;
  for (int y = y0; y <= y1; ++y) {
    const int64_t dy = y - cy;
    const int half = static_cast<int>(int64_t{rx} * ISqrt((ry2 - dy * dy) << 16) / (int64_t{ry} << 8));
    span(y, cx - half, cx + half + 1);
  }
}

// A convex polygon of up to 8 vertices in 1/256 pixel units; calls
// span(y, x0, x1) for each covered row, clipped to the frame's rows.
struct Point {
  int x = 0, y = 0;
};
template <typename Span>
void ConvexSpans(int height, const Point* points, int n, Span span) {
  int ymin = points[0].y, ymax = points[0].y;
  for (int i = 1; i < n; ++i) {
    ymin = std::min(ymin, points[i].y);
    ymax = std::max(ymax, points[i].y);
  }
  const int y0 = std::max(0, (ymin + 255) >> 8), y1 = std::min(height - 1, ymax >> 8);
  for (int y = y0; y <= y1; ++y) {
    const int sy = y << 8;
    int left = INT32_MAX, right = INT32_MIN;
    for (int i = 0; i < n; ++i) {
      const Point a = points[i], b = points[(i + 1) % n];
      if ((a.y <= sy && b.y >= sy) || (b.y <= sy && a.y >= sy)) {
        const int x = a.y == b.y ? std::min(a.x, b.x)
                                 : a.x + static_cast<int>(int64_t{b.x - a.x} * (sy - a.y) / (b.y - a.y));
        const int x2 = a.y == b.y ? std::max(a.x, b.x) : x;
        left = std::min(left, x);
        right = std::max(right, x2);
      }
    }
    if (left <= right) span(y, left >> 8, (right >> 8) + 1);
  }
}

}  // namespace clipforge::generation::raster
