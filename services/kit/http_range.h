// HTTP byte ranges (RFC 9110 §14): the one Range header form media players
// send, decided against a representation's size. Pure, no I/O.
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"

namespace clipforge::kit {

struct ByteRangeDecision {
  enum class Kind {
    kFull,           // Serve everything with 200: no Range, or one we ignore.
    kPartial,        // Serve [first, last] with 206.
    kUnsatisfiable,  // Answer 416 with "Content-Range: bytes */size".
  };
  Kind kind = Kind::kFull;
  uint64_t first = 0;  // kPartial only; inclusive.
  uint64_t last = 0;   // kPartial only; inclusive, < size.
};

// Decides the Range header `value` (empty when absent) for a representation
// of `size` bytes. One range of the forms "bytes=a-b" (b clamped to
// size - 1), "bytes=a-" and "bytes=-n" (the last n bytes) is honoured; the
// unit is case-insensitive and whitespace around the value is ignored.
//
// Ignored, so the full content is served (RFC 9110 lets a server ignore
// Range): another unit, a syntax error, a range with b < a, and any
// multi-range request ("bytes=0-1,5-6"): answering those with
// multipart/byteranges buys players nothing, and 200 with everything is a
// correct answer to them.
//
// Unsatisfiable: a first position at or past the end (every position, for
// an empty representation) or a suffix of length 0.
ByteRangeDecision DecideByteRange(absl::string_view value, uint64_t size);

}  // namespace clipforge::kit
