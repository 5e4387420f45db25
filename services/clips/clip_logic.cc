#include "services/clips/clip_logic.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "base/status_macros.h"
#include "remix/clip_access.h"
#include "remix/prompt_diff.h"
#include "services/clips/comment_logic.h"
#include "services/clips/visibility.h"

namespace clipforge::clips_service {
namespace {

// Listing a user's clips reads at most this many batches to fill a page
// (clips the caller may not see are skipped); a page may come back short
// with a token to go on.
constexpr int kListBatches = 8;

v1::DiffOp DiffOpOf(remix::DiffOp op) {
  switch (op) {
    case remix::DiffOp::kInsert: return v1::DIFF_OP_INSERT;
    case remix::DiffOp::kDelete: return v1::DIFF_OP_DELETE;
    case remix::DiffOp::kEqual: break;
  }
  return v1::DIFF_OP_EQUAL;
}

// The stored form of a fork's word diff against its parent.
v1::PromptDiff StoredDiff(absl::string_view parent_prompt, absl::string_view child_prompt) {
  const remix::PromptDiff diff = remix::DiffPrompts(parent_prompt, child_prompt);
  v1::PromptDiff stored;
  for (const remix::DiffSpan& span : diff.spans) {
    v1::DiffSpan* out = stored.add_spans();
    out->set_op(DiffOpOf(span.op));
    out->set_text(span.text);
  }
  stored.set_inserted_words(static_cast<int32_t>(diff.inserted));
  stored.set_deleted_words(static_cast<int32_t>(diff.deleted));
  return stored;
}

std::string EncodeLike(const LikeState& like) { return absl::StrCat(like.liked ? 1 : 0, ":", like.like_count); }
absl::StatusOr<LikeState> DecodeLike(absl::string_view bytes) {
  LikeState like;
  if (bytes.size() < 3 || bytes[1] != ':' || !absl::SimpleAtoi(bytes.substr(2), &like.like_count)) {
    return absl::InternalError("unreadable like outcome");
  }
  like.liked = bytes[0] == '1';
  return like;
}
const kit::IdempotencyCodec<LikeState> kLikeCodec{EncodeLike, DecodeLike};

std::string EncodeCounted(const bool& counted) { return counted ? "1" : "0"; }
absl::StatusOr<bool> DecodeCounted(absl::string_view bytes) { return bytes == "1"; }
const kit::IdempotencyCodec<bool> kCountedCodec{EncodeCounted, DecodeCounted};

absl::Status ClipNotFound(const std::string& clip_id) {
  return absl::NotFoundError(absl::StrCat("clip_id: no clip ", clip_id));
}

// The clip locked for a change by its author: NOT_FOUND when the caller may
// not see it, FAILED_PRECONDITION for the author's own tombstone,
// PERMISSION_DENIED for anyone else.
absl::StatusOr<ClipRecord> LockOwnClip(ClipsTx& tx, const kit::Caller& caller, const std::string& clip_id) {
  std::optional<ClipRecord> clip = tx.LockClip(clip_id);
  if (!clip) return ClipNotFound(clip_id);
  const bool is_author = !clip->author_id.empty() && clip->author_id == caller.user_id;
  if (is_author && clip->removed()) {
    return absl::FailedPreconditionError(absl::StrCat("clip_id: clip ", clip_id, " was removed"));
  }
  const Relations relations(tx, caller, {*clip});
  if (!CanSee(caller, *clip, relations.Of(clip->author_id))) return ClipNotFound(clip_id);
  if (!is_author) return absl::PermissionDeniedError("clip_id: only the clip's author may change it");
  return *std::move(clip);
}

}  // namespace

std::map<std::string, UserRecord> ReadAuthors(ClipsTx& tx, const std::vector<std::string>& author_ids) {
  std::vector<std::string> ids;
  for (const std::string& id : author_ids) {
    if (!id.empty()) ids.push_back(id);
  }
  if (ids.empty()) return {};
  return tx.GetUsers(ids);
}

std::optional<UserRecord> AuthorOf(const std::string& author_id, const std::map<std::string, UserRecord>& users) {
  if (author_id.empty()) return std::nullopt;
  auto known = users.find(author_id);
  if (known == users.end()) return UserRecord{.user_id = author_id};
  if (known->second.deleted) return std::nullopt;
  return known->second;
}

std::vector<ClipView> ViewsOf(ClipsTx& tx, const kit::Caller& caller, std::vector<ClipRecord> clips) {
  std::vector<std::string> authors;
  std::vector<std::string> ids;
  for (const ClipRecord& clip : clips) {
    authors.push_back(clip.author_id);
    ids.push_back(clip.clip_id);
  }
  const std::map<std::string, UserRecord> users = ReadAuthors(tx, authors);
  std::set<std::string> liked;
  if (!caller.user_id.empty() && !ids.empty()) {
    for (std::string& id : tx.LikedAmong(caller.user_id, ids)) liked.insert(std::move(id));
  }
  std::vector<ClipView> views;
  views.reserve(clips.size());
  for (ClipRecord& clip : clips) {
    ClipView view{.clip = std::move(clip)};
    view.author = AuthorOf(view.clip.author_id, users);
    view.liked_by_viewer = liked.contains(view.clip.clip_id);
    views.push_back(std::move(view));
  }
  return views;
}

ClipView ViewOf(ClipsTx& tx, const kit::Caller& caller, ClipRecord clip) {
  std::vector<ClipRecord> one;
  one.push_back(std::move(clip));
  return std::move(ViewsOf(tx, caller, std::move(one)).front());
}

absl::StatusOr<ClipView> ClipLogic::Publish(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                            const NewClip& input) {
  // Asked before the transaction: these are other services' answers.
  CF_RETURN_IF_ERROR(CheckText(filter_, "title", input.title, v1::TEXT_SURFACE_TITLE));
  CF_RETURN_IF_ERROR(CheckText(filter_, "caption", input.caption, v1::TEXT_SURFACE_CAPTION));
  CF_ASSIGN_OR_RETURN(const PublishableJob job, jobs_.GetJob(caller, input.job_id));
  // An admin may read anyone's job, but a clip is its maker's to publish.
  if (job.user_id != caller.user_id) return absl::NotFoundError(absl::StrCat("job_id: no job ", input.job_id));
  if (job.status != v1::JOB_STATUS_COMPLETED || !job.outputs) {
    return base::WithReason(absl::FailedPreconditionError("job_id: the job has not completed"), "JOB_NOT_COMPLETED");
  }
  ClipRecord draft{.author_id = caller.user_id,
                   .job_id = job.job_id,
                   .spec = job.spec,
                   .media = *job.outputs,
                   .parent_id = job.spec.remix_of_clip_id(),
                   .title = input.title,
                   .caption = input.caption,
                   .tags = input.tags,
                   .language = input.language,
                   .visibility = input.visibility,
                   .forking_allowed = input.forking_allowed};
  // Hashes the whole video: outside the transaction.
  CF_ASSIGN_OR_RETURN(draft.c2pa, provenance_.Summarize(job.outputs->video()));
  std::string clip_id;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(clip_id,
                        kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
                          if (tx.FindByJob(job.job_id)) {
                            return base::WithReason(
                                absl::AlreadyExistsError("job_id: the job was already published"),
                                "JOB_ALREADY_PUBLISHED");
                          }
                          ClipRecord clip = draft;
                          clip.clip_id = ids_.Next();
                          clip.create_time = clip.update_time = clock_.Now();
                          std::string parent_author;
                          if (clip.parent_id.empty()) {
                            clip.root_id = clip.clip_id;
                          } else {
                            // A removed parent still has its place: the fork hangs under its tombstone.
                            std::optional<ClipRecord> parent = tx.GetClip(clip.parent_id);
                            if (!parent) {
                              return absl::FailedPreconditionError("job_id: the clip the job remixed does not exist");
                            }
                            clip.root_id = parent->root_id;
                            clip.depth = parent->depth + 1;
                            clip.diff = StoredDiff(parent->prompt(), clip.prompt());
                            parent_author = parent->author_id;
                          }
                          tx.InsertClip(clip);
                          CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Published(clip, parent_author)));
                          // Last: the lineage's rows stay locked from here to the commit.
                          if (!clip.parent_id.empty()) tx.CountNewFork(clip.parent_id);
                          return clip.clip_id;
                        }));
    return absl::OkStatus();
  }));
  // Read back in a transaction of its own: a fork's lineage stays locked
  // until the publish commits, and other publishes in the tree wait on it.
  std::optional<ClipView> view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    std::optional<ClipRecord> clip = tx.GetClip(clip_id);
    if (!clip) return ClipNotFound(clip_id);
    view = ViewOf(tx, caller, *std::move(clip));
    return absl::OkStatus();
  }));
  return *std::move(view);
}

absl::StatusOr<ClipView> ClipLogic::Get(const kit::Caller& caller, const std::string& clip_id) {
  std::optional<ClipView> view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(ClipRecord clip, GetVisibleClip(tx, caller, clip_id, "clip_id"));
    view = ViewOf(tx, caller, std::move(clip));
    return absl::OkStatus();
  }));
  return *std::move(view);
}

absl::StatusOr<ClipPage> ClipLogic::List(const kit::Caller& caller, const std::string& author_id,
                                         const std::string& after_clip_id, int limit) {
  ClipPage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    page = ClipPage{};
    // One author: one relation for the whole listing. Their blocked viewer
    // sees nothing of theirs.
    const Relation relation = Relations(tx, caller, {ClipRecord{.author_id = author_id}}).Of(author_id);
    if (relation.blocked_by_author && !caller.HasRole(base::Role::kAdmin)) return absl::OkStatus();
    std::vector<ClipRecord> shown;
    std::string after = after_clip_id;
    bool exhausted = false;
    for (int batch = 0; batch < kListBatches && !exhausted && static_cast<int>(shown.size()) <= limit; ++batch) {
      std::vector<ClipRecord> clips = tx.ListByAuthor(author_id, after, limit + 1);
      exhausted = static_cast<int>(clips.size()) <= limit;
      for (ClipRecord& clip : clips) {
        after = clip.clip_id;
        if (Listed(caller, clip, relation)) shown.push_back(std::move(clip));
      }
    }
    if (static_cast<int>(shown.size()) > limit) {
      shown.resize(static_cast<size_t>(limit));
      page.next_after = shown.back().clip_id;
    } else if (!exhausted) {
      page.next_after = after;  // Read as far as allowed; the next page goes on from there.
    }
    page.clips = ViewsOf(tx, caller, std::move(shown));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<ClipView> ClipLogic::Update(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                           const std::string& clip_id, const ClipChanges& changes) {
  if (changes.title) CF_RETURN_IF_ERROR(CheckText(filter_, "clip.title", *changes.title, v1::TEXT_SURFACE_TITLE));
  if (changes.caption) {
    CF_RETURN_IF_ERROR(CheckText(filter_, "clip.caption", *changes.caption, v1::TEXT_SURFACE_CAPTION));
  }
  std::optional<ClipView> view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
                         CF_ASSIGN_OR_RETURN(ClipRecord clip, LockOwnClip(tx, caller, clip_id));
                         if (changes.title) clip.title = *changes.title;
                         if (changes.caption) clip.caption = *changes.caption;
                         if (changes.tags) clip.tags = *changes.tags;
                         if (changes.language) clip.language = *changes.language;
                         if (changes.visibility) clip.visibility = *changes.visibility;
                         if (changes.forking_allowed) clip.forking_allowed = *changes.forking_allowed;
                         clip.update_time = clock_.Now();
                         tx.UpdateClip(clip);
                         CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Updated(clip, changes.paths)));
                         return clip.clip_id;
                       }).status());
    CF_ASSIGN_OR_RETURN(ClipRecord clip, GetVisibleClip(tx, caller, clip_id, "clip_id"));
    view = ViewOf(tx, caller, std::move(clip));
    return absl::OkStatus();
  }));
  return *std::move(view);
}

absl::Status ClipLogic::Delete(const kit::Caller& caller, const kit::IdempotencyKey& key,
                               const std::string& clip_id) {
  return store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) -> absl::Status {
    return kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
             std::optional<ClipRecord> clip = tx.LockClip(clip_id);
             if (!clip) return ClipNotFound(clip_id);
             const bool is_author = !clip->author_id.empty() && clip->author_id == caller.user_id;
             const bool is_admin = caller.HasRole(base::Role::kAdmin);
             if (!is_author && !is_admin) {
               const Relations relations(tx, caller, {*clip});
               if (!CanSee(caller, *clip, relations.Of(clip->author_id))) return ClipNotFound(clip_id);
               return absl::PermissionDeniedError("clip_id: only the clip's author or an admin may delete it");
             }
             if (clip->removed()) return clip->clip_id;  // Already a tombstone.
             clip->removal_reason =
                 is_author ? v1::REMOVAL_REASON_DELETED_BY_AUTHOR : v1::REMOVAL_REASON_MODERATION;
             clip->update_time = clock_.Now();
             tx.UpdateClip(*clip);
             CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Removed(*clip, clip->author_id, "")));
             return clip->clip_id;
           })
        .status();
  });
}

absl::StatusOr<LikeState> ClipLogic::SetLike(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                             const std::string& clip_id, bool like) {
  LikeState state;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(state, kit::RunIdempotent(tx, key, kLikeCodec, [&]() -> absl::StatusOr<LikeState> {
                          CF_ASSIGN_OR_RETURN(const ClipRecord clip, GetVisibleClip(tx, caller, clip_id, "clip_id"));
                          LikeState result{.clip_id = clip.clip_id, .liked = like,
                                           .like_count = clip.counts.likes};
                          const bool changed = like ? tx.InsertLike(clip.clip_id, caller.user_id, clock_.Now())
                                                    : tx.DeleteLike(clip.clip_id, caller.user_id);
                          if (!changed) return result;
                          result.like_count = tx.AdjustCounts(clip.clip_id, {.likes = like ? 1 : -1}).likes;
                          CF_RETURN_IF_ERROR(tx.AppendEvent(
                              like ? events_.Liked(clip, caller.user_id, result.like_count)
                                   : events_.Unliked(clip, caller.user_id, result.like_count)));
                          return result;
                        }));
    state.clip_id = clip_id;
    return absl::OkStatus();
  }));
  return state;
}

absl::StatusOr<bool> ClipLogic::RecordView(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                           const ViewReport& view) {
  bool counted = false;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(counted, kit::RunIdempotent(tx, key, kCountedCodec, [&]() -> absl::StatusOr<bool> {
                          CF_ASSIGN_OR_RETURN(const ClipRecord clip,
                                              GetVisibleClip(tx, caller, view.clip_id, "clip_id"));
                          if (!tx.MarkView(clip.clip_id, caller.user_id, clock_.Now(), rules_.view_window)) {
                            return false;
                          }
                          const int64_t views = tx.AdjustCounts(clip.clip_id, {.views = 1}).views;
                          // The viewer is named only with their consent to analytics.
                          const std::map<std::string, UserRecord> viewer = tx.GetUsers({caller.user_id});
                          auto record = viewer.find(caller.user_id);
                          const bool consented = record != viewer.end() && record->second.analytics_opted_in;
                          CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Viewed(
                              clip, consented ? caller.user_id : "", view.watched, view.completed, views)));
                          return true;
                        }));
    return absl::OkStatus();
  }));
  return counted;
}

absl::StatusOr<ClipRecord> ClipLogic::ForkableClip(const kit::Caller& caller, const std::string& clip_id,
                                                   const std::string& field) {
  std::optional<ClipRecord> found;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    found = tx.GetClip(clip_id);
    if (!found) return absl::NotFoundError(absl::StrCat(field, ": no clip ", clip_id));
    const Relations relations(tx, caller, {*found});
    return remix::CheckFork(AccessOf(*found), ViewerOf(caller, relations.Of(found->author_id)), field);
  }));
  return *std::move(found);
}

absl::StatusOr<v1::GenerationJob> ClipLogic::Fork(const kit::Caller& caller, const std::string& authorization,
                                                  const kit::IdempotencyKey& key, const std::string& clip_id,
                                                  const v1::JobSpec& spec) {
  // Checked here first for this RPC's field names; generation checks again
  // as it creates the job.
  CF_ASSIGN_OR_RETURN(const ClipRecord parent, ForkableClip(caller, clip_id, "clip_id"));
  v1::CreateJobRequest request;
  request.set_request_id(key.request_id);
  *request.mutable_spec() = spec;
  request.mutable_spec()->set_remix_of_clip_id(clip_id);
  // Another service's call, outside any transaction of ours. Its request id
  // is ours: a retry gets the same job back.
  CF_ASSIGN_OR_RETURN(const v1::GenerationJob job, jobs_.StartJob(caller, authorization, request));
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) -> absl::Status {
    return kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
             CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Forked(parent, job.job_id(), caller.user_id)));
             return job.job_id();
           })
        .status();
  }));
  return job;
}

absl::StatusOr<int> ClipLogic::SweepViewMarks(int limit) {
  int swept = 0;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) -> absl::Status {
    swept = tx.SweepViewMarks(clock_.Now() - rules_.view_window, limit);
    return absl::OkStatus();
  }));
  return swept;
}

}  // namespace clipforge::clips_service
