// The whole generation path through a running stack: CreateJob (the prompt
// filter, quotas, the queue) -> the reference worker's lease -> render +
// H.264 encode -> C2PA signing -> uploads -> the media filter on the video
// -> COMPLETED, seen by the client on WatchJob. Beside it, in the same run,
// render + encode alone (media::EncodeClip of the same plan): the goal is
// the whole path within 1.3x of that. A 4 s draft's whole path is the
// preview's time to its first frames (goal: under a second).
#include <grpcpp/client_context.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/report.h"
#include "generation/procedural_renderer.h"
#include "media/clip_encoder.h"
#include "media/pdq_file.h"
#include "media/provenance_ca.h"
#include "media/provenance_mp4.h"
#include "services/kit/proto_time.h"
#include "services/generation/worker_credentials.h"
#include "services/worker/job_plan.h"
#include "services/worker/worker_loop.h"
#include "tests/support/moderation_test_server.h"

namespace clipforge {
namespace {

constexpr int kRuns = 5;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "generation_e2e_bench: %s\n", what.c_str());
  std::exit(2);
}

v1::JobSpec Spec(v1::GenerationQuality quality, int64_t seed) {
  v1::JobSpec spec;
  spec.set_prompt("a neon city at night in the rain, camera slowly panning");
  spec.set_seconds(4);
  spec.set_size("720x1280");
  spec.set_seed(seed);
  spec.set_quality(quality);
  return spec;
}

// Where a whole-path run's time went, from the job's own timestamps.
struct PathStages {
  absl::Duration total;     // as the client saw it
  absl::Duration to_lease;  // created -> leased (prompt filter done before): the queue and the long poll
  absl::Duration leased;    // leased -> completed: render, encode, sign, uploads, media filter
};

// CreateJob to COMPLETED as the client sees it on WatchJob.
PathStages WholePath(v1::GenerationService::Stub& stub, const std::string& token, base::UuidV7Generator& ids,
                     const v1::JobSpec& spec) {
  const absl::Time start = absl::Now();
  v1::CreateJobRequest request;
  request.set_request_id(ids.Next());
  *request.mutable_spec() = spec;
  v1::GenerationJob job;
  grpc::ClientContext create_ctx;
  create_ctx.AddMetadata("authorization", "Bearer " + token);
  if (const grpc::Status s = stub.CreateJob(&create_ctx, request, &job); !s.ok()) Fail(s.error_message());
  v1::WatchJobRequest watch;
  watch.set_job_id(job.job_id());
  grpc::ClientContext watch_ctx;
  watch_ctx.AddMetadata("authorization", "Bearer " + token);
  auto stream = stub.WatchJob(&watch_ctx, watch);
  v1::WatchJobResponse update;
  v1::GenerationJob last;
  while (stream->Read(&update)) last = update.job();
  const absl::Duration took = absl::Now() - start;
  if (last.status() != v1::JOB_STATUS_COMPLETED) Fail("a job did not complete: " + v1::JobStatus_Name(last.status()));
  const auto at = [](const google::protobuf::Timestamp& t) { return kit::FromTimestamp(t); };
  return {.total = took,
          .to_lease = at(last.start_time()) - at(last.create_time()),
          .leased = at(last.finish_time()) - at(last.start_time())};
}

// media::EncodeClip alone on the plan the worker renders.
absl::Duration RenderEncode(const v1::JobSpec& spec, const std::string& dir) {
  absl::StatusOr<worker::JobPlan> plan = worker::PlanJob(spec);
  if (!plan.ok()) Fail(std::string(plan.status().message()));
  const absl::Time start = absl::Now();
  auto scene = generation::ProceduralRenderer().Prepare(plan->render);
  if (!scene.ok()) Fail(std::string(scene.status().message()));
  auto encoded = media::EncodeClip(**scene, plan->render, media::EncodeSettings{},
                                   {.video_path = dir + "/alone.mp4",
                                    .thumbnail_path = dir + "/alone.jpg",
                                    .spritesheet_path = dir + "/alone-sprites.jpg"},
                                   [](int) { return true; });
  if (!encoded.ok()) Fail(std::string(encoded.status().message()));
  return absl::Now() - start;
}

// The worker's and the server's steps after rendering, alone on the
// baseline's file: C2PA signing (the worker) and the media filter's frame
// hashes (CheckVideo, 1 frame a second).
absl::Duration SignAlone(const std::string& dir, const media::ProvenanceSigner& signer) {
  const absl::Time start = absl::Now();
  auto signed_store = media::SignMp4File(
      dir + "/alone.mp4", dir + "/alone-signed.mp4",
      media::ClipCredentials{.clip_id = "bench", .job_id = "bench", .creator_user_id = "bench",
                             .prompt_sha256_hex = std::string(64, '0'), .renderer_name = "procedural-1",
                             .renderer_version = "1.0.0", .seed = 1, .title = "bench.mp4"},
      std::nullopt, signer);
  if (!signed_store.ok()) Fail(std::string(signed_store.status().message()));
  return absl::Now() - start;
}

absl::Duration MediaFilterAlone(const std::string& dir, bool reference_frames_only) {
  const absl::Time start = absl::Now();
  auto hashed = media::PdqOfFrames(dir + "/alone.mp4", {.every_frame = false, .interval_seconds = 1.0,
                                                        .max_frames = 3602,
                                                        .reference_frames_only = reference_frames_only});
  if (!hashed.ok()) Fail(std::string(hashed.status().message()));
  return absl::Now() - start;
}

double MedianSeconds(std::vector<absl::Duration> samples) {
  std::sort(samples.begin(), samples.end());
  return absl::ToDoubleSeconds(samples[samples.size() / 2]);
}

}  // namespace
}  // namespace clipforge

int main() {
  using namespace clipforge;
  testing::ModerationTestServerOptions options;
  options.with_generation = true;
  testing::ModerationTestServer server(options);
  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  const std::string dir = (std::filesystem::temp_directory_path() / ("cf-e2e-bench-" + ids.Next())).string();
  std::filesystem::create_directories(dir);

  auto credential = generation_service::IssueWorkerCredential(server.generation().store(), ids, random, clock,
                                                              "bench-worker");
  if (!credential.ok()) Fail(std::string(credential.status().message()));
  auto signer = media::LoadOrCreateSigner(dir + "/provenance", media::SignerOptions{.common_name = "bench"},
                                          clock.Now());
  if (!signer.ok()) Fail(std::string(signer.status().message()));
  worker::ReferenceWorkerOptions worker_options;
  worker_options.server_address = server.address();
  worker_options.credential = credential->credential;
  worker_options.worker_instance = "bench/worker-1";
  worker_options.work_dir = dir + "/work";
  worker_options.lease_wait = absl::Seconds(10);
  kit::Logger quiet(stderr, clock, kit::LogLevel::kWarn);
  auto reference = worker::ReferenceWorker::Create(worker_options, **signer, clock, ids, quiet);
  if (!reference.ok()) Fail(std::string(reference.status().message()));
  std::atomic<bool> stop{false};
  std::thread worker_thread([&] { (void)(*reference)->Run(stop); });

  auto stub = server.NewGenerationStub();
  // A pro user: five 4 s full-quality jobs fit the tier's quota.
  const std::string user_id = ids.Next();
  if (!server.generation()
           .store()
           .Transact(generation_service::TxMode::kReadWrite,
                     [&](generation_service::GenerationTx& tx) {
                       tx.SetUserTier(user_id, v1::TIER_PRO);
                       return absl::OkStatus();
                     })
           .ok()) {
    Fail("cannot set the tier");
  }
  const std::string token = server.Token(base::RoleSet{base::Role::kUser}, user_id);
  WholePath(*stub, token, ids, Spec(v1::GENERATION_QUALITY_DRAFT, 999));  // warm-up

  std::vector<absl::Duration> whole, alone, drafts, to_lease, leased, signing, filtering, filtering_all;
  for (int i = 0; i < kRuns; ++i) {
    // Distinct seeds: an identical spec would reuse the earlier output.
    alone.push_back(RenderEncode(Spec(v1::GENERATION_QUALITY_FULL, i), dir));
    signing.push_back(SignAlone(dir, **signer));
    filtering.push_back(MediaFilterAlone(dir, /*reference_frames_only=*/true));
    filtering_all.push_back(MediaFilterAlone(dir, /*reference_frames_only=*/false));
    const PathStages stages = WholePath(*stub, token, ids, Spec(v1::GENERATION_QUALITY_FULL, i));
    whole.push_back(stages.total);
    to_lease.push_back(stages.to_lease);
    leased.push_back(stages.leased);
    drafts.push_back(WholePath(*stub, token, ids, Spec(v1::GENERATION_QUALITY_DRAFT, 100 + i)).total);
  }
  stop = true;
  worker_thread.join();
  std::filesystem::remove_all(dir);

  const double whole_s = MedianSeconds(whole), alone_s = MedianSeconds(alone), draft_s = MedianSeconds(drafts);
  const double ratio = whole_s / alone_s;
  const bool goal_met = ratio <= 1.3 && draft_s < 1.0;
  const auto spread = [](std::vector<absl::Duration> v) {
    std::sort(v.begin(), v.end());
    return absl::StrFormat("%.2f-%.2f", absl::ToDoubleSeconds(v.front()), absl::ToDoubleSeconds(v.back()));
  };
  const std::string report = absl::StrFormat(
      "## Generation: CreateJob to COMPLETED through the running stack\n\n"
      "Measured %s: clipforged's services (moderation and generation, in-process, over a real Postgres and "
      "nats-server), the reference worker (in the same process, over gRPC) and the client on one machine. "
      "A 4 s 720x1280 clip at full quality (30 fps, 120 frames), %d runs with distinct seeds; medians, "
      "range in brackets.\n\n"
      "| | seconds | vs render + encode |\n|---|---|---|\n"
      "| render + encode alone (media::EncodeClip, baseline) | %.2f (%s) | 1.00x |\n"
      "| CreateJob -> COMPLETED on WatchJob (prompt filter, queue, lease, render + encode, C2PA, 3 uploads, "
      "media filter) | %.2f (%s) | %.2fx |\n"
      "| the same for a 4 s draft (360x640, 12 fps): the preview | %.2f (%s) | |\n\n"
      "Where the whole path's time goes (medians): created to leased %.3f s; leased to completed (render, "
      "encode, sign, 4 uploads, CompleteJob with the media filter) %.2f s; the rest (CreateJob with the prompt "
      "filter, WatchJob's delivery) %.3f s. Alone on the baseline's file: C2PA signing %.3f s, the media "
      "filter's frame hashes, 1 a second, %.3f s as CheckVideo decodes (reference frames only; %.3f s decoding "
      "every frame).\n\n"
      "Goal: the whole path within 1.3x of render + encode, and a draft preview in under a second — %s.\n",
      bench::MachineLine(), kRuns, alone_s, spread(alone), whole_s, spread(whole), ratio, draft_s, spread(drafts),
      MedianSeconds(to_lease), MedianSeconds(leased), whole_s - MedianSeconds(to_lease) - MedianSeconds(leased),
      MedianSeconds(signing), MedianSeconds(filtering), MedianSeconds(filtering_all), goal_met ? "met" : "NOT met");
  std::printf("%s", report.c_str());
  bench::WriteReportSection("docs/benchmarks.md", "generation_e2e", report);
  return goal_met ? 0 : 1;
}
