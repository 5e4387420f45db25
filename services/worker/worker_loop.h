// The reference generation worker (`clipforged worker`): leases jobs from
// WorkerService, renders each with RenderJob while a LeaseKeeper reports
// progress and watches for cancellation, uploads the four outputs and
// completes the job, or fails it with a code the server can act on. A job
// whose lease is lost or that its owner cancelled is dropped without a
// word to the server (it would answer LEASE_LOST). Every job's files are
// deleted when it ends, however it ends.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "clipforge/v1/generation.pb.h"
#include "media/clip_encoder.h"
#include "media/provenance_signer.h"
#include "services/kit/logger.h"
#include "services/worker/call_canceller.h"
#include "services/worker/job_failure.h"
#include "services/worker/job_render.h"
#include "services/worker/lease_keeper.h"
#include "services/worker/worker_client.h"

namespace clipforge::worker {

struct ReferenceWorkerOptions {
  std::string server_address = "127.0.0.1:50051";
  // TLS or plaintext; null means plaintext.
  std::shared_ptr<grpc::ChannelCredentials> channel_credentials;
  // The worker credential ("cfw_..."); never logged.
  std::string credential;
  // This process in the server's logs, e.g. "host-1/worker-12".
  std::string worker_instance;
  // Where jobs' files live while they run.
  std::string work_dir;
  // Jobs rendered at once, each leased on its own.
  int max_concurrent_jobs = 1;
  // How long one LeaseJob waits for a job (the protocol allows 0-30 s).
  absl::Duration lease_wait = absl::Seconds(20);
  // The longest pause between leases while the server is unreachable.
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration call_timeout = absl::Seconds(10);
  media::EncodeSettings encode;
};

class ReferenceWorker {
 public:
  // The renderer this worker runs and what it advertises in LeaseJob.
  static v1::WorkerCapabilities Capabilities();

  // Checks the options and opens the channel (connecting lazily). `signer`,
  // `clock`, `ids` and `logger` must outlive the worker.
  static absl::StatusOr<std::unique_ptr<ReferenceWorker>> Create(ReferenceWorkerOptions options,
                                                                 const media::ProvenanceSigner& signer,
                                                                 const base::Clock& clock,
                                                                 base::UuidV7Generator& ids, kit::Logger& logger);

  // Leases and processes jobs, max_concurrent_jobs at a time, until `stop`
  // becomes true; then stops leasing, cancels the jobs in flight and fails
  // them retryable (so that another worker takes them at once rather than
  // after their leases lapse), and returns OK. Backs off while the server
  // is unreachable or failing. Returns early with the error when the
  // server refuses the worker itself (UNAUTHENTICATED, PERMISSION_DENIED,
  // INVALID_ARGUMENT on LeaseJob): retrying cannot help.
  absl::Status Run(const std::atomic<bool>& stop);

  // For tests: one LeaseJob (waiting up to lease_wait) and, when it brings
  // a job, that job processed to its end. True when a job was processed
  // (completed, failed or dropped); the lease call's error otherwise.
  absl::StatusOr<bool> RunOnce(const std::atomic<bool>& stop);

 private:
  struct LeaseAttempt {
    bool processed = false;
    absl::Duration retry_after;
  };

  ReferenceWorker(ReferenceWorkerOptions options, const media::ProvenanceSigner& signer, const base::Clock& clock,
                  kit::Logger& logger, std::unique_ptr<WorkerClient> client);

  // One slot of Run: leases and processes jobs until `halt`.
  absl::Status Slot(const std::atomic<bool>& halt, CallCanceller& canceller);
  absl::StatusOr<LeaseAttempt> LeaseAndProcess(const std::atomic<bool>& halt, CallCanceller& canceller);
  void Process(const v1::JobAssignment& assignment, const std::atomic<bool>& halt);
  // Ends a job that did not complete: drops it when the lease is gone or
  // its owner cancelled it, else fails it (retryable when stopping).
  void Abandon(const JobLease& lease, LeaseKeeper& keeper, JobPhase phase, const absl::Status& status,
               const std::atomic<bool>& halt);
  // Uploads the four outputs and completes the job.
  // The assignment's inputs: the parent's manifest store in memory, every
  // other input as a file in `inputs_dir` (created when needed).
  absl::StatusOr<FetchedInputs> FetchInputs(const JobLease& lease, const v1::JobAssignment& assignment,
                                            const std::string& inputs_dir);
  absl::Status Deliver(const JobLease& lease, const RenderedJob& job, LeaseKeeper& keeper,
                       const std::atomic<bool>& halt);

  const ReferenceWorkerOptions options_;
  const media::ProvenanceSigner& signer_;
  const base::Clock& clock_;
  kit::Logger& logger_;
  const std::unique_ptr<WorkerClient> client_;
};

}  // namespace clipforge::worker
