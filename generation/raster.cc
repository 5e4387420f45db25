#include "generation/raster.h"

#include <cmath>

namespace clipforge::generation::raster {
namespace {

// Half a turn (512 steps) of sine, 0..4096, from Bhaskara I's formula in
// integers: sin(x) ~ 16x(pi - x) / (5pi^2 - 4x(pi - x)).
constexpr std::array<int16_t, 512> MakeHalfSine() {
  std::array<int16_t, 512> table{};
  for (int a = 0; a < 512; ++a) {
    const int64_t p = int64_t{a} * (512 - a);
    table[a] = static_cast<int16_t>(4096 * 16 * p / (5 * 512 * 512 - 4 * p));
  }
  return table;
}
constexpr std::array<int16_t, 512> kHalfSine = MakeHalfSine();

}  // namespace

int Sin(int angle) {
  const int a = angle & 1023;
  return a < 512 ? kHalfSine[a] : -kHalfSine[a - 512];
}

int ISqrt(int64_t v) {
  if (v <= 0) return 0;
  // IEEE sqrt is correctly rounded, so this is the same on every machine;
  // the two loops fix the last unit where a double cannot hold v exactly.
  int64_t r = static_cast<int64_t>(std::sqrt(static_cast<double>(v)));
  while (r * r > v) --r;
  while ((r + 1) * (r + 1) <= v) ++r;
  return static_cast<int>(r);
}

void FillSpan(uint8_t* row, int width, int x0, int x1, Rgb c) {
  x0 = std::max(0, x0);
  x1 = std::min(width, x1);
  if (x0 >= x1) return;
  uint8_t* p = row + x0 * 3;
  int n = x1 - x0;
  // 16 pixels (48 bytes) at a time from a prepared pattern: the compiler
  // turns the fixed-size copy into three vector stores.
  if (n >= 16) {
    uint8_t pattern[48];
    for (int i = 0; i < 16; ++i) Put(pattern + i * 3, c);
    for (; n >= 16; n -= 16, p += 48) std::memcpy(p, pattern, 48);
  }
  for (; n > 0; --n, p += 3) Put(p, c);
}

void BlendSpan(uint8_t* row, int width, int x0, int x1, Rgb c, int alpha) {
  x0 = std::max(0, x0);
  x1 = std::min(width, x1);
  for (uint8_t* p = row + x0 * 3; x0 < x1; ++x0, p += 3) BlendPixel(p, c, alpha);
}

}  // namespace clipforge::generation::raster
