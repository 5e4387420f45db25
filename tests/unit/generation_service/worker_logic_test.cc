// The worker side of generation jobs over the fake store: the fair queue's
// dispatch order and filters, lease fencing by epoch, heartbeats and
// progress, completion against this lease's uploads and the media filter,
// failures and retries, and the sweep of lapsed leases.
#include "services/generation/worker_logic.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "generation/scheduling.h"
#include "services/generation/convert.h"
#include "tests/unit/generation_service/generation_fixture.h"

namespace clipforge::generation_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::IsOkAndHolds;
using base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class WorkerLogicTest : public GenerationFixture {
 protected:
  // Leases every job there is (up to `max`), returning their owners in
  // dispatch order.
  std::vector<std::string> DispatchOwners(int max) {
    std::vector<std::string> owners;
    const WorkerIdentity worker = Worker();
    for (int i = 0; i < max; ++i) {
      std::optional<JobRecord> job = Lease(worker);
      if (!job) break;
      owners.push_back(job->user_id);
    }
    return owners;
  }

  // Leases the single queued job, asserting there is one.
  JobRecord LeaseOne(const WorkerIdentity& worker) {
    std::optional<JobRecord> job = Lease(worker);
    EXPECT_TRUE(job.has_value());
    return job.value_or(JobRecord{});
  }

  absl::Status FailWith(const WorkerIdentity& worker, const JobRecord& job, bool retryable,
                        const std::string& message = "renderer crashed",
                        v1::GenerationFailureCode code = v1::GENERATION_FAILURE_CODE_RENDER_ERROR) {
    return workers_.Fail(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, code, message, retryable)
        .status();
  }
};

TEST_F(WorkerLogicTest, ALeaseTakesTheHeadAndBumpsEpochAttemptAndClock) {
  const kit::Caller user = User();
  const JobRecord created = MustCreate(user, "a windmill");
  const WorkerIdentity worker = Worker("gpu-node-3/worker-1");
  const std::string request_id = ids_.Next();
  ASSERT_OK_AND_ASSIGN(const std::optional<JobRecord> leased, workers_.Lease(worker, request_id, AnyJob()));
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(leased->job_id, created.job_id);
  EXPECT_EQ(leased->status, v1::JOB_STATUS_IN_PROGRESS);
  EXPECT_EQ(leased->lease_epoch, 1);
  EXPECT_EQ(leased->attempt, 1);
  EXPECT_EQ(leased->lease_expires, clock_.Now() + workers_.rules().lease_length);
  EXPECT_EQ(leased->worker_id, "gpu-node-3/worker-1");
  EXPECT_EQ(leased->lease_credential, worker.credential_id);
  EXPECT_EQ(leased->lease_request_id, request_id);
  EXPECT_EQ(leased->start_time, clock_.Now());
  EXPECT_EQ(leased->stage, "starting");
  EXPECT_EQ(leased->version, Stored(created.job_id).version);

  const FakeGenerationState state = store_.state();
  EXPECT_EQ(state.jobs.at(created.job_id).status, v1::JOB_STATUS_IN_PROGRESS);
  EXPECT_EQ(state.queue_clock, created.queue_tag);
  ASSERT_EQ(state.events.back().type(), kStartedSubject);
  EXPECT_EQ(state.events.back().generation_started().lease_epoch(), 1);
  EXPECT_EQ(state.events.back().generation_started().worker_id(), "gpu-node-3/worker-1");
  EXPECT_FALSE(Lease(Worker()).has_value());

  // A newcomer is tagged after the clock, not at zero.
  EXPECT_EQ(MustCreate(User(), "a newcomer").queue_tag, created.queue_tag + generation::kTagUnit);
}

TEST_F(WorkerLogicTest, AFreeJobWaitsAtMostFourDispatchesBehindEightProJobs) {
  const kit::Caller pro = User();
  SetTier(pro, v1::TIER_PRO);
  for (int i = 0; i < 8; ++i) MustCreate(pro, absl::StrCat("pro clip ", i));
  const kit::Caller free_user = User();
  MustCreate(free_user, "one free clip");

  const std::vector<std::string> owners = DispatchOwners(20);
  ASSERT_EQ(owners.size(), 9u);
  const auto at = std::find(owners.begin(), owners.end(), free_user.user_id) - owners.begin();
  EXPECT_LE(at, 4) << "the free job waited " << at << " dispatches";
  // And the pro user's four quarter-cost tags came first.
  EXPECT_EQ(at, 4);
}

TEST_F(WorkerLogicTest, TwoFreeUsersAlternate) {
  const kit::Caller a = User();
  const kit::Caller b = User();
  MustCreate(a, "a one");
  MustCreate(a, "a two");
  MustCreate(b, "b one");
  MustCreate(b, "b two");
  EXPECT_THAT(DispatchOwners(10), ElementsAre(a.user_id, b.user_id, a.user_id, b.user_id));
}

TEST_F(WorkerLogicTest, ALeaseSkipsJobsTheWorkerCannotRender) {
  const kit::Caller user = User();
  SetTier(user, v1::TIER_PRO);
  v1::CreateJobRequest other_renderer = Request("another renderer");
  other_renderer.mutable_spec()->set_model(kCinematic);
  const JobRecord cinematic = MustCreate(user, other_renderer);
  v1::CreateJobRequest large = Request("a large frame");
  large.mutable_spec()->set_size("1080x1920");
  const JobRecord big = MustCreate(user, large);
  const JobRecord slow = MustCreate(user, Request("a long clip", 30));
  const JobRecord full = MustCreate(user, Request("full quality", 4, v1::GENERATION_QUALITY_FULL));
  v1::CreateJobRequest faster = Request("a sped-up clip");
  faster.mutable_spec()->add_effects()->mutable_speed()->set_factor(2);
  faster.mutable_spec()->add_effects()->mutable_text()->set_text("FAST");
  const JobRecord sped = MustCreate(user, faster);
  EXPECT_THAT(sped.effects, ElementsAre("speed", "text"));
  const JobRecord plain = MustCreate(user, "a plain draft");

  const WorkerIdentity small = Worker();
  const LeaseFilter filter{.renderers = {kProcedural},
                           .qualities = {v1::GENERATION_QUALITY_DRAFT},
                           .max_seconds = 20,
                           .max_pixels = 1280 * 720,
                           .effects = {"text", "color_grade"}};
  std::optional<JobRecord> job = Lease(small, filter);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->job_id, plain.job_id);
  EXPECT_FALSE(Lease(small, filter).has_value());
  EXPECT_FALSE(Lease(small, LeaseFilter{}).has_value());  // No renderer: nothing.

  // Each bound lifted lets its job through, in tag order.
  LeaseFilter wider = filter;
  wider.renderers.push_back(kCinematic);
  const auto leased_id = [&](const LeaseFilter& f) { return Lease(small, f).value_or(JobRecord{}).job_id; };
  EXPECT_EQ(leased_id(wider), cinematic.job_id);
  wider.max_pixels = 0;
  EXPECT_EQ(leased_id(wider), big.job_id);
  wider.max_seconds = 0;
  EXPECT_EQ(leased_id(wider), slow.job_id);
  wider.qualities.clear();
  EXPECT_EQ(leased_id(wider), full.job_id);
  EXPECT_EQ(leased_id(wider), "");  // needs a speed change the worker does not apply
  wider.effects.push_back("speed");
  EXPECT_EQ(leased_id(wider), sped.job_id);
}

TEST_F(WorkerLogicTest, ARetriedLeaseRequestGetsTheSameLease) {
  const kit::Caller user = User();
  MustCreate(user, "first");
  MustCreate(user, "second");
  const WorkerIdentity worker = Worker();
  const std::string request_id = ids_.Next();
  ASSERT_OK_AND_ASSIGN(const std::optional<JobRecord> first, workers_.Lease(worker, request_id, AnyJob()));
  ASSERT_TRUE(first.has_value());
  clock_.Advance(absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(const std::optional<JobRecord> again, workers_.Lease(worker, request_id, AnyJob()));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->job_id, first->job_id);
  EXPECT_EQ(again->lease_epoch, 1);
  EXPECT_EQ(again->attempt, 1);
  EXPECT_EQ(CountEvents(kStartedSubject), 1);

  // The same request id from another credential is another request.
  ASSERT_OK_AND_ASSIGN(const std::optional<JobRecord> other, workers_.Lease(Worker(), request_id, AnyJob()));
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(other->job_id, first->job_id);
}

TEST_F(WorkerLogicTest, RenewExtendsTheLeaseAndRecordsMonotonicProgress) {
  MustCreate(User(), "a slow render");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  const auto renew = [&](std::optional<int32_t> percent, const std::string& stage) {
    return workers_.Renew(worker, job.job_id, job.lease_epoch, percent, stage);
  };

  clock_.Advance(absl::Seconds(20));
  ASSERT_OK_AND_ASSIGN(const LeaseState state, renew(5, "scene"));
  EXPECT_EQ(state.expires, clock_.Now() + absl::Seconds(30));
  EXPECT_FALSE(state.cancel_requested);
  EXPECT_EQ(Stored(job.job_id).lease_expires, state.expires);
  EXPECT_EQ(Stored(job.job_id).progress_percent, 5);
  EXPECT_EQ(Stored(job.job_id).stage, "scene");
  EXPECT_EQ(CountEvents(kProgressSubject), 0);

  ASSERT_THAT(renew(12, "frames"), IsOk());  // Crosses 10.
  EXPECT_EQ(CountEvents(kProgressSubject), 1);
  EXPECT_EQ(store_.state().events.back().generation_progress().percent(), 12);
  EXPECT_EQ(store_.state().events.back().generation_progress().stage(), "frames");
  ASSERT_THAT(renew(8, "back"), IsOk());  // Below: ignored.
  EXPECT_EQ(Stored(job.job_id).progress_percent, 12);
  ASSERT_THAT(renew(19, "frames"), IsOk());
  EXPECT_EQ(CountEvents(kProgressSubject), 1);
  ASSERT_THAT(renew(35, "encode"), IsOk());  // Past 20 and 30: one event.
  EXPECT_EQ(CountEvents(kProgressSubject), 2);
  ASSERT_THAT(renew(std::nullopt, "ignored"), IsOk());  // A bare heartbeat.
  EXPECT_EQ(Stored(job.job_id).progress_percent, 35);
  EXPECT_EQ(Stored(job.job_id).stage, "encode");
  EXPECT_EQ(Stored(job.job_id).status, v1::JOB_STATUS_IN_PROGRESS);
}

TEST_F(WorkerLogicTest, ACancelDuringTheLeaseTellsTheWorkerToStop) {
  const kit::Caller user = User();
  MustCreate(user, "to be cancelled");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  ASSERT_THAT(jobs_.Cancel(user, Key(user.user_id), job.job_id), IsOk());
  EXPECT_TRUE(store_.state().events.back().generation_cancelled().was_in_progress());

  clock_.Advance(absl::Seconds(10));
  ASSERT_OK_AND_ASSIGN(const LeaseState state, workers_.Renew(worker, job.job_id, job.lease_epoch, 50, "x"));
  EXPECT_TRUE(state.cancel_requested);
  EXPECT_EQ(state.expires, *job.lease_expires);  // Not extended.
  EXPECT_EQ(Stored(job.job_id).status, v1::JOB_STATUS_CANCELLED);
  EXPECT_EQ(Stored(job.job_id).progress_percent, 0);

  const Completion completion = Completion{};
  EXPECT_EQ(Reason(workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, completion)),
            "LEASE_LOST");
  // The sweep leaves a cancelled job alone.
  clock_.Advance(absl::Minutes(5));
  EXPECT_THAT(workers_.ExpireLeases(), IsOkAndHolds(0));
  EXPECT_EQ(Stored(job.job_id).status, v1::JOB_STATUS_CANCELLED);
}

TEST_F(WorkerLogicTest, AStaleEpochIsLeaseLostEverywhere) {
  MustCreate(User(), "a contested job");
  const WorkerIdentity slow = Worker("slow");
  const JobRecord first = LeaseOne(slow);
  const Completion stale_outputs = UploadOutputs(slow, first);
  clock_.Advance(absl::Seconds(31));
  ASSERT_THAT(workers_.ExpireLeases(), IsOkAndHolds(1));
  const WorkerIdentity fast = Worker("fast");
  const JobRecord second = LeaseOne(fast);
  ASSERT_EQ(second.job_id, first.job_id);
  ASSERT_EQ(second.lease_epoch, 2);
  ASSERT_EQ(second.attempt, 2);

  const std::string& id = first.job_id;
  const int64_t stale = first.lease_epoch;
  const auto lease_lost = [](const absl::Status& status) {
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_EQ(Reason(status), "LEASE_LOST") << status;
  };
  lease_lost(workers_.Renew(slow, id, stale, 50, "x").status());
  lease_lost(workers_.Leased(slow, id, stale).status());
  lease_lost(Upload(slow, first, v1::CONTENT_VARIANT_VIDEO, Blob("late", "video/mp4")));
  lease_lost(workers_.Complete(slow, Key(slow.credential_id), id, stale, stale_outputs).status());
  lease_lost(FailWith(slow, first, /*retryable=*/true));
  lease_lost(workers_.Renew(slow, ids_.Next(), 1, std::nullopt, "").status());  // No such job.
  // A future epoch is no better.
  lease_lost(workers_.Leased(fast, id, second.lease_epoch + 1).status());
  // Nor is the live epoch from a credential that did not take the lease
  // (job ids travel in signed files, epochs are small numbers).
  const WorkerIdentity other = Worker("fast");
  lease_lost(workers_.Leased(other, id, second.lease_epoch).status());
  lease_lost(workers_.Renew(other, id, second.lease_epoch, 60, "x").status());
  lease_lost(FailWith(other, second, /*retryable=*/false));

  // None of it touched the live lease.
  const JobRecord stored = Stored(id);
  EXPECT_EQ(stored.status, v1::JOB_STATUS_IN_PROGRESS);
  EXPECT_EQ(stored.lease_epoch, 2);
  EXPECT_EQ(stored.worker_id, "fast");
  ASSERT_OK_AND_ASSIGN(const JobRecord live, workers_.Leased(fast, id, 2));
  EXPECT_EQ(live.worker_id, "fast");
  // The old lease's uploads do not count for the new one.
  EXPECT_THAT(workers_.Complete(fast, Key(fast.credential_id), id, 2, stale_outputs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outputs.video")));
}

TEST_F(WorkerLogicTest, CompleteNeedsThisLeasesVideoThumbnailAndProvenance) {
  MustCreate(User(), "a complete set");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  const auto complete = [&](const Completion& c) {
    return workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, c);
  };
  Completion c;
  *c.outputs.mutable_video() = Blob("video", "video/mp4");
  *c.outputs.mutable_thumbnail() = Blob("thumbnail", "image/jpeg");
  *c.outputs.mutable_provenance() = Blob("provenance", "application/c2pa");

  EXPECT_THAT(complete(c), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outputs.video")));
  ASSERT_THAT(Upload(worker, job, v1::CONTENT_VARIANT_VIDEO, c.outputs.video()), IsOk());
  EXPECT_THAT(complete(c), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outputs.thumbnail")));
  ASSERT_THAT(Upload(worker, job, v1::CONTENT_VARIANT_THUMBNAIL, c.outputs.thumbnail()), IsOk());
  EXPECT_THAT(complete(c), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outputs.provenance")));
  ASSERT_THAT(Upload(worker, job, v1::CONTENT_VARIANT_PROVENANCE, c.outputs.provenance()), IsOk());

  // Naming a blob that is not the upload of its variant.
  Completion wrong = c;
  *wrong.outputs.mutable_video() = Blob("some other video", "video/mp4");
  EXPECT_THAT(complete(wrong), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outputs.video")));
  Completion swapped = c;
  *swapped.outputs.mutable_video() = c.outputs.thumbnail();
  EXPECT_THAT(complete(swapped), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outputs.video")));
  // A spritesheet is optional, but one named must be uploaded.
  Completion with_sheet = c;
  *with_sheet.outputs.mutable_spritesheet() = Blob("sheet", "image/jpeg");
  EXPECT_THAT(complete(with_sheet), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outputs.spritesheet")));

  EXPECT_EQ(checks_.video_checks(), 0);  // Refused before the media filter.
  EXPECT_EQ(Stored(job.job_id).status, v1::JOB_STATUS_IN_PROGRESS);
  EXPECT_THAT(complete(c), IsOkAndHolds(v1::JOB_STATUS_COMPLETED));
}

TEST_F(WorkerLogicTest, CompleteStoresTheUploadedRefsAndEmitsCompleted) {
  MustCreate(User(), "a finished render");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  const Completion uploaded = UploadOutputs(worker, job);
  ASSERT_THAT(Upload(worker, job, v1::CONTENT_VARIANT_SPRITESHEET, Blob("unnamed sheet", "image/jpeg")), IsOk());
  // The worker misreports sizes and types: the uploads' own are kept.
  Completion claimed = uploaded;
  claimed.outputs.mutable_video()->set_size_bytes(1);
  claimed.outputs.mutable_video()->set_content_type("text/plain");
  claimed.outputs.mutable_thumbnail()->set_size_bytes(2);

  clock_.Advance(absl::Seconds(12));
  ASSERT_THAT(workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, claimed),
              IsOkAndHolds(v1::JOB_STATUS_COMPLETED));
  const JobRecord stored = Stored(job.job_id);
  EXPECT_EQ(stored.status, v1::JOB_STATUS_COMPLETED);
  EXPECT_EQ(stored.progress_percent, 100);
  EXPECT_EQ(stored.stage, "");
  EXPECT_EQ(stored.lease_expires, std::nullopt);
  EXPECT_EQ(stored.finish_time, clock_.Now());
  ASSERT_TRUE(stored.outputs.has_value());
  EXPECT_EQ(stored.outputs->video().sha256(), uploaded.outputs.video().sha256());
  EXPECT_EQ(stored.outputs->video().size_bytes(), 50000);
  EXPECT_EQ(stored.outputs->video().content_type(), "video/mp4");
  EXPECT_EQ(stored.outputs->thumbnail().size_bytes(), 4000);
  EXPECT_EQ(stored.outputs->provenance().sha256(), uploaded.outputs.provenance().sha256());
  EXPECT_FALSE(stored.outputs->has_spritesheet());  // Uploaded, not named.
  EXPECT_EQ(stored.outputs->width(), 720);
  EXPECT_EQ(stored.outputs->renderer(), "procedural-1/1.0.0");
  EXPECT_THAT(checks_.checked_videos(), ElementsAre(uploaded.outputs.video().sha256()));

  const v1::EventEnvelope event = store_.state().events.back();
  ASSERT_EQ(event.type(), kCompletedSubject);
  EXPECT_EQ(event.generation_completed().video().sha256(), uploaded.outputs.video().sha256());
  EXPECT_EQ(event.generation_completed().video().size_bytes(), 50000);
  EXPECT_EQ(event.generation_completed().seed(), 7);
}

TEST_F(WorkerLogicTest, ABlockedVideoFailsTheJob) {
  MustCreate(User(), "a render the filter dislikes");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  const Completion completion = UploadOutputs(worker, job);
  checks_.SetVideoVerdict(completion.outputs.video().sha256(), {.decision = v1::MODERATION_DECISION_BLOCK});
  ASSERT_THAT(workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, completion),
              IsOkAndHolds(v1::JOB_STATUS_FAILED));
  const JobRecord stored = Stored(job.job_id);
  EXPECT_EQ(stored.status, v1::JOB_STATUS_FAILED);
  EXPECT_EQ(stored.failure_code, v1::GENERATION_FAILURE_CODE_OUTPUT_REJECTED);
  EXPECT_FALSE(stored.outputs.has_value());
  EXPECT_EQ(stored.lease_expires, std::nullopt);
  const v1::EventEnvelope event = store_.state().events.back();
  ASSERT_EQ(event.type(), kFailedSubject);
  EXPECT_EQ(event.generation_failed().code(), v1::GENERATION_FAILURE_CODE_OUTPUT_REJECTED);
  EXPECT_EQ(CountEvents(kCompletedSubject), 0);
}

// The feed finds near-duplicates by the media filter's frame hashes: the
// worker's own claim must not stand in for them.
TEST_F(WorkerLogicTest, CompletedOutputsCarryTheMediaFiltersFrameHashesNotTheWorkers) {
  MustCreate(User(), "a hashed render");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  Completion completion = UploadOutputs(worker, job);
  completion.outputs.add_frame_hashes(std::string(32, 'w'));
  const std::vector<std::string> sampled = {std::string(32, '\x01'), std::string(32, '\x02'),
                                            std::string(32, '\x03')};
  checks_.SetVideoVerdict(completion.outputs.video().sha256(), {.frame_hashes = sampled});

  ASSERT_THAT(workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, completion),
              IsOkAndHolds(v1::JOB_STATUS_COMPLETED));
  const JobRecord stored = Stored(job.job_id);
  ASSERT_TRUE(stored.outputs.has_value());
  EXPECT_THAT(stored.outputs->frame_hashes(), ElementsAreArray(sampled));

  // Bulky and only the feed's: the API's job leaves them out.
  v1::GenerationJob shown;
  FillJob(JobView{.job = stored}, &shown);
  EXPECT_EQ(shown.outputs().video().sha256(), completion.outputs.video().sha256());
  EXPECT_THAT(shown.outputs().frame_hashes(), IsEmpty());
}

TEST_F(WorkerLogicTest, AWorkersFrameHashesAreDroppedWhenTheFilterHasNone) {
  MustCreate(User(), "an unhashed render");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  Completion completion = UploadOutputs(worker, job);
  completion.outputs.add_frame_hashes(std::string(32, 'w'));

  ASSERT_THAT(workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, completion),
              IsOkAndHolds(v1::JOB_STATUS_COMPLETED));
  ASSERT_TRUE(Stored(job.job_id).outputs.has_value());
  EXPECT_THAT(Stored(job.job_id).outputs->frame_hashes(), IsEmpty());
}

TEST_F(WorkerLogicTest, FrameHashesAreCappedAtTheLongestClipsWorth) {
  MustCreate(User(), "an overlong render");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  const Completion completion = UploadOutputs(worker, job);
  Verdict verdict;
  for (int i = 0; i < kMaxFrameHashes + 5; ++i) verdict.frame_hashes.push_back(absl::StrCat(i));
  checks_.SetVideoVerdict(completion.outputs.video().sha256(), verdict);

  ASSERT_THAT(workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, completion),
              IsOkAndHolds(v1::JOB_STATUS_COMPLETED));
  const JobRecord stored = Stored(job.job_id);
  ASSERT_TRUE(stored.outputs.has_value());
  ASSERT_EQ(stored.outputs->frame_hashes_size(), kMaxFrameHashes);
  EXPECT_EQ(stored.outputs->frame_hashes(0), "0");  // The first ones, in order.
  EXPECT_EQ(stored.outputs->frame_hashes(kMaxFrameHashes - 1), absl::StrCat(kMaxFrameHashes - 1));
}

TEST_F(WorkerLogicTest, AFailingMediaFilterLeavesTheLeaseAlone) {
  MustCreate(User(), "while moderation is down");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  const Completion completion = UploadOutputs(worker, job);
  checks_.SetFailure(absl::UnavailableError("moderation is down"));
  EXPECT_THAT(workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, completion),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(Stored(job.job_id).status, v1::JOB_STATUS_IN_PROGRESS);
  checks_.SetFailure(absl::OkStatus());
  EXPECT_THAT(workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, completion),
              IsOkAndHolds(v1::JOB_STATUS_COMPLETED));
}

// The media filter judges the video named when Complete first looks; an
// upload that replaces it while the filter runs must not be completed
// unjudged.
TEST_F(WorkerLogicTest, AVideoReplacedDuringTheMediaCheckIsNotCompletedUnchecked) {
  MustCreate(User(), "a switched video");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  const Completion completion = UploadOutputs(worker, job);
  const v1::BlobRef unchecked = Blob("a video nobody checked", "video/mp4");
  checks_.SetVideoHook([&] { ASSERT_THAT(Upload(worker, job, v1::CONTENT_VARIANT_VIDEO, unchecked), IsOk()); });

  const absl::StatusOr<v1::JobStatus> status =
      workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, completion);
  checks_.SetVideoHook(nullptr);
  const JobRecord stored = Stored(job.job_id);
  if (stored.outputs) {
    EXPECT_NE(stored.outputs->video().sha256(), unchecked.sha256()) << "stored a video the filter never saw";
  }
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outputs.video")));
  EXPECT_EQ(stored.status, v1::JOB_STATUS_IN_PROGRESS);
}

TEST_F(WorkerLogicTest, ARetriedCompleteReplays) {
  MustCreate(User(), "completed twice");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  const Completion completion = UploadOutputs(worker, job);
  const kit::IdempotencyKey key = Key(worker.credential_id);
  ASSERT_THAT(workers_.Complete(worker, key, job.job_id, job.lease_epoch, completion),
              IsOkAndHolds(v1::JOB_STATUS_COMPLETED));
  const size_t events = store_.state().events.size();
  const int64_t version = Stored(job.job_id).version;
  EXPECT_THAT(workers_.Complete(worker, key, job.job_id, job.lease_epoch, completion),
              IsOkAndHolds(v1::JOB_STATUS_COMPLETED));
  EXPECT_EQ(store_.state().events.size(), events);
  EXPECT_EQ(Stored(job.job_id).version, version);
  EXPECT_EQ(checks_.video_checks(), 1);
  // A new request is not a retry: the lease is gone.
  EXPECT_EQ(Reason(workers_.Complete(worker, Key(worker.credential_id), job.job_id, job.lease_epoch, completion)),
            "LEASE_LOST");
}

TEST_F(WorkerLogicTest, ARetryableFailureRequeuesUnderTheSameTag) {
  const JobRecord created = MustCreate(User(), "a flaky render");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  ASSERT_THAT(workers_.Renew(worker, job.job_id, job.lease_epoch, 40, "frames"), IsOk());
  // A later arrival is tagged after the clock the lease advanced.
  const JobRecord later = MustCreate(User(), "a later job");
  ASSERT_GT(later.queue_tag, created.queue_tag);

  const kit::IdempotencyKey key = Key(worker.credential_id);
  ASSERT_OK_AND_ASSIGN(const FailOutcome outcome,
                       workers_.Fail(worker, key, job.job_id, job.lease_epoch,
                                     v1::GENERATION_FAILURE_CODE_RENDER_ERROR, "out of memory", true));
  EXPECT_TRUE(outcome.will_retry);
  EXPECT_EQ(outcome.status, v1::JOB_STATUS_QUEUED);
  const JobRecord stored = Stored(job.job_id);
  EXPECT_EQ(stored.status, v1::JOB_STATUS_QUEUED);
  EXPECT_EQ(stored.queue_tag, created.queue_tag);
  EXPECT_EQ(stored.lease_expires, std::nullopt);
  EXPECT_EQ(stored.progress_percent, 0);
  EXPECT_EQ(stored.failure_code, v1::GENERATION_FAILURE_CODE_UNSPECIFIED);
  EXPECT_EQ(CountEvents(kFailedSubject), 0);
  // A retry of the call replays its outcome.
  ASSERT_OK_AND_ASSIGN(const FailOutcome replayed, workers_.Fail(worker, key, job.job_id, job.lease_epoch,
                                                                 v1::GENERATION_FAILURE_CODE_RENDER_ERROR,
                                                                 "out of memory", true));
  EXPECT_TRUE(replayed.will_retry);
  EXPECT_EQ(replayed.status, v1::JOB_STATUS_QUEUED);

  // Back ahead of the later arrival, under a new epoch.
  const JobRecord again = LeaseOne(Worker());
  EXPECT_EQ(again.job_id, job.job_id);
  EXPECT_EQ(again.lease_epoch, 2);
  EXPECT_EQ(again.attempt, 2);
}

TEST_F(WorkerLogicTest, AFinalFailureKeepsTheCodeAndAShortenedMessage) {
  MustCreate(User(), "a broken input");
  const WorkerIdentity worker = Worker();
  const JobRecord job = LeaseOne(worker);
  // 499 ASCII bytes and a two-byte character across the 500-byte limit.
  const std::string message = std::string(499, 'a') + "\xC3\xA9" + "tail";
  ASSERT_OK_AND_ASSIGN(const FailOutcome outcome,
                       workers_.Fail(worker, Key(worker.credential_id), job.job_id, job.lease_epoch,
                                     v1::GENERATION_FAILURE_CODE_INVALID_INPUT, message, /*retryable=*/false));
  EXPECT_FALSE(outcome.will_retry);
  EXPECT_EQ(outcome.status, v1::JOB_STATUS_FAILED);
  const JobRecord stored = Stored(job.job_id);
  EXPECT_EQ(stored.status, v1::JOB_STATUS_FAILED);
  EXPECT_EQ(stored.failure_code, v1::GENERATION_FAILURE_CODE_INVALID_INPUT);
  EXPECT_EQ(stored.failure_message, std::string(499, 'a'));
  EXPECT_EQ(stored.finish_time, clock_.Now());
  const v1::EventEnvelope event = store_.state().events.back();
  ASSERT_EQ(event.type(), kFailedSubject);
  EXPECT_EQ(event.generation_failed().code(), v1::GENERATION_FAILURE_CODE_INVALID_INPUT);
  EXPECT_EQ(event.generation_failed().message(), std::string(499, 'a'));
  EXPECT_EQ(event.generation_failed().attempts(), 1);
}

TEST_F(WorkerLogicTest, LongMessagesAreCutAtACharacterBoundary) {
  const kit::Caller user = User();
  int jobs = 0;
  const auto fail_with = [&](const std::string& message) {
    MustCreate(user, Request(absl::StrCat("message ", ++jobs)));
    const WorkerIdentity worker = Worker();
    const JobRecord job = LeaseOne(worker);
    EXPECT_THAT(FailWith(worker, job, /*retryable=*/false, message), IsOk());
    return Stored(job.job_id).failure_message;
  };
  std::string euros;
  for (int i = 0; i < 200; ++i) euros += "\xE2\x82\xAC";  // 600 bytes.
  EXPECT_EQ(fail_with(euros), euros.substr(0, 498));
  std::string emoji;
  for (int i = 0; i < 130; ++i) emoji += "\xF0\x9F\x8E\xAC";  // 520 bytes.
  EXPECT_EQ(fail_with(emoji), emoji.substr(0, 500));
  const std::string exact(500, 'x');
  EXPECT_EQ(fail_with(exact), exact);
}

TEST_F(WorkerLogicTest, RetryableFailuresFailTheJobWhenAttemptsRunOut) {
  MustCreate(User(), "never works");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const WorkerIdentity worker = Worker();
    const JobRecord job = LeaseOne(worker);
    ASSERT_EQ(job.attempt, attempt);
    ASSERT_OK_AND_ASSIGN(const FailOutcome outcome,
                         workers_.Fail(worker, Key(worker.credential_id), job.job_id, job.lease_epoch,
                                       v1::GENERATION_FAILURE_CODE_RENDER_ERROR, "crash", /*retryable=*/true));
    EXPECT_EQ(outcome.will_retry, attempt < 3) << attempt;
  }
  EXPECT_FALSE(Lease(Worker()).has_value());
  const FakeGenerationState state = store_.state();
  const JobRecord& job = state.jobs.begin()->second;
  EXPECT_EQ(job.status, v1::JOB_STATUS_FAILED);
  EXPECT_EQ(job.failure_code, v1::GENERATION_FAILURE_CODE_RENDER_ERROR);
  EXPECT_EQ(job.failure_message, "crash");
  EXPECT_EQ(state.events.back().generation_failed().attempts(), 3);
}

TEST_F(WorkerLogicTest, LapsedLeasesRequeueUntilAttemptsRunOut) {
  const JobRecord created = MustCreate(User(), "an abandoned job");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const JobRecord job = LeaseOne(Worker());
    ASSERT_EQ(job.attempt, attempt);
    // Exactly at its expiry the lease still stands.
    clock_.Advance(workers_.rules().lease_length);
    ASSERT_THAT(workers_.ExpireLeases(), IsOkAndHolds(0));
    EXPECT_EQ(Stored(job.job_id).status, v1::JOB_STATUS_IN_PROGRESS);
    clock_.Advance(absl::Milliseconds(1));
    ASSERT_THAT(workers_.ExpireLeases(), IsOkAndHolds(1));
    const JobRecord stored = Stored(job.job_id);
    if (attempt < 3) {
      EXPECT_EQ(stored.status, v1::JOB_STATUS_QUEUED);
      EXPECT_EQ(stored.queue_tag, created.queue_tag);
      EXPECT_EQ(stored.lease_expires, std::nullopt);
      EXPECT_EQ(CountEvents(kFailedSubject), 0);
    } else {
      EXPECT_EQ(stored.status, v1::JOB_STATUS_FAILED);
      EXPECT_EQ(stored.failure_code, v1::GENERATION_FAILURE_CODE_ATTEMPTS_EXHAUSTED);
      EXPECT_THAT(stored.failure_message, HasSubstr("3 attempt(s)"));
      EXPECT_EQ(stored.finish_time, clock_.Now());
      ASSERT_EQ(CountEvents(kFailedSubject), 1);
      EXPECT_EQ(store_.state().events.back().generation_failed().code(),
                v1::GENERATION_FAILURE_CODE_ATTEMPTS_EXHAUSTED);
    }
  }
  EXPECT_THAT(workers_.ExpireLeases(), IsOkAndHolds(0));
  EXPECT_FALSE(Lease(Worker()).has_value());
}

TEST_F(WorkerLogicTest, TheSweepTakesOnlyLapsedLeasesOldestFirstInBatches) {
  const kit::Caller user = User();
  SetTier(user, v1::TIER_PRO);
  for (int i = 0; i < 3; ++i) MustCreate(user, absl::StrCat("job ", i));
  const JobRecord a = LeaseOne(Worker());
  clock_.Advance(absl::Seconds(5));
  const JobRecord b = LeaseOne(Worker());
  clock_.Advance(absl::Seconds(5));
  const JobRecord c = LeaseOne(Worker());
  // a and b lapse; c is still live.
  clock_.Set(*b.lease_expires + absl::Seconds(1));
  WorkerLogic one_at_a_time(store_, clock_, events_, checks_, {.sweep_batch = 1});
  ASSERT_THAT(one_at_a_time.ExpireLeases(), IsOkAndHolds(1));
  EXPECT_EQ(Stored(a.job_id).status, v1::JOB_STATUS_QUEUED);
  EXPECT_EQ(Stored(b.job_id).status, v1::JOB_STATUS_IN_PROGRESS);
  ASSERT_THAT(one_at_a_time.ExpireLeases(), IsOkAndHolds(1));
  EXPECT_EQ(Stored(b.job_id).status, v1::JOB_STATUS_QUEUED);
  ASSERT_THAT(one_at_a_time.ExpireLeases(), IsOkAndHolds(0));
  EXPECT_EQ(Stored(c.job_id).status, v1::JOB_STATUS_IN_PROGRESS);
}

}  // namespace
}  // namespace clipforge::generation_service::testing
