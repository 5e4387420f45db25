// generate, jobs, job, cancel and download end to end against an
// in-process fake GenerationService on a free port: the request sent, the
// progress printed without a terminal, the reconnect after a broken watch,
// the verified download, and flag mistakes caught before any call.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "base/sha256.h"
#include "base/validation.h"
#include "cli/credentials.h"
#include "cli/errors.h"
#include "cli/test_util.h"
#include "clipforge/v1/generation.grpc.pb.h"

namespace clipforge::cli {
namespace {

constexpr char kGenerationAccessToken[] = "AT-alice";

grpc::Status GenerationUnauthenticated() { return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no token"); }

// Plays a scripted job: CreateJob answers with `created_status`, WatchJob
// sends `watch_states` (after breaking the first `broken_watches` streams
// once they sent their first state), DownloadContent serves `video` in
// three chunks. Keeps every request for the tests to inspect.
class FakeGeneration final : public v1::GenerationService::Service {
 public:
  absl::Mutex mu;
  v1::JobStatus created_status ABSL_GUARDED_BY(mu) = v1::JOB_STATUS_QUEUED;
  std::vector<v1::GenerationJob> watch_states ABSL_GUARDED_BY(mu);
  int broken_watches ABSL_GUARDED_BY(mu) = 0;
  // Binary, NULs included.
  std::string video ABSL_GUARDED_BY(mu) = std::string(3, '\0') + " ftypisom fake video bytes that span chunks";
  bool corrupt_sha ABSL_GUARDED_BY(mu) = false;
  int total_jobs ABSL_GUARDED_BY(mu) = 0;  // for ListJobs, served at most 10 a page

  int create_calls ABSL_GUARDED_BY(mu) = 0;
  int watch_calls ABSL_GUARDED_BY(mu) = 0;
  int upload_calls ABSL_GUARDED_BY(mu) = 0;
  std::vector<v1::CreateJobRequest> creates ABSL_GUARDED_BY(mu);
  std::vector<v1::DownloadContentRequest> downloads ABSL_GUARDED_BY(mu);
  std::vector<v1::ListJobsRequest> lists ABSL_GUARDED_BY(mu);
  std::vector<v1::CancelJobRequest> cancels ABSL_GUARDED_BY(mu);
  std::vector<v1::GetSignedUrlRequest> url_requests ABSL_GUARDED_BY(mu);
  v1::UploadHeader upload_header ABSL_GUARDED_BY(mu);
  std::vector<size_t> upload_chunk_sizes ABSL_GUARDED_BY(mu);
  std::string uploaded ABSL_GUARDED_BY(mu);

  int Calls() {
    absl::MutexLock lock(&mu);
    return create_calls + watch_calls + upload_calls + static_cast<int>(downloads.size() + lists.size() +
                                                                        cancels.size() + url_requests.size());
  }

  static bool SignedIn(grpc::ServerContext* ctx) {
    const auto& md = ctx->client_metadata();
    const auto auth = md.find("authorization");
    return auth != md.end() &&
           std::string(auth->second.data(), auth->second.size()) == absl::StrCat("Bearer ", kGenerationAccessToken);
  }

  // QUEUED -> IN_PROGRESS 50% rendering -> COMPLETED, with the video's hash.
  void ScriptSuccess() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    watch_states = {Job(v1::JOB_STATUS_QUEUED), Job(v1::JOB_STATUS_IN_PROGRESS, 50, "rendering"),
                    Job(v1::JOB_STATUS_COMPLETED, 100)};
  }

  v1::GenerationJob Job(v1::JobStatus status, int percent = 0, std::string stage = "")
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    v1::GenerationJob job;
    job.set_job_id("job-1");
    job.set_status(status);
    job.set_progress_percent(percent);
    job.set_stage(std::move(stage));
    job.mutable_spec()->set_prompt("a red fox");
    job.mutable_spec()->set_seed(42);
    job.mutable_create_time()->set_seconds(1714564800);
    if (status == v1::JOB_STATUS_COMPLETED) {
      v1::BlobRef& blob = *job.mutable_outputs()->mutable_video();
      blob.set_sha256(base::Sha256Hex(video));
      blob.set_content_type("video/mp4");
      blob.set_size_bytes(static_cast<int64_t>(video.size()));
    }
    return job;
  }

  grpc::Status CreateJob(grpc::ServerContext* ctx, const v1::CreateJobRequest* req,
                         v1::GenerationJob* resp) override {
    if (!SignedIn(ctx)) return GenerationUnauthenticated();
    absl::MutexLock lock(&mu);
    ++create_calls;
    creates.push_back(*req);
    *resp = Job(created_status);
    *resp->mutable_spec() = req->spec();
    if (!req->spec().has_seed()) resp->mutable_spec()->set_seed(42);
    return grpc::Status::OK;
  }

  grpc::Status WatchJob(grpc::ServerContext* ctx, const v1::WatchJobRequest* req,
                        grpc::ServerWriter<v1::WatchJobResponse>* writer) override {
    if (!SignedIn(ctx)) return GenerationUnauthenticated();
    std::vector<v1::GenerationJob> states;
    bool break_it = false;
    {
      absl::MutexLock lock(&mu);
      ++watch_calls;
      if (req->job_id() != "job-1") return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such job");
      states = watch_states;
      break_it = broken_watches > 0;
      if (break_it) --broken_watches;
    }
    for (const v1::GenerationJob& state : states) {
      v1::WatchJobResponse message;
      *message.mutable_job() = state;
      writer->Write(message);
      if (break_it) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is restarting");
    }
    return grpc::Status::OK;
  }

  grpc::Status DownloadContent(grpc::ServerContext* ctx, const v1::DownloadContentRequest* req,
                               grpc::ServerWriter<v1::DataChunk>* writer) override {
    if (!SignedIn(ctx)) return GenerationUnauthenticated();
    std::string data;
    bool corrupt;
    {
      absl::MutexLock lock(&mu);
      downloads.push_back(*req);
      data = video;
      corrupt = corrupt_sha;
    }
    const size_t part = data.size() / 3 + 1;
    for (size_t at = 0; at < data.size(); at += part) {
      v1::DataChunk chunk;
      chunk.set_data(data.substr(at, part));
      chunk.set_offset(static_cast<int64_t>(at));
      chunk.set_content_type("video/mp4");
      if (at + part >= data.size()) {
        chunk.set_final_chunk(true);
        chunk.set_total_bytes(static_cast<int64_t>(data.size()));
        chunk.set_sha256(corrupt ? std::string(64, '0') : base::Sha256Hex(data));
      }
      writer->Write(chunk);
    }
    return grpc::Status::OK;
  }

  grpc::Status ListJobs(grpc::ServerContext* ctx, const v1::ListJobsRequest* req,
                        v1::ListJobsResponse* resp) override {
    if (!SignedIn(ctx)) return GenerationUnauthenticated();
    absl::MutexLock lock(&mu);
    lists.push_back(*req);
    const int start = req->page_token().empty() ? 0 : std::stoi(req->page_token());
    const int size = std::min(req->page_size() == 0 ? 20 : req->page_size(), 10);
    for (int i = start; i < total_jobs && i < start + size; ++i) {
      v1::GenerationJob& job = *resp->add_jobs();
      job = Job(i == 0 ? v1::JOB_STATUS_IN_PROGRESS : v1::JOB_STATUS_QUEUED, i == 0 ? 30 : 0);
      job.set_job_id(absl::StrCat("job-", i + 1));
      job.mutable_spec()->set_seconds(i == 0 ? 8 : 0);
    }
    if (start + size < total_jobs) resp->set_next_page_token(std::to_string(start + size));
    return grpc::Status::OK;
  }

  grpc::Status GetJob(grpc::ServerContext* ctx, const v1::GetJobRequest* req, v1::GenerationJob* resp) override {
    if (!SignedIn(ctx)) return GenerationUnauthenticated();
    if (req->job_id() != "job-1") return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such job");
    absl::MutexLock lock(&mu);
    *resp = Job(v1::JOB_STATUS_COMPLETED, 100);
    v1::JobSpec& spec = *resp->mutable_spec();
    spec.set_seconds(8);
    spec.set_size("1280x720");
    spec.set_quality(v1::GENERATION_QUALITY_FULL);
    spec.add_effects()->mutable_text()->set_text("HELLO");
    spec.add_effects()->mutable_color_grade()->set_preset(v1::COLOR_GRADE_PRESET_WARM);
    spec.add_effects()->mutable_speed()->set_factor(2.0F);
    resp->mutable_outputs()->set_width(1280);
    resp->mutable_outputs()->set_height(720);
    resp->mutable_outputs()->mutable_duration()->set_seconds(4);
    resp->mutable_outputs()->set_renderer("procedural-1/1.0.3");
    resp->set_tier(v1::TIER_PLUS);
    return grpc::Status::OK;
  }

  grpc::Status CancelJob(grpc::ServerContext* ctx, const v1::CancelJobRequest* req,
                         v1::GenerationJob* resp) override {
    if (!SignedIn(ctx)) return GenerationUnauthenticated();
    absl::MutexLock lock(&mu);
    cancels.push_back(*req);
    *resp = Job(v1::JOB_STATUS_CANCELLED);
    resp->set_job_id(req->job_id());
    return grpc::Status::OK;
  }

  grpc::Status GetSignedUrl(grpc::ServerContext* ctx, const v1::GetSignedUrlRequest* req,
                            v1::SignedUrl* resp) override {
    if (!SignedIn(ctx)) return GenerationUnauthenticated();
    absl::MutexLock lock(&mu);
    url_requests.push_back(*req);
    resp->set_url("https://media.example/job-1.mp4?sig=abc");
    resp->mutable_expire_time()->set_seconds(1714568400);
    return grpc::Status::OK;
  }

  grpc::Status UploadMedia(grpc::ServerContext* ctx, grpc::ServerReader<v1::UploadMediaRequest>* reader,
                           v1::UploadMediaResponse* resp) override {
    if (!SignedIn(ctx)) return GenerationUnauthenticated();
    v1::UploadMediaRequest message;
    v1::UploadHeader header;
    std::string data;
    std::vector<size_t> sizes;
    while (reader->Read(&message)) {
      if (message.has_header()) {
        header = message.header();
      } else {
        sizes.push_back(message.data().size());
        data += message.data();
      }
    }
    absl::MutexLock lock(&mu);
    ++upload_calls;
    upload_header = header;
    upload_chunk_sizes = sizes;
    uploaded = data;
    if (base::Sha256Hex(data) != header.sha256()) return grpc::Status(grpc::StatusCode::DATA_LOSS, "sha256");
    resp->mutable_blob()->set_sha256(header.sha256());
    resp->mutable_blob()->set_content_type(header.content_type());
    resp->mutable_blob()->set_size_bytes(header.size_bytes());
    resp->set_kind(header.kind());
    return grpc::Status::OK;
  }
};

using Result = testing::CliResult;

class GenerationCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::MutexLock lock(&generation_.mu);
    generation_.ScriptSuccess();
  }

  Result Cli(std::vector<std::string> args) { return cli_.Run(std::move(args)); }

  // The names in the download directory (temporary files included).
  std::vector<std::string> Files() {
    std::vector<std::string> names;
    DIR* dir = ::opendir(downloads_.path().c_str());
    while (const dirent* entry = dir ? ::readdir(dir) : nullptr) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    if (dir) ::closedir(dir);
    return names;
  }

  static std::string Contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  std::string Video() {
    absl::MutexLock lock(&generation_.mu);
    return generation_.video;
  }

  FakeGeneration generation_;
  testing::LoggedInCli cli_{{&generation_}, kGenerationAccessToken};
  testing::TempDir downloads_;
};

TEST_F(GenerationCommandsTest, GenerateSendsTheSpecShowsProgressAndDownloadsTheVideo) {
  const std::string path = downloads_.path() + "/fox.mp4";
  const Result r = Cli({"generate", "a red fox", "--seconds", "8", "--size=1280x720", "--seed=7", "--quality=full",
                        "--remix-of=clip-9", "--effect=text:HELLO", "--effect", "grade:warm", "--effect=speed:2.0",
                        "--out", path});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Contents(path), Video());
  EXPECT_EQ(r.out, absl::StrCat("job id: job-1\n"
                                "status: completed\n"
                                "seed:   42\n"
                                "path:   ",
                                path, "\n", "bytes:  ", Video().size(), "\n", "sha256: ", base::Sha256Hex(Video()),
                                "\n"));
  // Not a terminal: one line per change, then the result.
  EXPECT_EQ(r.err,
            "job job-1 created. Ctrl-C stops watching, not the job (`clipforge cancel job-1` cancels it).\n"
            "queued\n"
            "in-progress 50% rendering\n"
            "completed\n");
  absl::MutexLock lock(&generation_.mu);
  ASSERT_EQ(generation_.creates.size(), 1u);
  const v1::CreateJobRequest& sent = generation_.creates[0];
  EXPECT_TRUE(base::IsCanonicalUuid(sent.request_id())) << sent.request_id();
  EXPECT_EQ(sent.spec().prompt(), "a red fox");
  EXPECT_EQ(sent.spec().seconds(), 8);
  EXPECT_EQ(sent.spec().size(), "1280x720");
  ASSERT_TRUE(sent.spec().has_seed());
  EXPECT_EQ(sent.spec().seed(), 7);
  EXPECT_EQ(sent.spec().quality(), v1::GENERATION_QUALITY_FULL);
  EXPECT_EQ(sent.spec().remix_of_clip_id(), "clip-9");
  ASSERT_EQ(sent.spec().effects_size(), 3);
  EXPECT_EQ(sent.spec().effects(0).text().text(), "HELLO");
  EXPECT_EQ(sent.spec().effects(1).color_grade().preset(), v1::COLOR_GRADE_PRESET_WARM);
  EXPECT_EQ(sent.spec().effects(2).speed().factor(), 2.0F);
  EXPECT_FALSE(sent.spec().has_soundtrack());
  EXPECT_EQ(generation_.watch_calls, 1);
  ASSERT_EQ(generation_.downloads.size(), 1u);
  EXPECT_EQ(generation_.downloads[0].job_id(), "job-1");
  EXPECT_EQ(generation_.downloads[0].variant(), v1::CONTENT_VARIANT_VIDEO);
}

TEST_F(GenerationCommandsTest, GenerateWritesJobIdMp4InTheCurrentDirectoryByDefault) {
  char previous[4096];
  ASSERT_NE(::getcwd(previous, sizeof previous), nullptr);
  ASSERT_EQ(::chdir(downloads_.path().c_str()), 0);
  const Result r = Cli({"--json", "generate", "a red fox"});
  ASSERT_EQ(::chdir(previous), 0);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("{\"job_id\":\"job-1\",\"status\":\"completed\",\"seed\":42,\"path\":\"job-1.mp4\","
                                "\"bytes\":",
                                Video().size(), ",\"sha256\":\"", base::Sha256Hex(Video()), "\"}\n"));
  EXPECT_EQ(r.err, "");  // progress is for people, not for --json
  EXPECT_EQ(Contents(downloads_.path() + "/job-1.mp4"), Video());
  EXPECT_EQ(Files(), std::vector<std::string>{"job-1.mp4"});
}

TEST_F(GenerationCommandsTest, AVideoWhoseSha256DoesNotMatchIsRefusedAndLeavesNoFile) {
  {
    absl::MutexLock lock(&generation_.mu);
    generation_.corrupt_sha = true;
  }
  const std::string path = downloads_.path() + "/fox.mp4";
  Result r = Cli({"generate", "a red fox", "--out=" + path});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("clipforge: the video's SHA-256 does not match; nothing was written (job job-1 is completed: "
                       "`clipforge download job-1` tries again)\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(Files().empty());

  r = Cli({"download", "job-1", "--out=" + path});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "clipforge: the video's SHA-256 does not match; nothing was written\n");
  EXPECT_TRUE(Files().empty());
}

TEST_F(GenerationCommandsTest, AFailedJobExitsNonZeroWithItsCodeAndMessage) {
  {
    absl::MutexLock lock(&generation_.mu);
    v1::GenerationJob failed = generation_.Job(v1::JOB_STATUS_FAILED, 40, "rendering");
    failed.mutable_failure()->set_code(v1::GENERATION_FAILURE_CODE_RENDER_ERROR);
    failed.mutable_failure()->set_message("out of GPU memory");
    generation_.watch_states = {generation_.Job(v1::JOB_STATUS_QUEUED), failed};
  }
  Result r = Cli({"generate", "a red fox", "--out=" + downloads_.path() + "/fox.mp4"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("\nclipforge: job job-1 failed: render-error: out of GPU memory\n"), std::string::npos)
      << r.err;
  r = Cli({"--json", "generate", "a red fox"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.out,
            "{\"error\":{\"code\":\"ABORTED\",\"message\":\"job job-1 failed: render-error: out of GPU memory\","
            "\"reason\":\"RENDER_ERROR\",\"exit_code\":1}}\n");
  EXPECT_TRUE(Files().empty());
  absl::MutexLock lock(&generation_.mu);
  EXPECT_TRUE(generation_.downloads.empty());
}

TEST_F(GenerationCommandsTest, ACancelledJobExitsNonZero) {
  {
    absl::MutexLock lock(&generation_.mu);
    generation_.watch_states = {generation_.Job(v1::JOB_STATUS_QUEUED), generation_.Job(v1::JOB_STATUS_CANCELLED)};
  }
  const Result r = Cli({"generate", "a red fox"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("\nclipforge: job job-1 was cancelled\n"), std::string::npos) << r.err;
}

TEST_F(GenerationCommandsTest, APromptPendingReviewExitsZeroAndSaysWhereToLook) {
  {
    absl::MutexLock lock(&generation_.mu);
    generation_.created_status = v1::JOB_STATUS_PENDING_REVIEW;
  }
  const Result r = Cli({"generate", "a borderline prompt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "job id: job-1\nstatus: pending-review\n");
  EXPECT_NE(r.err.find("pending-review\nThe prompt waits for a moderator's review. `clipforge jobs` shows when"),
            std::string::npos)
      << r.err;
  absl::MutexLock lock(&generation_.mu);
  EXPECT_EQ(generation_.watch_calls, 0);
  EXPECT_TRUE(generation_.downloads.empty());
}

TEST_F(GenerationCommandsTest, ABrokenWatchStreamIsReopened) {
  {
    absl::MutexLock lock(&generation_.mu);
    generation_.broken_watches = 2;
  }
  const Result r = Cli({"generate", "a red fox", "--no-download"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "job id: job-1\nstatus: completed\nseed:   42\n");
  EXPECT_EQ(r.err,
            "job job-1 created. Ctrl-C stops watching, not the job (`clipforge cancel job-1` cancels it).\n"
            "queued\n"
            "the progress stream broke (the server is unavailable, try again: the server is restarting); "
            "reconnecting in 250ms (1 of 5)\n"
            "the progress stream broke (the server is unavailable, try again: the server is restarting); "
            "reconnecting in 500ms (2 of 5)\n"
            "in-progress 50% rendering\n"
            "completed\n"
            "Download it with `clipforge download job-1`.\n");
  absl::MutexLock lock(&generation_.mu);
  EXPECT_EQ(generation_.watch_calls, 3);
  EXPECT_TRUE(generation_.downloads.empty());  // --no-download
}

TEST_F(GenerationCommandsTest, TheSoundtrackIsUploadedFirstInMebibyteChunks) {
  const std::string song = downloads_.path() + "/song.mp3";
  std::string audio(size_t{5} << 19, 'a');  // 2.5 MiB
  audio[12345] = 'b';
  std::ofstream(song, std::ios::binary) << audio;
  const Result r = Cli({"generate", "a red fox", "--soundtrack=" + song, "--no-download"});
  ASSERT_EQ(r.code, 0) << r.err;
  absl::MutexLock lock(&generation_.mu);
  EXPECT_EQ(generation_.upload_calls, 1);
  const v1::UploadHeader& header = generation_.upload_header;
  EXPECT_TRUE(base::IsCanonicalUuid(header.request_id()));
  EXPECT_EQ(header.kind(), v1::UPLOAD_KIND_SOUNDTRACK);
  EXPECT_EQ(header.content_type(), "audio/mpeg");
  EXPECT_EQ(header.size_bytes(), static_cast<int64_t>(audio.size()));
  EXPECT_EQ(header.sha256(), base::Sha256Hex(audio));
  EXPECT_EQ(header.file_name(), "song.mp3");
  EXPECT_EQ(generation_.upload_chunk_sizes, (std::vector<size_t>{1 << 20, 1 << 20, 1 << 19}));
  EXPECT_EQ(generation_.uploaded, audio);
  ASSERT_EQ(generation_.creates.size(), 1u);
  EXPECT_EQ(generation_.creates[0].spec().soundtrack().sha256(), base::Sha256Hex(audio));
  EXPECT_EQ(generation_.creates[0].spec().soundtrack().content_type(), "audio/mpeg");
}

TEST_F(GenerationCommandsTest, BadFlagsAreUsageErrorsWithoutAnyCall) {
  const std::string text_file = downloads_.path() + "/notes.txt";
  std::ofstream(text_file) << "not audio";
  const std::string empty_song = downloads_.path() + "/empty.wav";
  std::ofstream(empty_song).flush();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"generate", "p", "--size=abc"}, "--size must be WIDTHxHEIGHT"},
      {{"generate", "p", "--seconds=x"}, "--seconds must be a whole number from 4 to 300"},
      {{"generate", "p", "--effect=blur:3"}, "unknown effect 'blur'"},
      {{"generate", "p", "--effect=grade:sepia"}, "must be one of: warm, cool, mono, vintage, vivid"},
      {{"generate", "p", "--quality=ultra"}, "--quality must be one of: draft, full"},
      {{"generate", "p", "--out=x.mp4", "--no-download"}, "drop it or --no-download"},
      {{"generate", "p", "--soundtrack=" + text_file}, "the file must be .mp3, .m4a, .aac, .ogg, .oga, .opus or .wav"},
      {{"generate", "p", "--soundtrack=" + empty_song}, "is empty"},
      {{"generate", "p", "--soundtrack=/nonexistent/song.mp3"}, "cannot read /nonexistent/song.mp3"},
      {{"generate"}, "`clipforge generate` needs PROMPT"},
      {{"jobs", "--status=running"}, "--status must be one of: queued, pending-review, in-progress"},
      {{"jobs", "--limit=0"}, "--limit must be a whole number from 1 to 1000"},
      {{"download", "job-1", "--variant=gif"}, "--variant must be one of: video, thumbnail, spritesheet, provenance"},
      {{"download", "job-1", "--url", "--ttl=10s"}, "--ttl must be a duration from 1m to 24h"},
      {{"download", "job-1", "--url", "--ttl=soon"}, "--ttl must be a duration from 1m to 24h"},
      {{"download", "job-1", "--ttl=1h"}, "--ttl goes with --url"},
      {{"download", "job-1", "--url", "--out=x"}, "drop --out"},
      {{"cancel"}, "`clipforge cancel` needs JOB_ID"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = Cli(args);
    EXPECT_EQ(r.code, kExitUsage) << absl::StrJoin(args, " ") << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Run `clipforge " + args[0] + " --help` for details."), std::string::npos) << r.err;
  }
  EXPECT_EQ(generation_.Calls(), 0);
}

TEST_F(GenerationCommandsTest, JobsFollowsPagesUpToTheLimit) {
  {
    absl::MutexLock lock(&generation_.mu);
    generation_.total_jobs = 25;
  }
  Result r = Cli({"jobs", "--status=queued,in_progress", "--limit=15"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("JOB ID  STATUS       PROGRESS  SECONDS  SIZE      CREATED\n"
                        "job-1   in-progress  30        8        720x1280  2024-05-01T12:00:00Z\n"
                        "job-2   queued       0         4        720x1280  2024-05-01T12:00:00Z\n",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("job-15 "), std::string::npos);
  EXPECT_EQ(r.out.find("job-16 "), std::string::npos);
  EXPECT_EQ(r.err, "Showing the newest 15; --limit=N shows more (up to 1000).\n");
  {
    absl::MutexLock lock(&generation_.mu);
    ASSERT_EQ(generation_.lists.size(), 2u);
    EXPECT_EQ(generation_.lists[0].page_size(), 15);
    EXPECT_EQ(generation_.lists[1].page_size(), 5);  // only what the limit still wants
    EXPECT_EQ(generation_.lists[1].page_token(), "10");
    ASSERT_EQ(generation_.lists[0].statuses_size(), 2);
    EXPECT_EQ(generation_.lists[0].statuses(0), v1::JOB_STATUS_QUEUED);
    EXPECT_EQ(generation_.lists[0].statuses(1), v1::JOB_STATUS_IN_PROGRESS);
    generation_.lists.clear();
  }
  r = Cli({"--json", "jobs"});  // 20 by default
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("{\"job_id\":\"job-20\",\"status\":\"queued\",\"progress\":0,\"seconds\":4,"
                       "\"size\":\"720x1280\",\"created\":\"2024-05-01T12:00:00Z\",\"prompt\":\"a red fox\"}]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"more\":true}"), std::string::npos) << r.out;
}

TEST_F(GenerationCommandsTest, JobShowsTheJobInFull) {
  Result r = Cli({"job", "job-1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("job id:       job-1\n"
                                "status:       completed\n"
                                "progress:     100\n"
                                "prompt:       a red fox\n"
                                "seconds:      8\n"
                                "size:         1280x720\n"
                                "seed:         42\n"
                                "quality:      full\n"
                                "effects:      text:HELLO, grade:warm, speed:2\n"
                                "tier:         plus\n"
                                "video sha256: ",
                                base::Sha256Hex(Video()), "\n", "video bytes:  ", Video().size(), "\n",
                                "frame:        1280x720\n"
                                "duration:     4s\n"
                                "renderer:     procedural-1/1.0.3\n"
                                "created:      2024-05-01T12:00:00Z\n"));
  r = Cli({"job", "job-404"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "clipforge: not found: no such job\n");
}

TEST_F(GenerationCommandsTest, CancelSendsTheJobWithAFreshRequestId) {
  ASSERT_EQ(Cli({"cancel", "job-7"}).code, 0);
  const Result r = Cli({"cancel", "job-7"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "job id: job-7\nstatus: cancelled\n");
  absl::MutexLock lock(&generation_.mu);
  ASSERT_EQ(generation_.cancels.size(), 2u);
  EXPECT_EQ(generation_.cancels[0].job_id(), "job-7");
  EXPECT_TRUE(base::IsCanonicalUuid(generation_.cancels[0].request_id()));
  EXPECT_NE(generation_.cancels[0].request_id(), generation_.cancels[1].request_id());
}

TEST_F(GenerationCommandsTest, DownloadWritesTheVariantOrPrintsASignedUrl) {
  const std::string path = downloads_.path() + "/thumb.jpg";
  Result r = Cli({"download", "job-1", "--variant=thumbnail", "--out=" + path});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Contents(path), Video());
  EXPECT_NE(r.out.find("path:         " + path + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("content type: video/mp4\n"), std::string::npos) << r.out;

  r = Cli({"download", "job-1", "--url", "--ttl=30m"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "url:     https://media.example/job-1.mp4?sig=abc\nexpires: 2024-05-01T13:00:00Z\n");
  r = Cli({"download", "job-1", "--variant=provenance", "--url"});
  ASSERT_EQ(r.code, 0) << r.err;
  absl::MutexLock lock(&generation_.mu);
  ASSERT_EQ(generation_.downloads.size(), 1u);
  EXPECT_EQ(generation_.downloads[0].variant(), v1::CONTENT_VARIANT_THUMBNAIL);
  ASSERT_EQ(generation_.url_requests.size(), 2u);
  EXPECT_EQ(generation_.url_requests[0].variant(), v1::CONTENT_VARIANT_VIDEO);
  EXPECT_EQ(generation_.url_requests[0].ttl().seconds(), 1800);
  EXPECT_EQ(generation_.url_requests[1].variant(), v1::CONTENT_VARIANT_PROVENANCE);
  EXPECT_EQ(generation_.url_requests[1].ttl().seconds(), 3600);
}

TEST_F(GenerationCommandsTest, CommandsNeedASession) {
  ASSERT_TRUE(CredentialStore(cli_.config_dir()).Remove().ok());
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"generate", "p"}, {"jobs"}, {"job", "j"}, {"cancel", "j"}, {"download", "j"}}) {
    const Result r = Cli(args);
    EXPECT_EQ(r.code, kExitNotLoggedIn) << args[0];
  }
  EXPECT_EQ(generation_.Calls(), 0);
}

}  // namespace
}  // namespace clipforge::cli
