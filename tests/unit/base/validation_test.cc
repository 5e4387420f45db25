#include "base/validation.h"

#include <gtest/gtest.h>

namespace clipforge::base {
namespace {

TEST(Utf8LengthTest, CountsCodePointsAndRejectsMalformedSequences) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("h\xC3\xA9llo"), 5u);                // é
  EXPECT_EQ(Utf8Length("\xF0\x9F\x8E\xAC"), 1u);            // 🎬
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_FALSE(Utf8Length("\xC0\xAF").has_value());         // Overlong '/'.
  EXPECT_FALSE(Utf8Length("\xED\xA0\x80").has_value());     // Surrogate.
  EXPECT_FALSE(Utf8Length("\xF4\x90\x80\x80").has_value()); // Above U+10FFFF.
  EXPECT_FALSE(Utf8Length("\xE2\x82").has_value());         // Truncated.
  EXPECT_FALSE(Utf8Length("\x80").has_value());             // Stray continuation.
}

TEST(FieldValidatorTest, ManyViolationsAreCountedNotSpelledOut) {
  FieldValidator v;
  for (int i = 0; i < 100'000; ++i) v.Check(false, "tags", "must not be empty");
  const absl::Status status = v.status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_LT(status.message().size(), 500u);
  EXPECT_NE(status.message().find("; and 99990 more"), std::string::npos) << status.message();
  EXPECT_EQ(InvalidArgumentFromViolations({"a: x", "b: y"}).message(), "a: x; b: y");
  EXPECT_TRUE(InvalidArgumentFromViolations({}).ok());
}

TEST(FieldValidatorTest, TextLimitsCountCharactersNotBytes) {
  FieldValidator ok;
  ok.Text("name", "\xC3\xA9\xC3\xA9\xC3\xA9", {.min_chars = 1, .max_chars = 3});
  EXPECT_TRUE(ok.ok());

  FieldValidator too_long;
  too_long.Text("name", "abcd", {.min_chars = 1, .max_chars = 3});
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_long.status().message(), "name: must be at most 3 characters");
}

TEST(FieldValidatorTest, ReportsEveryViolatedFieldByName) {
  FieldValidator v;
  v.Text("display_name", "", {.min_chars = 1, .max_chars = 50})
      .Text("bio", "tab\tok but bell \a is not", {.max_chars = 500})
      .Uuid("clip_id", "not-a-uuid")
      .IntRange("seconds", 99, 1, 20)
      .Count("tags", 40, 32);
  EXPECT_EQ(v.status().message(),
            "display_name: is required; bio: must not contain control characters; "
            "clip_id: must be a UUID in canonical lowercase form; "
            "seconds: must be between 1 and 20; tags: must have at most 32 entries");
}

TEST(FieldValidatorTest, RejectsInvalidUtf8AndHugeInputsQuickly) {
  FieldValidator v;
  v.Text("prompt", "ok \xFF", {.max_chars = 10});
  EXPECT_EQ(v.status().message(), "prompt: must be valid UTF-8");
  FieldValidator huge;
  huge.Text("prompt", std::string(1 << 20, 'a'), {.max_chars = 2000});
  EXPECT_EQ(huge.status().message(), "prompt: must be at most 2000 characters");
}

TEST(FieldValidatorTest, PageSizeDefaultsAndBounds) {
  FieldValidator v;
  EXPECT_EQ(v.PageSize("page_size", 0, 20, 100), 20);
  EXPECT_EQ(v.PageSize("page_size", 7, 20, 100), 7);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.PageSize("page_size", -1, 20, 100), 20);
  EXPECT_EQ(v.PageSize("page_size", 101, 20, 100), 20);
  EXPECT_EQ(v.status().message(),
            "page_size: must be between 1 and 100; page_size: must be between 1 and 100");
}

TEST(FieldValidatorTest, UuidMustBeCanonical) {
  EXPECT_TRUE(IsCanonicalUuid("0190a3c4-5e6f-7abc-8def-0123456789ab"));
  EXPECT_FALSE(IsCanonicalUuid("0190A3C4-5E6F-7ABC-8DEF-0123456789AB"));
  EXPECT_FALSE(IsCanonicalUuid("0190a3c45e6f7abc8def0123456789ab"));
  FieldValidator optional;
  optional.Uuid("parent_id", "", /*required=*/false);
  EXPECT_TRUE(optional.ok());
}

}  // namespace
}  // namespace clipforge::base
