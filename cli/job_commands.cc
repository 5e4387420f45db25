// jobs, job, cancel, download: your generation jobs from the command line,
// after `clipforge generate` created them (or while another terminal
// watches them).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "cli/commands.h"
#include "cli/content_download.h"
#include "cli/enum_words.h"
#include "cli/errors.h"
#include "cli/job_views.h"
#include "cli/time_format.h"

namespace clipforge::cli {
namespace {

using Generation = v1::GenerationService::StubInterface;

constexpr absl::string_view kVariantPrefix = "CONTENT_VARIANT_";
constexpr int32_t kDefaultJobLimit = 20;
constexpr int32_t kMaxJobLimit = 1000;
constexpr int32_t kMaxJobsPage = 100;
// ListJobsRequest.statuses takes at most this many (there are six).
constexpr size_t kMaxStatusFilters = 6;
// GetSignedUrlRequest.ttl's bounds and default.
constexpr absl::Duration kMinUrlTtl = absl::Seconds(60);
constexpr absl::Duration kMaxUrlTtl = absl::Hours(24);
constexpr absl::Duration kDefaultUrlTtl = absl::Hours(1);

absl::StatusOr<absl::Duration> TtlFlag(const Invocation& inv) {
  const std::optional<std::string> text = inv.Get("ttl");
  if (!text) return kDefaultUrlTtl;
  absl::Duration ttl;
  if (!absl::ParseDuration(*text, &ttl) || ttl < kMinUrlTtl || ttl > kMaxUrlTtl) {
    return UsageError(absl::StrCat("--ttl must be a duration from 1m to 24h, e.g. 90s, 30m or 2h (not '", *text, "')"));
  }
  return ttl;
}

absl::Status PrintSignedUrl(CommandContext& ctx, const std::string& job_id, v1::ContentVariant variant) {
  CF_ASSIGN_OR_RETURN(const absl::Duration ttl, TtlFlag(ctx.invocation()));
  v1::GetSignedUrlRequest request;
  request.set_job_id(job_id);
  request.set_variant(variant);
  request.mutable_ttl()->set_seconds(absl::ToInt64Seconds(ttl));  // fractions of a second are moot
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::SignedUrl url;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Generation::GetSignedUrl, request, url));
  Record record;
  record.Str("url", url.url()).Str("expires", FormatProtoTime(url.expire_time()));
  ctx.out().Result(record);
  return absl::OkStatus();
}

}  // namespace

absl::Status RunJobs(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::ListJobsRequest request;
  CF_ASSIGN_OR_RETURN(const std::vector<v1::JobStatus> statuses,
                      EnumListFlag<v1::JobStatus>(inv, "status", kJobStatusPrefix));
  if (statuses.size() > kMaxStatusFilters) {
    return UsageError(absl::StrCat("--status takes at most ", kMaxStatusFilters, " statuses"));
  }
  for (const v1::JobStatus status : statuses) request.add_statuses(status);
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> limit_flag, inv.IntFlag("limit", 1, kMaxJobLimit));
  const size_t limit = static_cast<size_t>(limit_flag.value_or(kDefaultJobLimit));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());

  std::vector<Record> rows;
  absl::flat_hash_set<std::string> seen_tokens;
  std::string next;
  do {
    request.set_page_size(static_cast<int32_t>(std::min<size_t>(kMaxJobsPage, limit - rows.size())));
    v1::ListJobsResponse response;
    CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Generation::ListJobs, request, response));
    for (const v1::GenerationJob& job : response.jobs()) {
      if (rows.size() < limit) rows.push_back(JobRow(job));
    }
    next = response.next_page_token();
    if (!next.empty() && !seen_tokens.insert(next).second) {
      return absl::InternalError("the server repeated a page token; stopping");
    }
    request.set_page_token(next);
  } while (!next.empty() && rows.size() < limit);

  const bool more = !next.empty();
  Record record;
  record.Table("jobs", std::move(rows)).Bool("more", more, Show::kJsonOnly);
  ctx.out().Result(record);
  if (more) {
    ctx.out().Note(absl::StrCat("Showing the newest ", limit, "; --limit=N shows more (up to ", kMaxJobLimit, ")."));
  }
  return absl::OkStatus();
}

absl::Status RunJob(CommandContext& ctx) {
  v1::GetJobRequest request;
  request.set_job_id(ctx.invocation().Operand(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::GenerationJob job;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Generation::GetJob, request, job));
  ctx.out().Result(JobRecord(job));
  return absl::OkStatus();
}

absl::Status RunCancel(CommandContext& ctx) {
  v1::CancelJobRequest request;
  request.set_job_id(ctx.invocation().Operand(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::GenerationJob job;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Generation::CancelJob, request, job));
  Record record;
  record.Str("job_id", job.job_id()).Str("status", JobStatusWord(job.status()));
  ctx.out().Result(record);
  return absl::OkStatus();
}

absl::Status RunDownload(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  const std::string job_id = inv.Operand(0);
  CF_ASSIGN_OR_RETURN(const auto variant_flag, EnumFlag<v1::ContentVariant>(inv, "variant", kVariantPrefix));
  const v1::ContentVariant variant = variant_flag.value_or(v1::CONTENT_VARIANT_VIDEO);
  const std::optional<std::string> out = inv.Get("out");
  if (inv.Has("url")) {
    if (out) return UsageError("--url prints a link instead of downloading: drop --out");
    return PrintSignedUrl(ctx, job_id, variant);
  }
  if (inv.Has("ttl")) return UsageError("--ttl goes with --url");
  if (out && (out->empty() || out->back() == '/')) return UsageError("--out must name a file");
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  CF_ASSIGN_OR_RETURN(const DownloadedContent file,
                      DownloadContent(ctx, *session, job_id, variant, out.value_or(DefaultContentPath(job_id, variant))));
  Record record;
  record.Str("path", file.path)
      .Int("bytes", file.bytes)
      .Str("content_type", file.content_type)
      .Str("sha256", file.sha256);
  ctx.out().Result(record);
  return absl::OkStatus();
}

}  // namespace clipforge::cli
