// What the job and worker logic tests share: both logics over one fake
// store, a clock the tests move, table-driven content checks, callers and
// workers, and the steps of a job's life (create, lease, upload, complete).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "base/error_reason.h"
#include "base/random.h"
#include "base/sha256.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "base/uuid.h"
#include "services/generation/events.h"
#include "services/generation/job_logic.h"
#include "services/generation/request_parsing.h"
#include "services/generation/worker_logic.h"
#include "services/kit/event_factory.h"
#include "services/kit/idempotency.h"
#include "tests/unit/generation_service/fake_content_checks.h"
#include "tests/unit/generation_service/fake_generation_store.h"

namespace clipforge::generation_service::testing {

inline constexpr char kProcedural[] = "procedural-1";
inline constexpr char kCinematic[] = "cinematic-2";

// Midday UTC, so that a test crosses midnight only when it means to.
inline absl::Time Noon() { return absl::FromCivil(absl::CivilSecond(2026, 5, 28, 12, 0, 0), absl::UTCTimeZone()); }

// The reason on a status, "" when none.
inline std::string Reason(const absl::Status& status) { return base::ReasonOf(status).value_or(""); }
template <typename T>
std::string Reason(const absl::StatusOr<T>& status_or) {
  return Reason(status_or.status());
}

class GenerationFixture : public ::testing::Test {
 protected:
  kit::Caller User() { return {.user_id = ids_.Next(), .roles = {base::Role::kUser}}; }
  kit::Caller Admin() { return {.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kAdmin}}; }
  WorkerIdentity Worker(const std::string& instance = "gpu-node-1/worker-1") {
    return {.credential_id = ids_.Next(), .instance = instance};
  }
  // A fresh request's key (any method and fingerprint stand in for it).
  kit::IdempotencyKey Key(const std::string& caller_id, const std::string& method = "M") {
    return {caller_id, ids_.Next(), method, "f"};
  }

  // A CreateJobRequest with a fixed seed (so equal prompts render equal
  // clips) and a fresh request_id.
  v1::CreateJobRequest Request(const std::string& prompt, int seconds = 4,
                               v1::GenerationQuality quality = v1::GENERATION_QUALITY_DRAFT) {
    v1::CreateJobRequest request;
    request.set_request_id(ids_.Next());
    request.mutable_spec()->set_prompt(prompt);
    request.mutable_spec()->set_seconds(seconds);
    request.mutable_spec()->set_quality(quality);
    request.mutable_spec()->set_seed(7);
    return request;
  }

  // CreateJob as the adapter runs it: parse, key, logic.
  absl::StatusOr<JobView> Create(const kit::Caller& caller, const v1::CreateJobRequest& request) {
    absl::StatusOr<NewJob> input = ParseCreateJob(request, catalog_, random_);
    if (!input.ok()) return input.status();
    return jobs_.Create(caller, {.user_id = caller.user_id, .authorization = "Bearer t"},
                        kit::IdempotencyKeyFor(caller.user_id, request.request_id(), request), *input);
  }
  // Creates a job, asserting it worked.
  JobRecord MustCreate(const kit::Caller& caller, const v1::CreateJobRequest& request) {
    absl::StatusOr<JobView> view = Create(caller, request);
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? view->job : JobRecord{};
  }
  JobRecord MustCreate(const kit::Caller& caller, const std::string& prompt) {
    return MustCreate(caller, Request(prompt));
  }

  void SetTier(const kit::Caller& caller, v1::Tier tier) {
    ASSERT_TRUE(store_
                    .Transact(TxMode::kReadWrite,
                              [&](GenerationTx& tx) {
                                tx.SetUserTier(caller.user_id, tier);
                                return absl::OkStatus();
                              })
                    .ok());
  }

  static LeaseFilter AnyJob() { return {.renderers = {kProcedural, kCinematic}}; }

  // Leases with a fresh request id, asserting the call worked.
  std::optional<JobRecord> Lease(const WorkerIdentity& worker, const LeaseFilter& filter = AnyJob()) {
    absl::StatusOr<std::optional<JobRecord>> leased = workers_.Lease(worker, ids_.Next(), filter);
    EXPECT_TRUE(leased.ok()) << leased.status();
    return leased.ok() ? *leased : std::nullopt;
  }

  // A blob ref named by `name`'s hash.
  static v1::BlobRef Blob(const std::string& name, const std::string& content_type, int64_t size_bytes = 1000) {
    v1::BlobRef ref;
    ref.set_sha256(base::Sha256Hex(name));
    ref.set_content_type(content_type);
    ref.set_size_bytes(size_bytes);
    return ref;
  }

  absl::Status Upload(const WorkerIdentity& worker, const JobRecord& job, v1::ContentVariant variant,
                      const v1::BlobRef& blob) {
    return workers_.RecordUpload(worker,
                                 {.job_id = job.job_id, .lease_epoch = job.lease_epoch, .variant = variant, .blob = blob});
  }

  // Uploads the video, thumbnail and provenance of the lease `job` holds
  // (distinct per job and epoch) and returns the completion naming them.
  Completion UploadOutputs(const WorkerIdentity& worker, const JobRecord& job) {
    const std::string tag = absl::StrCat(job.job_id, "/", job.lease_epoch);
    Completion completion;
    *completion.outputs.mutable_video() = Blob("video " + tag, "video/mp4", 50000);
    *completion.outputs.mutable_thumbnail() = Blob("thumbnail " + tag, "image/jpeg", 4000);
    *completion.outputs.mutable_provenance() = Blob("provenance " + tag, "application/c2pa", 2000);
    completion.outputs.set_width(720);
    completion.outputs.set_height(1280);
    completion.outputs.set_renderer("procedural-1/1.0.0");
    EXPECT_TRUE(Upload(worker, job, v1::CONTENT_VARIANT_VIDEO, completion.outputs.video()).ok());
    EXPECT_TRUE(Upload(worker, job, v1::CONTENT_VARIANT_THUMBNAIL, completion.outputs.thumbnail()).ok());
    EXPECT_TRUE(Upload(worker, job, v1::CONTENT_VARIANT_PROVENANCE, completion.outputs.provenance()).ok());
    return completion;
  }

  // Leases the queue's head and completes it; returns the job as stored.
  JobRecord RenderNext() {
    const WorkerIdentity worker = Worker();
    std::optional<JobRecord> leased = Lease(worker);
    EXPECT_TRUE(leased.has_value());
    if (!leased) return {};
    const Completion completion = UploadOutputs(worker, *leased);
    absl::StatusOr<v1::JobStatus> status =
        workers_.Complete(worker, Key(worker.credential_id), leased->job_id, leased->lease_epoch, completion);
    EXPECT_TRUE(status.ok()) << status.status();
    return Stored(leased->job_id);
  }

  JobRecord Stored(const std::string& job_id) {
    const FakeGenerationState state = store_.state();
    const auto it = state.jobs.find(job_id);
    EXPECT_NE(it, state.jobs.end()) << job_id;
    return it == state.jobs.end() ? JobRecord{} : it->second;
  }

  std::vector<std::string> EventTypes() {
    std::vector<std::string> types;
    for (const v1::EventEnvelope& e : store_.state().events) types.push_back(e.type());
    return types;
  }
  int CountEvents(const std::string& type) {
    int n = 0;
    for (const std::string& t : EventTypes()) n += t == type;
    return n;
  }

  base::testing::FakeClock clock_{Noon()};
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory factory_{ids_, clock_};
  GenerationEvents events_{factory_};
  FakeGenerationStore store_;
  FakeContentChecks checks_;
  RendererCatalog catalog_{.renderers = {{kProcedural, "1.0.0"}, {kCinematic, "2.1.0"}}};
  JobLogic jobs_{store_, clock_, ids_, events_, checks_};
  WorkerLogic workers_{store_, clock_, events_, checks_};
};

}  // namespace clipforge::generation_service::testing
