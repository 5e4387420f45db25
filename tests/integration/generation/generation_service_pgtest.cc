// GenerationService and WorkerService over a real Postgres and a real
// JetStream nats-server, wired as `clipforged serve` wires them (moderation
// in the same process): a job goes from CreateJob through a worker's lease,
// progress and uploads to COMPLETED and its download; leases are fenced by
// epoch, lapse and are retried; cancel reaches the worker; prompts are
// filtered, quotas and the fair queue hold, and retries replay. The worker
// here is the test, driving the protocol call by call with a real video (the media filter decodes it).
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/role.h"
#include "base/sha256.h"
#include "base/uuid.h"
#include "media/pdq_file.h"
#include "services/generation/worker_credentials.h"
#include "services/moderation/active_banks.h"
#include "tests/support/error_reason.h"
#include "tests/support/moderation_test_server.h"
#include "tests/unit/media/test_media_files.h"
#include "tests/unit/moderation/synthetic_video.h"

namespace clipforge::testing {
namespace {

using grpc::StatusCode;

ModerationTestServerOptions Options() {
  ModerationTestServerOptions options;
  options.with_generation = true;
  options.generation.lease.lease_length = absl::Seconds(3);
  options.generation.lease.heartbeat_interval = absl::Seconds(1);
  options.generation.sweep_interval = absl::Milliseconds(200);
  options.generation.jobs.max_attempts = 2;
  options.generation.jobs.uploads.max_live_uploads = 3;
  options.media_urls = true;
  options.generation.media_http_addr = "127.0.0.1:0";
  return options;
}

// GET `url` ("http://127.0.0.1:PORT/...") over a plain socket: the status
// code and the body.
std::pair<int, std::string> HttpGet(const std::string& url, const std::string& range = "") {
  const std::string rest = url.substr(std::string("http://").size());
  const size_t slash = rest.find('/');
  const std::string host_port = rest.substr(0, slash), target = rest.substr(slash);
  const int port = std::stoi(host_port.substr(host_port.find(':') + 1));
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return {-1, ""};
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + host_port + "\r\nConnection: close\r\n";
  if (!range.empty()) request += "Range: " + range + "\r\n";
  request += "\r\n";
  (void)!write(fd, request.data(), request.size());
  std::string response;
  char buffer[65536];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (response.size() < 12 || body == std::string::npos) return {-1, response};
  return {std::stoi(response.substr(9, 3)), response.substr(body + 4)};
}

class GenerationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto issued = generation_service::IssueWorkerCredential(server_.generation().store(), ids_, random_, clock_,
                                                            "test-worker-" + ids_.Next().substr(24));
    ASSERT_TRUE(issued.ok()) << issued.status();
    credential_ = issued->credential;
    video_path_ = (std::filesystem::temp_directory_path() / ("cf-gen-" + ids_.Next() + ".mp4")).string();
    ASSERT_TRUE(test_media::WriteVideo(video_path_, 160, 96, 12, 12, [](int index, std::vector<uint8_t>& rgb) {
                  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 7 + index * 13);
                }).ok());
    std::ifstream in(video_path_, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    video_ = bytes.str();
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove(video_path_, ignored);
  }

  std::string NewUser() { return server_.Token(base::RoleSet{base::Role::kUser}); }

  void AsUser(grpc::ClientContext& ctx, const std::string& token) {
    ctx.AddMetadata("authorization", "Bearer " + token);
  }
  void AsWorker(grpc::ClientContext& ctx) { ctx.AddMetadata("authorization", "Worker " + credential_); }

  grpc::Status Create(const std::string& token, const std::string& prompt, v1::GenerationJob* out,
                      const std::string& request_id = "", int64_t seed = -1) {
    v1::CreateJobRequest request;
    request.set_request_id(request_id.empty() ? ids_.Next() : request_id);
    request.mutable_spec()->set_prompt(prompt);
    if (seed >= 0) request.mutable_spec()->set_seed(seed);
    grpc::ClientContext ctx;
    AsUser(ctx, token);
    return jobs_->CreateJob(&ctx, request, out);
  }

  v1::GenerationJob Get(const std::string& token, const std::string& job_id) {
    v1::GetJobRequest request;
    request.set_job_id(job_id);
    grpc::ClientContext ctx;
    AsUser(ctx, token);
    v1::GenerationJob job;
    const grpc::Status status = jobs_->GetJob(&ctx, request, &job);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return job;
  }

  grpc::Status Lease(v1::LeaseJobResponse* out, const std::string& request_id = "",
                     const std::vector<std::string>& effects = {}) {
    v1::LeaseJobRequest request;
    request.set_request_id(request_id.empty() ? ids_.Next() : request_id);
    request.set_worker_instance("test/worker-1");
    request.mutable_capabilities()->add_renderers("procedural-1/1.0.0");
    for (const std::string& effect : effects) request.mutable_capabilities()->add_effects(effect);
    grpc::ClientContext ctx;
    AsWorker(ctx);
    return workers_->LeaseJob(&ctx, request, out);
  }

  v1::JobAssignment LeaseOk() {
    v1::LeaseJobResponse response;
    const grpc::Status status = Lease(&response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.has_assignment());
    return response.assignment();
  }

  grpc::Status Heartbeat(const v1::JobAssignment& a, v1::HeartbeatResponse* out) {
    v1::HeartbeatRequest request;
    request.set_request_id(ids_.Next());
    request.set_job_id(a.job_id());
    request.set_lease_epoch(a.lease_epoch());
    grpc::ClientContext ctx;
    AsWorker(ctx);
    return workers_->Heartbeat(&ctx, request, out);
  }

  grpc::Status Upload(const v1::JobAssignment& a, v1::ContentVariant variant, const std::string& type,
                      const std::string& bytes, v1::BlobRef* out, const std::string& declared_sha = "") {
    grpc::ClientContext ctx;
    AsWorker(ctx);
    v1::UploadOutputResponse response;
    auto writer = workers_->UploadOutput(&ctx, &response);
    v1::UploadOutputRequest header;
    header.mutable_header()->set_request_id(ids_.Next());
    header.mutable_header()->set_job_id(a.job_id());
    header.mutable_header()->set_lease_epoch(a.lease_epoch());
    header.mutable_header()->set_variant(variant);
    header.mutable_header()->set_content_type(type);
    header.mutable_header()->set_size_bytes(static_cast<int64_t>(bytes.size()));
    header.mutable_header()->set_sha256(declared_sha.empty() ? base::Sha256Hex(bytes) : declared_sha);
    writer->Write(header);
    for (size_t offset = 0; offset < bytes.size(); offset += 1 << 16) {
      v1::UploadOutputRequest data;
      data.set_data(bytes.substr(offset, 1 << 16));
      if (!writer->Write(data)) break;
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    if (status.ok()) *out = response.blob();
    return status;
  }

  // UploadMedia of `bytes` as `kind`/`type` (the digest computed unless
  // `sha` is given; no token: unauthenticated).
  grpc::Status UploadMedia(const std::string& token, v1::UploadKind kind, const std::string& type,
                           const std::string& bytes, v1::UploadMediaResponse* out, const std::string& sha = "") {
    grpc::ClientContext ctx;
    if (!token.empty()) AsUser(ctx, token);
    auto writer = jobs_->UploadMedia(&ctx, out);
    v1::UploadMediaRequest header;
    header.mutable_header()->set_request_id(ids_.Next());
    header.mutable_header()->set_kind(kind);
    header.mutable_header()->set_content_type(type);
    header.mutable_header()->set_size_bytes(static_cast<int64_t>(bytes.size()));
    header.mutable_header()->set_sha256(sha.empty() ? base::Sha256Hex(bytes) : sha);
    writer->Write(header);
    for (size_t offset = 0; offset < bytes.size(); offset += 1 << 16) {
      v1::UploadMediaRequest data;
      data.set_data(bytes.substr(offset, 1 << 16));
      if (!writer->Write(data)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // The bytes of a file `write` makes (a test_media writer).
  std::string MadeFile(const std::function<absl::Status(const std::string&)>& write) {
    const std::string path = video_path_ + ".input";
    EXPECT_TRUE(write(path).ok());
    std::ifstream in(path, std::ios::binary);
    std::stringstream read;
    read << in.rdbuf();
    std::filesystem::remove(path);
    return read.str();
  }

  // DownloadInput as the worker credential: the bytes from `offset`.
  grpc::Status DownloadInput(const v1::JobAssignment& a, const std::string& sha256, std::string* out,
                             int64_t offset = 0, int64_t epoch = 0) {
    v1::DownloadInputRequest request;
    request.set_job_id(a.job_id());
    request.set_lease_epoch(epoch == 0 ? a.lease_epoch() : epoch);
    request.set_sha256(sha256);
    request.set_offset(offset);
    grpc::ClientContext ctx;
    AsWorker(ctx);
    auto reader = workers_->DownloadInput(&ctx, request);
    v1::DataChunk chunk;
    out->clear();
    while (reader->Read(&chunk)) out->append(chunk.data());
    return reader->Finish();
  }

  // Uploads the three required outputs and completes.
  grpc::Status UploadAndComplete(const v1::JobAssignment& a, v1::CompleteJobResponse* out) {
    v1::CompleteJobRequest request;
    request.set_request_id(ids_.Next());
    request.set_job_id(a.job_id());
    request.set_lease_epoch(a.lease_epoch());
    v1::JobOutputs* outputs = request.mutable_outputs();
    grpc::Status status = Upload(a, v1::CONTENT_VARIANT_VIDEO, "video/mp4", video_, outputs->mutable_video());
    if (!status.ok()) return status;
    status = Upload(a, v1::CONTENT_VARIANT_THUMBNAIL, "image/jpeg", "thumb-" + a.job_id(),
                    outputs->mutable_thumbnail());
    if (!status.ok()) return status;
    status = Upload(a, v1::CONTENT_VARIANT_PROVENANCE, "application/c2pa", "c2pa-" + a.job_id(),
                    outputs->mutable_provenance());
    if (!status.ok()) return status;
    outputs->set_width(320);
    outputs->set_height(180);
    outputs->set_renderer("procedural-1/1.0.0");
    grpc::ClientContext ctx;
    AsWorker(ctx);
    return workers_->CompleteJob(&ctx, request, out);
  }

  // Polls GetJob until `done` holds (the sweeper runs every 200 ms here).
  v1::GenerationJob AwaitJob(const std::string& token, const std::string& job_id,
                             const std::function<bool(const v1::GenerationJob&)>& done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    v1::GenerationJob job = Get(token, job_id);
    while (!done(job) && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
      job = Get(token, job_id);
    }
    return job;
  }

  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  ModerationTestServer server_{Options()};
  std::unique_ptr<v1::GenerationService::Stub> jobs_ = server_.NewGenerationStub();
  std::unique_ptr<v1::WorkerService::Stub> workers_ = server_.NewWorkerStub();
  std::string credential_;
  std::string video_path_;
  std::string video_;
};

TEST_F(GenerationServiceTest, AJobGoesFromCreateThroughAWorkerToItsDownload) {
  const std::string alice = NewUser();
  v1::GenerationJob created;
  ASSERT_TRUE(Create(alice, "a neon city at night in the rain", &created).ok());
  EXPECT_EQ(created.status(), v1::JOB_STATUS_QUEUED);
  EXPECT_TRUE(created.spec().has_seed());
  EXPECT_EQ(created.spec().size(), "720x1280");
  EXPECT_EQ(created.spec().seconds(), 4);
  EXPECT_EQ(created.tier(), v1::TIER_FREE);

  const v1::JobAssignment a = LeaseOk();
  ASSERT_EQ(a.job_id(), created.job_id());
  EXPECT_EQ(a.lease_epoch(), 1);
  EXPECT_EQ(a.attempt(), 1);
  EXPECT_EQ(a.spec().prompt(), "a neon city at night in the rain");
  EXPECT_EQ(Get(alice, a.job_id()).status(), v1::JOB_STATUS_IN_PROGRESS);

  v1::ReportProgressRequest progress;
  progress.set_request_id(ids_.Next());
  progress.set_job_id(a.job_id());
  progress.set_lease_epoch(a.lease_epoch());
  progress.set_percent(40);
  progress.set_stage("rendering");
  v1::ReportProgressResponse progressed;
  grpc::ClientContext progress_ctx;
  AsWorker(progress_ctx);
  ASSERT_TRUE(workers_->ReportProgress(&progress_ctx, progress, &progressed).ok());
  const v1::GenerationJob midway = Get(alice, a.job_id());
  EXPECT_EQ(midway.progress_percent(), 40);
  EXPECT_EQ(midway.stage(), "rendering");

  v1::CompleteJobResponse completed;
  const grpc::Status done = UploadAndComplete(a, &completed);
  ASSERT_TRUE(done.ok()) << done.error_message();
  EXPECT_EQ(completed.status(), v1::JOB_STATUS_COMPLETED);
  const v1::GenerationJob finished = Get(alice, a.job_id());
  EXPECT_EQ(finished.status(), v1::JOB_STATUS_COMPLETED);
  EXPECT_EQ(finished.progress_percent(), 100);
  EXPECT_EQ(finished.outputs().video().sha256(), base::Sha256Hex(video_));
  EXPECT_EQ(finished.outputs().video().size_bytes(), static_cast<int64_t>(video_.size()));
  // The media filter's hash of each frame it sampled is kept on the job for
  // the feed, but not returned by the API.
  EXPECT_EQ(finished.outputs().frame_hashes_size(), 0);
  std::optional<generation_service::JobRecord> stored;
  ASSERT_TRUE(server_.generation()
                  .store()
                  .Transact(generation_service::TxMode::kReadOnly,
                            [&](generation_service::GenerationTx& tx) {
                              stored = tx.GetJob(a.job_id());
                              return absl::OkStatus();
                            })
                  .ok());
  ASSERT_TRUE(stored.has_value() && stored->outputs.has_value());
  const std::vector<media::FramePdq> sampled =
      media::PdqOfFrames(video_path_, {.interval_seconds = 1.0, .reference_frames_only = true}).value();
  ASSERT_EQ(stored->outputs->frame_hashes_size(), static_cast<int>(sampled.size()));
  EXPECT_EQ(stored->outputs->frame_hashes(0), moderation_service::PdqBytes(sampled.front().pdq.hash));

  // The download streams the stored bytes, with their digest on the last
  // chunk; a range resumes.
  v1::DownloadContentRequest download;
  download.set_job_id(a.job_id());
  grpc::ClientContext download_ctx;
  AsUser(download_ctx, alice);
  auto reader = jobs_->DownloadContent(&download_ctx, download);
  std::string received, digest;
  v1::DataChunk chunk;
  while (reader->Read(&chunk)) {
    EXPECT_EQ(chunk.offset(), static_cast<int64_t>(received.size()));
    received += chunk.data();
    if (chunk.final_chunk()) digest = chunk.sha256();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(received, video_);
  EXPECT_EQ(digest, base::Sha256Hex(video_));

  download.set_offset(100);
  download.set_length(50);
  grpc::ClientContext range_ctx;
  AsUser(range_ctx, alice);
  auto ranged = jobs_->DownloadContent(&range_ctx, download);
  received.clear();
  while (ranged->Read(&chunk)) received += chunk.data();
  ASSERT_TRUE(ranged->Finish().ok());
  EXPECT_EQ(received, video_.substr(100, 50));

  // Another user sees nothing of it.
  const std::string mallory = NewUser();
  v1::GetJobRequest get;
  get.set_job_id(a.job_id());
  v1::GenerationJob ignored;
  grpc::ClientContext other_ctx;
  AsUser(other_ctx, mallory);
  EXPECT_EQ(jobs_->GetJob(&other_ctx, get, &ignored).error_code(), StatusCode::NOT_FOUND);
  grpc::ClientContext stolen_ctx;
  AsUser(stolen_ctx, mallory);
  download.set_offset(0);
  download.set_length(0);
  auto stolen = jobs_->DownloadContent(&stolen_ctx, download);
  EXPECT_FALSE(stolen->Read(&chunk));
  EXPECT_EQ(stolen->Finish().error_code(), StatusCode::NOT_FOUND);

  // A signed URL serves the same bytes over HTTP, with Range; a tampered
  // one is refused.
  v1::GetSignedUrlRequest sign;
  sign.set_job_id(a.job_id());
  v1::SignedUrl url;
  grpc::ClientContext sign_ctx;
  AsUser(sign_ctx, alice);
  ASSERT_TRUE(jobs_->GetSignedUrl(&sign_ctx, sign, &url).ok());
  const auto [status, body] = HttpGet(url.url());
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, video_);
  const auto [partial, slice] = HttpGet(url.url(), "bytes=10-19");
  EXPECT_EQ(partial, 206);
  EXPECT_EQ(slice, video_.substr(10, 10));
  std::string forged = url.url();
  forged[forged.find("/media/") + 7] = forged[forged.find("/media/") + 7] == 'a' ? 'b' : 'a';
  EXPECT_EQ(HttpGet(forged).first, 403);
  grpc::ClientContext other_sign_ctx;
  AsUser(other_sign_ctx, NewUser());
  EXPECT_EQ(jobs_->GetSignedUrl(&other_sign_ctx, sign, &url).error_code(), StatusCode::NOT_FOUND);

  // The same spec with the same seed is that clip again, at once.
  v1::GenerationJob again;
  ASSERT_TRUE(Create(alice, "a neon city at night in the rain", &again, "", created.spec().seed()).ok());
  EXPECT_EQ(again.status(), v1::JOB_STATUS_COMPLETED);
  EXPECT_EQ(again.outputs().video().sha256(), finished.outputs().video().sha256());
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.jobs WHERE status = 4"), 2);
}

TEST_F(GenerationServiceTest, WatchJobStreamsEachChangeAndEndsAfterTheLast) {
  const std::string alice = NewUser();
  v1::GenerationJob created;
  ASSERT_TRUE(Create(alice, "snow falling on a quiet forest", &created).ok());
  v1::WatchJobRequest watch;
  watch.set_job_id(created.job_id());
  grpc::ClientContext watch_ctx;
  AsUser(watch_ctx, alice);
  auto stream = jobs_->WatchJob(&watch_ctx, watch);
  v1::WatchJobResponse update;
  ASSERT_TRUE(stream->Read(&update));
  EXPECT_EQ(update.job().status(), v1::JOB_STATUS_QUEUED);

  const v1::JobAssignment a = LeaseOk();
  v1::CompleteJobResponse completed;
  ASSERT_TRUE(UploadAndComplete(a, &completed).ok());
  std::vector<v1::JobStatus> seen;
  while (stream->Read(&update)) seen.push_back(update.job().status());
  EXPECT_TRUE(stream->Finish().ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), v1::JOB_STATUS_COMPLETED);
}

TEST_F(GenerationServiceTest, ALapsedLeaseIsRetriedAndTheOldWorkerIsFencedOut) {
  const std::string alice = NewUser();
  v1::GenerationJob created;
  ASSERT_TRUE(Create(alice, "stars over the water", &created).ok());
  const v1::JobAssignment first = LeaseOk();

  // The worker goes silent (as after kill -9): the sweeper puts the job
  // back in the queue once the 3 s lease lapses.
  const v1::GenerationJob requeued =
      AwaitJob(alice, created.job_id(), [](const v1::GenerationJob& j) { return j.status() == v1::JOB_STATUS_QUEUED; });
  ASSERT_EQ(requeued.status(), v1::JOB_STATUS_QUEUED);

  const v1::JobAssignment second = LeaseOk();
  EXPECT_EQ(second.job_id(), created.job_id());
  EXPECT_EQ(second.lease_epoch(), first.lease_epoch() + 1);
  EXPECT_EQ(second.attempt(), 2);

  // The first worker comes back: every call with its epoch is refused.
  v1::HeartbeatResponse beat;
  const grpc::Status stale = Heartbeat(first, &beat);
  EXPECT_EQ(stale.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(stale), "LEASE_LOST");
  v1::BlobRef blob;
  EXPECT_EQ(Upload(first, v1::CONTENT_VARIANT_THUMBNAIL, "image/jpeg", "late", &blob).error_code(),
            StatusCode::FAILED_PRECONDITION);
  v1::CompleteJobResponse completed;
  EXPECT_EQ(UploadAndComplete(first, &completed).error_code(), StatusCode::FAILED_PRECONDITION);

  // The second lapses too: with max_attempts 2 the job fails for good.
  const v1::GenerationJob failed =
      AwaitJob(alice, created.job_id(), [](const v1::GenerationJob& j) { return j.status() == v1::JOB_STATUS_FAILED; });
  ASSERT_EQ(failed.status(), v1::JOB_STATUS_FAILED);
  EXPECT_EQ(failed.failure().code(), v1::GENERATION_FAILURE_CODE_ATTEMPTS_EXHAUSTED);
}

TEST_F(GenerationServiceTest, CancelDuringRenderTellsTheWorkerAndRefusesItsCompletion) {
  const std::string alice = NewUser();
  v1::GenerationJob created;
  ASSERT_TRUE(Create(alice, "a red sunset over the city", &created).ok());
  const v1::JobAssignment a = LeaseOk();

  v1::CancelJobRequest cancel;
  cancel.set_request_id(ids_.Next());
  cancel.set_job_id(a.job_id());
  v1::GenerationJob cancelled;
  grpc::ClientContext cancel_ctx;
  AsUser(cancel_ctx, alice);
  ASSERT_TRUE(jobs_->CancelJob(&cancel_ctx, cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.status(), v1::JOB_STATUS_CANCELLED);

  v1::HeartbeatResponse beat;
  ASSERT_TRUE(Heartbeat(a, &beat).ok());
  EXPECT_TRUE(beat.cancel_requested());
  v1::CompleteJobResponse completed;
  const grpc::Status late = UploadAndComplete(a, &completed);
  EXPECT_EQ(ReasonOf(late), "LEASE_LOST");
  EXPECT_EQ(Get(alice, a.job_id()).status(), v1::JOB_STATUS_CANCELLED);

  // A finished job cannot be cancelled; it can be deleted.
  v1::DeleteJobRequest remove;
  remove.set_request_id(ids_.Next());
  remove.set_job_id(a.job_id());
  google::protobuf::Empty empty;
  grpc::ClientContext delete_ctx;
  AsUser(delete_ctx, alice);
  ASSERT_TRUE(jobs_->DeleteJob(&delete_ctx, remove, &empty).ok());
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.jobs WHERE job_id = '" + a.job_id() + "'"), 0);
}

TEST_F(GenerationServiceTest, BlockedPromptsAreRefusedWithTheirCategories) {
  // An admin adds a keyword rule; it is live when CreateRule answers.
  auto moderation = server_.NewStub();
  v1::CreateRuleRequest rule;
  rule.set_request_id(ids_.Next());
  rule.mutable_rule()->set_kind(v1::RULE_KIND_KEYWORD);
  rule.mutable_rule()->set_pattern("forbiddenword");
  rule.mutable_rule()->set_category(v1::MODERATION_CATEGORY_VIOLENCE);
  rule.mutable_rule()->set_decision(v1::MODERATION_DECISION_BLOCK);
  rule.mutable_rule()->set_enabled(true);
  v1::Rule created_rule;
  grpc::ClientContext rule_ctx;
  AsUser(rule_ctx, server_.Token(base::RoleSet{base::Role::kUser, base::Role::kAdmin}));
  ASSERT_TRUE(moderation->CreateRule(&rule_ctx, rule, &created_rule).ok());

  v1::GenerationJob job;
  const grpc::Status blocked = Create(NewUser(), "a forbiddenword scene", &job);
  EXPECT_EQ(blocked.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(blocked), "PROMPT_BLOCKED");
  EXPECT_NE(blocked.error_message().find("VIOLENCE"), std::string::npos) << blocked.error_message();
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.jobs"), 0);
}

TEST_F(GenerationServiceTest, APromptHeldForReviewRunsOnceAModeratorClearsIt) {
  auto moderation = server_.NewStub();
  v1::CreateRuleRequest rule;
  rule.set_request_id(ids_.Next());
  rule.mutable_rule()->set_kind(v1::RULE_KIND_KEYWORD);
  rule.mutable_rule()->set_pattern("borderline");
  rule.mutable_rule()->set_category(v1::MODERATION_CATEGORY_SPAM);
  rule.mutable_rule()->set_decision(v1::MODERATION_DECISION_REVIEW);
  rule.mutable_rule()->set_enabled(true);
  v1::Rule created_rule;
  grpc::ClientContext rule_ctx;
  AsUser(rule_ctx, server_.Token(base::RoleSet{base::Role::kUser, base::Role::kAdmin}));
  ASSERT_TRUE(moderation->CreateRule(&rule_ctx, rule, &created_rule).ok());

  const std::string alice = NewUser();
  v1::GenerationJob cleared, rejected;
  ASSERT_TRUE(Create(alice, "a borderline scene", &cleared).ok());
  ASSERT_TRUE(Create(alice, "another borderline scene", &rejected).ok());
  EXPECT_EQ(cleared.status(), v1::JOB_STATUS_PENDING_REVIEW);
  EXPECT_EQ(rejected.status(), v1::JOB_STATUS_PENDING_REVIEW);
  v1::LeaseJobResponse nothing;
  ASSERT_TRUE(Lease(&nothing).ok());
  EXPECT_FALSE(nothing.has_assignment());

  // A moderator clears one prompt and removes the other.
  const std::string moderator = server_.Token(base::RoleSet{base::Role::kUser, base::Role::kModerator});
  for (int i = 0; i < 2; ++i) {
    v1::ClaimNextCaseRequest claim;
    claim.set_request_id(ids_.Next());
    v1::ClaimNextCaseResponse claimed;
    grpc::ClientContext claim_ctx;
    AsUser(claim_ctx, moderator);
    ASSERT_TRUE(moderation->ClaimNextCase(&claim_ctx, claim, &claimed).ok());
    ASSERT_TRUE(claimed.has_review_case());
    EXPECT_EQ(claimed.review_case().target().kind(), v1::CONTENT_KIND_GENERATION_JOB);
    const bool clear = claimed.review_case().target().id() == cleared.job_id();
    v1::DecideCaseRequest decide;
    decide.set_request_id(ids_.Next());
    decide.set_case_id(claimed.claim().case_id());
    decide.set_claim_id(claimed.claim().claim_id());
    decide.set_action(clear ? v1::MODERATION_ACTION_NO_ACTION : v1::MODERATION_ACTION_REMOVE);
    decide.add_categories(v1::MODERATION_CATEGORY_SPAM);
    decide.mutable_statement()->set_ground(v1::DECISION_GROUND_TERMS_OF_SERVICE);
    decide.mutable_statement()->set_ground_reference("Community guidelines 3.1");
    decide.mutable_statement()->set_facts("The prompt asks for a scene the guidelines allow or forbid.");
    decide.mutable_statement()->mutable_automation()->set_automated_detection(true);
    decide.mutable_statement()->add_redress(v1::REDRESS_OPTION_INTERNAL_APPEAL);
    v1::Decision decision;
    grpc::ClientContext decide_ctx;
    AsUser(decide_ctx, moderator);
    const grpc::Status decided = moderation->DecideCase(&decide_ctx, decide, &decision);
    ASSERT_TRUE(decided.ok()) << decided.error_message();
  }
  // The decisions travel as events (the relay publishes them) to the
  // generation service's consumer.
  server_.PublishEvents();
  const v1::GenerationJob queued =
      AwaitJob(alice, cleared.job_id(), [](const v1::GenerationJob& j) { return j.status() == v1::JOB_STATUS_QUEUED; });
  EXPECT_EQ(queued.status(), v1::JOB_STATUS_QUEUED);
  const v1::GenerationJob failed =
      AwaitJob(alice, rejected.job_id(), [](const v1::GenerationJob& j) { return j.status() == v1::JOB_STATUS_FAILED; });
  EXPECT_EQ(failed.failure().code(), v1::GENERATION_FAILURE_CODE_PROMPT_REJECTED);
  EXPECT_EQ(LeaseOk().job_id(), cleared.job_id());
}

TEST_F(GenerationServiceTest, UploadsAreCheckedByTheirContentBeforeTheyAreStored) {
  const std::string wav = MadeFile([](const std::string& path) { return test_media::WriteSineWav(path, 1.0); });
  const std::string alice = NewUser();
  const auto upload = [&](const std::string& type, const std::string& bytes, v1::UploadMediaResponse* out,
                          const std::string& sha = "", const std::string& token = "") {
    return UploadMedia(token, v1::UPLOAD_KIND_SOUNDTRACK, type, bytes, out, sha);
  };
  v1::UploadMediaResponse stored;
  const grpc::Status ok = upload("audio/wav", wav, &stored, base::Sha256Hex(wav), alice);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(stored.blob().sha256(), base::Sha256Hex(wav));
  EXPECT_EQ(stored.kind(), v1::UPLOAD_KIND_SOUNDTRACK);
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.uploads"), 1);

  // Bytes that are not audio, whatever they claim, never enter the store.
  const std::string junk(4096, 'x');
  v1::UploadMediaResponse refused;
  const grpc::Status not_audio = upload("audio/wav", junk, &refused, "", alice);
  EXPECT_EQ(not_audio.error_code(), StatusCode::INVALID_ARGUMENT) << not_audio.error_message();
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.uploads"), 1);
  std::error_code missing;
  EXPECT_FALSE(std::filesystem::exists(server_.blob_dir() + "/" + base::Sha256Hex(junk).substr(0, 2) + "/" +
                                       base::Sha256Hex(junk), missing));
  // A WAV declared as MP3, a wrong digest, a size over the kind's cap, no
  // token: each refused.
  EXPECT_EQ(upload("audio/mpeg", wav, &refused, "", alice).error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(upload("audio/wav", wav, &refused, std::string(64, 'a'), alice).error_code(), StatusCode::DATA_LOSS);
  EXPECT_EQ(upload("image/png", wav, &refused, "", alice).error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(upload("audio/wav", wav, &refused).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(GenerationServiceTest, AUserKeepsAtMostTheirUploadQuota) {
  const std::string alice = NewUser();
  std::vector<std::string> wavs;
  for (const double seconds : {1.0, 1.5, 2.0, 2.5}) {
    wavs.push_back(MadeFile([&](const std::string& path) { return test_media::WriteSineWav(path, seconds); }));
  }
  v1::UploadMediaResponse stored;
  for (int i = 0; i < 3; ++i) {
    const grpc::Status ok = UploadMedia(alice, v1::UPLOAD_KIND_SOUNDTRACK, "audio/wav", wavs[i], &stored);
    ASSERT_TRUE(ok.ok()) << ok.error_message();
  }
  // The fourth is refused before its bytes are taken, saying the limit and
  // when room frees up; nothing of it is stored.
  const grpc::Status full = UploadMedia(alice, v1::UPLOAD_KIND_SOUNDTRACK, "audio/wav", wavs[3], &stored);
  EXPECT_EQ(full.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(full.error_message().find("uploads: 3 may be kept at once"), std::string::npos) << full.error_message();
  EXPECT_NE(full.error_message().find("room frees up at"), std::string::npos) << full.error_message();
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.uploads"), 3);
  EXPECT_FALSE(std::filesystem::exists(server_.blob_dir() + "/" + base::Sha256Hex(wavs[3]).substr(0, 2) + "/" +
                                       base::Sha256Hex(wavs[3])));
  // Uploading bytes already held only refreshes them; another user has room.
  const grpc::Status again = UploadMedia(alice, v1::UPLOAD_KIND_SOUNDTRACK, "audio/wav", wavs[0], &stored);
  EXPECT_TRUE(again.ok()) << again.error_message();
  const grpc::Status bobs = UploadMedia(NewUser(), v1::UPLOAD_KIND_SOUNDTRACK, "audio/wav", wavs[3], &stored);
  EXPECT_TRUE(bobs.ok()) << bobs.error_message();
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.uploads"), 4);
}

TEST_F(GenerationServiceTest, AJobsUploadsReachItsWorkerAndNoOneElse) {
  const std::string wav = MadeFile([](const std::string& path) { return test_media::WriteSineWav(path, 1.0); });
  const std::string png = MadeFile([](const std::string& path) {
    return test_media::WriteRgbaPng(path, 48, 48, test_media::SolidRgba(48, 48, 250, 200, 0, 255));
  });
  const std::string alice = NewUser(), bob = NewUser();
  v1::UploadMediaResponse song, sticker;
  ASSERT_TRUE(UploadMedia(alice, v1::UPLOAD_KIND_SOUNDTRACK, "audio/wav", wav, &song).ok());
  ASSERT_TRUE(UploadMedia(alice, v1::UPLOAD_KIND_STICKER, "image/png", png, &sticker).ok());
  const auto create = [&](const std::string& token, v1::GenerationJob* out) {
    v1::CreateJobRequest request;
    request.set_request_id(ids_.Next());
    request.mutable_spec()->set_prompt("a lantern festival over a river");
    request.mutable_spec()->add_effects()->mutable_sticker()->mutable_image()->set_sha256(sticker.blob().sha256());
    request.mutable_spec()->mutable_soundtrack()->set_sha256(song.blob().sha256());
    grpc::ClientContext ctx;
    AsUser(ctx, token);
    return jobs_->CreateJob(&ctx, request, out);
  };

  // Bob knows the hashes but owns neither upload.
  v1::GenerationJob job;
  const grpc::Status foreign = create(bob, &job);
  EXPECT_EQ(foreign.error_code(), StatusCode::NOT_FOUND) << foreign.error_message();
  EXPECT_NE(foreign.error_message().find("spec.soundtrack"), std::string::npos) << foreign.error_message();
  const grpc::Status created = create(alice, &job);
  ASSERT_TRUE(created.ok()) << created.error_message();
  EXPECT_EQ(job.spec().soundtrack().content_type(), "audio/wav");
  EXPECT_EQ(job.spec().effects(0).sticker().image().content_type(), "image/png");
  EXPECT_EQ(job.spec().effects(0).sticker().image().size_bytes(), static_cast<int64_t>(png.size()));

  // A worker that announces no sticker or no soundtrack support is not
  // given the job.
  v1::LeaseJobResponse none;
  ASSERT_TRUE(Lease(&none, "", {"text", "color_grade", "soundtrack"}).ok());
  EXPECT_FALSE(none.has_assignment());
  ASSERT_TRUE(Lease(&none, "", {"text", "sticker"}).ok());
  EXPECT_FALSE(none.has_assignment());
  v1::LeaseJobResponse leased;
  ASSERT_TRUE(Lease(&leased, "", {"sticker", "soundtrack"}).ok());
  ASSERT_TRUE(leased.has_assignment());
  const v1::JobAssignment& a = leased.assignment();
  EXPECT_EQ(a.job_id(), job.job_id());
  ASSERT_EQ(a.inputs_size(), 2);
  EXPECT_EQ(a.inputs(0).sha256(), song.blob().sha256());
  EXPECT_EQ(a.inputs(1).sha256(), sticker.blob().sha256());

  // The lease reads its inputs, from any offset; nothing else of the store.
  std::string bytes;
  ASSERT_TRUE(DownloadInput(a, song.blob().sha256(), &bytes).ok());
  EXPECT_EQ(bytes, wav);
  ASSERT_TRUE(DownloadInput(a, sticker.blob().sha256(), &bytes, 10).ok());
  EXPECT_EQ(bytes, png.substr(10));
  const std::string bobs_png = MadeFile([](const std::string& path) {
    return test_media::WriteRgbaPng(path, 40, 40, test_media::SolidRgba(40, 40, 0, 0, 255, 255));
  });
  v1::UploadMediaResponse bobs;
  ASSERT_TRUE(UploadMedia(bob, v1::UPLOAD_KIND_STICKER, "image/png", bobs_png, &bobs).ok());
  const grpc::Status other = DownloadInput(a, bobs.blob().sha256(), &bytes);
  EXPECT_EQ(other.error_code(), StatusCode::NOT_FOUND) << other.error_message();
  EXPECT_EQ(DownloadInput(a, "../../etc/passwd", &bytes).error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(DownloadInput(a, song.blob().sha256(), &bytes, 0, a.lease_epoch() + 1).error_code(), StatusCode::OK);
}

TEST_F(GenerationServiceTest, AStickerTheMediaFilterBlocksIsRefusedAndNotKept) {
  // A textured picture (PDQ needs detail to be confident), and a bank that
  // blocks it.
  test_media::Rgba pixels(64 * 64 * 4);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) {
      uint8_t* p = &pixels[static_cast<size_t>((y * 64 + x) * 4)];
      p[0] = static_cast<uint8_t>((x * 37 + y * 11) % 256);
      p[1] = static_cast<uint8_t>(((x / 8 + y / 8) % 2) * 255);
      p[2] = static_cast<uint8_t>((x * y) % 256);
      p[3] = 255;
    }
  }
  const std::string png = MadeFile([&](const std::string& path) {
    return test_media::WriteRgbaPng(path, 64, 64, pixels);
  });
  const std::string png_path = video_path_ + ".bank.png";
  { std::ofstream(png_path, std::ios::binary) << png; }
  absl::StatusOr<std::vector<media::FramePdq>> hashed = media::PdqOfFrames(png_path, {});
  std::filesystem::remove(png_path);
  ASSERT_TRUE(hashed.ok() && !hashed->empty()) << hashed.status();
  ASSERT_GE(hashed->front().pdq.quality, moderation_service::kMinMatchQuality);

  // Bob uploads it before the bank knows it.
  const std::string bob = NewUser();
  v1::UploadMediaResponse early;
  ASSERT_TRUE(UploadMedia(bob, v1::UPLOAD_KIND_STICKER, "image/png", png, &early).ok());
  ASSERT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.uploads"), 1);

  const std::string admin = server_.Token(base::RoleSet{base::Role::kUser, base::Role::kAdmin});
  auto moderation = server_.NewStub();
  v1::CreateHashBankRequest create;
  create.set_request_id(ids_.Next());
  create.mutable_bank()->set_name("known-material");
  create.mutable_bank()->set_category(v1::MODERATION_CATEGORY_CHILD_SAFETY);
  create.mutable_bank()->set_decision(v1::MODERATION_DECISION_BLOCK);
  create.mutable_bank()->set_hash_type(v1::HASH_TYPE_PDQ);
  create.mutable_bank()->set_max_distance(31);
  create.mutable_bank()->set_enabled(true);
  v1::HashBank bank;
  {
    grpc::ClientContext ctx;
    AsUser(ctx, admin);
    ASSERT_TRUE(moderation->CreateHashBank(&ctx, create, &bank).ok());
  }
  v1::ImportHashesRequest import;
  import.set_request_id(ids_.Next());
  import.set_bank_id(bank.bank_id());
  import.add_entries()->set_hash(moderation_service::PdqBytes(hashed->front().pdq.hash));
  v1::ImportHashesResponse imported;
  {
    grpc::ClientContext ctx;
    AsUser(ctx, admin);
    ASSERT_TRUE(moderation->ImportHashes(&ctx, import, &imported).ok());
  }
  ASSERT_TRUE(server_.component().bank_reloader().Refresh().ok());

  const std::string alice = NewUser();
  v1::UploadMediaResponse refused;
  const grpc::Status blocked = UploadMedia(alice, v1::UPLOAD_KIND_STICKER, "image/png", png, &refused);
  EXPECT_EQ(blocked.error_code(), StatusCode::FAILED_PRECONDITION) << blocked.error_message();
  EXPECT_EQ(ReasonOf(blocked), "UPLOAD_BLOCKED");
  EXPECT_NE(blocked.error_message().find("CHILD_SAFETY"), std::string::npos) << blocked.error_message();
  // Not recorded, not stored (Bob's earlier upload of it is gone too), and a
  // moderator has a case about the uploader.
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.uploads"), 0);
  EXPECT_FALSE(std::filesystem::exists(server_.blob_dir() + "/" + base::Sha256Hex(png).substr(0, 2) + "/" +
                                       base::Sha256Hex(png)));
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM moderation.cases WHERE source = 2"), 1);

  // A picture the bank does not hold goes through.
  const std::string other = MadeFile([](const std::string& path) {
    return test_media::WriteRgbaPng(path, 32, 32, test_media::SolidRgba(32, 32, 10, 200, 10, 255));
  });
  v1::UploadMediaResponse stored;
  EXPECT_TRUE(UploadMedia(alice, v1::UPLOAD_KIND_STICKER, "image/png", other, &stored).ok());
}

TEST_F(GenerationServiceTest, AnApiKeyActsAsItsUserOnGenerationOnly) {
  const std::string alice = NewUser();
  v1::CreateApiKeyRequest create;
  create.set_request_id(ids_.Next());
  create.set_name("my app");
  create.set_daily_seconds(600);
  v1::CreateApiKeyResponse created;
  {
    grpc::ClientContext ctx;
    AsUser(ctx, alice);
    const grpc::Status status = jobs_->CreateApiKey(&ctx, create, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  const std::string key = created.key();
  ASSERT_EQ(key.rfind("cfk_" + created.api_key().key_id() + "_", 0), 0u) << key;
  EXPECT_EQ(created.api_key().prefix(), "cfk_" + created.api_key().key_id());
  // Only the hash is stored.
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.api_keys WHERE length(secret_sha256) = 32"), 1);

  // The key is a bearer token for the generation API: a job, as Alice.
  v1::GenerationJob job;
  ASSERT_TRUE(Create(key, "a paper crane in the wind", &job).ok());
  EXPECT_EQ(Get(alice, job.job_id()).job_id(), job.job_id());
  EXPECT_EQ(Get(key, job.job_id()).job_id(), job.job_id());
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM generation.jobs WHERE api_key_id IS NOT NULL"), 1);

  // It cannot manage keys, and no other service takes it.
  {
    grpc::ClientContext ctx;
    AsUser(ctx, key);
    v1::CreateApiKeyResponse second;
    create.set_request_id(ids_.Next());
    EXPECT_EQ(jobs_->CreateApiKey(&ctx, create, &second).error_code(), StatusCode::PERMISSION_DENIED);
  }
  {
    auto moderation = server_.NewStub();
    grpc::ClientContext ctx;
    AsUser(ctx, key);
    v1::CheckPromptRequest check;
    check.set_text("hello");
    v1::CheckPromptResponse verdict;
    EXPECT_EQ(moderation->CheckPrompt(&ctx, check, &verdict).error_code(), StatusCode::UNAUTHENTICATED);
  }

  // Listed (with its last use), then revoked: refused at once.
  v1::ListApiKeysResponse listed;
  {
    grpc::ClientContext ctx;
    AsUser(ctx, alice);
    ASSERT_TRUE(jobs_->ListApiKeys(&ctx, v1::ListApiKeysRequest(), &listed).ok());
  }
  ASSERT_EQ(listed.api_keys_size(), 1);
  EXPECT_EQ(listed.api_keys(0).name(), "my app");
  EXPECT_TRUE(listed.api_keys(0).has_last_use_time());
  v1::RevokeApiKeyRequest revoke;
  revoke.set_request_id(ids_.Next());
  revoke.set_key_id(created.api_key().key_id());
  v1::ApiKey revoked;
  {
    grpc::ClientContext ctx;
    AsUser(ctx, alice);
    ASSERT_TRUE(jobs_->RevokeApiKey(&ctx, revoke, &revoked).ok());
  }
  EXPECT_TRUE(revoked.has_revoke_time());
  EXPECT_EQ(Create(key, "after the revoke", &job).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(GenerationServiceTest, QuotasRetriesAndBadInput) {
  const std::string alice = NewUser();
  v1::GenerationJob first, replay, second, third;
  const std::string request_id = ids_.Next();
  ASSERT_TRUE(Create(alice, "rain on a window", &first, request_id).ok());
  // A retry replays the first job; the same id for another prompt conflicts.
  ASSERT_TRUE(Create(alice, "rain on a window", &replay, request_id).ok());
  EXPECT_EQ(replay.job_id(), first.job_id());
  EXPECT_EQ(Create(alice, "something else", &replay, request_id).error_code(), StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(Create(alice, "waves at dawn", &second).ok());
  // The free tier runs two jobs at once.
  const grpc::Status over = Create(alice, "a third one", &third);
  EXPECT_EQ(over.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(over), "QUOTA_EXCEEDED");

  v1::CreateJobRequest bad;
  bad.set_request_id(ids_.Next());
  bad.mutable_spec()->set_prompt("fine");
  bad.mutable_spec()->set_size("640x480");
  grpc::ClientContext bad_ctx;
  AsUser(bad_ctx, NewUser());
  const grpc::Status refused = jobs_->CreateJob(&bad_ctx, bad, &third);
  EXPECT_EQ(refused.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("spec.size"), std::string::npos);

  bad.mutable_spec()->set_size("");
  bad.mutable_spec()->set_seconds(60);
  grpc::ClientContext long_ctx;
  AsUser(long_ctx, NewUser());
  const grpc::Status too_long = jobs_->CreateJob(&long_ctx, bad, &third);
  EXPECT_EQ(too_long.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(too_long), "LIMIT_EXCEEDED");
}

TEST_F(GenerationServiceTest, WorkersNeedAWorkerCredential) {
  v1::LeaseJobRequest request;
  request.set_request_id(ids_.Next());
  request.set_worker_instance("intruder");
  request.mutable_capabilities()->add_renderers("procedural-1");
  v1::LeaseJobResponse response;
  grpc::ClientContext user_ctx;
  AsUser(user_ctx, NewUser());
  EXPECT_EQ(workers_->LeaseJob(&user_ctx, request, &response).error_code(), StatusCode::UNAUTHENTICATED);
  grpc::ClientContext forged_ctx;
  // A well-formed credential with the right id and a wrong secret.
  forged_ctx.AddMetadata("authorization", "Worker " + credential_.substr(0, credential_.size() - 4) + "AAAA");
  EXPECT_EQ(workers_->LeaseJob(&forged_ctx, request, &response).error_code(), StatusCode::UNAUTHENTICATED);
  // A user's token does not pass for a worker's either way round.
  v1::GetJobRequest get;
  get.set_job_id(ids_.Next());
  v1::GenerationJob job;
  grpc::ClientContext worker_as_user;
  AsWorker(worker_as_user);
  EXPECT_EQ(jobs_->GetJob(&worker_as_user, get, &job).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(GenerationServiceTest, AOneJobUserIsNotStuckBehindAThousandJobUser) {
  // Alice (pro, so her quota allows 8 at once) queues 8 jobs; Bob (free)
  // queues one after all of hers. A pro job weighs 4 free ones, so Bob
  // waits for at most 4 of hers, not all 8.
  const std::string alice_id = ids_.Next();
  const std::string alice = server_.Token(base::RoleSet{base::Role::kUser}, alice_id);
  ASSERT_TRUE(server_.generation()
                  .store()
                  .Transact(generation_service::TxMode::kReadWrite,
                            [&](generation_service::GenerationTx& tx) {
                              tx.SetUserTier(alice_id, v1::TIER_PRO);
                              return absl::OkStatus();
                            })
                  .ok());
  for (int i = 0; i < 8; ++i) {
    v1::GenerationJob job;
    ASSERT_TRUE(Create(alice, "alice clip " + std::to_string(i), &job).ok());
  }
  v1::GenerationJob bobs;
  ASSERT_TRUE(Create(NewUser(), "bob's only clip", &bobs).ok());
  EXPECT_LE(bobs.queue_position(), 4);
  int dispatched_before_bob = 0;
  while (LeaseOk().job_id() != bobs.job_id() && dispatched_before_bob < 9) ++dispatched_before_bob;
  EXPECT_LE(dispatched_before_bob, 4);
  EXPECT_EQ(dispatched_before_bob, bobs.queue_position());
  // A retried LeaseJob gets its own lease back, not another job (Alice's
  // remaining jobs are still queued).
  v1::LeaseJobResponse r1, r2;
  const std::string lease_request = ids_.Next();
  ASSERT_TRUE(Lease(&r1, lease_request).ok());
  ASSERT_TRUE(Lease(&r2, lease_request).ok());
  EXPECT_EQ(r1.assignment().job_id(), r2.assignment().job_id());
  EXPECT_EQ(r1.assignment().lease_epoch(), r2.assignment().lease_epoch());
}

}  // namespace
}  // namespace clipforge::testing
