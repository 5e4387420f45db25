// The user side of generation jobs over the fake store: what Create stores
// and refuses (prompt verdicts, tier limits, quotas across the UTC day,
// idempotent retries, reuse of an identical render), and who may read,
// list, cancel and delete which job.
#include "services/generation/job_logic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "generation/scheduling.h"
#include "tests/unit/generation_service/generation_fixture.h"

namespace clipforge::generation_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class JobLogicTest : public GenerationFixture {};

TEST_F(JobLogicTest, CreateQueuesAFreeJobWithItsFingerprintAndQuota) {
  const kit::Caller user = User();
  const v1::CreateJobRequest request = Request("a red fox in the snow", 8);
  ASSERT_OK_AND_ASSIGN(const JobView view, Create(user, request));
  const JobRecord& job = view.job;

  EXPECT_EQ(job.status, v1::JOB_STATUS_QUEUED);
  EXPECT_EQ(job.tier, v1::TIER_FREE);
  EXPECT_EQ(job.user_id, user.user_id);
  EXPECT_EQ(job.request_id, request.request_id());
  EXPECT_EQ(job.renderer, kProcedural);
  EXPECT_EQ(job.seconds, 8);
  EXPECT_EQ(job.pixels, 720 * 1280);
  EXPECT_EQ(job.quality, v1::GENERATION_QUALITY_DRAFT);
  EXPECT_EQ(job.quota_seconds, 2);  // A draft costs a quarter of its seconds.
  EXPECT_EQ(job.max_attempts, 3);
  EXPECT_EQ(job.create_time, clock_.Now());
  EXPECT_EQ(job.spec.seed(), 7);
  EXPECT_EQ(job.spec.size(), "720x1280");
  const generation::JobSpec core{.prompt = "a red fox in the snow", .seconds = 8, .seed = 7};
  EXPECT_EQ(job.fingerprint, generation::SpecFingerprint(core, "procedural-1/1.0.0"));
  // The first free job is tagged one free job past the (zero) clock.
  EXPECT_EQ(job.queue_tag, generation::kTagUnit);
  EXPECT_EQ(view.queue_position, 0);

  const FakeGenerationState state = store_.state();
  ASSERT_EQ(state.jobs.size(), 1u);
  EXPECT_EQ(state.jobs.at(job.job_id).fingerprint, job.fingerprint);
  EXPECT_EQ(state.users.at(user.user_id).last_tag, generation::kTagUnit);
  ASSERT_EQ(state.events.size(), 1u);
  EXPECT_EQ(state.events[0].type(), kCreatedSubject);
  EXPECT_EQ(state.events[0].generation_created().job_id(), job.job_id);
  EXPECT_FALSE(state.events[0].generation_created().pending_review());
  EXPECT_EQ(checks_.prompt_checks(), 1);
  EXPECT_EQ(checks_.last_prompt_user(), user.user_id);

  // Another user's job at the same tag queues behind it.
  ASSERT_OK_AND_ASSIGN(const JobView second, Create(User(), Request("a blue whale")));
  EXPECT_EQ(second.job.queue_tag, generation::kTagUnit);
  EXPECT_EQ(second.queue_position, 1);
}

TEST_F(JobLogicTest, ABlockedPromptCreatesNothing) {
  checks_.SetPromptVerdict("knife", {.decision = v1::MODERATION_DECISION_BLOCK,
                                     .categories = {v1::MODERATION_CATEGORY_VIOLENCE}});
  const absl::StatusOr<JobView> created = Create(User(), Request("a knife fight"));
  EXPECT_THAT(created, StatusIs(absl::StatusCode::kFailedPrecondition,
                                HasSubstr("MODERATION_CATEGORY_VIOLENCE")));
  EXPECT_EQ(Reason(created), "PROMPT_BLOCKED");
  const FakeGenerationState state = store_.state();
  EXPECT_THAT(state.jobs, IsEmpty());
  EXPECT_THAT(state.events, IsEmpty());
  EXPECT_THAT(state.idempotency, IsEmpty());
  EXPECT_THAT(state.users, IsEmpty());
}

TEST_F(JobLogicTest, AFailedCheckCreatesNothing) {
  checks_.SetFailure(absl::UnavailableError("moderation is down"));
  EXPECT_THAT(Create(User(), Request("a cat")), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store_.state().jobs, IsEmpty());
}

TEST_F(JobLogicTest, AReviewVerdictWaitsInPendingReviewWithoutATag) {
  checks_.SetPromptVerdict("borderline", {.decision = v1::MODERATION_DECISION_REVIEW});
  const kit::Caller user = User();
  ASSERT_OK_AND_ASSIGN(const JobView view, Create(user, Request("something borderline")));
  EXPECT_EQ(view.job.status, v1::JOB_STATUS_PENDING_REVIEW);
  EXPECT_EQ(view.job.queue_tag, 0);
  const FakeGenerationState state = store_.state();
  EXPECT_EQ(state.users.at(user.user_id).last_tag, 0);
  ASSERT_EQ(state.events.size(), 1u);
  EXPECT_TRUE(state.events[0].generation_created().pending_review());
  // No worker gets it; a moderator is asked.
  EXPECT_FALSE(Lease(Worker()).has_value());
  EXPECT_EQ(checks_.reviews_requested(), std::vector<std::string>{view.job.job_id});
}

TEST_F(JobLogicTest, AModeratorsDecisionQueuesOrFailsAPendingJob) {
  checks_.SetPromptVerdict("borderline", {.decision = v1::MODERATION_DECISION_REVIEW});
  const kit::Caller user = User();
  ASSERT_OK_AND_ASSIGN(const JobView cleared, Create(user, Request("borderline one")));
  ASSERT_OK_AND_ASSIGN(const JobView rejected, Create(user, Request("borderline two")));
  ASSERT_THAT(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) {
    return jobs_.ApplyReview(tx, cleared.job.job_id, /*approved=*/true, {});
  }), IsOk());
  ASSERT_THAT(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) {
    return jobs_.ApplyReview(tx, rejected.job.job_id, /*approved=*/false, {v1::MODERATION_CATEGORY_VIOLENCE});
  }), IsOk());
  const FakeGenerationState state = store_.state();
  const JobRecord& queued = state.jobs.at(cleared.job.job_id);
  EXPECT_EQ(queued.status, v1::JOB_STATUS_QUEUED);
  EXPECT_GT(queued.queue_tag, 0);
  const JobRecord& failed = state.jobs.at(rejected.job.job_id);
  EXPECT_EQ(failed.status, v1::JOB_STATUS_FAILED);
  EXPECT_EQ(failed.failure_code, v1::GENERATION_FAILURE_CODE_PROMPT_REJECTED);
  EXPECT_THAT(failed.failure_message, HasSubstr("VIOLENCE"));
  // A second decision about either changes nothing.
  ASSERT_THAT(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) {
    return jobs_.ApplyReview(tx, rejected.job.job_id, /*approved=*/true, {});
  }), IsOk());
  EXPECT_EQ(store_.state().jobs.at(rejected.job.job_id).status, v1::JOB_STATUS_FAILED);
  const std::optional<JobRecord> leased = Lease(Worker());
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(leased->job_id, cleared.job.job_id);
}

TEST_F(JobLogicTest, TierLimitsRefuseLongAndLargeClips) {
  const kit::Caller user = User();
  const absl::StatusOr<JobView> long_clip = Create(user, Request("a long clip", 60));
  EXPECT_THAT(long_clip, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("spec.seconds")));
  EXPECT_EQ(Reason(long_clip), "LIMIT_EXCEEDED");

  v1::CreateJobRequest large = Request("a large clip");
  large.mutable_spec()->set_size("1080x1920");
  const absl::StatusOr<JobView> large_clip = Create(user, large);
  EXPECT_THAT(large_clip, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("spec.size")));
  EXPECT_EQ(Reason(large_clip), "LIMIT_EXCEEDED");
  EXPECT_THAT(store_.state().jobs, IsEmpty());

  // The plus tier offers both.
  SetTier(user, v1::TIER_PLUS);
  EXPECT_THAT(Create(user, Request("a long clip", 60)), IsOk());
  large.set_request_id(ids_.Next());
  EXPECT_THAT(Create(user, large), IsOk());
}

TEST_F(JobLogicTest, AThirdActiveJobOnTheFreeTierIsOverQuota) {
  const kit::Caller user = User();
  const JobRecord first = MustCreate(user, "one");
  MustCreate(user, "two");
  const absl::StatusOr<JobView> third = Create(user, Request("three"));
  EXPECT_THAT(third, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("jobs at once")));
  EXPECT_EQ(Reason(third), "QUOTA_EXCEEDED");
  EXPECT_EQ(store_.state().jobs.size(), 2u);

  // A finished job frees its slot.
  ASSERT_THAT(jobs_.Cancel(user, Key(user.user_id), first.job_id), IsOk());
  EXPECT_THAT(Create(user, Request("three")), IsOk());
}

TEST_F(JobLogicTest, TheSecondsQuotaIsPerUtcDay) {
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 5, 28, 23, 0, 0), absl::UTCTimeZone()));
  const kit::Caller user = User();
  // The free tier's 120 seconds a day: six full-quality 20-second clips.
  for (int i = 0; i < 6; ++i) {
    ASSERT_THAT(Create(user, Request(absl::StrCat("clip ", i), 20, v1::GENERATION_QUALITY_FULL)), IsOk());
    ASSERT_EQ(RenderNext().status, v1::JOB_STATUS_COMPLETED);
  }
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 5, 28, 23, 59, 59), absl::UTCTimeZone()));
  const absl::StatusOr<JobView> over = Create(user, Request("one more draft"));
  EXPECT_THAT(over, StatusIs(absl::StatusCode::kResourceExhausted,
                             AllOf(HasSubstr("seconds per day"), HasSubstr("2026-05-29T00:00:00Z"))));
  EXPECT_EQ(Reason(over), "QUOTA_EXCEEDED");

  // Only today's jobs count: after midnight the quota is whole again.
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 5, 29, 0, 0, 0), absl::UTCTimeZone()));
  EXPECT_THAT(Create(user, Request("a new day", 20, v1::GENERATION_QUALITY_FULL)), IsOk());
}

TEST_F(JobLogicTest, ACancelledJobGivesItsSecondsBack) {
  const kit::Caller user = User();
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(Create(user, Request(absl::StrCat("clip ", i), 20, v1::GENERATION_QUALITY_FULL)), IsOk());
    ASSERT_EQ(RenderNext().status, v1::JOB_STATUS_COMPLETED);
  }
  // A queued job counts: 120 used.
  ASSERT_OK_AND_ASSIGN(const JobView queued, Create(user, Request("clip 5", 20, v1::GENERATION_QUALITY_FULL)));
  EXPECT_THAT(Create(user, Request("a draft")),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("seconds per day")));
  ASSERT_THAT(jobs_.Cancel(user, Key(user.user_id), queued.job.job_id), IsOk());
  EXPECT_THAT(Create(user, Request("a draft")), IsOk());
}

TEST_F(JobLogicTest, ARetriedCreateReturnsTheSameJob) {
  const kit::Caller user = User();
  const v1::CreateJobRequest request = Request("a lighthouse at dusk");
  ASSERT_OK_AND_ASSIGN(const JobView first, Create(user, request));
  ASSERT_OK_AND_ASSIGN(const JobView again, Create(user, request));
  EXPECT_EQ(again.job.job_id, first.job.job_id);
  EXPECT_EQ(store_.state().jobs.size(), 1u);
  EXPECT_EQ(store_.state().events.size(), 1u);

  // The same request_id with another request is refused...
  v1::CreateJobRequest changed = request;
  changed.mutable_spec()->set_prompt("a lighthouse at dawn");
  EXPECT_THAT(Create(user, changed), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("request_id")));
  // ... while the same request_id from another caller is another request.
  ASSERT_OK_AND_ASSIGN(const JobView other, Create(User(), request));
  EXPECT_NE(other.job.job_id, first.job.job_id);
  EXPECT_EQ(store_.state().jobs.size(), 2u);
}

TEST_F(JobLogicTest, AnIdenticalCompletedSpecCompletesAtOnce) {
  const JobRecord earlier_job = MustCreate(User(), Request("a paper boat", 8));
  const JobRecord earlier = RenderNext();
  ASSERT_EQ(earlier.job_id, earlier_job.job_id);
  ASSERT_EQ(earlier.status, v1::JOB_STATUS_COMPLETED);
  ASSERT_TRUE(earlier.outputs.has_value());
  const size_t events_before = store_.state().events.size();

  const kit::Caller user = User();
  ASSERT_OK_AND_ASSIGN(const JobView view, Create(user, Request("a paper boat", 8)));
  const JobRecord& job = view.job;
  EXPECT_NE(job.job_id, earlier.job_id);
  EXPECT_EQ(job.status, v1::JOB_STATUS_COMPLETED);
  EXPECT_EQ(job.fingerprint, earlier.fingerprint);
  ASSERT_TRUE(job.outputs.has_value());
  EXPECT_EQ(job.outputs->video().sha256(), earlier.outputs->video().sha256());
  EXPECT_EQ(job.outputs->provenance().sha256(), earlier.outputs->provenance().sha256());
  EXPECT_EQ(job.quota_seconds, 0);
  EXPECT_EQ(job.progress_percent, 100);
  EXPECT_EQ(job.finish_time, clock_.Now());
  EXPECT_EQ(job.queue_tag, 0);
  EXPECT_EQ(store_.state().users.at(user.user_id).last_tag, 0);

  const FakeGenerationState state = store_.state();
  ASSERT_EQ(state.events.size(), events_before + 2);
  EXPECT_EQ(state.events[events_before].type(), kCreatedSubject);
  EXPECT_EQ(state.events[events_before + 1].type(), kCompletedSubject);
  EXPECT_EQ(state.events[events_before + 1].generation_completed().job_id(), job.job_id);
  EXPECT_EQ(state.events[events_before + 1].generation_completed().video().sha256(),
            earlier.outputs->video().sha256());

  // A reuse costs nothing, so a user at their quota still gets one.
  const kit::Caller busy = User();
  MustCreate(busy, "a first job");
  MustCreate(busy, "a second job");  // the free tier's 2 jobs at once
  EXPECT_THAT(Create(busy, Request("a third job")), StatusIs(absl::StatusCode::kResourceExhausted));
  ASSERT_OK_AND_ASSIGN(const JobView reused, Create(busy, Request("a paper boat", 8)));
  EXPECT_EQ(reused.job.status, v1::JOB_STATUS_COMPLETED);

  // Another seed is another clip.
  v1::CreateJobRequest reseeded = Request("a paper boat", 8);
  reseeded.mutable_spec()->set_seed(8);
  ASSERT_OK_AND_ASSIGN(const JobView fresh, Create(user, reseeded));
  EXPECT_EQ(fresh.job.status, v1::JOB_STATUS_QUEUED);
  EXPECT_NE(fresh.job.fingerprint, earlier.fingerprint);
}

TEST_F(JobLogicTest, AnotherUsersJobIsNotFoundButAdminsSeeIt) {
  const kit::Caller owner = User();
  const JobRecord job = MustCreate(owner, "a private clip");
  const kit::Caller stranger = User();

  EXPECT_THAT(jobs_.Get(stranger, job.job_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(jobs_.Cancel(stranger, Key(stranger.user_id), job.job_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(jobs_.Delete(stranger, Key(stranger.user_id), job.job_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Stored(job.job_id).status, v1::JOB_STATUS_QUEUED);
  EXPECT_THAT(jobs_.Get(owner, ids_.Next()), StatusIs(absl::StatusCode::kNotFound));

  ASSERT_OK_AND_ASSIGN(const JobView mine, jobs_.Get(owner, job.job_id));
  EXPECT_EQ(mine.job.job_id, job.job_id);
  ASSERT_OK_AND_ASSIGN(const JobView seen, jobs_.Get(Admin(), job.job_id));
  EXPECT_EQ(seen.job.user_id, owner.user_id);
}

TEST_F(JobLogicTest, ListPagesNewestFirstWithACursorAndAStatusFilter) {
  const kit::Caller user = User();
  SetTier(user, v1::TIER_PRO);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(MustCreate(user, absl::StrCat("clip ", i)).job_id);
  MustCreate(User(), "someone else's");
  ASSERT_THAT(jobs_.Cancel(user, Key(user.user_id), ids[0]), IsOk());
  ASSERT_THAT(jobs_.Cancel(user, Key(user.user_id), ids[2]), IsOk());

  const auto job_ids = [](const JobPage& page) {
    std::vector<std::string> out;
    for (const JobRecord& j : page.jobs) out.push_back(j.job_id);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(const JobPage first, jobs_.List(user, {}, std::nullopt, 2));
  EXPECT_THAT(job_ids(first), ElementsAre(ids[4], ids[3]));
  ASSERT_TRUE(first.next.has_value());
  ASSERT_OK_AND_ASSIGN(const JobPage second, jobs_.List(user, {}, first.next, 2));
  EXPECT_THAT(job_ids(second), ElementsAre(ids[2], ids[1]));
  ASSERT_TRUE(second.next.has_value());
  ASSERT_OK_AND_ASSIGN(const JobPage last, jobs_.List(user, {}, second.next, 2));
  EXPECT_THAT(job_ids(last), ElementsAre(ids[0]));
  EXPECT_FALSE(last.next.has_value());

  // Exactly a page left: no next page.
  ASSERT_OK_AND_ASSIGN(const JobPage exact, jobs_.List(user, {}, first.next, 3));
  EXPECT_THAT(job_ids(exact), ElementsAre(ids[2], ids[1], ids[0]));
  EXPECT_FALSE(exact.next.has_value());

  ASSERT_OK_AND_ASSIGN(const JobPage cancelled, jobs_.List(user, {v1::JOB_STATUS_CANCELLED}, std::nullopt, 10));
  EXPECT_THAT(job_ids(cancelled), ElementsAre(ids[2], ids[0]));
  ASSERT_OK_AND_ASSIGN(const JobPage queued, jobs_.List(user, {v1::JOB_STATUS_QUEUED}, std::nullopt, 2));
  EXPECT_THAT(job_ids(queued), ElementsAre(ids[4], ids[3]));
  ASSERT_OK_AND_ASSIGN(const JobPage queued_rest, jobs_.List(user, {v1::JOB_STATUS_QUEUED}, queued.next, 2));
  EXPECT_THAT(job_ids(queued_rest), ElementsAre(ids[1]));
  EXPECT_FALSE(queued_rest.next.has_value());
}

TEST_F(JobLogicTest, CancellingAQueuedJobCancelsItOnce) {
  const kit::Caller user = User();
  const JobRecord job = MustCreate(user, "a storm at sea");
  const kit::IdempotencyKey key = Key(user.user_id);
  clock_.Advance(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(const JobView cancelled, jobs_.Cancel(user, key, job.job_id));
  EXPECT_EQ(cancelled.job.status, v1::JOB_STATUS_CANCELLED);
  EXPECT_EQ(cancelled.job.finish_time, clock_.Now());
  EXPECT_EQ(cancelled.job.version, 2);
  ASSERT_EQ(CountEvents(kCancelledSubject), 1);
  EXPECT_FALSE(store_.state().events.back().generation_cancelled().was_in_progress());

  // Again, as a retry or as a new request: OK, and nothing more happens.
  ASSERT_OK_AND_ASSIGN(const JobView replayed, jobs_.Cancel(user, key, job.job_id));
  EXPECT_EQ(replayed.job.status, v1::JOB_STATUS_CANCELLED);
  ASSERT_OK_AND_ASSIGN(const JobView twice, jobs_.Cancel(user, Key(user.user_id), job.job_id));
  EXPECT_EQ(twice.job.status, v1::JOB_STATUS_CANCELLED);
  EXPECT_EQ(CountEvents(kCancelledSubject), 1);
  EXPECT_EQ(Stored(job.job_id).version, 2);
  EXPECT_FALSE(Lease(Worker()).has_value());
}

TEST_F(JobLogicTest, ACompletedOrFailedJobCannotBeCancelled) {
  const kit::Caller user = User();
  const JobRecord job = MustCreate(user, "a finished clip");
  ASSERT_EQ(RenderNext().status, v1::JOB_STATUS_COMPLETED);
  EXPECT_THAT(jobs_.Cancel(user, Key(user.user_id), job.job_id),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("completed")));

  const JobRecord failing = MustCreate(user, "a failing clip");
  const WorkerIdentity worker = Worker();
  const std::optional<JobRecord> leased = Lease(worker);
  ASSERT_TRUE(leased.has_value());
  ASSERT_THAT(workers_.Fail(worker, Key(worker.credential_id), failing.job_id, leased->lease_epoch,
                            v1::GENERATION_FAILURE_CODE_INVALID_INPUT, "bad", /*retryable=*/false),
              IsOk());
  EXPECT_THAT(jobs_.Cancel(user, Key(user.user_id), failing.job_id),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("failed")));
  EXPECT_EQ(CountEvents(kCancelledSubject), 0);
}

TEST_F(JobLogicTest, OnlyAFinishedJobCanBeDeleted) {
  const kit::Caller user = User();
  const JobRecord job = MustCreate(user, "a clip to delete");
  EXPECT_THAT(jobs_.Delete(user, Key(user.user_id), job.job_id),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not finished")));
  EXPECT_EQ(store_.state().jobs.count(job.job_id), 1u);

  ASSERT_EQ(RenderNext().status, v1::JOB_STATUS_COMPLETED);
  ASSERT_FALSE(store_.state().uploads.empty());
  const kit::IdempotencyKey key = Key(user.user_id);
  ASSERT_THAT(jobs_.Delete(user, key, job.job_id), IsOk());
  EXPECT_THAT(jobs_.Get(user, job.job_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_.state().jobs, IsEmpty());
  EXPECT_THAT(store_.state().uploads, IsEmpty());
  // A retry replays; a new request finds nothing.
  EXPECT_THAT(jobs_.Delete(user, key, job.job_id), IsOk());
  EXPECT_THAT(jobs_.Delete(user, Key(user.user_id), job.job_id), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
// A user's upload as UploadMedia records it.
class JobInputsTest : public GenerationFixture {
 protected:
  v1::BlobRef Uploaded(const kit::Caller& owner, v1::UploadKind kind, const std::string& name,
                       const std::string& content_type) {
    const v1::BlobRef blob = Blob(name, content_type, 4321);
    const absl::Status recorded =
        jobs_.RecordUpload(owner, Key(owner.user_id, "UploadMedia"),
                           {.kind = kind, .blob = blob, .create_time = clock_.Now(),
                            .expire_time = clock_.Now() + kUploadRetention});
    EXPECT_THAT(recorded, IsOk());
    return blob;
  }
  // A request that names `sticker` and `soundtrack` by their hashes only.
  v1::CreateJobRequest WithInputs(const std::string& sticker_sha, const std::string& soundtrack_sha) {
    v1::CreateJobRequest request = Request("a kite over the dunes");
    if (!sticker_sha.empty()) {
      request.mutable_spec()->add_effects()->mutable_sticker()->mutable_image()->set_sha256(sticker_sha);
    }
    if (!soundtrack_sha.empty()) request.mutable_spec()->mutable_soundtrack()->set_sha256(soundtrack_sha);
    return request;
  }
};

TEST_F(JobInputsTest, AJobUsesTheCallersUploadsAsTheStoreRecordedThem) {
  const kit::Caller user = User();
  const v1::BlobRef sticker = Uploaded(user, v1::UPLOAD_KIND_STICKER, "star", "image/png");
  const v1::BlobRef song = Uploaded(user, v1::UPLOAD_KIND_SOUNDTRACK, "song", "audio/wav");
  clock_.Advance(absl::Hours(24 * 6));  // a day before the uploads would expire

  ASSERT_OK_AND_ASSIGN(const JobView view, Create(user, WithInputs(sticker.sha256(), song.sha256())));
  const JobRecord& job = view.job;
  EXPECT_EQ(job.status, v1::JOB_STATUS_QUEUED);
  EXPECT_EQ(job.spec.effects(0).sticker().image().content_type(), "image/png");
  EXPECT_EQ(job.spec.effects(0).sticker().image().size_bytes(), 4321);
  EXPECT_EQ(job.spec.soundtrack().content_type(), "audio/wav");
  EXPECT_THAT(job.effects, ElementsAre("soundtrack", "sticker"));
  // Used by a job: kept for another full period from now.
  const FakeGenerationState state = store_.state();
  const auto key = std::make_tuple(user.user_id, song.sha256(), static_cast<int>(v1::UPLOAD_KIND_SOUNDTRACK));
  EXPECT_EQ(state.user_uploads.at(key).expire_time, clock_.Now() + kUploadRetention);

  // The soundtrack is part of what the clip is: without it, another clip.
  ASSERT_OK_AND_ASSIGN(const JobView silent, Create(user, WithInputs(sticker.sha256(), "")));
  EXPECT_NE(silent.job.fingerprint, job.fingerprint);
}

TEST_F(JobInputsTest, SomeoneElsesExpiredOrMiskindedUploadIsNotFound) {
  const kit::Caller owner = User(), other = User();
  const v1::BlobRef sticker = Uploaded(owner, v1::UPLOAD_KIND_STICKER, "star", "image/png");
  const v1::BlobRef song = Uploaded(owner, v1::UPLOAD_KIND_SOUNDTRACK, "song", "audio/wav");

  // The hash of another user's upload reads as no upload at all.
  EXPECT_THAT(Create(other, WithInputs(sticker.sha256(), "")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("spec.effects[0].sticker.image")));
  EXPECT_THAT(Create(other, WithInputs("", song.sha256())),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("spec.soundtrack")));
  // A soundtrack is not a sticker, nor the other way round.
  EXPECT_THAT(Create(owner, WithInputs(song.sha256(), "")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("sticker")));
  EXPECT_THAT(Create(owner, WithInputs("", sticker.sha256())),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("soundtrack")));
  EXPECT_THAT(Create(owner, WithInputs(std::string(64, 'f'), "")), StatusIs(absl::StatusCode::kNotFound));
  // Past its expiry the upload is gone for jobs too.
  clock_.Advance(kUploadRetention + absl::Seconds(1));
  EXPECT_THAT(Create(owner, WithInputs(sticker.sha256(), "")), StatusIs(absl::StatusCode::kNotFound));

  const FakeGenerationState state = store_.state();
  EXPECT_THAT(state.jobs, IsEmpty());
  EXPECT_THAT(state.events, IsEmpty());
}


// What one user may keep uploaded (JobRules::uploads), with small limits.
class UploadQuotaTest : public GenerationFixture {
 protected:
  UserUploadRecord Planned(const std::string& name, int64_t size_bytes) {
    UserUploadRecord upload{.kind = v1::UPLOAD_KIND_STICKER,
                            .blob = Blob(name, "image/png", size_bytes),
                            .create_time = clock_.Now(),
                            .expire_time = clock_.Now() + kUploadRetention};
    return upload;
  }
  absl::Status Record(const kit::Caller& user, const std::string& name, int64_t size_bytes,
                      const kit::IdempotencyKey& key) {
    return limited_.RecordUpload(user, key, Planned(name, size_bytes));
  }

  JobLogic limited_{store_, clock_, ids_, events_, checks_,
                    JobRules{.uploads = {.max_live_uploads = 2, .max_live_bytes = 1000}}};
};

TEST_F(UploadQuotaTest, TheThirdUploadIsRefusedBeforeAndWhenItIsRecorded) {
  const kit::Caller user = User();
  ASSERT_THAT(Record(user, "one", 100, Key(user.user_id)), IsOk());
  ASSERT_THAT(Record(user, "two", 100, Key(user.user_id)), IsOk());

  EXPECT_THAT(limited_.CheckUploadRoom(user, Key(user.user_id), Planned("three", 100)),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("uploads: 2 may be kept at once")));
  // Two uploads that both passed the early check: the second to be recorded
  // is refused, and nothing of it is kept.
  EXPECT_THAT(Record(user, "three", 100, Key(user.user_id)), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(store_.state().user_uploads.size(), 2u);
  // Another user's room is their own.
  const kit::Caller other = User();
  EXPECT_THAT(limited_.CheckUploadRoom(other, Key(other.user_id), Planned("three", 100)), IsOk());
}

TEST_F(UploadQuotaTest, BytesCountAsWellAsUploads) {
  const kit::Caller user = User();
  ASSERT_THAT(Record(user, "big", 900, Key(user.user_id)), IsOk());
  EXPECT_THAT(limited_.CheckUploadRoom(user, Key(user.user_id), Planned("more", 101)),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("upload bytes: 1000 may be kept at once")));
  EXPECT_THAT(limited_.CheckUploadRoom(user, Key(user.user_id), Planned("more", 100)), IsOk());
}

TEST_F(UploadQuotaTest, ARetryOrAReuploadOfALiveUploadAlwaysHasRoom) {
  const kit::Caller user = User();
  const kit::IdempotencyKey second = Key(user.user_id);
  ASSERT_THAT(Record(user, "one", 100, Key(user.user_id)), IsOk());
  ASSERT_THAT(Record(user, "two", 100, second), IsOk());
  // The client lost the answer and sends the same request again.
  EXPECT_THAT(limited_.CheckUploadRoom(user, second, Planned("two", 100)), IsOk());
  EXPECT_THAT(Record(user, "two", 100, second), IsOk());
  // The same request id for another request is refused before any byte.
  kit::IdempotencyKey reused = second;
  reused.fingerprint = "another upload";
  EXPECT_THAT(limited_.CheckUploadRoom(user, reused, Planned("three", 100)),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("request_id")));
  // A new request for bytes the user already holds refreshes them.
  clock_.Advance(absl::Hours(1));
  EXPECT_THAT(limited_.CheckUploadRoom(user, Key(user.user_id), Planned("one", 100)), IsOk());
  ASSERT_THAT(Record(user, "one", 100, Key(user.user_id)), IsOk());
  const auto& uploads = store_.state().user_uploads;
  ASSERT_EQ(uploads.size(), 2u);
  const auto one = uploads.find(std::make_tuple(user.user_id, Blob("one", "image/png").sha256(),
                                                static_cast<int>(v1::UPLOAD_KIND_STICKER)));
  ASSERT_NE(one, uploads.end());
  EXPECT_EQ(one->second.expire_time, clock_.Now() + kUploadRetention);
}

TEST_F(UploadQuotaTest, ExpiredUploadsFreeTheirRoom) {
  const kit::Caller user = User();
  ASSERT_THAT(Record(user, "one", 100, Key(user.user_id)), IsOk());
  ASSERT_THAT(Record(user, "two", 100, Key(user.user_id)), IsOk());
  EXPECT_THAT(Record(user, "three", 100, Key(user.user_id)), StatusIs(absl::StatusCode::kResourceExhausted));
  clock_.Advance(kUploadRetention);
  EXPECT_THAT(Record(user, "three", 100, Key(user.user_id)), IsOk());
}

}  // namespace clipforge::generation_service::testing
