#include "feed/prompt_shingles.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "base/fnv1a.h"

namespace clipforge::feed {
namespace {

// The length in bytes of the space character (ASCII, or one of the file
// comment's Unicode spaces) starting at `text[i]`, or 0 when there is none.
size_t SpaceBytesAt(absl::string_view text, size_t i) {
  const auto at = [&](size_t k) -> unsigned {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  const unsigned b0 = at(0), b1 = at(1), b2 = at(2);
  if (b0 < 0x80) return absl::ascii_isspace(static_cast<unsigned char>(b0)) ? 1 : 0;
  if (b0 == 0xC2 && b1 == 0xA0) return 2;                                              // U+00A0
  if (b0 == 0xE1 && b1 == 0x9A && b2 == 0x80) return 3;                                // U+1680
  if (b0 == 0xE2 && b1 == 0x80 && b2 >= 0x80 && b2 <= 0x8A) return 3;                  // U+2000..U+200A
  if (b0 == 0xE2 && b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) return 3;  // U+2028, U+2029, U+202F
  if (b0 == 0xE2 && b1 == 0x81 && b2 == 0x9F) return 3;                                // U+205F
  if (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80) return 3;                                // U+3000
  return 0;
}

}  // namespace

std::string NormalizePrompt(absl::string_view prompt) {
  std::string normalized;
  normalized.reserve(prompt.size());
  bool pending_space = false;
  size_t i = 0;
  while (i < prompt.size()) {
    const unsigned char c = static_cast<unsigned char>(prompt[i]);
    const size_t space = SpaceBytesAt(prompt, i);
    if (space > 0) {
      // A space only separates: none at the start, and one for a run.
      pending_space = pending_space || !normalized.empty();
      i += space;
      continue;
    }
    ++i;
    if (c < 0x80 && !absl::ascii_isalnum(c)) continue;  // punctuation, symbols, controls
    if (pending_space) {
      normalized.push_back(' ');
      pending_space = false;
    }
    normalized.push_back(c < 0x80 ? absl::ascii_tolower(c) : static_cast<char>(c));
  }
  return normalized;
}

uint64_t ShingleHash(absl::string_view bytes) { return base::Fnv1a64(bytes); }

std::vector<uint64_t> PromptShingles(absl::string_view normalized, size_t k) {
  if (k == 0) k = 1;
  // Where each character starts: every byte that is not a UTF-8
  // continuation byte (10xxxxxx), and the first byte whatever it is.
  std::vector<size_t> starts;
  starts.reserve(normalized.size());
  for (size_t i = 0; i < normalized.size(); ++i) {
    if (i == 0 || (static_cast<unsigned char>(normalized[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  std::vector<uint64_t> shingles;
  if (starts.empty()) return shingles;
  if (starts.size() < k) {
    shingles.push_back(ShingleHash(normalized));
    return shingles;
  }
  shingles.reserve(starts.size() - k + 1);
  for (size_t first = 0; first + k <= starts.size(); ++first) {
    const size_t begin = starts[first];
    const size_t end = first + k < starts.size() ? starts[first + k] : normalized.size();
    shingles.push_back(ShingleHash(normalized.substr(begin, end - begin)));
  }
  std::sort(shingles.begin(), shingles.end());
  shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
  return shingles;
}

}  // namespace clipforge::feed
