// How clips print: Clip, ClipNode and Comment to Records and lines, and a
// fork's prompt word diff against its parent's, in colour for a terminal or
// with git's word-diff markers ([-gone-] {+new+}) where colour cannot show.
// Pure: no calls, no terminal.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "cli/output.h"
#include "clipforge/v1/clips.pb.h"

namespace clipforge::cli {

inline constexpr absl::string_view kVisibilityPrefix = "VISIBILITY_";
inline constexpr absl::string_view kRemovalReasonPrefix = "REMOVAL_REASON_";
inline constexpr absl::string_view kDiffOpPrefix = "DIFF_OP_";

// VISIBILITY_FOLLOWERS -> "followers"; unset reads "public", as the API
// takes it.
std::string VisibilityWord(v1::Visibility visibility);

// "@alice", or "" when the summary has no handle (hidden and removed nodes).
std::string HandleOf(const v1::UserSummary& user);

// "1 like", "12 likes".
std::string LikesText(int64_t likes);

// "1 reply", "12 replies".
std::string RepliesText(int64_t replies);

// The last 8 characters of an id (a clip's, a comment's), for the tree and
// comment lines where full ids crowd the text. Not the first 8: those of a
// UUIDv7 are its time, shared by whatever was made the same minute.
std::string ShortId(absl::string_view id);

// "(removed)" or "(hidden)" for a node the caller cannot see into, else its
// title (empty when it has none).
std::string NodeTitle(const v1::ClipNode& node);

// "+3/-1": the words a fork inserted and deleted.
std::string CompactDiff(const v1::PromptDiff& diff);

enum class DiffStyle {
  kColor,    // insertions green, deletions red and struck through (ANSI)
  kMarkers,  // {+inserted+} and [-deleted-]: plain text that stays readable
};

// The spans of `diff` in prompt order as one line: the parent's prompt with
// the child's changes marked. The white space around a span's words stays
// outside its marks; server text is made TerminalSafe before any escape
// code is added.
std::string RenderDiff(const v1::PromptDiff& diff, DiffStyle style);

// A clip in full for `clip`, `publish` and `edit-clip`: title, author,
// prompt, lineage, counts, visibility, media URLs, times.
Record ClipRecord(const v1::Clip& clip);
// One row of `clips`: id, title, visibility, likes, views, forks, created.
Record ClipRow(const v1::Clip& clip);
// One row of `lineage`: depth, id, author, title (or "(removed)"/"(hidden)").
Record LineageRow(const v1::ClipNode& node);
// A graph node for --json (`variants`, `tree`): ids, depth, title, author,
// counts, removed/hidden, and its diff as word counts and spans.
Record NodeRow(const v1::ClipNode& node);
// One variant for people: "ID  TITLE  @author  N likes  +I/-D" and, when the
// node has a diff, the diff rendered on an indented second line.
std::string VariantText(const v1::ClipNode& node, DiffStyle style);

// A comment for `comment` and for `comments --json`: its id, the parent it
// answers (shown for a reply), author, text and time; the clip, author id,
// reply count and whether it is a tombstone for --json only.
Record CommentRecord(const v1::Comment& comment);
// One comment of `comments` for people, one line: "SHORT_ID  @author  N
// replies  TEXT". A tombstone reads "(deleted)" and has no text; replies
// have no reply count. Server text is made TerminalSafe, so a comment's
// line breaks show as \n and it stays one line.
std::string CommentLine(const v1::Comment& comment);

}  // namespace clipforge::cli
