// What the clips logic tests share: the clip, comment, graph and event
// logics over one fake store, a clock the tests move, a fake source of
// generation jobs, a fake text filter, callers, keys, completed jobs and
// published clips, and the events other services send (users, moderation)
// applied as their consumers would: in a store transaction.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/error_reason.h"
#include "base/random.h"
#include "base/sha256.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "base/uuid.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/events.pb.h"
#include "clipforge/v1/generation.pb.h"
#include "clipforge/v1/moderation.pb.h"
#include "services/clips/clip_logic.h"
#include "services/clips/comment_logic.h"
#include "services/clips/event_logic.h"
#include "services/clips/events.h"
#include "services/clips/graph_logic.h"
#include "services/clips/job_source.h"
#include "services/clips/provenance_reader.h"
#include "services/clips/records.h"
#include "services/clips/text_filter.h"
#include "services/kit/caller.h"
#include "services/kit/event_factory.h"
#include "services/kit/idempotency.h"
#include "tests/unit/clips_service/fake_clips_store.h"

namespace clipforge::clips_service::testing {

// Midday UTC, so that a test crosses midnight only when it means to.
inline absl::Time Noon() { return absl::FromCivil(absl::CivilSecond(2026, 5, 28, 12, 0, 0), absl::UTCTimeZone()); }

// The reason on a status, "" when none.
inline std::string Reason(const absl::Status& status) { return base::ReasonOf(status).value_or(""); }
template <typename T>
std::string Reason(const absl::StatusOr<T>& status_or) {
  return Reason(status_or.status());
}

// Two messages of one type with equal contents (compared by their
// serialization: none of these messages has a map).
MATCHER_P(EqualsProto, expected, "equals " + expected.ShortDebugString()) {
  if (arg.SerializeAsString() == expected.SerializeAsString()) return true;
  *result_listener << "is " << arg.ShortDebugString();
  return false;
}

// Jobs by id, each the job of one user: another user's job and an unknown
// one are the same NOT_FOUND, as JobSource promises.
class FakeJobSource final : public JobSource {
 public:
  void Put(PublishableJob job) { jobs_[job.job_id] = std::move(job); }

  absl::StatusOr<PublishableJob> GetJob(const kit::Caller& caller, const std::string& job_id) override {
    ++calls_;
    const auto it = jobs_.find(job_id);
    if (it == jobs_.end() || it->second.user_id != caller.user_id) {
      return absl::NotFoundError(absl::StrCat("job_id: no job ", job_id));
    }
    return it->second;
  }

  // Starts a queued job: one per request id (a retry gets it back), as
  // generation's idempotency does.
  absl::StatusOr<v1::GenerationJob> StartJob(const kit::Caller& caller, const std::string& authorization,
                                             const v1::CreateJobRequest& request) override {
    started_.push_back({caller.user_id, authorization, request});
    auto it = started_jobs_.find(request.request_id());
    if (it != started_jobs_.end()) return it->second;
    v1::GenerationJob job;
    job.set_job_id(absl::StrCat("00000000-0000-7000-8000-", absl::Dec(started_jobs_.size() + 1, absl::kZeroPad12)));
    job.set_user_id(caller.user_id);
    *job.mutable_spec() = request.spec();
    job.set_status(v1::JOB_STATUS_QUEUED);
    started_jobs_[request.request_id()] = job;
    return job;
  }
  struct Started {
    std::string user_id;
    std::string authorization;
    v1::CreateJobRequest request;
  };
  const std::vector<Started>& started() const { return started_; }

  int calls() const { return calls_; }

 private:
  std::map<std::string, PublishableJob> jobs_;
  std::map<std::string, v1::GenerationJob> started_jobs_;
  std::vector<Started> started_;
  int calls_ = 0;
};

// Moderation's text check as a word list of one: any text containing
// "forbidden" (in any case) is blocked as hate. Records every text it was
// asked about, with its surface.
class FakeTextFilter final : public TextFilter {
 public:
  static constexpr char kBlockedWord[] = "forbidden";

  absl::StatusOr<TextVerdict> Check(const std::string& text, v1::TextSurface surface) override {
    checked_.push_back({text, surface});
    if (absl::StrContains(absl::AsciiStrToLower(text), kBlockedWord)) {
      return TextVerdict{.blocked = true, .categories = {v1::MODERATION_CATEGORY_HATE}};
    }
    return TextVerdict{};
  }

  struct Checked {
    std::string text;
    v1::TextSurface surface = v1::TEXT_SURFACE_UNSPECIFIED;
  };
  const std::vector<Checked>& checked() const { return checked_; }
  int calls() const { return static_cast<int>(checked_.size()); }

 private:
  std::vector<Checked> checked_;
};

// The videos' manifests: every video carries a valid ClipForge manifest
// labelled after its hash, except those the test marks missing from the
// blob store.
class FakeProvenanceReader final : public ProvenanceReader {
 public:
  absl::StatusOr<v1::C2paSummary> Summarize(const v1::BlobRef& video) override {
    if (missing_.contains(video.sha256())) {
      return base::WithReason(absl::FailedPreconditionError("job_id: the job's video is not in the blob store"),
                              "VIDEO_MISSING");
    }
    v1::C2paSummary summary;
    summary.set_present(true);
    summary.set_valid(true);
    summary.set_manifest_label(LabelOf(video));
    summary.set_claim_generator("ClipForge/test");
    return summary;
  }

  static std::string LabelOf(const v1::BlobRef& video) { return "urn:c2pa:" + video.sha256().substr(0, 16); }
  void MarkMissing(const v1::BlobRef& video) { missing_.insert(video.sha256()); }

 private:
  std::set<std::string> missing_;
};

class ClipsFixture : public ::testing::Test {
 protected:
  // --- Callers and keys ---
  static kit::Caller User(std::string id) { return {.user_id = std::move(id), .roles = {base::Role::kUser}}; }
  static kit::Caller Admin(std::string id) {
    return {.user_id = std::move(id), .roles = {base::Role::kUser, base::Role::kAdmin}};
  }
  static kit::Caller Moderator(std::string id) {
    return {.user_id = std::move(id), .roles = {base::Role::kUser, base::Role::kModerator}};
  }
  // A user (an admin, a moderator) with a fresh id.
  kit::Caller NewUser() { return User(ids_.Next()); }
  kit::Caller NewAdmin() { return Admin(ids_.Next()); }
  kit::Caller NewModerator() { return Moderator(ids_.Next()); }

  // A fresh request's key. The idempotency log is kept per caller, so the
  // key names the caller; any method and fingerprint stand in for the
  // request's.
  kit::IdempotencyKey Key(const kit::Caller& caller) { return {caller.user_id, ids_.Next(), "test", "f"}; }

  // --- Jobs ---
  // A blob ref named by `name`'s hash (64 hex characters).
  static v1::BlobRef Blob(const std::string& name, const std::string& content_type, int64_t size_bytes) {
    v1::BlobRef ref;
    ref.set_sha256(base::Sha256Hex(name));
    ref.set_content_type(content_type);
    ref.set_size_bytes(size_bytes);
    return ref;
  }

  // A job of `owner` in `status`, with a spec (seed set) and, when
  // completed, its outputs: video, thumbnail and provenance, distinct per
  // job.
  PublishableJob Job(const kit::Caller& owner, const std::string& prompt, v1::JobStatus status,
                     const std::string& remix_of_clip_id = "") {
    PublishableJob job{.job_id = ids_.Next(), .user_id = owner.user_id, .status = status};
    job.spec.set_prompt(prompt);
    job.spec.set_seconds(4);
    job.spec.set_size("720x1280");
    job.spec.set_seed(7);
    job.spec.set_quality(v1::GENERATION_QUALITY_DRAFT);
    job.spec.set_remix_of_clip_id(remix_of_clip_id);
    if (status == v1::JOB_STATUS_COMPLETED) {
      v1::JobOutputs outputs;
      *outputs.mutable_video() = Blob("video " + job.job_id, "video/mp4", 50000);
      *outputs.mutable_thumbnail() = Blob("thumbnail " + job.job_id, "image/jpeg", 4000);
      *outputs.mutable_provenance() = Blob("provenance " + job.job_id, "application/c2pa", 2000);
      outputs.set_width(720);
      outputs.set_height(1280);
      outputs.mutable_duration()->set_seconds(4);
      outputs.set_renderer("procedural-1/1.0.0");
      job.outputs = outputs;
    }
    return job;
  }
  // Adds a completed job of `owner` (remixing `remix_of_clip_id` when set)
  // to the job source; returns its id.
  std::string AddCompletedJob(const kit::Caller& owner, const std::string& prompt,
                              const std::string& remix_of_clip_id = "") {
    PublishableJob job = Job(owner, prompt, v1::JOB_STATUS_COMPLETED, remix_of_clip_id);
    const std::string job_id = job.job_id;
    jobs_.Put(std::move(job));
    return job_id;
  }
  std::string AddJobIn(const kit::Caller& owner, const std::string& prompt, v1::JobStatus status) {
    PublishableJob job = Job(owner, prompt, status);
    const std::string job_id = job.job_id;
    jobs_.Put(std::move(job));
    return job_id;
  }

  // --- Clips ---
  static NewClip ClipOf(const std::string& job_id, v1::Visibility visibility = v1::VISIBILITY_PUBLIC) {
    return {.job_id = job_id, .title = "A clip", .visibility = visibility};
  }
  // Publishes a completed job of `owner` with `prompt` (a fork of `parent`
  // when set) through the logic, asserting it worked.
  ClipRecord Publish(const kit::Caller& owner, const std::string& prompt, const std::string& parent = "",
                     v1::Visibility visibility = v1::VISIBILITY_PUBLIC) {
    const std::string job_id = AddCompletedJob(owner, prompt, parent);
    absl::StatusOr<ClipView> view = clips_.Publish(owner, Key(owner), ClipOf(job_id, visibility));
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? view->clip : ClipRecord{};
  }
  // A chain of `length` clips of `owner`: the root, its fork, the fork's
  // fork, ... (root first).
  std::vector<ClipRecord> Chain(const kit::Caller& owner, int length) {
    std::vector<ClipRecord> chain;
    for (int i = 0; i < length; ++i) {
      chain.push_back(Publish(owner, absl::StrCat("a fox take ", i), chain.empty() ? "" : chain.back().clip_id));
    }
    return chain;
  }
  void Delete(const kit::Caller& caller, const std::string& clip_id) {
    EXPECT_THAT(clips_.Delete(caller, Key(caller), clip_id), base::testing::IsOk());
  }
  void Like(const kit::Caller& caller, const std::string& clip_id) {
    EXPECT_THAT(clips_.SetLike(caller, Key(caller), clip_id, /*like=*/true), base::testing::IsOk());
  }

  // The clip as stored (an empty record, failing the test, when there is
  // none).
  ClipRecord Stored(const std::string& clip_id) {
    const FakeClipsState state = store_.state();
    const auto it = state.clips.find(clip_id);
    EXPECT_NE(it, state.clips.end()) << clip_id;
    return it == state.clips.end() ? ClipRecord{} : it->second;
  }

  // --- Events this service appended ---
  std::vector<v1::EventEnvelope> Events(const std::string& type) {
    std::vector<v1::EventEnvelope> out;
    for (const v1::EventEnvelope& e : store_.state().events) {
      if (e.type() == type) out.push_back(e);
    }
    return out;
  }
  int CountEvents(const std::string& type) { return static_cast<int>(Events(type).size()); }
  std::vector<std::string> EventTypes() {
    std::vector<std::string> types;
    for (const v1::EventEnvelope& e : store_.state().events) types.push_back(e.type());
    return types;
  }

  // --- Events of other services ---
  v1::EventEnvelope RegisteredEvent(const std::string& user_id, const std::string& handle,
                                    const std::string& display_name, bool analytics_opted_in = false) {
    v1::EventEnvelope event = factory_.New("clipforge.user.registered", "user", user_id);
    v1::UserRegisteredEvent* registered = event.mutable_user_registered();
    registered->set_user_id(user_id);
    registered->set_handle(handle);
    registered->set_display_name(display_name);
    registered->set_tier(v1::TIER_FREE);
    registered->set_analytics_opted_in(analytics_opted_in);
    return event;
  }
  v1::EventEnvelope FollowedEvent(const std::string& follower_id, const std::string& followee_id) {
    v1::EventEnvelope event = factory_.New("clipforge.user.followed", "user", follower_id);
    event.mutable_user_followed()->set_follower_id(follower_id);
    event.mutable_user_followed()->set_followee_id(followee_id);
    return event;
  }
  v1::EventEnvelope UnfollowedEvent(const std::string& follower_id, const std::string& followee_id) {
    v1::EventEnvelope event = factory_.New("clipforge.user.unfollowed", "user", follower_id);
    event.mutable_user_unfollowed()->set_follower_id(follower_id);
    event.mutable_user_unfollowed()->set_followee_id(followee_id);
    return event;
  }
  v1::EventEnvelope BlockedEvent(const std::string& blocker_id, const std::string& blocked_id) {
    v1::EventEnvelope event = factory_.New("clipforge.user.blocked", "user", blocker_id);
    event.mutable_user_blocked()->set_blocker_id(blocker_id);
    event.mutable_user_blocked()->set_blocked_id(blocked_id);
    return event;
  }
  v1::EventEnvelope UnblockedEvent(const std::string& blocker_id, const std::string& blocked_id) {
    v1::EventEnvelope event = factory_.New("clipforge.user.unblocked", "user", blocker_id);
    event.mutable_user_unblocked()->set_blocker_id(blocker_id);
    event.mutable_user_unblocked()->set_blocked_id(blocked_id);
    return event;
  }
  v1::EventEnvelope MutedEvent(const std::string& muter_id, const std::string& muted_id) {
    v1::EventEnvelope event = factory_.New("clipforge.user.muted", "user", muter_id);
    event.mutable_user_muted()->set_muter_id(muter_id);
    event.mutable_user_muted()->set_muted_id(muted_id);
    return event;
  }
  v1::EventEnvelope UnmutedEvent(const std::string& muter_id, const std::string& muted_id) {
    v1::EventEnvelope event = factory_.New("clipforge.user.unmuted", "user", muter_id);
    event.mutable_user_unmuted()->set_muter_id(muter_id);
    event.mutable_user_unmuted()->set_muted_id(muted_id);
    return event;
  }
  v1::EventEnvelope DeletedEvent(const std::string& user_id) {
    v1::EventEnvelope event = factory_.New("clipforge.user.deleted", "user", user_id);
    event.mutable_user_deleted()->set_user_id(user_id);
    const absl::Time purge_time = clock_.Now() + absl::Hours(24 * 30);
    event.mutable_user_deleted()->mutable_purge_time()->set_seconds(absl::ToUnixSeconds(purge_time));
    return event;
  }
  // A moderator's decision `action` about `target` (by default the clip
  // `target_id`).
  v1::EventEnvelope DecidedEvent(const std::string& target_id, v1::ModerationAction action,
                                 const std::string& decision_id,
                                 v1::ContentKind kind = v1::CONTENT_KIND_CLIP) {
    const std::string case_id = ids_.Next();
    v1::EventEnvelope event = factory_.New("clipforge.moderation.decided", "moderation_case", case_id);
    v1::ModerationDecidedEvent* decided = event.mutable_moderation_decided();
    decided->set_decision_id(decision_id);
    decided->set_case_id(case_id);
    decided->mutable_target()->set_kind(kind);
    decided->mutable_target()->set_id(target_id);
    decided->set_action(action);
    decided->add_categories(v1::MODERATION_CATEGORY_VIOLENCE);
    return event;
  }

  // Each applied as its consumer does: in one transaction of the store.
  absl::Status ApplyUserEvent(const v1::EventEnvelope& event) {
    return store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) { return event_logic_.ApplyUserEvent(tx, event); });
  }
  absl::Status ApplyModerationDecision(const v1::EventEnvelope& event) {
    return store_.Transact(TxMode::kReadWrite,
                           [&](ClipsTx& tx) { return event_logic_.ApplyModerationDecision(tx, event); });
  }

  // The same, asserting it worked.
  void Register(const kit::Caller& user, const std::string& handle, bool analytics_opted_in = false) {
    EXPECT_THAT(ApplyUserEvent(RegisteredEvent(user.user_id, handle, "Name of " + handle, analytics_opted_in)),
                base::testing::IsOk());
  }
  void Follow(const kit::Caller& follower, const kit::Caller& followee) {
    EXPECT_THAT(ApplyUserEvent(FollowedEvent(follower.user_id, followee.user_id)), base::testing::IsOk());
  }
  void Block(const kit::Caller& blocker, const kit::Caller& blocked) {
    EXPECT_THAT(ApplyUserEvent(BlockedEvent(blocker.user_id, blocked.user_id)), base::testing::IsOk());
  }
  void Mute(const kit::Caller& muter, const kit::Caller& muted) {
    EXPECT_THAT(ApplyUserEvent(MutedEvent(muter.user_id, muted.user_id)), base::testing::IsOk());
  }
  void DeleteAccount(const kit::Caller& user) {
    EXPECT_THAT(ApplyUserEvent(DeletedEvent(user.user_id)), base::testing::IsOk());
  }
  // Applies a moderator's decision about a clip; returns the decision's id.
  std::string Moderate(const std::string& clip_id, v1::ModerationAction action) {
    const std::string decision_id = ids_.Next();
    EXPECT_THAT(ApplyModerationDecision(DecidedEvent(clip_id, action, decision_id)), base::testing::IsOk());
    return decision_id;
  }

  base::testing::FakeClock clock_{Noon()};
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory factory_{ids_, clock_};
  ClipsEvents events_{factory_};
  FakeClipsStore store_;
  FakeJobSource jobs_;
  FakeTextFilter filter_;
  FakeProvenanceReader provenance_;
  ClipLogic clips_{store_, clock_, ids_, events_, jobs_, filter_, provenance_};
  CommentLogic comments_{store_, clock_, ids_, events_, filter_};
  GraphLogic graph_{store_};
  EventLogic event_logic_{events_, clock_};
};

}  // namespace clipforge::clips_service::testing
