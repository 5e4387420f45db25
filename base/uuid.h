// UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Ids sort by
// creation time, which keeps B-tree inserts local.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "base/random.h"

namespace clipforge::base {

using UuidBytes = std::array<uint8_t, 16>;

std::string FormatUuid(const UuidBytes& bytes);
absl::StatusOr<UuidBytes> ParseUuid(absl::string_view text);

// Generates UUIDv7 strings. Within one millisecond the 12-bit rand_a field is
// used as a counter (RFC 9562 method 1), so ids from one generator are
// strictly increasing even when the clock stalls or steps back.
class UuidV7Generator {
 public:
  UuidV7Generator(const Clock& clock, RandomSource& random) : clock_(clock), random_(random) {}

  std::string Next();
  UuidBytes NextBytes();

 private:
  const Clock& clock_;
  RandomSource& random_;
  absl::Mutex mu_;
  uint64_t last_ms_ ABSL_GUARDED_BY(mu_) = 0;
  uint16_t counter_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clipforge::base
