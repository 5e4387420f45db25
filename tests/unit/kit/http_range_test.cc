// The Range header forms media players send, decided against a size.
#include "services/kit/http_range.h"

#include <gtest/gtest.h>

namespace clipforge::kit {
namespace {

using Kind = ByteRangeDecision::Kind;

void ExpectPartial(absl::string_view header, uint64_t size, uint64_t first, uint64_t last) {
  const ByteRangeDecision decision = DecideByteRange(header, size);
  EXPECT_EQ(decision.kind, Kind::kPartial) << header;
  EXPECT_EQ(decision.first, first) << header;
  EXPECT_EQ(decision.last, last) << header;
}

void ExpectKind(absl::string_view header, uint64_t size, Kind kind) {
  EXPECT_EQ(DecideByteRange(header, size).kind, kind) << "'" << header << "' of " << size;
}

TEST(HttpRangeTest, SingleRangesAreHonoured) {
  ExpectPartial("bytes=0-99", 1000, 0, 99);
  ExpectPartial("bytes=10-10", 1000, 10, 10);
  ExpectPartial("bytes=900-", 1000, 900, 999);
  ExpectPartial("bytes=0-", 1000, 0, 999);
  ExpectPartial("bytes=-100", 1000, 900, 999);
  ExpectPartial("bytes=999-999", 1000, 999, 999);
  ExpectPartial("  Bytes=5-9 ", 1000, 5, 9);
  ExpectPartial("bytes= 5-9", 1000, 5, 9);
}

TEST(HttpRangeTest, EndsAreClampedToTheSize) {
  ExpectPartial("bytes=900-5000", 1000, 900, 999);
  ExpectPartial("bytes=-5000", 1000, 0, 999);
  ExpectPartial("bytes=0-999999999999999999", 1000, 0, 999);
}

TEST(HttpRangeTest, UnsatisfiableRanges) {
  ExpectKind("bytes=1000-", 1000, Kind::kUnsatisfiable);
  ExpectKind("bytes=1000-2000", 1000, Kind::kUnsatisfiable);
  ExpectKind("bytes=-0", 1000, Kind::kUnsatisfiable);
  ExpectKind("bytes=0-", 0, Kind::kUnsatisfiable);
  ExpectKind("bytes=-5", 0, Kind::kUnsatisfiable);
}

TEST(HttpRangeTest, OthersAreIgnoredAndServeEverything) {
  for (absl::string_view header : {"", "bytes", "bytes=", "bytes=-", "items=0-5", "bytes=5-4", "bytes=a-5",
                                   "bytes=5-b", "bytes=0-1,5-6", "bytes=0-1, 5-6", "bytes=--5", "bytes=1-2-3",
                                   "bytes=9999999999999999999-", "bytes=-9999999999999999999"}) {
    ExpectKind(header, 1000, Kind::kFull);
  }
}

}  // namespace
}  // namespace clipforge::kit
