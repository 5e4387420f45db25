// Prompts as sets of character shingles, the input of the feed's prompt
// near-duplicate search (minhash.h, lsh_index.h).
//
// Why characters and not words: a copier who fixes a typo, pluralizes a
// noun or glues two words together changes one word token but only a few
// character windows, so character shingles keep such copies close while
// unrelated prompts that share stock phrasing ("cinematic, 4k") still share
// only a small part of their windows.
//
// Normalization first, so trivial edits do not count as changes: ASCII is
// lowercased; ASCII punctuation and symbols are dropped (without leaving a
// space: "red-fox" is "redfox", "fox, at" is "fox at"); whitespace runs
// (ASCII and the common Unicode spaces: U+00A0, U+1680, U+2000..U+200A,
// U+2028, U+2029, U+202F, U+205F, U+3000) become one ASCII space, and none
// is left at either end. Other non-ASCII bytes are kept as they are: there
// is no Unicode case folding or punctuation table in base/, and a copier
// who keeps the script keeps the bytes.
//
// Shingles are windows of k characters (UTF-8 code points, so a window
// never splits a character; a stray continuation byte rides with the
// character before it) hashed with 64-bit FNV-1a over their bytes
// (base/fnv1a.h). FNV-1a is fixed by its published constants, so a shingle
// hashes the same on every machine and run, and signatures stored at
// publish stay comparable forever. Its weak avalanche does not matter
// here: MinHash (minhash.cc) remixes every hash before taking minima.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace clipforge::feed {

// Five characters: long enough that a shingle carries a piece of a word
// (three-character shingles make every English prompt look alike), short
// enough that one changed word disturbs only a handful of them.
inline constexpr size_t kDefaultShingleLength = 5;

// The normalized form described in the file comment.
std::string NormalizePrompt(absl::string_view prompt);

// 64-bit FNV-1a of `bytes`.
uint64_t ShingleHash(absl::string_view bytes);

// The distinct hashes of the k-character windows of `normalized` (the
// output of NormalizePrompt), sorted ascending. A text shorter than k
// characters (but not empty) is one shingle of the whole text; an empty
// text has none. k == 0 counts as 1.
std::vector<uint64_t> PromptShingles(absl::string_view normalized, size_t k = kDefaultShingleLength);

}  // namespace clipforge::feed
