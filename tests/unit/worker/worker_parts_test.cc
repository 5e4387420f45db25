// The worker's small parts: failure codes by phase and status, the
// credential file's rules, and when the channel uses TLS.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/worker/channel_credentials.h"
#include "services/worker/job_failure.h"
#include "services/worker/worker_credential.h"

namespace clipforge::worker {
namespace {

using ::clipforge::base::testing::IsOkAndHolds;
using ::clipforge::base::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(JobFailureTest, TheJobsOwnFaultsAreInvalidInputAndNotRetried) {
  for (const absl::Status& status : {absl::InvalidArgumentError("spec.size: bad"),
                                     absl::UnimplementedError("effects are not supported by this worker yet"),
                                     absl::OutOfRangeError("too far")}) {
    const JobFailureReport report = DescribeJobFailure(JobPhase::kRender, status);
    EXPECT_EQ(report.code, v1::GENERATION_FAILURE_CODE_INVALID_INPUT) << status;
    EXPECT_FALSE(report.retryable) << status;
    EXPECT_EQ(report.message, status.message());
  }
  const JobFailureReport gone = DescribeJobFailure(JobPhase::kInput, absl::NotFoundError("no such input"));
  EXPECT_EQ(gone.code, v1::GENERATION_FAILURE_CODE_INVALID_INPUT);
  EXPECT_FALSE(gone.retryable);
}

TEST(JobFailureTest, TheWorkersFaultsAreRetriedWithoutLocalDetails) {
  const JobFailureReport render =
      DescribeJobFailure(JobPhase::kRender, absl::ResourceExhaustedError("/var/lib/worker/job-1: disk full"));
  EXPECT_EQ(render.code, v1::GENERATION_FAILURE_CODE_RENDER_ERROR);
  EXPECT_TRUE(render.retryable);
  EXPECT_THAT(render.message, HasSubstr("RESOURCE_EXHAUSTED"));
  EXPECT_THAT(render.message, Not(HasSubstr("/var/lib")));
  const JobFailureReport output = DescribeJobFailure(JobPhase::kOutput, absl::UnavailableError("connection reset"));
  EXPECT_EQ(output.code, v1::GENERATION_FAILURE_CODE_INTERNAL);
  EXPECT_TRUE(output.retryable);
  const JobFailureReport input = DescribeJobFailure(JobPhase::kInput, absl::DataLossError("hash mismatch"));
  EXPECT_EQ(input.code, v1::GENERATION_FAILURE_CODE_INTERNAL);
  EXPECT_TRUE(input.retryable);
}

TEST(JobFailureTest, LongMessagesAreCutToTheProtocolsLimitOnACodePoint) {
  std::string text;
  for (int i = 0; i < 600; ++i) text += "\xC3\xA9";  // U+00E9, 2 bytes: 1,200 bytes
  text = "x" + text;                                 // odd, so byte 1,000 falls inside a code point
  const JobFailureReport report = DescribeJobFailure(JobPhase::kRender, absl::InvalidArgumentError(text));
  EXPECT_EQ(report.message.size(), 999u);
  EXPECT_EQ(report.message, text.substr(0, 999));
}

class CredentialFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/credential_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& text, int mode) {
    { std::ofstream(path_, std::ios::trunc) << text; }
    chmod(path_.c_str(), static_cast<mode_t>(mode));
  }
  std::string path_;
};

TEST_F(CredentialFileTest, ReadsAPrivateFileTrimmed) {
  Write("  cfw_abc123\n", 0600);
  EXPECT_THAT(LoadWorkerCredential(path_, "cfw_from_env"), IsOkAndHolds(std::string("cfw_abc123")));
}

TEST_F(CredentialFileTest, RefusesAFileOthersCanRead) {
  Write("cfw_abc123\n", 0644);
  EXPECT_THAT(LoadWorkerCredential(path_, ""),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("chmod 600")));
}

TEST_F(CredentialFileTest, FallsBackToTheEnvironmentAndNeedsOne) {
  EXPECT_THAT(LoadWorkerCredential("", " cfw_env "), IsOkAndHolds(std::string("cfw_env")));
  EXPECT_THAT(LoadWorkerCredential("", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--credential-file is required")));
  EXPECT_THAT(LoadWorkerCredential(path_ + ".missing", ""), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CredentialFileTest, RefusesWhatCannotBeMetadataWithoutQuotingIt) {
  Write("cfw_with space", 0600);
  absl::StatusOr<std::string> credential = LoadWorkerCredential(path_, "");
  EXPECT_THAT(credential, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(credential.status().message()), Not(HasSubstr("cfw_with")));
  Write("\n\n", 0600);
  EXPECT_THAT(LoadWorkerCredential(path_, ""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ChannelCredentialsTest, LoopbackIsPlaintextAndEverythingElseTls) {
  for (const char* server : {"127.0.0.1:50051", "localhost:50051", "[::1]:50051", "unix:/tmp/cf.sock"}) {
    EXPECT_TRUE(IsLoopbackServer(server)) << server;
    absl::StatusOr<ChannelChoice> choice = ChooseChannelCredentials(server, "", false);
    ASSERT_TRUE(choice.ok()) << server;
    EXPECT_FALSE(choice->tls) << server;
  }
  for (const char* server : {"10.0.0.5:50051", "api.clipforge.dev:443", "dns:///api.clipforge.dev"}) {
    EXPECT_FALSE(IsLoopbackServer(server)) << server;
    absl::StatusOr<ChannelChoice> choice = ChooseChannelCredentials(server, "", false);
    ASSERT_TRUE(choice.ok()) << server;
    EXPECT_TRUE(choice->tls) << server;
  }
  absl::StatusOr<ChannelChoice> forced = ChooseChannelCredentials("10.0.0.5:50051", "", true);
  ASSERT_TRUE(forced.ok());
  EXPECT_FALSE(forced->tls);
  EXPECT_THAT(ChooseChannelCredentials("10.0.0.5:50051", "/ca.pem", true),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ChooseChannelCredentials("127.0.0.1:50051", "/nonexistent/ca.pem", false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot read")));
}

}  // namespace
}  // namespace clipforge::worker
