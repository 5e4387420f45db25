// Clips as their authors and viewers use them: publish from a completed
// job, read, list, edit, delete, like and count views. The fork graph's
// reads are graph_logic.h's; what other services' events change,
// event_logic.h's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "services/clips/events.h"
#include "services/clips/job_source.h"
#include "services/clips/provenance_reader.h"
#include "services/clips/records.h"
#include "services/clips/store_interface.h"
#include "services/clips/text_filter.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"

namespace clipforge::clips_service {

struct ClipRules {
  // A view by the same viewer counts once in this window.
  absl::Duration view_window = absl::Hours(1);
};

// A validated PublishClip.
struct NewClip {
  std::string job_id;
  std::string title;
  std::string caption;
  std::vector<std::string> tags;  // Lowercased, without duplicates.
  std::string language;
  v1::Visibility visibility = v1::VISIBILITY_PUBLIC;
  bool forking_allowed = true;
};

// A validated UpdateClip: the fields named in the mask, with their values.
struct ClipChanges {
  std::vector<std::string> paths;  // "title", "caption", ... in mask order.
  std::optional<std::string> title;
  std::optional<std::string> caption;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> language;
  std::optional<v1::Visibility> visibility;
  std::optional<bool> forking_allowed;
};

// A clip as a viewer sees it.
struct ClipView {
  ClipRecord clip;
  std::optional<UserRecord> author;  // Unset when unknown or deleted.
  bool liked_by_viewer = false;
};

struct ClipPage {
  std::vector<ClipView> clips;
  std::string next_after;  // The last clip's id; empty on the last page.
};

struct LikeState {
  std::string clip_id;
  bool liked = false;
  int64_t like_count = 0;
};

struct ViewReport {
  std::string clip_id;
  absl::Duration watched;
  bool completed = false;
};

class ClipLogic {
 public:
  ClipLogic(ClipsStore& store, const base::Clock& clock, base::UuidV7Generator& ids, const ClipsEvents& events,
            JobSource& jobs, TextFilter& filter, ProvenanceReader& provenance, ClipRules rules = {})
      : store_(store),
        clock_(clock),
        ids_(ids),
        events_(events),
        jobs_(jobs),
        filter_(filter),
        provenance_(provenance),
        rules_(rules) {}

  // Publishes the caller's completed job (the title and caption pass the
  // text filter: FAILED_PRECONDITION "TEXT_BLOCKED"): NOT_FOUND when it is not theirs,
  // FAILED_PRECONDITION "JOB_NOT_COMPLETED" before it completes (and
  // "VIDEO_MISSING" when its video is gone), ALREADY_EXISTS "JOB_ALREADY_PUBLISHED" when it was published. A remix
  // job's clip is a fork of the clip it remixed (a tombstone too: the graph
  // stays whole). The video's C2PA manifest is read and validated here, once.
  absl::StatusOr<ClipView> Publish(const kit::Caller& caller, const kit::IdempotencyKey& key, const NewClip& clip);
  // NOT_FOUND when the caller may not see it.
  absl::StatusOr<ClipView> Get(const kit::Caller& caller, const std::string& clip_id);
  // The author's live clips the caller may see, newest first.
  absl::StatusOr<ClipPage> List(const kit::Caller& caller, const std::string& author_id,
                                const std::string& after_clip_id, int limit);
  // The author only (others: NOT_FOUND when they may not see it, else
  // PERMISSION_DENIED); a tombstone is FAILED_PRECONDITION.
  absl::StatusOr<ClipView> Update(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                  const std::string& clip_id, const ClipChanges& changes);
  // The author or an admin: the clip becomes a tombstone. Deleting a
  // tombstone is OK.
  absl::Status Delete(const kit::Caller& caller, const kit::IdempotencyKey& key, const std::string& clip_id);
  // Likes (`like`) or unlikes a clip the caller may see; idempotent.
  absl::StatusOr<LikeState> SetLike(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                    const std::string& clip_id, bool like);
  // Counts a view unless the caller's last counted view of the clip is
  // within the rules' window; returns whether it counted.
  absl::StatusOr<bool> RecordView(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                  const ViewReport& view);
  // The clip as the caller may fork it (remix/clip_access.h's CheckFork,
  // errors naming `field`).
  absl::StatusOr<ClipRecord> ForkableClip(const kit::Caller& caller, const std::string& clip_id,
                                          const std::string& field);
  // Starts a generation job remixing the clip (its `spec` with the clip as
  // remix_of_clip_id; generation takes the parent's values for the fields
  // left unset) and records the fork (clip.forked). The key's request id is
  // the job's too, so a retry replays both. `authorization`: the caller's
  // credential, for generation's checks on their behalf.
  absl::StatusOr<v1::GenerationJob> Fork(const kit::Caller& caller, const std::string& authorization,
                                         const kit::IdempotencyKey& key, const std::string& clip_id,
                                         const v1::JobSpec& spec);
  // Forgets view marks older than the window; returns how many.
  absl::StatusOr<int> SweepViewMarks(int limit);

 private:
  ClipsStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  const ClipsEvents& events_;
  JobSource& jobs_;
  TextFilter& filter_;
  ProvenanceReader& provenance_;
  const ClipRules rules_;
};

// The view of `clip` for `caller` inside a transaction: its author's
// record and whether the caller likes it. ViewsOf reads them for many clips
// in two queries.
ClipView ViewOf(ClipsTx& tx, const kit::Caller& caller, ClipRecord clip);
// The store's records of `author_ids` (empty ids skipped), in one query.
std::map<std::string, UserRecord> ReadAuthors(ClipsTx& tx, const std::vector<std::string>& author_ids);
// An author as ReadAuthors' `users` knows them: unset when anonymous or
// deleted, named by id alone while their handle is unknown here.
std::optional<UserRecord> AuthorOf(const std::string& author_id, const std::map<std::string, UserRecord>& users);
std::vector<ClipView> ViewsOf(ClipsTx& tx, const kit::Caller& caller, std::vector<ClipRecord> clips);

}  // namespace clipforge::clips_service
