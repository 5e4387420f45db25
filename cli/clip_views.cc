#include "cli/clip_views.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/enum_words.h"
#include "cli/time_format.h"

namespace clipforge::cli {
namespace {

constexpr size_t kShortIdChars = 8;

// ANSI SGR: green; red and struck through; back to normal.
constexpr absl::string_view kGreen = "\x1b[32m";
constexpr absl::string_view kRedStruck = "\x1b[31;9m";
constexpr absl::string_view kReset = "\x1b[0m";

void AddTime(Record& record, absl::string_view key, const google::protobuf::Timestamp& time,
             Show show = Show::kAlways) {
  const std::string text = FormatProtoTime(time);
  if (!text.empty()) record.Str(key, text, show);
}

std::string DurationText(const google::protobuf::Duration& d) {
  return absl::FormatDuration(absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos()));
}

// "@bob (25%)": a co-author and their share of the credit.
std::string CoAuthorText(const v1::CoAuthor& co_author) {
  return absl::StrFormat("%s (%.4g%%)", HandleOf(co_author.user()), co_author.weight_bps() / 100.0);
}

void AddLineage(Record& record, const v1::Clip& clip) {
  record.Str("parent_clip_id", clip.parent_clip_id())
      .Str("root_clip_id", clip.root_clip_id())
      .Int("depth", clip.depth());
}

void AddMedia(Record& record, const v1::ClipMedia& media) {
  if (media.has_video_url()) record.Str("video_url", media.video_url().url());
  if (media.has_thumbnail_url()) record.Str("thumbnail_url", media.thumbnail_url().url());
  if (media.has_spritesheet_url()) record.Str("spritesheet_url", media.spritesheet_url().url());
  if (media.width() > 0 && media.height() > 0) record.Str("frame", absl::StrCat(media.width(), "x", media.height()));
  if (media.has_duration()) record.Str("duration", DurationText(media.duration()));
  if (media.has_video_url()) AddTime(record, "urls_expire", media.video_url().expire_time(), Show::kJsonOnly);
}

// `text` split around its words: the white space before them, the words,
// and the white space after them.
struct Padded {
  absl::string_view before, words, after;
};

Padded SplitPadding(absl::string_view text) {
  size_t start = 0;
  while (start < text.size() && absl::ascii_isspace(static_cast<unsigned char>(text[start]))) ++start;
  size_t end = text.size();
  while (end > start && absl::ascii_isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return {text.substr(0, start), text.substr(start, end - start), text.substr(end)};
}

std::string Marked(v1::DiffOp op, const std::string& words, DiffStyle style) {
  const bool inserted = op == v1::DIFF_OP_INSERT;
  if (style == DiffStyle::kColor) return absl::StrCat(inserted ? kGreen : kRedStruck, words, kReset);
  return inserted ? absl::StrCat("{+", words, "+}") : absl::StrCat("[-", words, "-]");
}

// The IPTC digital source type's term ("trainedAlgorithmicMedia"), not its
// whole URI.
std::string SourceTypeWord(const std::string& uri) {
  const size_t slash = uri.rfind('/');
  return TerminalSafe(slash == std::string::npos ? uri : uri.substr(slash + 1));
}

}  // namespace

std::string VisibilityWord(v1::Visibility visibility) {
  return EnumWord(visibility == v1::VISIBILITY_UNSPECIFIED ? v1::VISIBILITY_PUBLIC : visibility, kVisibilityPrefix);
}

std::string HandleOf(const v1::UserSummary& user) {
  return user.handle().empty() ? std::string() : absl::StrCat("@", user.handle());
}

std::string LikesText(int64_t likes) { return absl::StrCat(likes, likes == 1 ? " like" : " likes"); }

std::string RepliesText(int64_t replies) { return absl::StrCat(replies, replies == 1 ? " reply" : " replies"); }

std::string ShortId(absl::string_view id) {
  return std::string(id.size() > kShortIdChars ? id.substr(id.size() - kShortIdChars) : id);
}

std::string NodeTitle(const v1::ClipNode& node) {
  if (node.hidden()) return "(hidden)";
  if (node.removed()) return "(removed)";
  return node.title();
}

std::string CompactDiff(const v1::PromptDiff& diff) {
  return absl::StrCat("+", diff.inserted_words(), "/-", diff.deleted_words());
}

std::string RenderDiff(const v1::PromptDiff& diff, DiffStyle style) {
  std::string out;
  for (const v1::DiffSpan& span : diff.spans()) {
    const bool changed = span.op() == v1::DIFF_OP_INSERT || span.op() == v1::DIFF_OP_DELETE;
    const Padded parts = SplitPadding(span.text());
    if (!changed || parts.words.empty()) {
      absl::StrAppend(&out, TerminalSafe(span.text()));
      continue;
    }
    absl::StrAppend(&out, TerminalSafe(parts.before), Marked(span.op(), TerminalSafe(parts.words), style),
                    TerminalSafe(parts.after));
  }
  return out;
}

Record ClipRecord(const v1::Clip& clip) {
  Record record;
  record.Str("clip_id", clip.clip_id());
  if (clip.removed()) {
    // A tombstone: only ids, depth, the reason and times are left.
    record.Bool("removed", true).Str("removal_reason", EnumWord(clip.removal_reason(), kRemovalReasonPrefix));
    AddLineage(record, clip);
    AddTime(record, "created", clip.create_time());
    return record;
  }
  record.Str("title", clip.title())
      .Str("author", HandleOf(clip.author()))
      .Str("author_id", clip.author().user_id(), Show::kJsonOnly);
  if (!clip.caption().empty()) record.Str("caption", clip.caption());
  if (clip.tags_size() > 0) record.List("tags", {clip.tags().begin(), clip.tags().end()});
  if (!clip.language().empty()) record.Str("language", clip.language());
  record.Str("prompt", clip.generation().prompt()).Str("job_id", clip.job_id());
  AddLineage(record, clip);
  const v1::ClipCounts& counts = clip.counts();
  record.Str("visibility", VisibilityWord(clip.visibility()))
      .Bool("forks_allowed", clip.forking_allowed())
      .Int("likes", counts.like_count())
      .Int("views", counts.view_count())
      .Int("comments", counts.comment_count())
      .Int("forks", counts.direct_fork_count())
      .Int("descendants", counts.descendant_count())
      .Bool("liked_by_you", clip.liked_by_viewer());
  if (clip.co_authors_size() > 0) {
    std::vector<std::string> co_authors;
    for (const v1::CoAuthor& co_author : clip.co_authors()) co_authors.push_back(CoAuthorText(co_author));
    record.List("co_authors", std::move(co_authors));
  }
  if (!clip.party_id().empty()) record.Str("party_id", clip.party_id());
  if (clip.has_media()) AddMedia(record, clip.media());
  if (const v1::C2paSummary& c2pa = clip.c2pa(); c2pa.present()) {
    record.Str("content_credentials", c2pa.valid() ? "valid" : "invalid");
    if (!c2pa.signer().empty()) record.Str("signer", c2pa.signer());
    if (!c2pa.claim_generator().empty()) record.Str("made_with", c2pa.claim_generator());
    if (!c2pa.digital_source_type().empty()) record.Str("source_type", SourceTypeWord(c2pa.digital_source_type()));
    if (!c2pa.manifest_label().empty()) record.Str("manifest", c2pa.manifest_label(), Show::kJsonOnly);
    if (!c2pa.parent_manifest_label().empty()) {
      record.Str("parent_manifest", c2pa.parent_manifest_label(), Show::kJsonOnly);
    }
  }
  AddTime(record, "created", clip.create_time());
  AddTime(record, "updated", clip.update_time(), Show::kJsonOnly);
  return record;
}

Record ClipRow(const v1::Clip& clip) {
  Record row;
  row.Str("clip_id", clip.clip_id())
      .Str("title", clip.title())
      .Str("visibility", VisibilityWord(clip.visibility()))
      .Int("likes", clip.counts().like_count())
      .Int("views", clip.counts().view_count())
      .Int("forks", clip.counts().direct_fork_count())
      .Str("created", FormatProtoTime(clip.create_time()))
      .Int("depth", clip.depth(), Show::kJsonOnly)
      .Str("parent_clip_id", clip.parent_clip_id(), Show::kJsonOnly)
      .Str("job_id", clip.job_id(), Show::kJsonOnly);
  return row;
}

Record LineageRow(const v1::ClipNode& node) {
  Record row;
  row.Int("depth", node.depth())
      .Str("clip_id", node.clip_id())
      .Str("author", HandleOf(node.author()))
      .Str("title", NodeTitle(node))
      .Bool("removed", node.removed(), Show::kJsonOnly)
      .Bool("hidden", node.hidden(), Show::kJsonOnly);
  return row;
}

Record NodeRow(const v1::ClipNode& node) {
  Record row;
  row.Str("clip_id", node.clip_id())
      .Str("parent_clip_id", node.parent_clip_id())
      .Int("depth", node.depth())
      .Str("title", node.title())
      .Str("author", HandleOf(node.author()))
      .Str("author_id", node.author().user_id())
      .Int("likes", node.counts().like_count())
      .Int("forks", node.counts().direct_fork_count())
      .Bool("removed", node.removed())
      .Bool("hidden", node.hidden());
  if (!node.prompt().empty()) row.Str("prompt", node.prompt());
  if (node.has_diff()) {
    std::vector<Record> spans;
    for (const v1::DiffSpan& span : node.diff().spans()) {
      Record item;
      item.Str("op", EnumWord(span.op(), kDiffOpPrefix)).Str("text", span.text());
      spans.push_back(std::move(item));
    }
    row.Int("inserted_words", node.diff().inserted_words())
        .Int("deleted_words", node.diff().deleted_words())
        .Table("diff", std::move(spans));
  }
  AddTime(row, "created", node.create_time());
  return row;
}

std::string VariantText(const v1::ClipNode& node, DiffStyle style) {
  std::vector<std::string> parts = {TerminalSafe(node.clip_id())};
  const std::string title = NodeTitle(node);
  parts.push_back(title.empty() ? "(untitled)" : TerminalSafe(title));
  if (!node.hidden() && !node.removed()) {
    if (!node.author().handle().empty()) parts.push_back(TerminalSafe(HandleOf(node.author())));
    parts.push_back(LikesText(node.counts().like_count()));
  }
  if (node.has_diff()) parts.push_back(CompactDiff(node.diff()));
  std::string text = absl::StrCat(absl::StrJoin(parts, "  "), "\n");
  if (node.has_diff() && node.diff().spans_size() > 0) {
    absl::StrAppend(&text, "    ", RenderDiff(node.diff(), style), "\n");
  }
  return text;
}

Record CommentRecord(const v1::Comment& comment) {
  const bool reply = !comment.parent_comment_id().empty();
  Record record;
  record.Str("comment_id", comment.comment_id())
      .Str("clip_id", comment.clip_id(), Show::kJsonOnly)
      .Str("parent_comment_id", comment.parent_comment_id(), reply ? Show::kAlways : Show::kJsonOnly)
      .Str("author", HandleOf(comment.author()))
      .Str("author_id", comment.author().user_id(), Show::kJsonOnly)
      .Str("text", comment.text())
      .Int("reply_count", comment.reply_count(), Show::kJsonOnly)
      .Bool("deleted", comment.deleted(), Show::kJsonOnly);
  AddTime(record, "created", comment.create_time());
  return record;
}

std::string CommentLine(const v1::Comment& comment) {
  const std::string author = HandleOf(comment.author());
  std::vector<std::string> parts = {TerminalSafe(ShortId(comment.comment_id())),
                                    comment.deleted() || author.empty() ? "(deleted)" : TerminalSafe(author)};
  if (comment.parent_comment_id().empty()) parts.push_back(RepliesText(comment.reply_count()));
  if (!comment.text().empty()) parts.push_back(TerminalSafe(comment.text()));
  return absl::StrCat(absl::StrJoin(parts, "  "), "\n");
}

}  // namespace clipforge::cli
