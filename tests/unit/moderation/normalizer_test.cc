#include "moderation/normalizer.h"

#include <string>
#include <string_view>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::moderation {
namespace {

using ::clipforge::base::testing::IsOkAndHolds;
using ::clipforge::base::testing::StatusIs;

std::string Norm(std::string_view text) {
  absl::StatusOr<Normalized> normalized = Normalize(text);
  EXPECT_TRUE(normalized.ok()) << normalized.status();
  return normalized.ok() ? normalized->text : "<error>";
}

// The original text behind the first occurrence of `needle` in the
// normalized form of `text`.
std::string OriginalOf(std::string_view text, std::string_view needle) {
  absl::StatusOr<Normalized> normalized = Normalize(text);
  EXPECT_TRUE(normalized.ok());
  const size_t at = normalized->text.find(needle);
  EXPECT_NE(at, std::string::npos) << normalized->text;
  if (at == std::string::npos) return "<not found>";
  const auto [b, e] = normalized->OriginalSpan(at, at + needle.size());
  return std::string(text.substr(b, e - b));
}

TEST(NormalizerTest, PlainAsciiIsLowercasedWithSingleSpaces) {
  EXPECT_EQ(Norm("Hello,   World!  How are YOU?"), "hello world how are you");
  EXPECT_EQ(Norm("  leading and trailing\t\n"), "leading and trailing");
  EXPECT_EQ(Norm(""), "");
  EXPECT_EQ(Norm("?!... ---"), "");
}

TEST(NormalizerTest, SpelledOutWordsAreJoined) {
  EXPECT_EQ(Norm("K.I.L.L"), "kill");
  EXPECT_EQ(Norm("k i l l them"), "kill them");
  EXPECT_EQ(Norm("k-i-l-l"), "kill");
  EXPECT_EQ(Norm("k_i_l_l"), "kill");
  EXPECT_EQ(Norm("k * i * l * l"), "kill");
  EXPECT_EQ(Norm("please k . i . l . l now"), "please kill now");
  // Two single letters, or a comma between them, do not join.
  EXPECT_EQ(Norm("a b"), "a b");
  EXPECT_EQ(Norm("k, i, l, l"), "k i l l");
  EXPECT_EQ(Norm("I am a cat"), "i am a cat");
}

TEST(NormalizerTest, LeetspeakInsideWordsWithLetters) {
  EXPECT_EQ(Norm("k1ll"), "kill");
  EXPECT_EQ(Norm("h@te"), "hate");
  EXPECT_EQ(Norm("$h1t"), "shit");
  EXPECT_EQ(Norm("k!ll"), "kill");
  EXPECT_EQ(Norm("5tup1d"), "stupid");
  EXPECT_EQ(Norm("k 1 l l"), "kill");
  // Numbers, prices and exclamation marks stay what they are.
  EXPECT_EQ(Norm("in 2024 it cost $100!"), "in 2024 it cost 100");
  EXPECT_EQ(Norm("wow!!"), "wow");
  EXPECT_EQ(Norm("!kill!"), "kill");
}

TEST(NormalizerTest, FullwidthAndCase) {
  EXPECT_EQ(Norm("ｋｉｌｌ"), "kill");
  EXPECT_EQ(Norm("ＫＩＬＬ"), "kill");
  EXPECT_EQ(Norm("KiLL"), "kill");
  EXPECT_EQ(Norm("Straße"), "strasse");
  EXPECT_EQ(Norm("ﬁght"), "fight");
  EXPECT_EQ(Norm("𝐤𝐢𝐥𝐥"), "kill");  // Mathematical bold.
}

TEST(NormalizerTest, InvisibleCharactersVanish) {
  EXPECT_EQ(Norm("ki\u200Bll"), "kill");        // Zero-width space.
  EXPECT_EQ(Norm("k\u200Ci\u200Dll"), "kill");  // ZWNJ, ZWJ.
  EXPECT_EQ(Norm("\uFEFFkill"), "kill");        // BOM.
  EXPECT_EQ(Norm("ki\u00ADll"), "kill");        // Soft hyphen.
  EXPECT_EQ(Norm("k\u200Eil\u202El"), "kill");  // Bidi marks.
  EXPECT_EQ(Norm("ki\x01ll"), "kill");          // A control character.
  EXPECT_EQ(Norm("kill\uFE0F"), "kill");        // Variation selector.
}

TEST(NormalizerTest, OverlayMarksOnLatinAreDroppedComposedAccentsKept) {
  EXPECT_EQ(Norm("k\u0336i\u0336l\u0336l\u0336"), "kill");  // Strikethrough overlay.
  EXPECT_EQ(Norm("cafe\u0301"), "caf\u00e9");                // e + acute composes.
  EXPECT_EQ(Norm("CAFÉ"), "café");
}

TEST(NormalizerTest, CyrillicLookalikesInLatinWords) {
  EXPECT_EQ(Norm("k\u0456ll"), "kill");   // Cyrillic і.
  EXPECT_EQ(Norm("\u0441\u043eke"), "coke");  // Cyrillic с, о; 2 of 4 letters: ties go to Latin.
  EXPECT_EQ(Norm("K\u0399LL"), "kill");   // Greek capital iota.
  // Real Cyrillic stays Cyrillic.
  EXPECT_EQ(Norm("убить"), "убить");
  EXPECT_EQ(Norm("Я хочу его убить"), "я хочу его убить");
  EXPECT_EQ(Norm("сосо"), "сосо");
  // Greek text stays Greek.
  EXPECT_EQ(Norm("Καλημέρα κόσμε"), "καλημέρα κόσμε");
}

TEST(NormalizerTest, NonLatinScriptsPassThroughUnmangled) {
  EXPECT_EQ(Norm("我要杀了你"), "我要杀了你");
  EXPECT_EQ(Norm("殺す、絶対に"), "殺す 絶対に");  // The ideographic comma separates.
  EXPECT_EQ(Norm("ｶﾀｶﾅ"), "カタカナ");               // Halfwidth katakana, NFKC.
  EXPECT_EQ(Norm("سأقتلك"), "سأقتلك");
  EXPECT_EQ(Norm("قـتـل"), "قتل");  // Tatweel stretching is undone.
  EXPECT_EQ(Norm("मैं तुम्हें मार दूँगा"), "मैं तुम्हें मार दूँगा");
  EXPECT_EQ(Norm("हिंसा"), "हिंसा");
  EXPECT_EQ(Norm("אני אהרוג אותך"), "אני אהרוג אותך");
  EXPECT_EQ(Norm("ฉันจะฆ่าคุณ"), "ฉันจะฆ่าคุณ");
  EXPECT_EQ(Norm("안녕하세요 세계"), "안녕하세요 세계");
  // Spaces inside unspaced scripts vanish; between other words they stay.
  EXPECT_EQ(Norm("我要杀 了 你"), "我要杀了你");
  EXPECT_EQ(Norm("ฉัน จะ ฆ่า"), "ฉันจะฆ่า");
  EXPECT_EQ(Norm("杀 kill 杀"), "杀 kill 杀");
  // Digits in words of other scripts are not leetspeak.
  EXPECT_EQ(Norm("убил3"), "убил3");
}

TEST(NormalizerTest, InvalidUtf8IsRefused) {
  EXPECT_THAT(Normalize("ab\xC3"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Normalize("\xC0\xAF"), StatusIs(absl::StatusCode::kInvalidArgument));   // Overlong.
  EXPECT_THAT(Normalize("\xED\xA0\x80"), StatusIs(absl::StatusCode::kInvalidArgument));  // Surrogate.
  EXPECT_THAT(Normalize("ok \xFF"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(NormalizerTest, OffsetsMapBackToTheOriginalSpans) {
  EXPECT_EQ(OriginalOf("I will K.I.L.L you", "kill"), "K.I.L.L");
  EXPECT_EQ(OriginalOf("now k i l l them", "kill"), "k i l l");
  EXPECT_EQ(OriginalOf("go k1ll it", "kill"), "k1ll");
  EXPECT_EQ(OriginalOf("go k\u0456ll it", "kill"), "k\u0456ll");
  EXPECT_EQ(OriginalOf("go ki\u200Bll it", "kill"), "ki\u200Bll");
  EXPECT_EQ(OriginalOf("go ｋｉｌｌ it", "kill"), "ｋｉｌｌ");
  EXPECT_EQ(OriginalOf("Go KiLL It", "kill it"), "KiLL It");
  EXPECT_EQ(OriginalOf("я хочу его убить!", "убить"), "убить");
  EXPECT_EQ(OriginalOf("他说：我要杀了你。", "杀了"), "杀了");
  EXPECT_EQ(OriginalOf("मैं तुम्हें मार दूँगा", "तुम्हें"), "तुम्हें");
}

TEST(NormalizerTest, EveryByteMapsIntoTheInputAndTheMapIsNonDecreasing) {
  const std::string input = "Ｈｉ! k.i.l.l, 杀了 ki\u200Bll убить cafe\u0301 😀 done";
  absl::StatusOr<Normalized> normalized = Normalize(input);
  ASSERT_TRUE(normalized.ok());
  ASSERT_EQ(normalized->to_original.size(), normalized->text.size() + 1);
  EXPECT_EQ(normalized->to_original.back(), input.size());
  for (size_t i = 0; i + 1 < normalized->to_original.size(); ++i) {
    EXPECT_LE(normalized->to_original[i], normalized->to_original[i + 1]);
    EXPECT_LT(normalized->to_original[i], input.size());
  }
}

TEST(NormalizerTest, NormalizingTwiceChangesNothing) {
  for (const char* text : {"K.I.L.L you", "ｋｉｌｌ", "k\u0456ll", "я хочу его убить", "我要杀了你",
                           "मैं तुम्हें मार दूँगा", "سأقتلك", "Straße"}) {
    const std::string once = Norm(text);
    EXPECT_EQ(Norm(once), once) << text;
  }
}

}  // namespace
}  // namespace clipforge::moderation

namespace clipforge::moderation {
namespace {

// Plain ASCII takes a fast path; appending a non-ASCII word sends the same
// text through the general path, which must agree with it.
TEST(NormalizerTest, AsciiFastPathAgreesWithTheGeneralPath) {
  constexpr std::string_view kAlphabet = "abkilKIL10345!@$ .-_*,;\t\n";
  uint64_t state = 12345;
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int length = 1 + static_cast<int>(state % 24);
    for (int i = 0; i < length; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      text += kAlphabet[(state >> 33) % kAlphabet.size()];
    }
    const std::string fast = Norm(text);
    const std::string general = Norm(text + ";\u00e9");
    EXPECT_EQ(general, fast.empty() ? "\u00e9" : fast + " \u00e9") << "input: \"" << text << "\"";
    absl::StatusOr<Normalized> a = Normalize(text);
    absl::StatusOr<Normalized> b = Normalize(text + ";\u00e9");
    ASSERT_TRUE(a.ok() && b.ok());
    for (size_t i = 0; i < a->text.size(); ++i) {
      ASSERT_EQ(a->to_original[i], b->to_original[i]) << "input: \"" << text << "\" byte " << i;
    }
  }
}

}  // namespace
}  // namespace clipforge::moderation
