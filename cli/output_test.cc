#include "cli/output.h"

#include <gtest/gtest.h>

#include "cli/errors.h"
#include "base/json_writer.h"
#include "cli/test_util.h"

namespace clipforge::cli {
namespace {

std::string Quoted(absl::string_view text) {
  std::string out;
  base::AppendJsonString(out, text);
  return out;
}

TEST(JsonTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(Quoted("plain"), "\"plain\"");
  EXPECT_EQ(Quoted("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(Quoted("a\nb\tc\r"), "\"a\\nb\\tc\\r\"");
  EXPECT_EQ(Quoted(std::string("\x01\x1b\x7f", 3)), "\"\\u0001\\u001b\\u007f\"");
  EXPECT_EQ(Quoted(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
  EXPECT_EQ(Quoted("Zoë 😀 </script>"), "\"Zoë 😀 </script>\"");
}

TEST(JsonTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(Quoted("a\xff" "b"), "\"a\\ufffdb\"");
  EXPECT_EQ(Quoted("\xc3"), "\"\\ufffd\"");              // truncated sequence
  EXPECT_EQ(Quoted("\xc0\xaf"), "\"\\ufffd\\ufffd\"");    // overlong "/"
  EXPECT_EQ(Quoted("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
}

TEST(JsonTest, WriterPlacesCommas) {
  base::JsonWriter json;
  json.BeginObject().Key("a").Int(-1).Key("b").BeginArray().Bool(true).String("x").BeginObject()
      .EndObject().EndArray().Key("c").BeginObject().Key("d").Bool(false).EndObject().EndObject();
  EXPECT_EQ(json.str(), "{\"a\":-1,\"b\":[true,\"x\",{}],\"c\":{\"d\":false}}");
}

Record Sample() {
  Record row1;
  row1.Str("handle", "bob").Str("display_name", "Bob B").Str("user_id", "id-1", Show::kJsonOnly);
  Record row2;
  row2.Str("handle", "carolyn").Str("display_name", "").Str("user_id", "id-2", Show::kJsonOnly);
  Record record;
  record.Str("handle", "alice")
      .Str("display_name", "Alice \"A\"")
      .Int("followers", 2)
      .Bool("analytics_opt_in", false)
      .List("languages", {"en", "pt-BR"})
      .Str("next_page_token", "tok", Show::kJsonOnly)
      .Table("followers_list", {row1, row2});
  return record;
}

TEST(OutputTest, JsonIsOneObjectPerCommand) {
  EXPECT_EQ(RenderJson(Sample()),
            "{\"handle\":\"alice\",\"display_name\":\"Alice \\\"A\\\"\",\"followers\":2,"
            "\"analytics_opt_in\":false,\"languages\":[\"en\",\"pt-BR\"],\"next_page_token\":"
            "\"tok\",\"followers_list\":[{\"handle\":\"bob\",\"display_name\":\"Bob B\","
            "\"user_id\":\"id-1\"},{\"handle\":\"carolyn\",\"display_name\":\"\",\"user_id\":"
            "\"id-2\"}]}\n");
}

TEST(OutputTest, HumanOutputIsAligned) {
  EXPECT_EQ(RenderHuman(Sample()),
            "handle:           alice\n"
            "display name:     Alice \"A\"\n"
            "followers:        2\n"
            "analytics opt in: no\n"
            "languages:        en, pt-BR\n"
            "\n"
            "HANDLE   DISPLAY NAME\n"
            "bob      Bob B\n"
            "carolyn  -\n");
  Record empty;
  empty.Table("followers", {});
  EXPECT_EQ(RenderHuman(empty), "followers: none\n");
}

TEST(OutputTest, ServerTextCannotDriveTheTerminal) {
  Record record;
  record.Str("bio", "line one\nline two \x1b[2J");
  EXPECT_EQ(RenderHuman(record), "bio: line one\\nline two \\x1b[2J\n");
  EXPECT_EQ(TerminalSafe("tab\there"), "tab\\there");
}

TEST(OutputTest, ErrorsGoToStderrAndWithJsonToStdout) {
  const absl::Status status =
      WithReason(absl::AlreadyExistsError("that handle is taken"), "HANDLE_TAKEN");
  EXPECT_EQ(RenderJsonError(status),
            "{\"error\":{\"code\":\"ALREADY_EXISTS\",\"message\":\"that handle is taken\","
            "\"reason\":\"HANDLE_TAKEN\",\"exit_code\":1}}\n");

  testing::Capture out, err;
  Output human(false, out.file(), err.file());
  human.Error(status);
  human.Note("a hint");
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "clipforge: that handle is taken\na hint\n");

  testing::Capture json_out, json_err;
  Output json(true, json_out.file(), json_err.file());
  json.Error(status);
  json.Note("dropped with --json");
  EXPECT_EQ(json_out.str(), RenderJsonError(status));
  EXPECT_EQ(json_err.str(), "clipforge: that handle is taken\n");
}

}  // namespace
}  // namespace clipforge::cli
