// The media filter as its callers meet it: CheckVideo over gRPC (token
// check, validation, the blob read, FFmpeg decoding, PDQ on a compute slot,
// the match against every bank, conversion), beside the floor measured in
// the same run: decoding and hashing the same file in-process with the same
// code and no RPC, no banks. The banks hold 200,000 PDQ hashes imported over
// gRPC (the index is multi-index hashing; bench/hash_index_bench.cc
// measures it alone at 1,000,000). Also a PNG still, the other kind of
// medium CheckVideo takes. The service runs as clipforged wires it, over a
// real Postgres and nats-server, on the same 2-core machine as the client.
#include <grpcpp/client_context.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/report.h"
#include "media/pdq_file.h"
#include "services/kit/local_blob_store.h"
#include "services/moderation/active_banks.h"
#include "tests/support/moderation_test_server.h"
#include "tests/unit/moderation/synthetic_video.h"

namespace clipforge::bench {
namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 360;
constexpr int kFps = 30;
constexpr int kSeconds = 8;
constexpr int kBankHashes = 200'000;  // Random ones, besides the planted frame.
constexpr int kImportBatch = 10'000;
constexpr int kCalls = 20;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "check_video_rpc_bench: %s\n", what.c_str());
  std::exit(1);
}

void Draw(int index, std::vector<uint8_t>& rgb) {
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      uint8_t* p = &rgb[(static_cast<size_t>(y) * kWidth + x) * 3];
      const bool square = (x + index * 4) / 48 % 5 == 0 && y / 48 % 3 == 1;
      p[0] = square ? 250 : static_cast<uint8_t>(((x + y) / 24 % 2) ? 190 : 50);
      p[1] = static_cast<uint8_t>(x * 255 / kWidth);
      p[2] = static_cast<uint8_t>((y + index) * 255 / (kHeight + kSeconds * kFps));
    }
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

template <typename Call>
void Authorized(const std::string& token, Call call) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  if (const grpc::Status s = call(ctx); !s.ok()) Fail(s.error_message());
}

LatencySummary Measure(const std::function<void()>& once) {
  once();  // Warm-up.
  std::vector<absl::Duration> samples;
  const absl::Time start = absl::Now();
  for (int i = 0; i < kCalls; ++i) {
    const absl::Time t0 = absl::Now();
    once();
    samples.push_back(absl::Now() - t0);
  }
  return Summarize(std::move(samples), absl::Now() - start);
}

}  // namespace
}  // namespace clipforge::bench

int main() {
  using namespace clipforge;
  using namespace clipforge::bench;
  const std::string dir = (std::filesystem::temp_directory_path() / "cf-check-video-bench").string();
  std::filesystem::create_directories(dir);
  const std::string video = dir + "/clip.mp4";
  if (!test_media::WriteVideo(video, kWidth, kHeight, kFps, kSeconds * kFps, Draw).ok()) Fail("cannot write video");
  const std::string still = dir + "/still.png";
  std::vector<uint8_t> rgb(static_cast<size_t>(kWidth) * kHeight * 3);
  Draw(0, rgb);
  if (!test_media::WritePng(still, kWidth, kHeight, rgb).ok()) Fail("cannot write png");

  testing::ModerationTestServer server;
  auto stub = server.NewStub();
  const std::string admin = server.Token({base::Role::kUser, base::Role::kAdmin});
  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);

  const media::FrameReaderOptions sampling{.interval_seconds = 1.0, .max_frames = 3602};
  const std::vector<media::FramePdq> frames = media::PdqOfFrames(video, sampling).value();

  // The banks: 200,000 random hashes and the video's fourth sampled frame.
  v1::CreateHashBankRequest create;
  create.set_request_id(ids.Next());
  create.mutable_bank()->set_name("bench");
  create.mutable_bank()->set_category(v1::MODERATION_CATEGORY_VIOLENT_EXTREMISM);
  create.mutable_bank()->set_decision(v1::MODERATION_DECISION_BLOCK);
  create.mutable_bank()->set_hash_type(v1::HASH_TYPE_PDQ);
  create.mutable_bank()->set_max_distance(31);
  create.mutable_bank()->set_enabled(true);
  v1::HashBank bank;
  Authorized(admin, [&](auto& c) { return stub->CreateHashBank(&c, create, &bank); });
  std::mt19937_64 rng(11);
  const absl::Time import_start = absl::Now();
  for (int first = 0; first < kBankHashes; first += kImportBatch) {
    v1::ImportHashesRequest import;
    import.set_request_id(ids.Next());
    import.set_bank_id(bank.bank_id());
    // The first batch makes room for the planted frame.
    for (int i = first == 0 ? 1 : 0; i < kImportBatch; ++i) {
      std::string hash(32, '\0');
      for (char& c : hash) c = static_cast<char>(rng());
      import.add_entries()->set_hash(hash);
    }
    if (first == 0) import.add_entries()->set_hash(moderation_service::PdqBytes(frames[3].pdq.hash));
    v1::ImportHashesResponse imported;
    Authorized(admin, [&](auto& c) { return stub->ImportHashes(&c, import, &imported); });
  }
  const absl::Duration import_time = absl::Now() - import_start;
  if (server.component().bank_reloader().Refresh() != absl::OkStatus()) Fail("banks not loaded");

  kit::LocalBlobStore blobs(server.blob_dir());
  v1::CheckVideoRequest video_request;
  video_request.mutable_blob()->set_sha256(blobs.Put(ReadFile(video)).value());
  video_request.mutable_blob()->set_content_type("video/mp4");
  v1::CheckVideoRequest still_request;
  still_request.mutable_blob()->set_sha256(blobs.Put(ReadFile(still)).value());
  still_request.mutable_blob()->set_content_type("image/png");

  v1::CheckVideoResponse last;
  const auto check = [&](const v1::CheckVideoRequest& request) {
    return [&] { Authorized(admin, [&](auto& c) { return stub->CheckVideo(&c, request, &last); }); };
  };
  const LatencySummary floor_video = Measure([&] { media::PdqOfFrames(video, sampling).value(); });
  const LatencySummary rpc_video = Measure(check(video_request));
  if (last.decision() != v1::MODERATION_DECISION_BLOCK) Fail("the planted frame was not found");
  const int checked = last.frames_checked();
  const LatencySummary floor_still = Measure([&] { media::PdqOfFrames(still, sampling).value(); });
  const LatencySummary rpc_still = Measure(check(still_request));

  std::string table =
      "| medium | calls | in-process decode + PDQ p50 ms | CheckVideo over gRPC p50 ms | p99 ms | p50 ratio |\n"
      "|---|---|---|---|---|---|\n";
  const auto row = [&](const std::string& name, const LatencySummary& floor, const LatencySummary& rpc) {
    table += absl::StrFormat("| %s | %d | %.1f | %.1f | %.1f | %.2fx |\n", name, kCalls, floor.p50_us / 1000,
                             rpc.p50_us / 1000, rpc.p99_us / 1000, rpc.p50_us / floor.p50_us);
  };
  row(absl::StrFormat("MP4 (MPEG-4 part 2), %dx%d, %d s at %d fps, %d frames sampled", kWidth, kHeight, kSeconds,
                      kFps, checked),
      floor_video, rpc_video);
  row(absl::StrFormat("PNG still, %dx%d", kWidth, kHeight), floor_still, rpc_still);
  const std::string report = absl::StrFormat(
      "Measured %s, client and server (and Postgres, nats-server) on the same machine. A hash bank of %d random "
      "PDQ hashes plus one frame of the video, imported over gRPC in batches of %d (%.1f s in all, the index "
      "rebuilt after each batch). CheckVideo samples a frame a second plus the first and the last, decoding every "
      "frame to reach them, and matches each against the banks at distance 31; the floor is the same decode and "
      "hash in-process with no RPC and no matching, measured in the same run. Sequential calls from one client.\n\n%s",
      MachineLine(), kBankHashes, kImportBatch, absl::ToDoubleSeconds(import_time), table);
  std::printf("%s", report.c_str());
  WriteReportSection("docs/benchmarks.md", "check_video_rpc", report);
  std::filesystem::remove_all(dir);
  return 0;
}
