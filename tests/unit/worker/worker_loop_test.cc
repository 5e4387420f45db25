// The reference worker against an in-process fake WorkerService: a job
// leased, rendered, uploaded and completed; a remix's parent provenance
// downloaded; failures reported with the right code; cancelled and lost
// jobs dropped; a stop handing the job back; the lease long poll cut short
// by a stop; backing off from an unreachable server; a refused credential.
#include "services/worker/worker_loop.h"

#include <stdio.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/random.h"
#include "base/sha256.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/provenance_ca.h"
#include "media/provenance_mp4.h"
#include "tests/unit/media/mp4_inspect.h"
#include "tests/unit/media/test_media_files.h"
#include "tests/unit/worker/fake_worker_service.h"
#include "tests/unit/worker/media_probe.h"

extern "C" {
#include <libavutil/log.h>
}

namespace clipforge::worker {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::IsOkAndHolds;
using ::clipforge::base::testing::StatusIs;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing::FakeWorkerServer;
using testing::FakeWorkerService;
namespace fs = std::filesystem;

constexpr char kCredential[] = "cfw_test_0123456789";

v1::JobAssignment QueuedAssignment(const std::string& job_id, int seconds = 4) {
  v1::JobAssignment assignment;
  assignment.set_job_id(job_id);
  assignment.set_lease_epoch(7);
  assignment.set_attempt(1);
  assignment.set_max_attempts(3);
  assignment.set_user_id("0190a3c2-0000-7000-8000-0000000000aa");
  assignment.mutable_heartbeat_interval()->set_seconds(1);
  v1::JobSpec& spec = *assignment.mutable_spec();
  spec.set_prompt("a paper boat on a rainy street, close up");
  spec.set_seconds(seconds);
  spec.set_size("1280x720");
  spec.set_seed(11);
  return assignment;
}

std::string LogText(FILE* file) {
  fflush(file);
  rewind(file);
  std::string text;
  char buffer[4096];
  size_t got;
  while ((got = fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, got);
  return text;
}

class WorkerLoopTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    av_log_set_level(AV_LOG_ERROR);
    root_ = new std::string(::testing::TempDir() + "/worker_loop_test_" + std::to_string(getpid()));
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
    log_ = tmpfile();
    logger_ = std::make_unique<kit::Logger>(log_, clock_, kit::LogLevel::kDebug);
    work_dir_ = *root_ + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override {
    logger_.reset();
    fclose(log_);
  }

  ReferenceWorkerOptions Options(const std::string& address) const {
    ReferenceWorkerOptions options;
    options.server_address = address;
    options.credential = kCredential;
    options.worker_instance = "test-host/worker-1";
    options.work_dir = work_dir_;
    options.lease_wait = absl::Seconds(1);
    options.max_backoff = absl::Milliseconds(400);
    return options;
  }
  std::unique_ptr<ReferenceWorker> Worker(const std::string& address) {
    auto worker = ReferenceWorker::Create(Options(address), *signer_, clock_, ids_, *logger_);
    EXPECT_THAT(worker, IsOk());
    return worker.ok() ? *std::move(worker) : nullptr;
  }
  std::vector<std::string> WorkDirListing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(work_dir_)) names.push_back(entry.path().filename().string());
    return names;
  }

  static std::string* root_;
  static media::ProvenanceSigner* signer_;
  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  FILE* log_ = nullptr;
  std::unique_ptr<kit::Logger> logger_;
  std::string work_dir_;
  FakeWorkerServer server_;
  std::atomic<bool> stop_{false};
};
std::string* WorkerLoopTest::root_ = nullptr;
media::ProvenanceSigner* WorkerLoopTest::signer_ = nullptr;

TEST_F(WorkerLoopTest, LeasesRendersUploadsAndCompletesAJob) {
  FakeWorkerService& service = server_.service();
  const std::string job_id = "0190a3c2-0000-7000-8000-000000000201";
  service.Queue(QueuedAssignment(job_id));
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  EXPECT_THAT(worker->RunOnce(stop_), IsOkAndHolds(true));

  ASSERT_THAT(service.leases(), SizeIs(1));
  const v1::LeaseJobRequest lease = service.leases()[0];
  EXPECT_EQ(lease.worker_instance(), "test-host/worker-1");
  EXPECT_THAT(lease.capabilities().renderers(), ElementsAre("procedural-1/1.0.0"));
  EXPECT_EQ(lease.wait().seconds(), 1);
  EXPECT_EQ(lease.request_id().size(), 36u);

  ASSERT_THAT(service.completions(), SizeIs(1));
  EXPECT_THAT(service.failures(), IsEmpty());
  const v1::CompleteJobRequest done = service.completions()[0];
  EXPECT_EQ(done.job_id(), job_id);
  EXPECT_EQ(done.lease_epoch(), 7);
  const v1::JobOutputs& outputs = done.outputs();
  EXPECT_EQ(outputs.width(), 640);  // 1280x720 as a draft
  EXPECT_EQ(outputs.height(), 360);
  EXPECT_EQ(outputs.duration().seconds(), 4);
  EXPECT_EQ(outputs.renderer(), "procedural-1/1.0.0");
  EXPECT_GT(outputs.spritesheet_layout().columns(), 0);
  EXPECT_GT(outputs.spritesheet_layout().tile_width(), 0);
  EXPECT_EQ(outputs.spritesheet_layout().interval().seconds(), 1);
  EXPECT_EQ(done.stats().frames(), 48);

  // Each output went up whole, and the job names what the server stored.
  const auto uploads = service.uploads();
  ASSERT_THAT(uploads, SizeIs(4));
  const auto check = [&](v1::ContentVariant variant, const v1::BlobRef& blob, const std::string& type) {
    const FakeWorkerService::Upload& upload = uploads.at(variant);
    EXPECT_EQ(upload.header.job_id(), job_id);
    EXPECT_EQ(upload.header.lease_epoch(), 7);
    EXPECT_EQ(upload.header.content_type(), type);
    EXPECT_EQ(blob.sha256(), base::Sha256Hex(upload.data));
    EXPECT_EQ(blob.size_bytes(), static_cast<int64_t>(upload.data.size()));
  };
  check(v1::CONTENT_VARIANT_VIDEO, outputs.video(), "video/mp4");
  check(v1::CONTENT_VARIANT_THUMBNAIL, outputs.thumbnail(), "image/jpeg");
  check(v1::CONTENT_VARIANT_SPRITESHEET, outputs.spritesheet(), "image/jpeg");
  check(v1::CONTENT_VARIANT_PROVENANCE, outputs.provenance(), "application/c2pa");
  EXPECT_TRUE(testing::IsJpeg(uploads.at(v1::CONTENT_VARIANT_THUMBNAIL).data));
  // The video as uploaded verifies, and embeds the uploaded manifest store.
  const std::string video = uploads.at(v1::CONTENT_VARIANT_VIDEO).data;
  const std::string copy = *root_ + "/uploaded-" + job_id + ".mp4";
  { std::ofstream(copy, std::ios::binary) << video; }
  auto report = media::VerifyMp4File(copy, {signer_->ca_pem()});
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->State(), "Trusted");
  EXPECT_EQ(report->active()->clipforge->job_id, job_id);
  EXPECT_NE(video.find(uploads.at(v1::CONTENT_VARIANT_PROVENANCE).data), std::string::npos);
  EXPECT_EQ(testing::ProbeVideo(copy).packets, 48);

  // Progress went up, within 0-99, and said what was happening.
  const auto progress = service.progress();
  ASSERT_FALSE(progress.empty());
  std::vector<std::string> stages;
  for (size_t i = 0; i < progress.size(); ++i) {
    EXPECT_EQ(progress[i].job_id(), job_id);
    EXPECT_LE(progress[i].percent(), 99);
    if (i > 0) {
      EXPECT_GE(progress[i].percent(), progress[i - 1].percent());
    }
    if (stages.empty() || stages.back() != progress[i].stage()) stages.push_back(progress[i].stage());
  }
  EXPECT_EQ(stages.front(), "rendering");
  // Every call carried the credential; the log never did.
  EXPECT_THAT(service.authorizations(), Each(std::string("Worker ") + kCredential));
  const std::string log = LogText(log_);
  EXPECT_THAT(log, HasSubstr("job_completed"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr(kCredential)));
  EXPECT_THAT(WorkDirListing(), IsEmpty());
}

TEST_F(WorkerLoopTest, ARemixDownloadsItsParentProvenanceAndNamesItAnIngredient) {
  FakeWorkerService& service = server_.service();
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  const std::string parent_id = "0190a3c2-0000-7000-8000-000000000202";
  service.Queue(QueuedAssignment(parent_id));
  ASSERT_THAT(worker->RunOnce(stop_), IsOkAndHolds(true));
  const std::string parent_store = service.uploads().at(v1::CONTENT_VARIANT_PROVENANCE).data;

  v1::JobAssignment remix = QueuedAssignment("0190a3c2-0000-7000-8000-000000000203");
  remix.mutable_spec()->set_remix_of_clip_id(parent_id);
  v1::BlobRef& parent = *remix.mutable_parent_provenance();
  parent.set_sha256(service.AddInput(parent_store));
  parent.set_content_type("application/c2pa");
  parent.set_size_bytes(static_cast<int64_t>(parent_store.size()));
  *remix.add_inputs() = parent;
  service.Queue(remix);
  ASSERT_THAT(worker->RunOnce(stop_), IsOkAndHolds(true));
  ASSERT_THAT(service.completions(), SizeIs(2));

  const std::string copy = *root_ + "/remix.mp4";
  { std::ofstream(copy, std::ios::binary) << service.uploads().at(v1::CONTENT_VARIANT_VIDEO).data; }
  auto report = media::VerifyMp4File(copy, {signer_->ca_pem()});
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->active()->ingredients.size(), 1u);
  EXPECT_EQ(report->active()->ingredients[0].relationship, "parentOf");
  ASSERT_EQ(report->manifests.size(), 2u);
  EXPECT_EQ(report->manifests[1].clipforge->job_id, parent_id);
}

TEST_F(WorkerLoopTest, AStickerAndASoundtrackAreFetchedAppliedAndNotLeftBehind) {
  FakeWorkerService& service = server_.service();
  const std::string png = *root_ + "/sticker.png", wav = *root_ + "/song.wav";
  ASSERT_THAT(test_media::WriteRgbaPng(png, 32, 32, test_media::SolidRgba(32, 32, 0, 255, 0, 200)), IsOk());
  ASSERT_THAT(test_media::WriteSineWav(wav, 6.0), IsOk());  // longer than the clip: cut
  v1::JobAssignment assignment = QueuedAssignment("0190a3c2-0000-7000-8000-000000000204");
  v1::BlobRef sticker, song;
  sticker.set_sha256(service.AddInput(testing::ReadBytes(png)));
  song.set_sha256(service.AddInput(testing::ReadBytes(wav)));
  *assignment.mutable_spec()->add_effects()->mutable_sticker()->mutable_image() = sticker;
  *assignment.mutable_spec()->mutable_soundtrack() = song;
  *assignment.add_inputs() = song;
  *assignment.add_inputs() = sticker;
  service.Queue(assignment);
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  ASSERT_THAT(worker->RunOnce(stop_), IsOkAndHolds(true));
  ASSERT_THAT(service.failures(), IsEmpty());
  ASSERT_THAT(service.completions(), SizeIs(1));

  const std::string copy = *root_ + "/with_inputs.mp4";
  { std::ofstream(copy, std::ios::binary) << service.uploads().at(v1::CONTENT_VARIANT_VIDEO).data; }
  const test_media::Mp4Info info = test_media::InspectMp4(copy);
  ASSERT_EQ(info.streams.size(), 2u);
  EXPECT_EQ(info.streams[1].codec, "aac");
  EXPECT_NEAR(info.streams[1].duration, 4.0, 0.05);
  EXPECT_THAT(WorkDirListing(), IsEmpty());  // the fetched inputs too
}

TEST_F(WorkerLoopTest, AnInputTheServerDoesNotHaveFailsAsInvalidInputNotRetried) {
  FakeWorkerService& service = server_.service();
  v1::JobAssignment assignment = QueuedAssignment("0190a3c2-0000-7000-8000-000000000207");
  v1::BlobRef missing;
  missing.set_sha256(std::string(64, 'c'));  // the fake has no such input
  *assignment.mutable_spec()->add_effects()->mutable_sticker()->mutable_image() = missing;
  *assignment.add_inputs() = missing;
  service.Queue(assignment);
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  EXPECT_THAT(worker->RunOnce(stop_), IsOkAndHolds(true));
  ASSERT_THAT(service.failures(), SizeIs(1));
  const v1::FailJobRequest failure = service.failures()[0];
  EXPECT_EQ(failure.code(), v1::GENERATION_FAILURE_CODE_INVALID_INPUT);
  EXPECT_FALSE(failure.retryable());
  EXPECT_EQ(failure.lease_epoch(), 7);
  EXPECT_THAT(service.completions(), IsEmpty());
  EXPECT_THAT(WorkDirListing(), IsEmpty());
}

TEST_F(WorkerLoopTest, AMissingParentProvenanceFailsTheJobNotRetried) {
  FakeWorkerService& service = server_.service();
  v1::JobAssignment assignment = QueuedAssignment("0190a3c2-0000-7000-8000-000000000205");
  assignment.mutable_parent_provenance()->set_sha256(std::string(64, 'e'));  // the fake has no such input
  service.Queue(assignment);
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  EXPECT_THAT(worker->RunOnce(stop_), IsOkAndHolds(true));
  ASSERT_THAT(service.failures(), SizeIs(1));
  EXPECT_EQ(service.failures()[0].code(), v1::GENERATION_FAILURE_CODE_INVALID_INPUT);
  EXPECT_FALSE(service.failures()[0].retryable());
}

TEST_F(WorkerLoopTest, ACancelledJobIsDroppedWithoutAWord) {
  FakeWorkerService& service = server_.service();
  service.SetProgressAnswer(FakeWorkerService::ProgressAnswer::kCancelRequested);
  service.Queue(QueuedAssignment("0190a3c2-0000-7000-8000-000000000206", 30));
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  EXPECT_THAT(worker->RunOnce(stop_), IsOkAndHolds(true));
  EXPECT_THAT(service.completions(), IsEmpty());
  EXPECT_THAT(service.failures(), IsEmpty());
  EXPECT_THAT(service.uploads(), IsEmpty());
  EXPECT_THAT(LogText(log_), HasSubstr("\"reason\":\"cancelled\""));
  EXPECT_THAT(WorkDirListing(), IsEmpty());
}

TEST_F(WorkerLoopTest, ALostLeaseDropsTheJob) {
  FakeWorkerService& service = server_.service();
  service.SetProgressAnswer(FakeWorkerService::ProgressAnswer::kLeaseLost);
  service.Queue(QueuedAssignment("0190a3c2-0000-7000-8000-000000000207", 30));
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  EXPECT_THAT(worker->RunOnce(stop_), IsOkAndHolds(true));
  EXPECT_THAT(service.completions(), IsEmpty());
  EXPECT_THAT(service.failures(), IsEmpty());
  EXPECT_THAT(LogText(log_), HasSubstr("\"reason\":\"lease_lost\""));
  EXPECT_THAT(WorkDirListing(), IsEmpty());
}

TEST_F(WorkerLoopTest, StoppingCancelsTheRenderAndHandsTheJobBack) {
  FakeWorkerService& service = server_.service();
  service.OnProgress([this](const v1::ReportProgressRequest&) { stop_ = true; });
  service.Queue(QueuedAssignment("0190a3c2-0000-7000-8000-000000000208", 60));
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  const absl::Time start = absl::Now();
  EXPECT_THAT(worker->RunOnce(stop_), IsOkAndHolds(true));
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_THAT(service.completions(), IsEmpty());
  ASSERT_THAT(service.failures(), SizeIs(1));
  EXPECT_TRUE(service.failures()[0].retryable());
  EXPECT_EQ(service.failures()[0].code(), v1::GENERATION_FAILURE_CODE_INTERNAL);
  EXPECT_THAT(WorkDirListing(), IsEmpty());
}

TEST_F(WorkerLoopTest, NoJobInTimeIsNotAnError) {
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  EXPECT_THAT(worker->RunOnce(stop_), IsOkAndHolds(false));
  EXPECT_EQ(server_.service().lease_calls(), 1);
}

TEST_F(WorkerLoopTest, RunStopsPromptlyDuringALongPoll) {
  server_.service().SetHoldEmptyLeases(true);
  ReferenceWorkerOptions options = Options(server_.address());
  options.lease_wait = absl::Seconds(30);
  options.max_concurrent_jobs = 2;
  auto worker = ReferenceWorker::Create(options, *signer_, clock_, ids_, *logger_);
  ASSERT_THAT(worker, IsOk());
  absl::Status result = absl::UnknownError("not run");
  std::thread runner([&] { result = (*worker)->Run(stop_); });
  while (server_.service().lease_calls() < 2) absl::SleepFor(absl::Milliseconds(10));
  const absl::Time stopped = absl::Now();
  stop_ = true;
  runner.join();
  EXPECT_THAT(result, IsOk());
  EXPECT_LT(absl::Now() - stopped, absl::Seconds(2));
}

TEST_F(WorkerLoopTest, RunBacksOffWhileTheServerIsUnreachable) {
  std::string address;
  {
    FakeWorkerServer gone;  // a port that was just free, now closed
    address = gone.address();
  }
  auto worker = Worker(address);
  ASSERT_NE(worker, nullptr);
  absl::Status result = absl::UnknownError("not run");
  std::thread runner([&] { result = worker->Run(stop_); });
  absl::SleepFor(absl::Milliseconds(1500));
  stop_ = true;
  runner.join();
  EXPECT_THAT(result, IsOk());
  const std::string log = LogText(log_);
  EXPECT_THAT(log, HasSubstr("lease_failed"));
  EXPECT_THAT(log, HasSubstr("UNAVAILABLE"));
}

TEST_F(WorkerLoopTest, RunEndsWhenTheServerRefusesTheCredential) {
  server_.service().SetLeaseError(grpc::StatusCode::UNAUTHENTICATED);
  auto worker = Worker(server_.address());
  ASSERT_NE(worker, nullptr);
  EXPECT_THAT(worker->Run(stop_), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(server_.service().lease_calls(), 1);
}

TEST_F(WorkerLoopTest, OptionsAreChecked) {
  ReferenceWorkerOptions no_credential = Options(server_.address());
  no_credential.credential.clear();
  EXPECT_THAT(ReferenceWorker::Create(no_credential, *signer_, clock_, ids_, *logger_),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ReferenceWorkerOptions long_wait = Options(server_.address());
  long_wait.lease_wait = absl::Seconds(31);
  EXPECT_THAT(ReferenceWorker::Create(long_wait, *signer_, clock_, ids_, *logger_),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ReferenceWorkerOptions no_jobs = Options(server_.address());
  no_jobs.max_concurrent_jobs = 0;
  EXPECT_THAT(ReferenceWorker::Create(no_jobs, *signer_, clock_, ids_, *logger_),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace clipforge::worker
