// RenderJob end to end on real libx264 encodes and real C2PA signatures: a
// 4 s draft becomes a signed H.264 MP4 that verifies, a thumbnail and a
// spritesheet; the same assignment renders the same media; cancelling and
// failing leave no files; a remix carries its parent's manifest.
#include "services/worker/job_render.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/testing/status_matchers.h"
#include "generation/c2pa_manifest.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/provenance_ca.h"
#include "media/provenance_mp4.h"
#include "tests/unit/media/mp4_inspect.h"
#include "tests/unit/media/test_media_files.h"
#include "tests/unit/worker/media_probe.h"

extern "C" {
#include <libavutil/log.h>
}

namespace clipforge::worker {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace fs = std::filesystem;

constexpr char kUserId[] = "0190a3c2-0000-7000-8000-0000000000aa";

v1::JobAssignment Assignment(const std::string& job_id, int64_t epoch = 1) {
  v1::JobAssignment assignment;
  assignment.set_job_id(job_id);
  assignment.set_lease_epoch(epoch);
  assignment.set_user_id(kUserId);
  v1::JobSpec& spec = *assignment.mutable_spec();
  spec.set_prompt("a lighthouse on a cliff at dusk, waves, slow zoom");
  spec.set_seconds(4);
  spec.set_size("720x1280");
  spec.set_seed(4242);
  spec.set_quality(v1::GENERATION_QUALITY_DRAFT);
  return assignment;
}

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Codes(const std::vector<generation::c2pa::ValidationStatus>& statuses) {
  std::vector<std::string> codes;
  for (const auto& s : statuses) codes.push_back(s.code);
  return codes;
}

class JobRenderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    av_log_set_level(AV_LOG_ERROR);  // libx264's statistics, on every close
    root_ = new std::string(::testing::TempDir() + "/job_render_test_" + std::to_string(getpid()));
    fs::create_directories(*root_);
    auto signer = media::LoadOrCreateSigner(*root_ + "/ca", media::SignerOptions{.common_name = "worker-test"},
                                            absl::Now());
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = signer->release();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
    delete signer_;
  }
  void SetUp() override {
    work_dir_ = *root_ + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(work_dir_);
  }

  RenderJobOptions Options() const { return RenderJobOptions{.work_dir = work_dir_, .signer = signer_}; }

  absl::StatusOr<RenderedJob> Render(const v1::JobAssignment& assignment, const FetchedInputs& inputs = {}) {
    return RenderJob(assignment, Options(), inputs, [this](int percent, absl::string_view stage) {
      progress_.emplace_back(percent, std::string(stage));
      return true;
    });
  }

  static std::string* root_;
  static media::ProvenanceSigner* signer_;
  std::string work_dir_;
  std::vector<std::pair<int, std::string>> progress_;
};
std::string* JobRenderTest::root_ = nullptr;
media::ProvenanceSigner* JobRenderTest::signer_ = nullptr;

TEST_F(JobRenderTest, DraftJobBecomesASignedH264ClipWithThumbnailAndSpritesheet) {
  const std::string job_id = "0190a3c2-0000-7000-8000-000000000101";
  absl::StatusOr<RenderedJob> job = Render(Assignment(job_id, 3));
  ASSERT_THAT(job, IsOk());

  EXPECT_EQ(job->job_dir, work_dir_ + "/job-" + job_id + "-3");
  EXPECT_THAT(Listing(job->job_dir), ElementsAre("spritesheet.jpg", "thumbnail.jpg", "video.mp4"));
  EXPECT_EQ(job->width, 360);
  EXPECT_EQ(job->height, 640);
  EXPECT_EQ(job->frames, 48);
  EXPECT_EQ(job->duration, absl::Seconds(4));
  EXPECT_EQ(job->renderer, "procedural-1/1.0.0");
  EXPECT_GT(job->render_time, absl::ZeroDuration());
  EXPECT_GT(job->encode_time, absl::ZeroDuration());
  EXPECT_GT(job->spritesheet.columns, 0);
  EXPECT_GT(job->spritesheet.rows, 0);
  EXPECT_EQ(job->spritesheet.interval, absl::Seconds(1));

  const testing::VideoProbe probe = testing::ProbeVideo(job->video_path);
  ASSERT_TRUE(probe.opened);
  EXPECT_EQ(probe.codec, "h264");
  EXPECT_EQ(probe.width, 360);
  EXPECT_EQ(probe.height, 640);
  EXPECT_EQ(probe.packets, 48);
  EXPECT_NEAR(probe.duration_seconds, 4.0, 0.1);
  EXPECT_TRUE(testing::IsJpeg(testing::ReadBytes(job->thumbnail_path)));
  EXPECT_TRUE(testing::IsJpeg(testing::ReadBytes(job->spritesheet_path)));

  absl::StatusOr<media::VerifyReport> report = media::VerifyMp4File(job->video_path, {signer_->ca_pem()});
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->State(), "Trusted");
  ASSERT_TRUE(report->active()->clipforge.has_value());
  const media::ClipCredentials& credentials = *report->active()->clipforge;
  EXPECT_EQ(credentials.job_id, job_id);
  EXPECT_EQ(credentials.clip_id, job_id);  // no clip yet
  EXPECT_EQ(credentials.creator_user_id, kUserId);
  EXPECT_EQ(credentials.seed, 4242u);
  EXPECT_EQ(credentials.renderer_name, "procedural-1");
  EXPECT_EQ(credentials.renderer_version, "1.0.0");
  EXPECT_EQ(credentials.prompt_sha256_hex.size(), 64u);
  EXPECT_THAT(report->active()->ingredients, IsEmpty());
  // The store returned is the one embedded, whole.
  EXPECT_THAT(generation::c2pa::ParseManifestStore(job->manifest_store), IsOk());
  EXPECT_NE(testing::ReadBytes(job->video_path).find(job->manifest_store), std::string::npos);

  // Rendering from 0 to 90, then signing at 95, never going back.
  ASSERT_GE(progress_.size(), 3u);
  EXPECT_EQ(progress_.front(), std::make_pair(0, std::string("rendering")));
  EXPECT_EQ(progress_[progress_.size() - 2], std::make_pair(90, std::string("rendering")));
  EXPECT_EQ(progress_.back(), std::make_pair(95, std::string("signing")));
  for (size_t i = 1; i < progress_.size(); ++i) EXPECT_GE(progress_[i].first, progress_[i - 1].first);

  EXPECT_THAT(RemoveJobDirectory(job->job_dir), IsOk());
  EXPECT_THAT(Listing(work_dir_), IsEmpty());
}

TEST_F(JobRenderTest, TheSameAssignmentRendersTheSameMedia) {
  const v1::JobAssignment first = Assignment("0190a3c2-0000-7000-8000-000000000102", 1);
  v1::JobAssignment again = first;
  again.set_lease_epoch(2);  // a retry of the same job
  absl::StatusOr<RenderedJob> a = Render(first);
  absl::StatusOr<RenderedJob> b = Render(again);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(a->job_dir, b->job_dir);
  EXPECT_EQ(a->frames, b->frames);
  EXPECT_EQ(a->width, b->width);
  EXPECT_EQ(a->height, b->height);
  EXPECT_EQ(a->duration, b->duration);
  EXPECT_EQ(a->spritesheet.columns, b->spritesheet.columns);
  EXPECT_EQ(a->spritesheet.rows, b->spritesheet.rows);
  const testing::VideoProbe probe_a = testing::ProbeVideo(a->video_path);
  const testing::VideoProbe probe_b = testing::ProbeVideo(b->video_path);
  EXPECT_EQ(probe_a.packets, probe_b.packets);
  EXPECT_EQ(probe_a.width, probe_b.width);
  EXPECT_EQ(probe_a.height, probe_b.height);
  // The stills are byte-identical. The signed videos differ (fresh manifest
  // ids and signatures), and so, today, can their coded frames: repeated
  // EncodeClip calls in one process do not always give the same H.264
  // bytes for the first GOP, although the frames handed to libx264 are the
  // same (media/ to look into), so the video is compared by shape only.
  EXPECT_EQ(testing::ReadBytes(a->thumbnail_path), testing::ReadBytes(b->thumbnail_path));
  EXPECT_EQ(testing::ReadBytes(a->spritesheet_path), testing::ReadBytes(b->spritesheet_path));
}

TEST_F(JobRenderTest, CancellingFromTheProgressCallbackLeavesNoFiles) {
  const v1::JobAssignment assignment = Assignment("0190a3c2-0000-7000-8000-000000000103");
  absl::StatusOr<RenderedJob> mid_render =
      RenderJob(assignment, Options(), {}, [](int percent, absl::string_view) { return percent < 30; });
  EXPECT_THAT(mid_render, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(Listing(work_dir_), IsEmpty());

  absl::StatusOr<RenderedJob> before_signing = RenderJob(
      assignment, Options(), {}, [](int, absl::string_view stage) { return stage != kStageSigning; });
  EXPECT_THAT(before_signing, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(Listing(work_dir_), IsEmpty());
}

TEST_F(JobRenderTest, ARemixCarriesItsParentsManifestAsAnIngredient) {
  const std::string parent_id = "0190a3c2-0000-7000-8000-000000000104";
  absl::StatusOr<RenderedJob> parent = Render(Assignment(parent_id));
  ASSERT_THAT(parent, IsOk());
  v1::JobAssignment remix = Assignment("0190a3c2-0000-7000-8000-000000000105");
  remix.mutable_spec()->set_remix_of_clip_id(parent_id);
  remix.mutable_spec()->set_prompt("the same lighthouse in a storm");
  absl::StatusOr<RenderedJob> child = Render(remix, {.parent_manifest_store = parent->manifest_store});
  ASSERT_THAT(child, IsOk());

  absl::StatusOr<media::VerifyReport> report = media::VerifyMp4File(child->video_path, {signer_->ca_pem()});
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->State(), "Trusted");
  ASSERT_EQ(report->manifests.size(), 2u);
  ASSERT_EQ(report->active()->ingredients.size(), 1u);
  EXPECT_EQ(report->active()->ingredients[0].relationship, "parentOf");
  EXPECT_EQ(report->active()->ingredients[0].title, parent_id + ".mp4");
  ASSERT_TRUE(report->manifests[1].clipforge.has_value());
  EXPECT_EQ(report->manifests[1].clipforge->job_id, parent_id);
  EXPECT_THAT(Codes(report->active()->success), Contains("ingredient.manifest.validated"));
}

TEST_F(JobRenderTest, AParentStoreThatDoesNotParseFailsBeforeRendering) {
  int calls = 0;
  absl::StatusOr<RenderedJob> job =
      RenderJob(Assignment("0190a3c2-0000-7000-8000-000000000106"), Options(),
                FetchedInputs{.parent_manifest_store = "not a manifest store"},
                [&](int, absl::string_view) { return ++calls > 0; });
  EXPECT_THAT(job, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("parent provenance")));
  EXPECT_EQ(calls, 0);
  EXPECT_THAT(Listing(work_dir_), IsEmpty());
}

TEST_F(JobRenderTest, StickersAndASoundtrackComeFromTheFetchedFiles) {
  const std::string sticker = work_dir_ + "/sticker.png", song = work_dir_ + "/song.wav";
  ASSERT_THAT(test_media::WriteRgbaPng(sticker, 64, 64, test_media::SolidRgba(64, 64, 255, 0, 0, 255)), IsOk());
  ASSERT_THAT(test_media::WriteSineWav(song, 1.5), IsOk());  // shorter than the clip: looped
  v1::JobAssignment assignment = Assignment("0190a3c2-0000-7000-8000-000000000107");
  assignment.mutable_spec()->add_effects()->mutable_sticker()->mutable_image()->set_sha256(std::string(64, 'b'));
  assignment.mutable_spec()->mutable_soundtrack()->set_sha256(std::string(64, 'c'));
  const FetchedInputs inputs{.files = {{std::string(64, 'b'), sticker}, {std::string(64, 'c'), song}}};

  ASSERT_OK_AND_ASSIGN(const RenderedJob job, Render(assignment, inputs));
  const test_media::Mp4Info info = test_media::InspectMp4(job.video_path);
  ASSERT_EQ(info.streams.size(), 2u);
  EXPECT_EQ(info.streams[0].type, "video");
  EXPECT_EQ(info.streams[1].type, "audio");
  EXPECT_EQ(info.streams[1].codec, "aac");
  EXPECT_NEAR(info.streams[1].duration, 4.0, 0.05);
  EXPECT_TRUE(info.faststart);
  EXPECT_THAT(progress_, Contains(std::make_pair(90, std::string(kStageSoundtrack))));
  // Signed after the soundtrack was muxed: the hard binding covers it.
  ASSERT_OK_AND_ASSIGN(const media::VerifyReport report, media::VerifyMp4File(job.video_path, {signer_->ca_pem()}));
  EXPECT_EQ(report.State(), "Trusted");

  // The sticker is in the picture: the same job without it differs.
  v1::JobAssignment plain = Assignment("0190a3c2-0000-7000-8000-000000000109");
  plain.mutable_spec()->mutable_soundtrack()->set_sha256(std::string(64, 'c'));
  ASSERT_OK_AND_ASSIGN(const RenderedJob without, Render(plain, inputs));
  EXPECT_NE(testing::ReadBytes(job.thumbnail_path), testing::ReadBytes(without.thumbnail_path));
}

TEST_F(JobRenderTest, AnInputNotFetchedFailsBeforeAnyFrameAndLeavesNoFiles) {
  v1::JobAssignment assignment = Assignment("0190a3c2-0000-7000-8000-000000000107");
  assignment.mutable_spec()->add_effects()->mutable_sticker()->mutable_image()->set_sha256(std::string(64, 'b'));
  EXPECT_THAT(Render(assignment), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("sticker")));
  EXPECT_THAT(progress_, IsEmpty());
  EXPECT_THAT(Listing(work_dir_), IsEmpty());
}

TEST_F(JobRenderTest, AJobIdThatIsNotAPlainNameIsRefused) {
  EXPECT_THAT(Render(Assignment("../escape")), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("job_id")));
  EXPECT_THAT(Render(Assignment("")), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Listing(work_dir_), IsEmpty());
  EXPECT_THAT(Listing(*root_), Contains("ca"));  // nothing written beside work_dir either
}

TEST_F(JobRenderTest, NeedsASignerAndAWorkDirectory) {
  RenderJobOptions no_signer = Options();
  no_signer.signer = nullptr;
  EXPECT_THAT(RenderJob(Assignment("0190a3c2-0000-7000-8000-000000000108"), no_signer, {},
                        [](int, absl::string_view) { return true; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  RenderJobOptions no_dir = Options();
  no_dir.work_dir.clear();
  EXPECT_THAT(RenderJob(Assignment("0190a3c2-0000-7000-8000-000000000108"), no_dir, {},
                        [](int, absl::string_view) { return true; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace clipforge::worker
