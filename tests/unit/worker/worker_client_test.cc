// WorkerClient against the in-process fake WorkerService: the credential on
// every call, LEASE_LOST read from either place a server may put it,
// uploads in 1 MiB messages with their hash, downloads assembled from
// chunks, and a long poll cancelled from another thread.
#include "services/worker/worker_client.h"

#include <grpcpp/create_channel.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "base/random.h"
#include "base/sha256.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/worker/rpc_status.h"
#include "tests/unit/worker/fake_worker_service.h"

namespace clipforge::worker {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::IsOkAndHolds;
using ::clipforge::base::testing::StatusIs;
using ::testing::Each;
using ::testing::HasSubstr;
using testing::FakeWorkerServer;
using testing::FakeWorkerService;

class WorkerClientTest : public ::testing::Test {
 protected:
  WorkerClientTest()
      : client_(v1::WorkerService::NewStub(grpc::CreateChannel(server_.address(), grpc::InsecureChannelCredentials())),
                WorkerClientOptions{.credential = "cfw_client_test", .worker_instance = "test/worker"}, ids_) {}

  FakeWorkerServer server_;
  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  WorkerClient client_;
  const JobLease lease_{.job_id = "0190a3c2-0000-7000-8000-000000000301", .epoch = 4};
};

TEST_F(WorkerClientTest, LeaseLostIsReadFromTheErrorDetailAndFromErrorInfo) {
  server_.service().SetProgressAnswer(FakeWorkerService::ProgressAnswer::kLeaseLost);
  // ReportProgress: the clipforge-error-bin trailer.
  absl::StatusOr<v1::ReportProgressResponse> report = client_.ReportProgress(lease_, 10, "rendering");
  EXPECT_THAT(report, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(IsLeaseLost(report.status()));
  // Heartbeat: google.rpc.ErrorInfo, as kit::ToGrpcStatus writes it.
  absl::StatusOr<v1::HeartbeatResponse> heartbeat = client_.Heartbeat(lease_);
  EXPECT_THAT(heartbeat, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(IsLeaseLost(heartbeat.status()));
  EXPECT_FALSE(IsLeaseLost(absl::FailedPreconditionError("some other precondition")));
  EXPECT_THAT(server_.service().authorizations(), Each(std::string("Worker cfw_client_test")));
}

TEST_F(WorkerClientTest, UploadsAFileInMebibyteMessagesWithItsHash) {
  const std::string path = ::testing::TempDir() + "/upload_" + std::to_string(getpid()) + ".bin";
  std::string bytes;
  for (int i = 0; i < (5 << 19); ++i) bytes.push_back(static_cast<char>(i * 131 % 251));  // 2.5 MiB
  { std::ofstream(path, std::ios::binary) << bytes; }
  absl::StatusOr<v1::BlobRef> blob = client_.UploadOutput(lease_, v1::CONTENT_VARIANT_VIDEO, "video/mp4", path);
  ASSERT_THAT(blob, IsOk());
  EXPECT_EQ(blob->sha256(), base::Sha256Hex(bytes));
  EXPECT_EQ(blob->size_bytes(), static_cast<int64_t>(bytes.size()));
  const FakeWorkerService::Upload upload = server_.service().uploads().at(v1::CONTENT_VARIANT_VIDEO);
  EXPECT_EQ(upload.data, bytes);
  EXPECT_EQ(upload.header.job_id(), lease_.job_id);
  EXPECT_EQ(upload.header.lease_epoch(), 4);
  EXPECT_EQ(upload.header.request_id().size(), 36u);
  std::filesystem::remove(path);

  EXPECT_THAT(client_.UploadOutput(lease_, v1::CONTENT_VARIANT_VIDEO, "video/mp4", path + ".missing"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(WorkerClientTest, DownloadsAnInputFromItsChunksAndChecksIt) {
  std::string bytes(10'000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i % 253);
  const std::string sha256 = server_.service().AddInput(bytes);
  EXPECT_THAT(client_.DownloadInput(lease_, sha256), IsOkAndHolds(bytes));
  EXPECT_THAT(client_.DownloadInput(lease_, sha256, 5000), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(client_.DownloadInput(lease_, std::string(64, '0')), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(WorkerClientTest, ALongPollEndsWhenCancelled) {
  server_.service().SetHoldEmptyLeases(true);
  CallCanceller canceller;
  std::thread cancel([&] {
    while (server_.service().lease_calls() < 1) absl::SleepFor(absl::Milliseconds(5));
    canceller.Cancel();
  });
  const absl::Time start = absl::Now();
  absl::StatusOr<LeaseOutcome> outcome = client_.Lease(v1::WorkerCapabilities(), absl::Seconds(20), &canceller);
  cancel.join();
  EXPECT_THAT(outcome, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // Once cancelled, no later call starts.
  EXPECT_THAT(client_.Lease(v1::WorkerCapabilities(), absl::Seconds(1), &canceller),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(server_.service().lease_calls(), 1);
}

TEST_F(WorkerClientTest, NoJobComesWithTheServersRetryAfter) {
  absl::StatusOr<LeaseOutcome> outcome = client_.Lease(v1::WorkerCapabilities(), absl::ZeroDuration());
  ASSERT_THAT(outcome, IsOk());
  EXPECT_FALSE(outcome->assignment.has_value());
  EXPECT_EQ(outcome->retry_after, absl::Milliseconds(10));
}

TEST_F(WorkerClientTest, CompleteAndFailCarryTheLease) {
  v1::JobOutputs outputs;
  outputs.set_renderer("procedural-1/1.0.0");
  absl::StatusOr<v1::CompleteJobResponse> completed = client_.CompleteJob(lease_, outputs, v1::RenderStats());
  ASSERT_THAT(completed, IsOk());
  EXPECT_EQ(completed->status(), v1::JOB_STATUS_COMPLETED);
  absl::StatusOr<v1::FailJobResponse> failed =
      client_.FailJob(lease_, v1::GENERATION_FAILURE_CODE_RENDER_ERROR, "boom", true);
  ASSERT_THAT(failed, IsOk());
  EXPECT_TRUE(failed->will_retry());
  ASSERT_EQ(server_.service().failures().size(), 1u);
  const v1::FailJobRequest failure = server_.service().failures()[0];
  EXPECT_EQ(failure.job_id(), lease_.job_id);
  EXPECT_EQ(failure.lease_epoch(), 4);
  EXPECT_EQ(failure.message(), "boom");
  EXPECT_NE(failure.request_id(), server_.service().completions()[0].request_id());
}

}  // namespace
}  // namespace clipforge::worker
