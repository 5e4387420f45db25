#include "services/worker/worker_loop.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "generation/job_spec.h"
#include "generation/procedural_renderer.h"
#include "media/provenance_ca.h"
#include "services/kit/blob_store.h"
#include "services/kit/proto_time.h"
#include "services/worker/rpc_status.h"

namespace clipforge::worker {
namespace {

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(250);
constexpr absl::Duration kStopPollInterval = absl::Milliseconds(50);
// Used when an assignment names no heartbeat interval, and the floor for
// one that names less.
constexpr absl::Duration kDefaultHeartbeat = absl::Seconds(10);
constexpr absl::Duration kMinHeartbeat = absl::Seconds(1);
// The protocol's limit on a provenance blob (UploadOutputHeader).
constexpr int64_t kMaxProvenanceBytes = int64_t{4} << 20;
// Reported once the render is signed, while the outputs go up.
constexpr int kUploadingPercent = 96;
constexpr absl::string_view kStageUploading = "uploading";

// Sleeps `duration`, or less once `halt` is set.
void SleepUnless(const std::atomic<bool>& halt, absl::Duration duration) {
  while (duration > absl::ZeroDuration() && !halt.load()) {
    const absl::Duration step = std::min(duration, kStopPollInterval);
    absl::SleepFor(step);
    duration -= step;
  }
}

// Watches `stop` (and `halt`, which a failing slot sets) on a thread of its
// own: once either is set, sets `halt` and cancels every lease call in
// flight, so that a long poll never delays a stop.
class StopWatcher {
 public:
  StopWatcher(const std::atomic<bool>& stop, std::atomic<bool>& halt, std::vector<CallCanceller*> cancellers)
      : thread_([&stop, &halt, cancellers = std::move(cancellers), this] {
          while (!done_.load() && !stop.load() && !halt.load()) absl::SleepFor(kStopPollInterval);
          if (done_.load()) return;
          halt = true;
          for (CallCanceller* canceller : cancellers) canceller->Cancel();
        }) {}
  StopWatcher(const StopWatcher&) = delete;
  StopWatcher& operator=(const StopWatcher&) = delete;
  ~StopWatcher() {
    done_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The server refused the worker itself: its credential, or what it sent.
bool RefusesTheWorker(absl::StatusCode code) {
  return code == absl::StatusCode::kUnauthenticated || code == absl::StatusCode::kPermissionDenied ||
         code == absl::StatusCode::kInvalidArgument;
}

absl::Duration HeartbeatIntervalOf(const v1::JobAssignment& assignment) {
  const absl::Duration interval = kit::FromDuration(assignment.heartbeat_interval());
  if (interval <= absl::ZeroDuration()) return kDefaultHeartbeat;
  return std::max(interval, kMinHeartbeat);
}

}  // namespace

v1::WorkerCapabilities ReferenceWorker::Capabilities() {
  v1::WorkerCapabilities capabilities;
  capabilities.add_renderers(absl::StrCat(generation::ProceduralRenderer::kName, "/",
                                          generation::ProceduralRenderer::kVersion));
  capabilities.set_max_seconds(generation::kMaxSeconds);
  capabilities.set_accelerator("cpu");
  // Every effect media/ applies (stickers from the job's fetched inputs),
  // and soundtracks.
  for (const char* effect : {"text", "sticker", "color_grade", "speed", "soundtrack"}) {
    capabilities.add_effects(effect);
  }
  return capabilities;
}

absl::StatusOr<std::unique_ptr<ReferenceWorker>> ReferenceWorker::Create(ReferenceWorkerOptions options,
                                                                         const media::ProvenanceSigner& signer,
                                                                         const base::Clock& clock,
                                                                         base::UuidV7Generator& ids,
                                                                         kit::Logger& logger) {
  if (options.server_address.empty()) return absl::InvalidArgumentError("worker: no server address");
  if (options.credential.empty()) return absl::InvalidArgumentError("worker: no worker credential");
  if (options.worker_instance.empty() || options.worker_instance.size() > 128) {
    return absl::InvalidArgumentError("worker: the worker instance name must be 1-128 characters");
  }
  if (options.work_dir.empty()) return absl::InvalidArgumentError("worker: no work directory");
  if (options.max_concurrent_jobs < 1 || options.max_concurrent_jobs > 64) {
    return absl::InvalidArgumentError("worker: concurrent jobs must be 1 to 64");
  }
  if (options.lease_wait < absl::ZeroDuration() || options.lease_wait > absl::Seconds(30)) {
    return absl::InvalidArgumentError("worker: the lease wait must be 0 to 30 s");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.work_dir, ec);
  if (ec) return absl::PermissionDeniedError(absl::StrCat("worker: cannot create ", options.work_dir, ": ", ec.message()));

  std::shared_ptr<grpc::ChannelCredentials> credentials =
      options.channel_credentials ? options.channel_credentials : grpc::InsecureChannelCredentials();
  // gRPC's own reconnect backoff grows to two minutes by default, which
  // would keep a recovered server idle that long; cap it like the loop's.
  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  channel_args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
  channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
                      static_cast<int>(std::max<int64_t>(250, absl::ToInt64Milliseconds(options.max_backoff))));
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.server_address, credentials, channel_args);
  auto client = std::make_unique<WorkerClient>(v1::WorkerService::NewStub(channel),
                                               WorkerClientOptions{.credential = options.credential,
                                                                   .worker_instance = options.worker_instance,
                                                                   .call_timeout = options.call_timeout},
                                               ids);
  return std::unique_ptr<ReferenceWorker>(
      new ReferenceWorker(std::move(options), signer, clock, logger, std::move(client)));
}

ReferenceWorker::ReferenceWorker(ReferenceWorkerOptions options, const media::ProvenanceSigner& signer,
                                 const base::Clock& clock, kit::Logger& logger, std::unique_ptr<WorkerClient> client)
    : options_(std::move(options)), signer_(signer), clock_(clock), logger_(logger), client_(std::move(client)) {}

absl::Status ReferenceWorker::Run(const std::atomic<bool>& stop) {
  const int slots = options_.max_concurrent_jobs;
  std::atomic<bool> halt{false};
  std::vector<std::unique_ptr<CallCanceller>> cancellers;
  std::vector<CallCanceller*> raw;
  for (int i = 0; i < slots; ++i) {
    cancellers.push_back(std::make_unique<CallCanceller>());
    raw.push_back(cancellers.back().get());
  }
  std::vector<absl::Status> results(static_cast<size_t>(slots));
  logger_.Info("worker_started", {{"server", options_.server_address},
                                  {"worker_instance", options_.worker_instance},
                                  {"jobs", slots}});
  {
    StopWatcher watcher(stop, halt, raw);
    const auto run_slot = [&](size_t i) {
      results[i] = Slot(halt, *cancellers[i]);
      if (!results[i].ok()) halt = true;  // the others stop too
    };
    std::vector<std::thread> threads;
    for (size_t i = 1; i < static_cast<size_t>(slots); ++i) threads.emplace_back(run_slot, i);
    run_slot(0);
    for (std::thread& thread : threads) thread.join();
  }
  for (const absl::Status& result : results) {
    if (!result.ok()) return result;
  }
  logger_.Info("worker_stopped", {{"worker_instance", options_.worker_instance}});
  return absl::OkStatus();
}

absl::StatusOr<bool> ReferenceWorker::RunOnce(const std::atomic<bool>& stop) {
  std::atomic<bool> halt{false};
  CallCanceller canceller;
  StopWatcher watcher(stop, halt, {&canceller});
  CF_ASSIGN_OR_RETURN(const LeaseAttempt attempt, LeaseAndProcess(halt, canceller));
  return attempt.processed;
}

absl::Status ReferenceWorker::Slot(const std::atomic<bool>& halt, CallCanceller& canceller) {
  absl::Duration backoff = kFirstBackoff;
  while (!halt.load()) {
    absl::StatusOr<LeaseAttempt> attempt = LeaseAndProcess(halt, canceller);
    if (attempt.ok()) {
      backoff = kFirstBackoff;
      if (!attempt->processed) SleepUnless(halt, attempt->retry_after);
      continue;
    }
    if (halt.load()) break;  // the lease call was cancelled to stop
    const absl::Status& status = attempt.status();
    if (RefusesTheWorker(status.code())) {
      logger_.Error("worker_refused", {{"code", absl::StatusCodeToString(status.code())},
                                       {"detail", status.message()}});
      return status;
    }
    logger_.Warn("lease_failed", {{"code", absl::StatusCodeToString(status.code())},
                                  {"detail", status.message()},
                                  {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
    SleepUnless(halt, backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  return absl::OkStatus();
}

absl::StatusOr<ReferenceWorker::LeaseAttempt> ReferenceWorker::LeaseAndProcess(const std::atomic<bool>& halt,
                                                                               CallCanceller& canceller) {
  CF_ASSIGN_OR_RETURN(LeaseOutcome outcome, client_->Lease(Capabilities(), options_.lease_wait, &canceller));
  if (!outcome.assignment) return LeaseAttempt{.processed = false, .retry_after = outcome.retry_after};
  Process(*outcome.assignment, halt);
  return LeaseAttempt{.processed = true};
}

void ReferenceWorker::Process(const v1::JobAssignment& assignment, const std::atomic<bool>& halt) {
  const JobLease lease{.job_id = assignment.job_id(), .epoch = assignment.lease_epoch()};
  logger_.Info("job_leased", {{"job_id", lease.job_id},
                              {"lease_epoch", lease.epoch},
                              {"attempt", assignment.attempt()},
                              {"max_attempts", assignment.max_attempts()},
                              {"seconds", assignment.spec().seconds()},
                              {"size", assignment.spec().size()},
                              {"quality", v1::GenerationQuality_Name(assignment.spec().quality())},
                              {"remix", assignment.has_parent_provenance()}});
  LeaseKeeper keeper(*client_, lease, LeaseKeeperOptions{.heartbeat_interval = HeartbeatIntervalOf(assignment)},
                     clock_, logger_);
  // Leased just as the worker stopped: hand it back at once.
  if (halt.load()) return Abandon(lease, keeper, JobPhase::kInput, absl::CancelledError("stopping"), halt);

  // The id names directories: one that could leave the work directory
  // fails the job before anything is made or removed.
  if (absl::Status id = CheckJobId(lease.job_id); !id.ok()) {
    return Abandon(lease, keeper, JobPhase::kInput, id, halt);
  }
  const std::string inputs_dir =
      (std::filesystem::path(options_.work_dir) / absl::StrCat("inputs-", lease.job_id, "-", lease.epoch)).string();
  // The fetched inputs are needed only while rendering.
  const auto remove_inputs = [&] {
    if (absl::Status removed = RemoveJobDirectory(inputs_dir); !removed.ok()) {
      logger_.Warn("job_files_left", {{"job_id", lease.job_id}, {"detail", removed.message()}});
    }
  };
  absl::StatusOr<FetchedInputs> inputs = FetchInputs(lease, assignment, inputs_dir);
  if (!inputs.ok()) {
    remove_inputs();
    return Abandon(lease, keeper, JobPhase::kInput, inputs.status(), halt);
  }
  const RenderJobOptions render_options{.work_dir = options_.work_dir, .signer = &signer_, .encode = options_.encode};
  absl::StatusOr<RenderedJob> rendered =
      RenderJob(assignment, render_options, *inputs, [&](int percent, absl::string_view stage) {
        keeper.SetProgress(percent, stage);
        return !halt.load() && keeper.stop_reason() == JobStopReason::kNone;
      });
  remove_inputs();
  if (!rendered.ok()) return Abandon(lease, keeper, JobPhase::kRender, rendered.status(), halt);
  const absl::Status delivered = Deliver(lease, *rendered, keeper, halt);
  if (absl::Status removed = RemoveJobDirectory(rendered->job_dir); !removed.ok()) {
    logger_.Warn("job_files_left", {{"job_id", lease.job_id}, {"detail", removed.message()}});
  }
  if (!delivered.ok()) Abandon(lease, keeper, JobPhase::kOutput, delivered, halt);
}

absl::StatusOr<FetchedInputs> ReferenceWorker::FetchInputs(const JobLease& lease,
                                                           const v1::JobAssignment& assignment,
                                                           const std::string& inputs_dir) {
  FetchedInputs inputs;
  if (assignment.has_parent_provenance() && !assignment.parent_provenance().sha256().empty()) {
    CF_ASSIGN_OR_RETURN(inputs.parent_manifest_store,
                        client_->DownloadInput(lease, assignment.parent_provenance().sha256(), kMaxProvenanceBytes));
  }
  for (const v1::BlobRef& input : assignment.inputs()) {
    // The hash names a local file: it must be one, not a path.
    if (!kit::IsBlobName(input.sha256())) {
      return absl::InvalidArgumentError("assignment.inputs: an input's sha256 is not 64 lowercase hex characters");
    }
    if (input.sha256() == assignment.parent_provenance().sha256() || inputs.files.contains(input.sha256())) continue;
    // DownloadInput checks the bytes against the hash.
    CF_ASSIGN_OR_RETURN(const std::string data, client_->DownloadInput(lease, input.sha256()));
    std::error_code ec;
    std::filesystem::create_directories(inputs_dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", inputs_dir, ": ", ec.message()));
    const std::string path = (std::filesystem::path(inputs_dir) / input.sha256()).string();
    CF_RETURN_IF_ERROR(media::WriteFileAtomically(path, data, 0600));
    inputs.files.emplace(input.sha256(), path);
  }
  return inputs;
}

absl::Status ReferenceWorker::Deliver(const JobLease& lease, const RenderedJob& job, LeaseKeeper& keeper,
                                      const std::atomic<bool>& halt) {
  keeper.SetProgress(kUploadingPercent, kStageUploading);
  const std::string provenance_path = (std::filesystem::path(job.job_dir) / "provenance.c2pa").string();
  CF_RETURN_IF_ERROR(media::WriteFileAtomically(provenance_path, job.manifest_store, 0644));

  v1::JobOutputs outputs;
  struct Upload {
    v1::ContentVariant variant;
    absl::string_view content_type;
    const std::string& path;
    v1::BlobRef* blob;
  };
  const Upload uploads[] = {
      {v1::CONTENT_VARIANT_VIDEO, "video/mp4", job.video_path, outputs.mutable_video()},
      {v1::CONTENT_VARIANT_THUMBNAIL, "image/jpeg", job.thumbnail_path, outputs.mutable_thumbnail()},
      {v1::CONTENT_VARIANT_SPRITESHEET, "image/jpeg", job.spritesheet_path, outputs.mutable_spritesheet()},
      {v1::CONTENT_VARIANT_PROVENANCE, "application/c2pa", provenance_path, outputs.mutable_provenance()},
  };
  for (const Upload& upload : uploads) {
    if (halt.load() || keeper.stop_reason() != JobStopReason::kNone) {
      return absl::CancelledError("stopped before the outputs were delivered");
    }
    CF_ASSIGN_OR_RETURN(*upload.blob, client_->UploadOutput(lease, upload.variant, upload.content_type, upload.path));
  }
  v1::SpritesheetLayout& layout = *outputs.mutable_spritesheet_layout();
  layout.set_columns(job.spritesheet.columns);
  layout.set_rows(job.spritesheet.rows);
  layout.set_tile_width(job.spritesheet.tile_width);
  layout.set_tile_height(job.spritesheet.tile_height);
  *layout.mutable_interval() = kit::ToDuration(job.spritesheet.interval);
  outputs.set_width(job.width);
  outputs.set_height(job.height);
  *outputs.mutable_duration() = kit::ToDuration(job.duration);
  outputs.set_renderer(job.renderer);
  v1::RenderStats stats;
  *stats.mutable_render_duration() = kit::ToDuration(job.render_time);
  *stats.mutable_encode_duration() = kit::ToDuration(job.encode_time);
  stats.set_frames(job.frames);

  // The lease ends with CompleteJob: no heartbeat may follow it.
  keeper.Stop();
  if (keeper.stop_reason() != JobStopReason::kNone) return absl::CancelledError("the lease ended before completion");
  CF_ASSIGN_OR_RETURN(const v1::CompleteJobResponse completed, client_->CompleteJob(lease, outputs, stats));
  logger_.Info("job_completed", {{"job_id", lease.job_id},
                                 {"lease_epoch", lease.epoch},
                                 {"status", v1::JobStatus_Name(completed.status())},
                                 {"frames", job.frames},
                                 {"video_bytes", outputs.video().size_bytes()},
                                 {"render_ms", absl::ToInt64Milliseconds(job.render_time)},
                                 {"encode_ms", absl::ToInt64Milliseconds(job.encode_time)}});
  return absl::OkStatus();
}

void ReferenceWorker::Abandon(const JobLease& lease, LeaseKeeper& keeper, JobPhase phase, const absl::Status& status,
                              const std::atomic<bool>& halt) {
  keeper.Stop();
  const JobStopReason reason = keeper.stop_reason();
  if (IsLeaseLost(status) || reason == JobStopReason::kLeaseLost || reason == JobStopReason::kCancelRequested) {
    // The server has moved on (another lease, or the owner's cancel): any
    // call about the job would fail LEASE_LOST.
    logger_.Info("job_dropped", {{"job_id", lease.job_id},
                                 {"lease_epoch", lease.epoch},
                                 {"phase", JobPhaseName(phase)},
                                 {"reason", reason == JobStopReason::kCancelRequested ? "cancelled" : "lease_lost"}});
    return;
  }
  JobFailureReport report;
  if (halt.load() && absl::IsCancelled(status)) {
    report = JobFailureReport{.code = v1::GENERATION_FAILURE_CODE_INTERNAL,
                              .retryable = true,
                              .message = "the worker stopped before finishing the job"};
  } else {
    report = DescribeJobFailure(phase, status);
  }
  logger_.Warn("job_failed", {{"job_id", lease.job_id},
                              {"lease_epoch", lease.epoch},
                              {"phase", JobPhaseName(phase)},
                              {"code", absl::StatusCodeToString(status.code())},
                              {"detail", status.message()},
                              {"failure_code", v1::GenerationFailureCode_Name(report.code)},
                              {"retryable", report.retryable}});
  absl::StatusOr<v1::FailJobResponse> answer = client_->FailJob(lease, report.code, report.message, report.retryable);
  if (answer.ok()) {
    logger_.Info("job_failure_reported", {{"job_id", lease.job_id},
                                          {"will_retry", answer->will_retry()},
                                          {"status", v1::JobStatus_Name(answer->status())}});
  } else if (IsLeaseLost(answer.status())) {
    logger_.Info("job_dropped", {{"job_id", lease.job_id}, {"lease_epoch", lease.epoch}, {"reason", "lease_lost"}});
  } else {
    // The lease lapses by itself and the server retries the job then.
    logger_.Warn("fail_job_failed", {{"job_id", lease.job_id},
                                     {"code", absl::StatusCodeToString(answer.status().code())},
                                     {"detail", answer.status().message()}});
  }
}

}  // namespace clipforge::worker
