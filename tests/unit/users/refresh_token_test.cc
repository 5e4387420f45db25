#include "users/refresh_token.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "base/random.h"

namespace clipforge::users {
namespace {

class FilledRandom final : public base::RandomSource {
 public:
  explicit FilledRandom(unsigned char fill) : fill_(fill) {}
  void Fill(void* out, size_t size) override { std::memset(out, fill_, size); }

 private:
  unsigned char fill_;
};

TEST(RefreshTokenTest, TokenIsPrefixedBase64UrlOfTheRandomBytes) {
  FilledRandom zeros(0x00);
  const NewRefreshToken zero = GenerateRefreshToken(zeros);
  EXPECT_EQ(zero.token, "cfr1." + std::string(43, 'A'));
  FilledRandom ones(0xFF);
  const NewRefreshToken all_ones = GenerateRefreshToken(ones);
  EXPECT_EQ(all_ones.token, "cfr1." + std::string(42, '_') + "8");
  EXPECT_EQ(all_ones.token.size(), kRefreshTokenChars);
}

TEST(RefreshTokenTest, HashIsHexSha256OfTheToken) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(HashRefreshToken("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  base::SecureRandom random;
  const NewRefreshToken fresh = GenerateRefreshToken(random);
  EXPECT_EQ(fresh.hash, HashRefreshToken(fresh.token));
  EXPECT_EQ(fresh.hash.size(), 64u);
  EXPECT_EQ(fresh.hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_FALSE(absl::StrContains(fresh.hash, fresh.token));
}

TEST(RefreshTokenTest, FreshTokensAreDistinct) {
  base::SecureRandom random;
  std::set<std::string> tokens, hashes;
  for (int i = 0; i < 1000; ++i) {
    const NewRefreshToken t = GenerateRefreshToken(random);
    ASSERT_TRUE(LooksLikeRefreshToken(t.token)) << t.token;
    EXPECT_TRUE(tokens.insert(t.token).second);
    EXPECT_TRUE(hashes.insert(t.hash).second);
  }
}

TEST(RefreshTokenTest, LooksLikeRefusesOtherShapes) {
  FilledRandom random(0x5A);
  const std::string token = GenerateRefreshToken(random).token;
  ASSERT_TRUE(LooksLikeRefreshToken(token));
  EXPECT_FALSE(LooksLikeRefreshToken(""));
  EXPECT_FALSE(LooksLikeRefreshToken("cfr2." + token.substr(5)));
  EXPECT_FALSE(LooksLikeRefreshToken("CFR1." + token.substr(5)));
  EXPECT_FALSE(LooksLikeRefreshToken(token.substr(0, 47)));
  EXPECT_FALSE(LooksLikeRefreshToken(token + "A"));
  for (const char bad : {'+', '/', '=', '.', ' '}) {
    std::string t = token;
    t[20] = bad;
    EXPECT_FALSE(LooksLikeRefreshToken(t)) << bad;
  }
  // The last character carries 4 data bits and 2 zero bits; setting one is
  // a different (non-canonical) spelling of the same bytes.
  std::string noncanonical = "cfr1." + std::string(42, 'A') + "B";
  EXPECT_FALSE(LooksLikeRefreshToken(noncanonical));
  EXPECT_TRUE(LooksLikeRefreshToken("cfr1." + std::string(42, 'A') + "E"));
  EXPECT_FALSE(LooksLikeRefreshToken("cf1.abc.def"));
}

}  // namespace
}  // namespace clipforge::users
