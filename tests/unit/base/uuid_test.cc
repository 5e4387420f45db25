#include "base/uuid.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "base/testing/fake_clock.h"

namespace clipforge::base {
namespace {


class CountingRandom final : public RandomSource {
 public:
  void Fill(void* out, size_t size) override { std::memset(out, 0xAB, size); }
};

TEST(UuidV7Test, EncodesTimestampVersionAndVariant) {
  testing::FakeClock clock(absl::FromUnixMillis(1'700'000'000'123));
  CountingRandom random;
  UuidV7Generator ids(clock, random);
  const UuidBytes b = ids.NextBytes();
  uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = ms << 8 | b[i];
  EXPECT_EQ(ms, 1'700'000'000'123u);
  EXPECT_EQ(b[6] >> 4, 7);          // Version.
  EXPECT_EQ(b[8] & 0xC0, 0x80);     // RFC 9562 variant.
}

TEST(UuidV7Test, StrictlyIncreasingWhenTheClockStallsOrStepsBack) {
  testing::FakeClock clock(absl::FromUnixMillis(1'700'000'000'123));
  SecureRandom random;
  UuidV7Generator ids(clock, random);
  std::string previous = ids.Next();
  for (int i = 0; i < 10000; ++i) {
    if (i == 5000) clock.Advance(-absl::Seconds(2));  // NTP steps the clock back.
    const std::string next = ids.Next();
    ASSERT_LT(previous, next) << "at " << i;
    previous = next;
  }
}

TEST(UuidV7Test, FormatAndParseRoundTrip) {
  SystemClock clock;
  SecureRandom random;
  UuidV7Generator ids(clock, random);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string text = ids.Next();
    ASSERT_TRUE(seen.insert(text).second);
    auto parsed = ParseUuid(text);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(FormatUuid(*parsed), text);
  }
  EXPECT_FALSE(ParseUuid("0190a3c4-5e6f-7abc-8def-0123456789aZ").ok());
}

}  // namespace
}  // namespace clipforge::base
