// publish, clip, clips, like, unlike, delete-clip, edit-clip: published
// clips from the command line (ClipsService). `fork` is in fork_command.cc,
// the fork graph (lineage, variants, tree) in clip_graph_commands.cc,
// comments (comment, comments, delete-comment) in comment_commands.cc.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "cli/clip_views.h"
#include "cli/commands.h"
#include "cli/errors.h"

namespace clipforge::cli {
namespace {

using Clips = v1::ClipsService::StubInterface;

// Clip's limits in clips.proto, checked before any call.
constexpr size_t kMaxTitleChars = 100;
constexpr size_t kMaxCaptionChars = 2200;
constexpr size_t kMaxTags = 32;
constexpr size_t kMaxTagChars = 40;
constexpr size_t kMinLanguageChars = 2;
constexpr size_t kMaxLanguageChars = 35;

bool IsTag(absl::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagChars) return false;
  for (const char c : tag) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// --title, --caption, --tag, --language and --visibility into `clip`;
// returns the update_mask path of each flag given, in that order. An empty
// value clears a field (`--tag=` alone clears the tags); a leading '#' is
// dropped from a tag, as people write them.
absl::StatusOr<std::vector<std::string>> ClipFieldsFromFlags(const Invocation& inv, v1::Clip& clip) {
  std::vector<std::string> paths;
  base::FieldValidator v;
  if (const std::optional<std::string> title = inv.Get("title")) {
    clip.set_title(*title);
    paths.push_back("title");
    v.Text("title", *title, {.max_chars = kMaxTitleChars});
  }
  if (const std::optional<std::string> caption = inv.Get("caption")) {
    clip.set_caption(*caption);
    paths.push_back("caption");
    v.Text("caption", *caption, {.max_chars = kMaxCaptionChars});
  }
  if (inv.Has("tag")) {
    for (const std::string& value : inv.GetAll("tag")) {
      if (value.empty()) continue;
      absl::string_view tag = value;
      absl::ConsumePrefix(&tag, "#");
      clip.add_tags(std::string(tag));
    }
    paths.push_back("tags");
    v.Count("tags", static_cast<size_t>(clip.tags_size()), kMaxTags);
    for (int i = 0; i < clip.tags_size(); ++i) {
      v.Check(IsTag(clip.tags(i)), absl::StrCat("tags[", i, "]"),
              absl::StrCat("must be 1-", kMaxTagChars, " ASCII letters, digits or '_'"));
    }
  }
  if (const std::optional<std::string> language = inv.Get("language")) {
    clip.set_language(*language);
    paths.push_back("language");
    if (!language->empty()) {
      v.Text("language", *language, {.min_chars = kMinLanguageChars, .max_chars = kMaxLanguageChars});
    }
  }
  if (!v.ok()) return UsageError(absl::StrCat("invalid input: ", v.status().message()));
  CF_ASSIGN_OR_RETURN(const auto visibility, EnumFlag<v1::Visibility>(inv, "visibility", kVisibilityPrefix));
  if (visibility) {
    clip.set_visibility(*visibility);
    paths.push_back("visibility");
  }
  return paths;
}

// --author as a user id: "me" is the signed-in user (the id stored with the
// session when it logged in), "@HANDLE" is looked up, anything else is
// taken as an id.
absl::StatusOr<std::string> AuthorId(CommandContext& ctx, Session& session, const std::string& author) {
  if (author == "me") {
    if (session.credentials().user_id.empty()) {
      return NotLoggedInError("the stored session names no user — run `clipforge login` again");
    }
    return session.credentials().user_id;
  }
  if (absl::StartsWith(author, "@")) {
    CF_ASSIGN_OR_RETURN(const v1::Profile profile, LookUpHandle(ctx, &session, author));
    return profile.user_id();
  }
  return author;
}

template <typename Request>
absl::Status ChangeLike(CommandContext& ctx, StubMethod<Clips, Request, v1::LikeStatus> method) {
  Request request;
  request.set_clip_id(ctx.invocation().Operand(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::LikeStatus like;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, method, request, like));
  Record record;
  record.Str("clip_id", request.clip_id()).Bool("liked", like.liked()).Int("likes", like.like_count());
  ctx.out().Result(record);
  return absl::OkStatus();
}

}  // namespace

absl::Status RunPublish(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::Clip fields;
  CF_RETURN_IF_ERROR(ClipFieldsFromFlags(inv, fields).status());
  v1::PublishClipRequest request;
  request.set_job_id(inv.Operand(0));
  request.set_title(fields.title());
  request.set_caption(fields.caption());
  *request.mutable_tags() = fields.tags();
  request.set_language(fields.language());
  request.set_visibility(fields.visibility());
  // Unset means forks allowed; only --no-forks says otherwise.
  if (inv.Has("no-forks")) request.set_forking_allowed(false);
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Clip clip;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Clips::PublishClip, request, clip));
  ctx.out().Result(ClipRecord(clip));
  return absl::OkStatus();
}

absl::Status RunClip(CommandContext& ctx) {
  v1::GetClipRequest request;
  request.set_clip_id(ctx.invocation().Operand(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::Clip clip;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Clips::GetClip, request, clip));
  ctx.out().Result(ClipRecord(clip));
  return absl::OkStatus();
}

absl::Status RunClips(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> page_size, inv.IntFlag("page-size", 1, 100));
  const std::string author = inv.Get("author").value_or("me");
  if (author.empty() || author == "@") return UsageError("--author needs a user id, @HANDLE or me");
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  CF_ASSIGN_OR_RETURN(const std::string author_id, AuthorId(ctx, *session, author));
  v1::ListClipsRequest request;
  request.set_author_id(author_id);
  if (page_size) request.set_page_size(*page_size);
  request.set_page_token(inv.Get("page-token").value_or(""));
  std::vector<Record> rows;
  CF_ASSIGN_OR_RETURN(const std::string next,
                      FetchPages(ctx, *session, &Clips::ListClips, request, [&](const v1::ListClipsResponse& r) {
                        for (const v1::Clip& clip : r.clips()) rows.push_back(ClipRow(clip));
                      }));
  PrintPages(ctx, "clips", std::move(rows), next);
  return absl::OkStatus();
}

absl::Status RunLike(CommandContext& ctx) { return ChangeLike<v1::LikeClipRequest>(ctx, &Clips::LikeClip); }

absl::Status RunUnlike(CommandContext& ctx) { return ChangeLike<v1::UnlikeClipRequest>(ctx, &Clips::UnlikeClip); }

absl::Status RunDeleteClip(CommandContext& ctx) {
  v1::DeleteClipRequest request;
  request.set_clip_id(ctx.invocation().Operand(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  google::protobuf::Empty empty;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Clips::DeleteClip, request, empty));
  Record record;
  record.Str("deleted", request.clip_id());
  ctx.out().Result(record);
  ctx.out().Note("Its forks keep their lineage, where it shows as (removed).");
  return absl::OkStatus();
}

absl::Status RunEditClip(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::UpdateClipRequest request;
  v1::Clip& clip = *request.mutable_clip();
  clip.set_clip_id(inv.Operand(0));
  CF_ASSIGN_OR_RETURN(std::vector<std::string> paths, ClipFieldsFromFlags(inv, clip));
  if (const std::optional<std::string> forks = inv.Get("forks")) {
    const std::string word = absl::AsciiStrToLower(*forks);
    if (word != "on" && word != "off") return UsageError(absl::StrCat("--forks takes on or off, not '", *forks, "'"));
    clip.set_forking_allowed(word == "on");
    paths.push_back("forking_allowed");
  }
  if (paths.empty()) {
    return UsageError("nothing to change: give --title, --caption, --tag, --language, --visibility or --forks");
  }
  // Exactly the fields given: the server leaves every other one as it is.
  for (std::string& path : paths) request.mutable_update_mask()->add_paths(std::move(path));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Clip updated;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Clips::UpdateClip, request, updated));
  ctx.out().Result(ClipRecord(updated));
  return absl::OkStatus();
}

}  // namespace clipforge::cli
