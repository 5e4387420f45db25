#include "cli/job_spec_flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/effect_words.h"
#include "cli/errors.h"
#include "cli/media_upload.h"

namespace clipforge::cli {
namespace {

absl::StatusOr<v1::JobSpec> SpecOf(std::vector<std::string> args) {
  args.insert(args.begin(), "generate");
  Invocation invocation;
  const absl::Status parsed = ParseArgs(args, invocation);
  if (!parsed.ok()) return parsed;
  return JobSpecFromFlags(invocation);
}

// The message of a usage error, or a note that it was something else.
std::string UsageMessage(const absl::StatusOr<v1::JobSpec>& spec) {
  if (spec.ok()) return "(ok)";
  if (ExitCodeOf(spec.status()) != kExitUsage) return "(not a usage error) " + spec.status().ToString();
  return std::string(spec.status().message());
}

TEST(JobSpecFlagsTest, EveryFlagLandsInTheSpec) {
  const absl::StatusOr<v1::JobSpec> spec =
      SpecOf({"a red fox", "--seconds=12", "--size", "1920x1080", "--seed=9007199254740993", "--quality=full",
              "--remix-of=clip-7", "--effect=text:HELLO, world", "--effect", "grade:Vintage", "--effect=speed:0.5"});
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->prompt(), "a red fox");
  EXPECT_EQ(spec->seconds(), 12);
  EXPECT_EQ(spec->size(), "1920x1080");
  ASSERT_TRUE(spec->has_seed());
  EXPECT_EQ(spec->seed(), 9007199254740993);  // beyond a double's exact integers
  EXPECT_EQ(spec->quality(), v1::GENERATION_QUALITY_FULL);
  EXPECT_EQ(spec->remix_of_clip_id(), "clip-7");
  ASSERT_EQ(spec->effects_size(), 3);
  EXPECT_EQ(spec->effects(0).text().text(), "HELLO, world");
  EXPECT_FALSE(spec->effects(0).text().has_x());
  EXPECT_EQ(spec->effects(1).color_grade().preset(), v1::COLOR_GRADE_PRESET_VINTAGE);
  EXPECT_EQ(spec->effects(2).speed().factor(), 0.5F);
}

TEST(JobSpecFlagsTest, UnsetFlagsLeaveTheServersDefaults) {
  const absl::StatusOr<v1::JobSpec> spec = SpecOf({"just a prompt"});
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->seconds(), 0);
  EXPECT_EQ(spec->size(), "");
  EXPECT_FALSE(spec->has_seed());
  EXPECT_EQ(spec->quality(), v1::GENERATION_QUALITY_UNSPECIFIED);
  EXPECT_EQ(spec->effects_size(), 0);
}

TEST(JobSpecFlagsTest, BadValuesAreUsageErrors) {
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--size=abc"})),
            "--size must be WIDTHxHEIGHT, e.g. 720x1280 or 1920x1080 (not 'abc')");
  for (const char* size : {"720x", "x1280", "0x720", "720x1280x2", "-720x1280", "720 x1280", "99999x1"}) {
    EXPECT_EQ(UsageMessage(SpecOf({"p", std::string("--size=") + size})).rfind("--size must be", 0), 0u) << size;
  }
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--seconds=x"})), "--seconds must be a whole number from 4 to 300");
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--seconds=3"})), "--seconds must be a whole number from 4 to 300");
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--seconds=301"})), "--seconds must be a whole number from 4 to 300");
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--seed=-1"})),
            "--seed must be a whole number from 0 to 9223372036854775807");
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--quality=best"})), "--quality must be one of: draft, full");
  EXPECT_EQ(UsageMessage(SpecOf({""})), "the prompt must be 1-2000 characters of UTF-8 text");
  EXPECT_EQ(UsageMessage(SpecOf({std::string(2001, 'a')})), "the prompt must be 1-2000 characters of UTF-8 text");
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--seconds=4", "--seconds=5"})), "--seconds given twice");
}

TEST(JobSpecFlagsTest, BadEffectsAreUsageErrors) {
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--effect=blur:3"})),
            "--effect=blur:3: unknown effect 'blur'; an effect is text:TEXT, grade:PRESET, speed:FACTOR or "
            "sticker:FILE");
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--effect=HELLO"})),
            "--effect=HELLO: an effect is text:TEXT, grade:PRESET, speed:FACTOR or sticker:FILE");
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--effect=grade:sepia"})),
            "--effect=grade:PRESET must be one of: warm, cool, mono, vintage, vivid");
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--effect=text:"})), "--effect=text:: the text must be 1-100 characters");
  const std::string long_text = "text:" + std::string(101, 'a');
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--effect=" + long_text})),
            "--effect=" + long_text + ": the text must be 1-100 characters");
  EXPECT_EQ(UsageMessage(SpecOf({"p", "--effect=text:two\nlines"})), "--effect=text:two\nlines: the text must be one line");
  for (const char* speed : {"speed:1", "speed:0.2", "speed:4.5", "speed:fast", "speed:nan", "speed:inf", "speed:"}) {
    EXPECT_NE(UsageMessage(SpecOf({"p", std::string("--effect=") + speed})).find("the speed must be a number from 0.25 to 4, not 1"),
              std::string::npos)
        << speed;
  }
  std::vector<std::string> nine = {"p"};
  for (int i = 0; i < 9; ++i) nine.push_back("--effect=grade:warm");
  EXPECT_EQ(UsageMessage(SpecOf(nine)), "at most 8 effects (--effect given 9 times)");
}

TEST(JobSpecFlagsTest, FrameSizes) {
  EXPECT_TRUE(IsFrameSize("720x1280"));
  EXPECT_TRUE(IsFrameSize("3840x2160"));
  EXPECT_FALSE(IsFrameSize("abc"));
  EXPECT_FALSE(IsFrameSize("720X1280"));
  EXPECT_FALSE(IsFrameSize("+720x1280"));
}

TEST(EffectWordsTest, WordsReadBackIntoTheSameEffect) {
  for (const char* word : {"text:HELLO", "grade:warm", "grade:vivid", "speed:2", "speed:0.25"}) {
    const absl::StatusOr<v1::Effect> effect = ParseEffect(word);
    ASSERT_TRUE(effect.ok()) << word << ": " << effect.status();
    EXPECT_EQ(EffectWord(*effect), word);
  }
  v1::Effect sticker;
  sticker.mutable_sticker()->mutable_image()->set_sha256("ab12");
  EXPECT_EQ(EffectWord(sticker), "sticker:ab12");
}

TEST(EffectWordsTest, AStickerWordNamesAFileToUpload) {
  const absl::StatusOr<v1::Effect> effect = ParseEffect("sticker:art/paw.png");
  ASSERT_TRUE(effect.ok()) << effect.status();
  EXPECT_TRUE(effect->has_sticker());
  EXPECT_TRUE(effect->sticker().image().sha256().empty());  // named once uploaded
  EXPECT_EQ(StickerPath("sticker:art/paw.png"), "art/paw.png");
  EXPECT_EQ(StickerPath("Sticker:a:b.webp"), "a:b.webp");
  EXPECT_EQ(StickerPath("text:sticker:x"), "");
  EXPECT_EQ(StickerPath("sticker:"), "");
  EXPECT_FALSE(ParseEffect("sticker:").ok());
}

TEST(StickerTest, ContentTypeFollowsTheExtension) {
  EXPECT_EQ(StickerContentType("paw.png"), "image/png");
  EXPECT_EQ(StickerContentType("dir/PAW.WebP"), "image/webp");
  EXPECT_EQ(StickerContentType("paw.jpg"), "");
  EXPECT_EQ(StickerContentType("png"), "");
}

TEST(SoundtrackTest, ContentTypeFollowsTheExtension) {
  EXPECT_EQ(SoundtrackContentType("song.mp3"), "audio/mpeg");
  EXPECT_EQ(SoundtrackContentType("dir.v2/Song.M4A"), "audio/mp4");
  EXPECT_EQ(SoundtrackContentType("a.aac"), "audio/aac");
  EXPECT_EQ(SoundtrackContentType("a.ogg"), "audio/ogg");
  EXPECT_EQ(SoundtrackContentType("a.opus"), "audio/ogg");
  EXPECT_EQ(SoundtrackContentType("a.wav"), "audio/wav");
  EXPECT_EQ(SoundtrackContentType("a.flac"), "");
  EXPECT_EQ(SoundtrackContentType("dir.mp3/noext"), "");
}

TEST(RepeatableFlagTest, EveryValueIsKeptInOrderAndTheUsageSaysSo) {
  Invocation invocation;
  ASSERT_TRUE(ParseArgs({"generate", "p", "--effect=text:A", "--effect", "text:B"}, invocation).ok());
  EXPECT_EQ(invocation.GetAll("effect"), (std::vector<std::string>{"text:A", "text:B"}));
  EXPECT_TRUE(invocation.GetAll("seed").empty());
  const std::string usage = UsageLine(*FindCommand("generate"));
  EXPECT_NE(usage.find(" [--effect=EFFECT]... "), std::string::npos) << usage;
  EXPECT_NE(CommandUsage(*FindCommand("generate")).find("--effect=EFFECT (repeatable)"), std::string::npos);
  EXPECT_NE(CommandUsage(*FindCommand("generate")).find("Ctrl-C stops watching, not the job"), std::string::npos);
}

}  // namespace
}  // namespace clipforge::cli
