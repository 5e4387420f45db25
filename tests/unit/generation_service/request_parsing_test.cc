// The adapters' request validation: CreateJob's defaults and each bad
// field named, ListJobs' page tokens, a worker's capabilities.
#include "services/generation/request_parsing.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/testing/status_matchers.h"
#include "services/kit/token_fields.h"

namespace clipforge::generation_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kRequestId[] = "01890a5d-ac96-7b4c-9b6e-3f1c2d4e5f60";

// Fills with the bytes of one fixed value and counts the draws.
class FixedRandom final : public base::RandomSource {
 public:
  explicit FixedRandom(uint64_t value) : value_(value) {}
  void Fill(void* out, size_t size) override {
    ++draws_;
    std::memset(out, 0, size);
    std::memcpy(out, &value_, std::min(size, sizeof value_));
  }
  int draws() const { return draws_; }

 private:
  const uint64_t value_;
  int draws_ = 0;
};

class RequestParsingTest : public ::testing::Test {
 protected:
  static v1::CreateJobRequest Minimal() {
    v1::CreateJobRequest request;
    request.set_request_id(kRequestId);
    request.mutable_spec()->set_prompt("a heron in the reeds");
    return request;
  }
  absl::StatusOr<NewJob> Parse(const v1::CreateJobRequest& request) {
    return ParseCreateJob(request, catalog_, random_);
  }
  absl::StatusOr<NewJob> ParseWith(const std::function<void(v1::CreateJobRequest&)>& change) {
    v1::CreateJobRequest request = Minimal();
    change(request);
    return Parse(request);
  }

  RendererCatalog catalog_{.renderers = {{"procedural-1", "1.0.0"}, {"cinematic-2", "2.1.0"}}};
  FixedRandom random_{0xF234567890ABCDEFull};
};

TEST_F(RequestParsingTest, CreateJobFillsInTheDefaults) {
  ASSERT_OK_AND_ASSIGN(const NewJob job, Parse(Minimal()));
  EXPECT_EQ(job.spec.prompt(), "a heron in the reeds");
  EXPECT_EQ(job.spec.seconds(), 4);
  EXPECT_EQ(job.spec.size(), "720x1280");
  EXPECT_EQ(job.spec.quality(), v1::GENERATION_QUALITY_DRAFT);
  EXPECT_EQ(job.spec.model(), "procedural-1");
  EXPECT_EQ(job.renderer, "procedural-1");
  EXPECT_EQ(job.renderer_version, "1.0.0");
  // A seed is drawn, in 0..2^63-1, and set on the stored spec.
  EXPECT_EQ(random_.draws(), 1);
  EXPECT_TRUE(job.spec.has_seed());
  EXPECT_EQ(job.spec.seed(), 0x7234567890ABCDEFll);
  EXPECT_EQ(job.core.seed, job.spec.seed());
  EXPECT_EQ(job.core.seconds, 4);
  EXPECT_EQ(job.core.size, generation::kDefaultSize);
  EXPECT_EQ(job.core.quality, generation::Quality::kDraft);
}

TEST_F(RequestParsingTest, CreateJobKeepsWhatWasSet) {
  ASSERT_OK_AND_ASSIGN(const NewJob job, ParseWith([](v1::CreateJobRequest& r) {
                         r.mutable_spec()->set_seed(42);
                         r.mutable_spec()->set_seconds(12);
                         r.mutable_spec()->set_size("1920x1080");
                         r.mutable_spec()->set_quality(v1::GENERATION_QUALITY_FULL);
                         r.mutable_spec()->set_model("cinematic-2");
                       }));
  EXPECT_EQ(random_.draws(), 0);
  EXPECT_EQ(job.spec.seed(), 42);
  EXPECT_EQ(job.spec.seconds(), 12);
  EXPECT_EQ(job.spec.size(), "1920x1080");
  EXPECT_EQ(job.core.size.pixels(), 1920 * 1080);
  EXPECT_EQ(job.spec.quality(), v1::GENERATION_QUALITY_FULL);
  EXPECT_EQ(job.renderer, "cinematic-2");
  EXPECT_EQ(job.renderer_version, "2.1.0");
  // Zero is a seed like any other.
  ASSERT_OK_AND_ASSIGN(const NewJob zero, ParseWith([](v1::CreateJobRequest& r) { r.mutable_spec()->set_seed(0); }));
  EXPECT_EQ(zero.spec.seed(), 0);
  EXPECT_EQ(random_.draws(), 0);
}

TEST_F(RequestParsingTest, EachBadFieldIsNamed) {
  struct Case {
    const char* field;
    std::function<void(v1::CreateJobRequest&)> change;
  };
  const Case cases[] = {
      {"request_id", [](v1::CreateJobRequest& r) { r.set_request_id("not-a-uuid"); }},
      {"request_id", [](v1::CreateJobRequest& r) { r.clear_request_id(); }},
      {"spec", [](v1::CreateJobRequest& r) { r.clear_spec(); }},
      {"spec.prompt", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_prompt(""); }},
      {"spec.prompt", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_prompt(std::string(2001, 'p')); }},
      {"spec.prompt", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_prompt("bad \xFF utf-8"); }},
      {"spec.seconds", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_seconds(3); }},
      {"spec.seconds", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_seconds(301); }},
      {"spec.seconds", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_seconds(-4); }},
      {"spec.size", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_size("640x480"); }},
      {"spec.size", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_size("big"); }},
      {"spec.seed", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_seed(-1); }},
      {"spec.seed",
       [](v1::CreateJobRequest& r) { r.mutable_spec()->set_seed(std::numeric_limits<int64_t>::min()); }},
      {"spec.quality",
       [](v1::CreateJobRequest& r) { r.mutable_spec()->set_quality(static_cast<v1::GenerationQuality>(9)); }},
      {"spec.model", [](v1::CreateJobRequest& r) { r.mutable_spec()->set_model("dream-9"); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    EXPECT_THAT(ParseWith(c.change), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)));
  }
  // Right at the limits.
  EXPECT_THAT(ParseWith([](v1::CreateJobRequest& r) { r.mutable_spec()->set_seconds(300); }), IsOk());
  EXPECT_THAT(ParseWith([](v1::CreateJobRequest& r) { r.mutable_spec()->set_prompt(std::string(2000, 'p')); }),
              IsOk());
  std::string wide;
  for (int i = 0; i < 2000; ++i) wide += "\xC3\xA9";  // 2000 characters, 4000 bytes.
  EXPECT_THAT(ParseWith([&](v1::CreateJobRequest& r) { r.mutable_spec()->set_prompt(wide); }), IsOk());
}

TEST_F(RequestParsingTest, ARemixNamesItsParentClipById) {
  ASSERT_OK_AND_ASSIGN(const NewJob job, ParseWith([](v1::CreateJobRequest& r) {
                         r.mutable_spec()->set_remix_of_clip_id("01890a5d-ac96-7b4c-9b6e-3f1c2d4e5f61");
                       }));
  EXPECT_EQ(job.spec.remix_of_clip_id(), "01890a5d-ac96-7b4c-9b6e-3f1c2d4e5f61");
  EXPECT_EQ(job.core.remix_of_clip_id, "01890a5d-ac96-7b4c-9b6e-3f1c2d4e5f61");
  EXPECT_THAT(ParseWith([](v1::CreateJobRequest& r) { r.mutable_spec()->set_remix_of_clip_id("clip-1"); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.remix_of_clip_id")));
}

TEST_F(RequestParsingTest, ARemixTakesTheParentsValuesForWhatItLeavesUnset) {
  v1::JobSpec parent;
  parent.set_prompt("a red fox");
  parent.set_seconds(12);
  parent.set_size("1280x720");
  parent.set_seed(42);
  parent.set_quality(v1::GENERATION_QUALITY_FULL);
  parent.set_model("procedural-1");
  parent.add_effects()->mutable_text()->set_text("the parent's caption");
  v1::CreateJobRequest request;
  request.mutable_spec()->set_prompt("a grey fox");
  request.mutable_spec()->set_seconds(8);
  const v1::CreateJobRequest merged = WithRemixDefaults(request, parent);
  EXPECT_EQ(merged.spec().prompt(), "a grey fox");
  EXPECT_EQ(merged.spec().seconds(), 8);
  EXPECT_EQ(merged.spec().size(), "1280x720");
  EXPECT_EQ(merged.spec().seed(), 42);
  EXPECT_EQ(merged.spec().quality(), v1::GENERATION_QUALITY_FULL);
  EXPECT_EQ(merged.spec().model(), "procedural-1");
  // Effects name the parent author's uploads: never inherited.
  EXPECT_EQ(merged.spec().effects_size(), 0);
  // A seed of its own stays; no prompt takes the parent's.
  request.mutable_spec()->set_seed(0);
  request.mutable_spec()->clear_prompt();
  const v1::CreateJobRequest own_seed = WithRemixDefaults(request, parent);
  EXPECT_EQ(own_seed.spec().seed(), 0);
  EXPECT_EQ(own_seed.spec().prompt(), "a red fox");
}

TEST_F(RequestParsingTest, UploadsAreNamedByTheirHashAlone) {
  const std::string sticker_sha(64, 'a'), song_sha(64, 'b');
  ASSERT_OK_AND_ASSIGN(const NewJob job, ParseWith([&](v1::CreateJobRequest& r) {
                         v1::StickerOverlay& sticker = *r.mutable_spec()->add_effects()->mutable_sticker();
                         sticker.mutable_image()->set_sha256(sticker_sha);
                         sticker.mutable_image()->set_content_type("image/png");  // the client's claim
                         sticker.mutable_image()->set_size_bytes(5);
                         sticker.set_scale(0.5f);
                         r.mutable_spec()->mutable_soundtrack()->set_sha256(song_sha);
                         r.mutable_spec()->mutable_soundtrack()->set_content_type("audio/wav");
                       }));
  // What the client claimed about them is dropped: the store says.
  EXPECT_EQ(job.spec.effects(0).sticker().image().sha256(), sticker_sha);
  EXPECT_TRUE(job.spec.effects(0).sticker().image().content_type().empty());
  EXPECT_EQ(job.spec.effects(0).sticker().image().size_bytes(), 0);
  EXPECT_FLOAT_EQ(job.spec.effects(0).sticker().scale(), 0.5f);
  EXPECT_EQ(job.spec.soundtrack().sha256(), song_sha);
  EXPECT_TRUE(job.spec.soundtrack().content_type().empty());
  // ... so a claim cannot change the effects' key.
  ASSERT_OK_AND_ASSIGN(const NewJob same, ParseWith([&](v1::CreateJobRequest& r) {
                         v1::StickerOverlay& sticker = *r.mutable_spec()->add_effects()->mutable_sticker();
                         sticker.mutable_image()->set_sha256(sticker_sha);
                         sticker.set_scale(0.5f);
                       }));
  EXPECT_EQ(job.effects_key, same.effects_key);
}

TEST_F(RequestParsingTest, BadStickersAndSoundtracksAreNamed) {
  const auto sticker = [&](const std::function<void(v1::StickerOverlay&)>& edit) {
    return ParseWith([&](v1::CreateJobRequest& r) {
      v1::StickerOverlay& s = *r.mutable_spec()->add_effects()->mutable_sticker();
      s.mutable_image()->set_sha256(std::string(64, 'a'));
      edit(s);
    });
  };
  EXPECT_THAT(sticker([](v1::StickerOverlay&) {}), IsOk());
  EXPECT_THAT(sticker([](v1::StickerOverlay& s) { s.clear_image(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].sticker.image.sha256")));
  EXPECT_THAT(sticker([](v1::StickerOverlay& s) { s.mutable_image()->set_sha256(std::string(64, 'A')); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].sticker.image.sha256")));
  EXPECT_THAT(sticker([](v1::StickerOverlay& s) { s.mutable_image()->set_sha256("../../etc/passwd"); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sticker.image.sha256")));
  EXPECT_THAT(sticker([](v1::StickerOverlay& s) { s.set_scale(0.01f); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].sticker.scale")));
  EXPECT_THAT(sticker([](v1::StickerOverlay& s) { s.set_y(-0.1f); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].sticker.y")));
  EXPECT_THAT(sticker([](v1::StickerOverlay& s) {
                s.mutable_start_offset()->set_seconds(3);
                s.mutable_end_offset()->set_seconds(2);
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].sticker.end_offset")));
  EXPECT_THAT(ParseWith([](v1::CreateJobRequest& r) { r.mutable_spec()->mutable_soundtrack(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.soundtrack.sha256")));
}

TEST_F(RequestParsingTest, EffectsAreCheckedFieldByFieldAndKeptOnTheSpec) {
  const auto with = [&](auto edit) {
    return ParseWith([&](v1::CreateJobRequest& r) { edit(*r.mutable_spec()->add_effects()); });
  };
  ASSERT_OK_AND_ASSIGN(const NewJob ok, with([](v1::Effect& e) { e.mutable_text()->set_text("HELLO"); }));
  EXPECT_EQ(ok.spec.effects_size(), 1);
  EXPECT_FALSE(ok.effects_key.empty());
  EXPECT_THAT(with([](v1::Effect&) {}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0]")));
  EXPECT_THAT(with([](v1::Effect& e) { e.mutable_text()->set_text("two\nlines"); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].text.text")));
  EXPECT_THAT(with([](v1::Effect& e) {
                e.mutable_text()->set_text("x");
                e.mutable_text()->set_color("red");
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].text.color")));
  EXPECT_THAT(with([](v1::Effect& e) {
                e.mutable_text()->set_text("x");
                e.mutable_text()->set_x(1.5f);
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].text.x")));
  EXPECT_THAT(with([](v1::Effect& e) { e.mutable_speed()->set_factor(1.0f); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].speed.factor")));
  EXPECT_THAT(with([](v1::Effect& e) { e.mutable_color_grade(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.effects[0].color_grade.preset")));
  // Nine effects are too many; two speeds conflict.
  EXPECT_THAT(ParseWith([](v1::CreateJobRequest& r) {
                for (int i = 0; i < 9; ++i) r.mutable_spec()->add_effects()->mutable_text()->set_text("x");
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 8")));
  EXPECT_THAT(ParseWith([](v1::CreateJobRequest& r) {
                r.mutable_spec()->add_effects()->mutable_speed()->set_factor(2);
                r.mutable_spec()->add_effects()->mutable_speed()->set_factor(0.5f);
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most one speed")));
  // Different effects, different keys (so different fingerprints).
  ASSERT_OK_AND_ASSIGN(const NewJob other, with([](v1::Effect& e) { e.mutable_text()->set_text("WORLD"); }));
  EXPECT_NE(ok.effects_key, other.effects_key);
}

TEST_F(RequestParsingTest, NoRendererConfiguredIsUnavailable) {
  catalog_.renderers.clear();
  EXPECT_THAT(Parse(Minimal()), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(RequestParsingTest, ListJobsTokensRoundTrip) {
  v1::ListJobsRequest request;
  ASSERT_OK_AND_ASSIGN(const JobListing defaults, ParseListJobs(request));
  EXPECT_EQ(defaults.page_size, 20);
  EXPECT_THAT(defaults.statuses, IsEmpty());
  EXPECT_FALSE(defaults.cursor.has_value());

  const std::string job_id = "01890a5d-ac96-7b4c-9b6e-3f1c2d4e5f62";
  request.set_page_token(JobPageToken({.before_job_id = job_id}));
  request.set_page_size(7);
  request.add_statuses(v1::JOB_STATUS_QUEUED);
  request.add_statuses(v1::JOB_STATUS_CANCELLED);
  ASSERT_OK_AND_ASSIGN(const JobListing listing, ParseListJobs(request));
  ASSERT_TRUE(listing.cursor.has_value());
  EXPECT_EQ(listing.cursor->before_job_id, job_id);
  EXPECT_EQ(listing.page_size, 7);
  EXPECT_THAT(listing.statuses, ElementsAre(v1::JOB_STATUS_QUEUED, v1::JOB_STATUS_CANCELLED));
}

TEST_F(RequestParsingTest, ListJobsRefusesBadTokensSizesAndStatuses) {
  const auto parse_token = [](const std::string& token) {
    v1::ListJobsRequest request;
    request.set_page_token(token);
    return ParseListJobs(request);
  };
  for (const std::string& token : {std::string("garbage!"), std::string("Z2FyYmFnZQ"),
                                   kit::EncodeTokenFields("j1", {"not-a-uuid"}),
                                   kit::EncodeTokenFields("x1", {"01890a5d-ac96-7b4c-9b6e-3f1c2d4e5f62"}),
                                   kit::EncodeTokenFields("j1", {"01890a5d-ac96-7b4c-9b6e-3f1c2d4e5f62", "1"}),
                                   std::string(300, 'A')}) {
    SCOPED_TRACE(token);
    EXPECT_THAT(parse_token(token), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  }
  v1::ListJobsRequest request;
  request.set_page_size(101);
  EXPECT_THAT(ParseListJobs(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
  request.set_page_size(-1);
  EXPECT_THAT(ParseListJobs(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
  request.set_page_size(100);
  EXPECT_THAT(ParseListJobs(request), IsOk());
  request.add_statuses(v1::JOB_STATUS_UNSPECIFIED);
  EXPECT_THAT(ParseListJobs(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("statuses")));
  request.set_statuses(0, static_cast<v1::JobStatus>(7));
  EXPECT_THAT(ParseListJobs(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("statuses")));
}

TEST_F(RequestParsingTest, CapabilitiesMatchOnTheRendererName) {
  v1::WorkerCapabilities capabilities;
  capabilities.add_renderers("procedural-1/1.0.0");
  capabilities.add_renderers("cinematic-2");
  capabilities.add_qualities(v1::GENERATION_QUALITY_FULL);
  capabilities.set_max_seconds(60);
  capabilities.set_max_pixels(1920 * 1080);
  ASSERT_OK_AND_ASSIGN(const LeaseFilter filter, ParseCapabilities(capabilities));
  EXPECT_THAT(filter.renderers, ElementsAre("procedural-1", "cinematic-2"));
  EXPECT_THAT(filter.qualities, ElementsAre(static_cast<int32_t>(v1::GENERATION_QUALITY_FULL)));
  EXPECT_EQ(filter.max_seconds, 60);
  EXPECT_EQ(filter.max_pixels, 1920 * 1080);
  EXPECT_THAT(filter.effects, IsEmpty());  // none listed: all

  capabilities.add_effects("text");
  capabilities.add_effects("sticker");
  ASSERT_OK_AND_ASSIGN(const LeaseFilter with_effects, ParseCapabilities(capabilities));
  EXPECT_THAT(with_effects.effects, ElementsAre("text", "sticker"));
}

TEST_F(RequestParsingTest, CapabilitiesRefuseWhatNoWorkerCanBe) {
  const auto parse = [](const std::function<void(v1::WorkerCapabilities&)>& change) {
    v1::WorkerCapabilities capabilities;
    capabilities.add_renderers("procedural-1/1.0.0");
    change(capabilities);
    return ParseCapabilities(capabilities);
  };
  EXPECT_THAT(parse([](v1::WorkerCapabilities& c) { c.clear_renderers(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capabilities.renderers")));
  EXPECT_THAT(parse([](v1::WorkerCapabilities& c) { c.add_renderers("Procedural 1"); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capabilities.renderers")));
  EXPECT_THAT(parse([](v1::WorkerCapabilities& c) { c.add_renderers("/1.0"); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capabilities.renderers")));
  EXPECT_THAT(parse([](v1::WorkerCapabilities& c) {
                for (int i = 0; i < 16; ++i) c.add_renderers("r");
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capabilities.renderers")));
  EXPECT_THAT(parse([](v1::WorkerCapabilities& c) { c.add_qualities(v1::GENERATION_QUALITY_UNSPECIFIED); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capabilities.qualities")));
  EXPECT_THAT(parse([](v1::WorkerCapabilities& c) { c.set_max_seconds(-1); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capabilities.max_seconds")));
  EXPECT_THAT(parse([](v1::WorkerCapabilities& c) { c.set_max_pixels(-1); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capabilities.max_pixels")));
  EXPECT_THAT(parse([](v1::WorkerCapabilities& c) { c.add_effects("blur"); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capabilities.effects")));
  EXPECT_THAT(parse([](v1::WorkerCapabilities& c) {
                for (int i = 0; i < 9; ++i) c.add_effects("text");
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capabilities.effects")));
}

TEST_F(RequestParsingTest, LeaseRefsNeedAJobIdAndAPositiveEpoch) {
  EXPECT_THAT(ValidateLeaseRef(kRequestId, 1), IsOk());
  EXPECT_THAT(ValidateLeaseRef(kRequestId, 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lease_epoch")));
  EXPECT_THAT(ValidateLeaseRef("job", 1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("job_id")));
}

}  // namespace
}  // namespace clipforge::generation_service::testing
