// Text normalization for the prompt filter: turns what a person typed into
// the canonical form the filter rules are matched against, undoing the usual
// evasions, and remembers where each byte of the result came from so that a
// match can be shown on the original text.
//
// The rules, in the order they apply:
//
// 1. Validation. The input must be valid UTF-8 (no overlong forms,
//    surrogates or values above U+10FFFF), else INVALID_ARGUMENT.
// 2. Grapheme clusters. The input is cut into extended grapheme clusters
//    (utf8proc's stateful grapheme breaks). Each cluster is NFKC-normalized
//    and case-folded on its own (utf8proc: DECOMPOSE|COMPAT|CASEFOLD|
//    IGNORE|STABLE, canonical reordering, then COMPOSE): canonical
//    composition never crosses a cluster boundary, so this equals
//    NFKC_Casefold of the whole text while keeping offsets. Fullwidth
//    "ｋｉｌｌ" becomes "kill", "ﬁ" becomes "fi", "Straße" becomes "strasse".
//    Every byte produced from a cluster maps to the cluster's first byte.
//    ASCII characters not followed by a non-ASCII one take a fast path
//    (lowercasing only) with the same result.
// 3. Dropped characters. Default-ignorable code points (ZWSP U+200B, ZWNJ,
//    ZWJ, word joiner, BOM U+FEFF, soft hyphen, bidi marks and embeddings,
//    variation selectors, tag characters, Hangul fillers), every other
//    format character (Cf), control characters (Cc) other than whitespace,
//    private-use and unassigned code points, and the Arabic tatweel U+0640
//    (a stretching mark) vanish without separating anything: "ki\u200Bll"
//    is "kill". Combining marks (Mn, Me) left on a Latin letter after
//    composition (overlays, "Zalgo" stacks) are dropped; marks that compose
//    (é) stay, and marks on other scripts (Devanagari, Arabic, Hebrew, Thai
//    vowel signs and viramas, Mn or Mc) stay attached to their letter.
// 4. Classes. After steps 2-3 each code point is a word character (a letter
//    L*, a digit N*, or a mark attached to one), a joining separator
//    (whitespace including \t \n \r, Z*, dashes Pd, connector punctuation
//    Pc such as "_", ".", "*", "·", "•"), a leet symbol ("@", "$", "!") or
//    a plain separator (all other punctuation and symbols, emoji included).
// 5. Words. A word is a maximal run of word characters and leet symbols,
//    without the "!"s at either end; a run with no letter or digit is a
//    separator. Leet symbols in a word without Latin letters are dropped.
// 6. Spelled-out words. Three or more consecutive one-character words
//    (one letter or digit, with its marks), at least one of them a letter,
//    separated only by joining separators, the same text between every two
//    of them, become one word: "k i l l", "K.I.L.L", "k-i-l-l", "k_i_l_l",
//    "k * i * l * l" are all "kill", and "k.i.l.l. y.o.u" is "kill you".
//    "a b" (two) and "k, i, l, l" (a comma does not join) stay apart.
//    Joining separators between two characters of scripts written without
//    spaces (IsUnspacedScript) vanish too: "杀 了 你" is "杀了你".
// 7. Look-alikes. In a word with at least one Cyrillic or Greek letter and
//    at least as many Latin letters as Cyrillic and Greek ones (ties go to
//    Latin), each Cyrillic or Greek letter with a Latin look-alike becomes
//    that Latin letter (і->i, а->a, о->o, е->e, с->c, р->p, к->k, ...; see
//    kHomoglyphs in normalizer.cc): "kіll" with a Cyrillic і is "kill".
//    A word that is mostly Cyrillic or Greek is left alone: "убить" and
//    "сосо" stay Cyrillic.
// 8. Leetspeak. In a word that has Latin letters (after step 7), the ASCII
//    digits and symbols 0->o 1->i 3->e 4->a 5->s 7->t @->a $->s !->i are
//    replaced: "k1ll", "h@te", "$h1t", "k!ll" become "kill", "hate", "shit",
//    "kill". Numbers ("2024", "$100") and digits in words of other scripts
//    stay digits. Other digits (2, 6, 8, 9) stay.
// 9. Separators. Between two words, any run of separators becomes one
//    ASCII space; there is no space at the start or the end. The result is
//    therefore words of non-space characters separated by single spaces,
//    which is what lets the policy match words on boundaries with plain
//    literals.
//
// Non-Latin scripts (Cyrillic, Greek, CJK, Arabic, Hebrew, Devanagari,
// Thai, ...) only go through NFKC and case folding: their letters, marks
// and digits are kept as they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clipforge::moderation {

struct Normalized {
  std::string text;
  // For each byte of `text`, the byte offset in the input where the
  // character (grapheme cluster, or the first character of the separator
  // run for a space) it came from starts; then one sentinel: the input size.
  // Non-decreasing.
  std::vector<uint32_t> to_original;
  // Where the input's trailing separators (and dropped characters) after
  // the last word start; the input size when there are none.
  uint32_t tail_begin = 0;

  // The span of the input that produced text[begin, end): from the start of
  // the source of text[begin] to the start of the next kept source
  // character (or tail_begin) after the one that produced text[end - 1]:
  // characters dropped right after it, such as a trailing zero-width space,
  // are included. Requires begin <= end <= text.size().
  std::pair<size_t, size_t> OriginalSpan(size_t begin, size_t end) const;
};

// Normalizes `utf8` as described above. INVALID_ARGUMENT when it is not
// valid UTF-8.
absl::StatusOr<Normalized> Normalize(std::string_view utf8);

// The same into `out`, reusing its capacity (the filter's hot path).
absl::Status NormalizeInto(std::string_view utf8, Normalized& out);

// True for code points of scripts written without spaces between words
// (Han, Hiragana, Katakana, Bopomofo, Thai, Lao, Myanmar, Khmer): rules in
// these scripts match anywhere, not only on word boundaries.
bool IsUnspacedScript(char32_t c);

}  // namespace clipforge::moderation
