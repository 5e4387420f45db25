// Money and currencies: codes are three uppercase letters, arithmetic on
// micros refuses to wrap, ratios round down exactly even where the product
// passes 2^63, and amounts format with every micro.
#include "ledger/money.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/currency.h"

namespace clipforge::ledger {
namespace {

using ::clipforge::base::testing::IsOkAndHolds;
using ::clipforge::base::testing::StatusIs;
using ::testing::HasSubstr;

constexpr Micros kMoneyMax = std::numeric_limits<Micros>::max();
constexpr Micros kMoneyMin = std::numeric_limits<Micros>::min();

TEST(CurrencyTest, FromCodeTakesThreeUppercaseLetters) {
  ASSERT_OK_AND_ASSIGN(const Currency usd, Currency::FromCode("USD"));
  EXPECT_EQ(usd.code(), "USD");
  EXPECT_FALSE(usd.empty());
  EXPECT_EQ(usd, Currency("USD"));
  EXPECT_NE(usd, Currency("EUR"));
  for (const char* bad : {"", "US", "USDX", "usd", "Usd", "U$D", "US1", "US "}) {
    EXPECT_THAT(Currency::FromCode(bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("currency")))
        << bad;
  }
}

TEST(CurrencyTest, DefaultIsEmptyAndOrdersByCode) {
  constexpr Currency none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.code(), "");
  EXPECT_LT(none, Currency("AUD"));
  EXPECT_LT(Currency("EUR"), Currency("USD"));
  EXPECT_LT(Currency("USA"), Currency("USD"));
  absl::flat_hash_set<Currency> set = {Currency("USD"), Currency("EUR"), Currency("USD")};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_TRUE(set.contains(Currency("EUR")));
}

TEST(MoneyArithmeticTest, TryFormsReportOverflowAndLeaveTheOutputAlone) {
  Micros out = 42;
  EXPECT_TRUE(TryAddMicros(1, 2, out));
  EXPECT_EQ(out, 3);
  EXPECT_TRUE(TryAddMicros(kMoneyMax - 1, 1, out));
  EXPECT_EQ(out, kMoneyMax);
  out = 42;
  EXPECT_FALSE(TryAddMicros(kMoneyMax, 1, out));
  EXPECT_FALSE(TryAddMicros(kMoneyMin, -1, out));
  EXPECT_EQ(out, 42);

  EXPECT_TRUE(TrySubtractMicros(0, kMoneyMax, out));
  EXPECT_EQ(out, -kMoneyMax);
  out = 42;
  EXPECT_FALSE(TrySubtractMicros(kMoneyMin, 1, out));
  EXPECT_FALSE(TrySubtractMicros(0, kMoneyMin, out));
  EXPECT_EQ(out, 42);

  EXPECT_TRUE(TryMultiplyMicros(kMicrosPerUnit, 1'000'000, out));
  EXPECT_EQ(out, 1'000'000'000'000);
  out = 42;
  EXPECT_FALSE(TryMultiplyMicros(kMoneyMax / 2 + 1, 2, out));
  EXPECT_FALSE(TryMultiplyMicros(kMoneyMin, -1, out));
  EXPECT_EQ(out, 42);
}

TEST(MoneyArithmeticTest, CheckedFormsAreOutOfRangeOnOverflow) {
  EXPECT_THAT(CheckedAddMicros(kMoneyMax - 5, 5), IsOkAndHolds(kMoneyMax));
  EXPECT_THAT(CheckedAddMicros(kMoneyMax, 1),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("9223372036854.775807 + 0.000001")));
  EXPECT_THAT(CheckedSubtractMicros(kMoneyMin + 5, 5), IsOkAndHolds(kMoneyMin));
  EXPECT_THAT(CheckedSubtractMicros(kMoneyMin, 1), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(CheckedMultiplyMicros(-3, 4), IsOkAndHolds(-12));
  EXPECT_THAT(CheckedMultiplyMicros(kMoneyMax, 2), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("* 2")));
}

TEST(MoneyArithmeticTest, RatioFloorIsExactPastTwoToTheSixtyThree) {
  EXPECT_THAT(MultiplyRatioFloor(10, 1, 3), IsOkAndHolds(3));
  EXPECT_THAT(MultiplyRatioFloor(9, 1, 3), IsOkAndHolds(3));
  // Toward negative infinity, not toward zero.
  EXPECT_THAT(MultiplyRatioFloor(-7, 1, 2), IsOkAndHolds(-4));
  EXPECT_THAT(MultiplyRatioFloor(-6, 1, 2), IsOkAndHolds(-3));
  // The product is near 2^126; the quotient fits.
  EXPECT_THAT(MultiplyRatioFloor(kMoneyMax, kMoneyMax, kMoneyMax), IsOkAndHolds(kMoneyMax));
  EXPECT_THAT(MultiplyRatioFloor(kMoneyMax, kMoneyMax - 1, kMoneyMax), IsOkAndHolds(kMoneyMax - 1));
  EXPECT_THAT(MultiplyRatioFloor(kMoneyMax, 3, 2), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(MultiplyRatioFloor(1, 1, 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("denominator")));
  EXPECT_THAT(MultiplyRatioFloor(1, 1, -1), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MoneyArithmeticTest, PartsPerMillionRoundDown) {
  EXPECT_EQ(PartsPerMillionOf(100'000, 50'000), 5'000);
  EXPECT_EQ(PartsPerMillionOf(99'999, 50'000), 4'999);  // 4,999.95
  EXPECT_EQ(PartsPerMillionOf(19, 50'000), 0);          // 0.95
  EXPECT_EQ(PartsPerMillionOf(95'000, 6'250), 593);     // 593.75
  EXPECT_EQ(PartsPerMillionOf(kMoneyMax, kPartsPerMillion), kMoneyMax);
  EXPECT_EQ(PartsPerMillionOf(kMoneyMax, 0), 0);
  EXPECT_EQ(PartsPerMillionOf(0, 50'000), 0);
}

TEST(MoneyFormatTest, ShowsEveryMicro) {
  EXPECT_EQ(FormatMicros(0), "0.000000");
  EXPECT_EQ(FormatMicros(1), "0.000001");
  EXPECT_EQ(FormatMicros(-1), "-0.000001");
  EXPECT_EQ(FormatMicros(999'999), "0.999999");
  EXPECT_EQ(FormatMicros(kMicrosPerUnit), "1.000000");
  EXPECT_EQ(FormatMicros(12'345'678), "12.345678");
  EXPECT_EQ(FormatMicros(-12'345'678), "-12.345678");
  EXPECT_EQ(FormatMicros(500'000'000), "500.000000");
  EXPECT_EQ(FormatMicros(kMoneyMax), "9223372036854.775807");
  EXPECT_EQ(FormatMicros(kMoneyMin), "-9223372036854.775808");
  EXPECT_EQ(FormatMoney(1'500'000, Currency("USD")), "1.500000 USD");
}

TEST(MoneyFormatTest, WideSumsFormatPastTwoToTheSixtyThree) {
  const WideMicros twice_max = static_cast<WideMicros>(kMoneyMax) * 2;
  EXPECT_EQ(FormatWideMicros(twice_max), "18446744073709.551614");
  EXPECT_EQ(FormatWideMicros(-twice_max), "-18446744073709.551614");
  EXPECT_EQ(FormatWideMicros(WideMicros{7}), "0.000007");
}

}  // namespace
}  // namespace clipforge::ledger
