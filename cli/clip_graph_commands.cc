// lineage, variants, tree: the fork graph around a clip (ClipsService's
// GetLineage, ListVariants and GetCanvas). Drawing is clip_tree's and
// clip_views' (pure, unit tested); this file fetches and picks the style.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "cli/clip_tree.h"
#include "cli/clip_views.h"
#include "cli/commands.h"

namespace clipforge::cli {
namespace {

using Clips = v1::ClipsService::StubInterface;

// GetLineageRequest.page_size's and GetCanvasRequest.page_size's maximums.
constexpr int32_t kLineagePage = 100;
constexpr int32_t kMaxCanvasPage = 500;
constexpr int32_t kDefaultTreeNodes = 200;
constexpr int32_t kMaxTreeNodes = 10'000;

// Colour only for a person at a terminal. Output knows whether stderr is
// one (progress_redraws, which tests set to false), not stdout: stdout is
// asked here, so a diff piped to a file or a pager gets the plain
// [-...-]/{+...+} markers. NO_COLOR (https://no-color.org) and TERM=dumb
// opt out.
DiffStyle DiffStyleFor(CommandContext& ctx) {
  if (ctx.out().json() || !ctx.out().progress_redraws() || ::isatty(STDOUT_FILENO) != 1) return DiffStyle::kMarkers;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if ((no_color != nullptr && *no_color != '\0') || (term != nullptr && absl::string_view(term) == "dumb")) {
    return DiffStyle::kMarkers;
  }
  return DiffStyle::kColor;
}

}  // namespace

absl::Status RunLineage(CommandContext& ctx) {
  v1::GetLineageRequest request;
  request.set_clip_id(ctx.invocation().Operand(0));
  request.set_page_size(kLineagePage);
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  std::vector<Record> rows;
  int32_t depth = 0;
  const auto add = [&](const v1::GetLineageResponse& r) {
    depth = r.depth();
    for (const v1::ClipNode& node : r.ancestors()) rows.push_back(LineageRow(node));
  };
  // Every page: a lineage is as long as the clip is deep, and reads whole.
  CF_RETURN_IF_ERROR(FetchPages(ctx, *session, &Clips::GetLineage, request, add, Paging::kEvery).status());
  const bool original = rows.empty() && depth == 0;
  Record record;
  record.Str("clip_id", request.clip_id(), Show::kJsonOnly)
      .Int("depth", depth, Show::kJsonOnly)
      .Table("ancestors", std::move(rows));
  ctx.out().Result(record);
  if (original) ctx.out().Note(absl::StrCat(request.clip_id(), " is an original: it was not forked from a clip."));
  return absl::OkStatus();
}

absl::Status RunVariants(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> page_size, inv.IntFlag("page-size", 1, 50));
  v1::ListVariantsRequest request;
  request.set_clip_id(inv.Operand(0));
  if (page_size) request.set_page_size(*page_size);
  // Both flags, like neither, mean both.
  if (inv.Has("forks") != inv.Has("siblings")) {
    request.set_relation(inv.Has("forks") ? v1::VARIANT_RELATION_FORKS : v1::VARIANT_RELATION_SIBLINGS);
  }
  request.set_page_token(inv.Get("page-token").value_or(""));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  std::vector<v1::ClipNode> variants;
  CF_ASSIGN_OR_RETURN(const std::string next,
                      FetchPages(ctx, *session, &Clips::ListVariants, request, [&](const v1::ListVariantsResponse& r) {
                        variants.insert(variants.end(), r.variants().begin(), r.variants().end());
                      }));
  if (ctx.out().json()) {
    std::vector<Record> rows;
    for (const v1::ClipNode& node : variants) rows.push_back(NodeRow(node));
    PrintPages(ctx, "variants", std::move(rows), next);
    return absl::OkStatus();
  }
  // Free text, not a Record: Records escape the colour codes a diff needs.
  const DiffStyle style = DiffStyleFor(ctx);
  std::string text = variants.empty() ? "variants: none\n" : "";
  // Forks come first, then siblings: a heading where each starts.
  absl::string_view heading;
  for (const v1::ClipNode& node : variants) {
    const absl::string_view kind = node.parent_clip_id() == request.clip_id() ? "forks:\n" : "siblings:\n";
    if (kind != heading) {
      absl::StrAppend(&text, kind);
      heading = kind;
    }
    absl::StrAppend(&text, VariantText(node, style));
  }
  ctx.out().Text(text);
  NoteNextPage(ctx, next);
  return absl::OkStatus();
}

absl::Status RunTree(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> max_depth, inv.IntFlag("max-depth", 0, 1000));
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> max_nodes_flag, inv.IntFlag("max-nodes", 1, kMaxTreeNodes));
  const size_t max_nodes = static_cast<size_t>(max_nodes_flag.value_or(kDefaultTreeNodes));
  v1::GetCanvasRequest request;
  request.set_clip_id(inv.Operand(0));
  request.set_max_depth(max_depth.value_or(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());

  // Breadth first, so stopping at max_nodes cuts whole levels from the
  // bottom and never leaves a node without the parent it hangs from.
  std::vector<v1::ClipNode> nodes;
  int64_t total = 0;
  std::string next;
  absl::flat_hash_set<std::string> seen_tokens;
  do {
    request.set_page_size(static_cast<int32_t>(std::min<size_t>(kMaxCanvasPage, max_nodes - nodes.size())));
    v1::GetCanvasResponse response;
    CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Clips::GetCanvas, request, response));
    for (const v1::ClipNode& node : response.nodes()) {
      if (nodes.size() < max_nodes) nodes.push_back(node);
    }
    total = response.total_size();
    next = response.next_page_token();
    if (!next.empty() && !seen_tokens.insert(next).second) {
      return absl::InternalError("the server repeated a page token; stopping");
    }
    request.set_page_token(next);
  } while (!next.empty() && nodes.size() < max_nodes);

  const bool truncated = !next.empty();
  if (ctx.out().json()) {
    std::vector<Record> rows;
    for (const v1::ClipNode& node : nodes) rows.push_back(NodeRow(node));
    Record record;
    record.Str("top_clip_id", request.clip_id())
        .Int("total_size", total)
        .Bool("truncated", truncated)
        .Table("nodes", std::move(rows));
    ctx.out().Result(record);
    return absl::OkStatus();
  }
  ctx.out().Text(DrawClipTree(nodes));
  if (truncated) {
    ctx.out().Note(absl::StrCat("Showing the first ", nodes.size(), " of ", total,
                                " clips; --max-nodes=N shows more (up to ", kMaxTreeNodes, ")."));
  }
  return absl::OkStatus();
}

}  // namespace clipforge::cli
