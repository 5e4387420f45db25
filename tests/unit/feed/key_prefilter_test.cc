// KeyPrefilter: never says "absent" for a key it was given (scoring would
// then skip a setting), and lets few others through.
#include "feed/key_prefilter.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_format.h"

namespace clipforge::feed {
namespace {

std::string PrefilterUuid(int i) { return absl::StrFormat("0190a1b2-c3d4-7e5f-8a6b-%012x", i); }

TEST(KeyPrefilterTest, AnAddedKeyIsAlwaysMaybe) {
  KeyPrefilter filter;
  std::vector<std::string> keys = {"", "a", "neon", "seven77", "eight888", std::string("nul\0byte", 8)};
  for (int i = 0; i < 300; ++i) keys.push_back(PrefilterUuid(i * 7));
  for (const std::string& key : keys) filter.Add(key);
  for (const std::string& key : keys) EXPECT_TRUE(filter.MightContain(key)) << key;
}

TEST(KeyPrefilterTest, FewOtherKeysGetThrough) {
  // 50 settings: about 50 / 4,096 = 1.2% of other keys may pass.
  KeyPrefilter filter;
  for (int i = 0; i < 50; ++i) filter.Add(PrefilterUuid(i));
  int passed = 0;
  constexpr int kOthers = 100000;
  for (int i = 0; i < kOthers; ++i) passed += filter.MightContain(PrefilterUuid(1000000 + i)) ? 1 : 0;
  EXPECT_LT(passed, kOthers * 3 / 100);
  EXPECT_FALSE(KeyPrefilter().MightContain("anything"));
}

TEST(KeyPrefilterTest, AllKeysLetsEverythingThrough) {
  const KeyPrefilter all = KeyPrefilter::AllKeys();
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(all.MightContain(PrefilterUuid(i)));
  EXPECT_TRUE(all.MightContain(""));
}

}  // namespace
}  // namespace clipforge::feed
