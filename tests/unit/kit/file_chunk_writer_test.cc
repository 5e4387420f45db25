// FileChunkWriter over a real gRPC server (the kit test service's PourBlob)
// and real blob files: chunking, offsets, ranges, the digest only with the
// whole blob, OUT_OF_RANGE, and a spooled copy let go when the call ends.
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "base/sha256.h"
#include "services/kit/chunk_writer.h"
#include "services/kit/local_blob_store.h"
#include "tests/support/patterned_bytes.h"
#include "tests/support/kit_test_service.h"
#include "tests/support/process.h"
#include "tests/support/spooling_blob_store.h"

namespace clipforge::kit {
namespace {

using clipforge::testing::KitTestServer;
using clipforge::testing::PourBlobRequest;
using clipforge::testing::PatternedBytes;

constexpr size_t kChunkBytes = 1000;

struct Poured {
  grpc::Status status;
  std::vector<v1::DataChunk> chunks;
  std::string bytes;  // The chunks' data, in order.
};

Poured PourFrom(KitTestServer& server, const std::string& sha256, int64_t offset, int64_t length) {
  auto stub = server.NewStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  PourBlobRequest request;
  request.set_sha256(sha256);
  request.set_offset(offset);
  request.set_length(length);
  auto reader = stub->PourBlob(&ctx, request);
  Poured poured;
  v1::DataChunk chunk;
  while (reader->Read(&chunk)) {
    poured.bytes += chunk.data();
    poured.chunks.push_back(chunk);
  }
  poured.status = reader->Finish();
  return poured;
}

class FileChunkWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.service.pour_stream = {.chunk_bytes = kChunkBytes};
    server_.service.pour_blobs = &blobs_;
    absl::StatusOr<std::string> name = blobs_.Put(content_);
    ASSERT_TRUE(name.ok()) << name.status();
    sha_ = *name;
  }

  clipforge::testing::TempDir dir_;
  LocalBlobStore blobs_{dir_.path() + "/blobs"};
  const std::string content_ = PatternedBytes(4 * kChunkBytes + 500);
  std::string sha_;
  KitTestServer server_;
};

TEST_F(FileChunkWriterTest, TheWholeBlobComesInChunksWithItsDigestOnTheLast) {
  const Poured poured = PourFrom(server_, sha_, 0, 0);
  ASSERT_TRUE(poured.status.ok()) << poured.status.error_message();
  EXPECT_TRUE(poured.bytes == content_);
  ASSERT_EQ(poured.chunks.size(), 5u);
  int64_t offset = 0;
  for (size_t i = 0; i < poured.chunks.size(); ++i) {
    const v1::DataChunk& chunk = poured.chunks[i];
    const bool last = i + 1 == poured.chunks.size();
    EXPECT_EQ(chunk.offset(), offset) << i;
    EXPECT_EQ(chunk.total_bytes(), static_cast<int64_t>(content_.size())) << i;
    EXPECT_EQ(chunk.content_type(), "application/octet-stream") << i;
    EXPECT_EQ(chunk.data().size(), last ? 500u : kChunkBytes) << i;
    EXPECT_EQ(chunk.final_chunk(), last) << i;
    EXPECT_EQ(chunk.sha256(), last ? base::Sha256Hex(content_) : "") << i;
    offset += static_cast<int64_t>(chunk.data().size());
  }
}

TEST_F(FileChunkWriterTest, ARangeSendsExactlyItsBytesWithoutTheDigest) {
  const Poured middle = PourFrom(server_, sha_, 1500, 1200);
  ASSERT_TRUE(middle.status.ok()) << middle.status.error_message();
  EXPECT_TRUE(middle.bytes == content_.substr(1500, 1200));
  ASSERT_FALSE(middle.chunks.empty());
  EXPECT_EQ(middle.chunks.front().offset(), 1500);
  EXPECT_EQ(middle.chunks.front().total_bytes(), static_cast<int64_t>(content_.size()));
  EXPECT_TRUE(middle.chunks.back().final_chunk());
  EXPECT_EQ(middle.chunks.back().sha256(), "");

  // Length 0 reads to the end; a length past the end stops there.
  const Poured tail = PourFrom(server_, sha_, 4000, 0);
  ASSERT_TRUE(tail.status.ok()) << tail.status.error_message();
  EXPECT_TRUE(tail.bytes == content_.substr(4000));
  EXPECT_EQ(tail.chunks.back().sha256(), "");
  const Poured beyond = PourFrom(server_, sha_, 4400, 1000);
  ASSERT_TRUE(beyond.status.ok()) << beyond.status.error_message();
  EXPECT_TRUE(beyond.bytes == content_.substr(4400));
}

TEST_F(FileChunkWriterTest, AnOffsetPastTheEndIsOutOfRange) {
  const Poured poured = PourFrom(server_, sha_, static_cast<int64_t>(content_.size()) + 1, 0);
  EXPECT_EQ(poured.status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_TRUE(poured.chunks.empty());
}

TEST(FileChunkWriterSpoolTest, ASpooledCopyIsStreamedAndGoesWhenTheCallIsDone) {
  clipforge::testing::TempDir dir;
  const std::string spool_dir = dir.path() + "/spool";
  ASSERT_TRUE(std::filesystem::create_directories(spool_dir));
  clipforge::testing::SpoolingBlobStore blobs(dir.path() + "/blobs", spool_dir);
  const std::string content = PatternedBytes(3 * kChunkBytes + 1);
  const absl::StatusOr<std::string> sha = blobs.Put(content);
  ASSERT_TRUE(sha.ok()) << sha.status();
  KitTestServer server;
  server.service.pour_stream = {.chunk_bytes = kChunkBytes};
  server.service.pour_blobs = &blobs;

  const Poured whole = PourFrom(server, *sha, 0, 0);
  ASSERT_TRUE(whole.status.ok()) << whole.status.error_message();
  EXPECT_TRUE(whole.bytes == content);
  EXPECT_EQ(whole.chunks.back().sha256(), *sha);
  const Poured refused = PourFrom(server, *sha, static_cast<int64_t>(content.size()) + 1, 0);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::OUT_OF_RANGE);

  // The server lets the call go (OnDone) just after the client has its
  // status, so the last copy may linger a moment.
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (blobs.SpooledCopies() != 0 && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(blobs.SpooledCopies(), 0);
}

}  // namespace
}  // namespace clipforge::kit
