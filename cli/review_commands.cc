// report, reports, queue, claim, case, release, decide, appeal, appeal show,
// appeal decide: user reports, the review queue and appeals from the command
// line (the queue, cases and decisions need a moderator's session).
#include <optional>
#include <span>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "cli/commands.h"
#include "cli/enum_words.h"
#include "cli/errors.h"
#include "cli/time_format.h"
#include "cli/views.h"

namespace clipforge::cli {
namespace {

using Moderation = v1::ModerationService::StubInterface;

// A case's decision can be appealed inside ClipForge, and taken outside it.
constexpr v1::RedressOption kDecisionRedress[] = {v1::REDRESS_OPTION_INTERNAL_APPEAL,
                                                  v1::REDRESS_OPTION_OUT_OF_COURT_SETTLEMENT,
                                                  v1::REDRESS_OPTION_JUDICIAL_REMEDY};
// An appeal's outcome is final inside ClipForge: what remains is outside
// (the server refuses INTERNAL_APPEAL there).
constexpr v1::RedressOption kAppealOutcomeRedress[] = {v1::REDRESS_OPTION_OUT_OF_COURT_SETTLEMENT,
                                                       v1::REDRESS_OPTION_JUDICIAL_REMEDY};

// The statement flags other than --ground; without --ground they would be
// dropped silently, so they are a mistake.
constexpr absl::string_view kStatementDetailFlags[] = {"reference", "facts", "explanation", "automated-detection",
                                                       "automation", "scope", "until"};

// --source and --category into a ListCases or ClaimNextCase request.
template <typename Request>
absl::Status SetQueueFilter(const Invocation& inv, Request& request) {
  CF_ASSIGN_OR_RETURN(const std::vector<v1::CaseSource> sources,
                      EnumListFlag<v1::CaseSource>(inv, "source", kCaseSourcePrefix));
  for (const v1::CaseSource source : sources) request.add_sources(source);
  CF_ASSIGN_OR_RETURN(const std::vector<v1::ModerationCategory> categories,
                      EnumListFlag<v1::ModerationCategory>(inv, "category", kCategoryPrefix));
  for (const v1::ModerationCategory category : categories) request.add_categories(category);
  return absl::OkStatus();
}

// --action, when given. RESTORE is refused here as the server would: only
// a reversed appeal undoes a decision.
absl::StatusOr<std::optional<v1::ModerationAction>> ActionFlag(const Invocation& inv) {
  CF_ASSIGN_OR_RETURN(const auto action, EnumFlag<v1::ModerationAction>(inv, "action", kActionPrefix, kActionWords));
  if (action == v1::MODERATION_ACTION_RESTORE) {
    return UsageError(
        "--action=restore: a decision is undone by reversing it on appeal (`appeal decide --outcome=reversed`)");
  }
  return action;
}

// --until as a proto time; a UsageError naming the format otherwise.
absl::StatusOr<google::protobuf::Timestamp> UntilFlag(const std::string& text) {
  const absl::StatusOr<absl::Time> time = ParseRfc3339(text);
  if (!time.ok()) return UsageError("--until must be an RFC 3339 time, e.g. 2024-07-01T00:00:00Z");
  return ToProto(*time);
}

// The statement of reasons the flags write, offering `redress`; none without
// --ground. A moderator's decision is never taken by automated means alone.
absl::StatusOr<std::optional<v1::StatementOfReasons>> StatementFromFlags(const Invocation& inv,
                                                                        std::span<const v1::RedressOption> redress) {
  CF_ASSIGN_OR_RETURN(const auto ground, EnumFlag<v1::DecisionGround>(inv, "ground", kGroundPrefix, kGroundWords));
  if (!ground) {
    for (const absl::string_view flag : kStatementDetailFlags) {
      if (inv.Has(flag)) {
        return UsageError(absl::StrCat("--", flag, " is part of a statement of reasons: give --ground too"));
      }
    }
    return std::optional<v1::StatementOfReasons>();
  }
  for (const absl::string_view flag : {"reference", "facts"}) {
    if (!inv.Has(flag)) return UsageError(absl::StrCat("a statement of reasons needs --", flag));
  }
  if (*ground == v1::DECISION_GROUND_ILLEGAL_CONTENT && !inv.Has("explanation")) {
    return UsageError("--ground=illegal needs --explanation: why the content is illegal");
  }
  v1::StatementOfReasons statement;
  statement.set_ground(*ground);
  statement.set_ground_reference(*inv.Get("reference"));
  statement.set_illegality_explanation(inv.Get("explanation").value_or(""));
  statement.set_facts(*inv.Get("facts"));
  v1::AutomationInvolvement& automation = *statement.mutable_automation();
  automation.set_automated_detection(inv.Has("automated-detection"));
  automation.set_automated_decision(false);
  automation.set_description(inv.Get("automation").value_or(""));
  for (const v1::RedressOption option : redress) statement.add_redress(option);
  statement.set_territorial_scope(inv.Get("scope").value_or(""));
  if (const auto until = inv.Get("until")) {
    CF_ASSIGN_OR_RETURN(*statement.mutable_action_end_time(), UntilFlag(*until));
  }
  return std::optional<v1::StatementOfReasons>(std::move(statement));
}

// Only a suspension ends, and it must: said here before the claim is spent
// on a refused call.
absl::Status CheckSuspensionEnd(v1::ModerationAction action, const v1::StatementOfReasons& statement) {
  const bool suspend = action == v1::MODERATION_ACTION_SUSPEND_ACCOUNT;
  if (suspend && !statement.has_action_end_time()) {
    return UsageError("--action=suspend needs --until: when the suspension ends");
  }
  if (!suspend && statement.has_action_end_time()) return UsageError("--until is only for --action=suspend");
  return absl::OkStatus();
}

// --outcome of `appeal decide`: a final state, never "pending".
absl::StatusOr<v1::AppealStatus> OutcomeFlag(const Invocation& inv) {
  const absl::StatusOr<v1::AppealStatus> outcome =
      ParseEnumWord<v1::AppealStatus>("--outcome", inv.Get("outcome").value_or(""), kAppealStatusPrefix);
  if (!outcome.ok() || *outcome == v1::APPEAL_STATUS_PENDING) {
    return UsageError("--outcome must be one of: upheld, reversed, modified");
  }
  return *outcome;
}

}  // namespace

absl::Status RunReport(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::CreateReportRequest request;
  CF_ASSIGN_OR_RETURN(const v1::ContentKind kind,
                      ParseEnumWord<v1::ContentKind>("KIND", inv.Operand(0), kContentKindPrefix, kContentKindWords));
  request.mutable_target()->set_kind(kind);
  request.mutable_target()->set_id(inv.Operand(1));
  CF_ASSIGN_OR_RETURN(const v1::ModerationCategory reason,
                      ParseEnumWord<v1::ModerationCategory>("--reason", *inv.Get("reason"), kCategoryPrefix));
  request.set_reason(reason);
  request.set_details(inv.Get("details").value_or(""));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Report report;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::CreateReport, request, report));
  ctx.out().Result(ReportRecord(report));
  return absl::OkStatus();
}

absl::Status RunReports(CommandContext& ctx) {
  v1::ListMyReportsRequest request;
  request.set_page_size(100);  // the most a page holds: the fewest calls for the whole list
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  std::vector<Record> rows;
  CF_RETURN_IF_ERROR(FetchPages(
                         ctx, *session, &Moderation::ListMyReports, request,
                         [&](const v1::ListMyReportsResponse& r) {
                           for (const v1::Report& report : r.reports()) rows.push_back(ReportRow(report));
                         },
                         Paging::kEvery)
                         .status());
  Record record;
  record.Table("reports", std::move(rows));
  ctx.out().Result(record);
  return absl::OkStatus();
}

absl::Status RunQueue(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::ListCasesRequest request;
  CF_RETURN_IF_ERROR(SetQueueFilter(inv, request));
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> page_size, inv.IntFlag("page-size", 1, 100));
  if (page_size) request.set_page_size(*page_size);
  request.set_page_token(inv.Get("page-token").value_or(""));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  std::vector<Record> rows;
  std::optional<int32_t> open_cases;  // the first page's count: later pages are a moment later
  CF_ASSIGN_OR_RETURN(const std::string next,
                      FetchPages(ctx, *session, &Moderation::ListCases, request, [&](const v1::ListCasesResponse& r) {
                        if (!open_cases) open_cases = r.open_count();
                        for (const v1::ReviewCase& review_case : r.cases()) rows.push_back(CaseRow(review_case));
                      }));
  Record record;
  record.Int("open_cases", open_cases.value_or(0))
      .Table("cases", std::move(rows))
      .Str("next_page_token", next, Show::kJsonOnly);
  ctx.out().Result(record);
  NoteNextPage(ctx, next);
  return absl::OkStatus();
}

absl::Status RunClaim(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::ClaimNextCaseRequest request;
  CF_RETURN_IF_ERROR(SetQueueFilter(inv, request));
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> minutes, inv.IntFlag("minutes", 1, 30));
  if (minutes) request.mutable_claim_duration()->set_seconds(int64_t{*minutes} * 60);
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::ClaimNextCaseResponse response;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::ClaimNextCase, request, response));
  // An empty queue is an answer, not a failure: a script polling it exits 0
  // and reads "claimed": false.
  if (!response.has_review_case()) {
    if (ctx.out().json()) {
      Record record;
      record.Bool("claimed", false);
      ctx.out().Result(record);
    } else {
      ctx.out().Text("the queue is empty\n");
    }
    return absl::OkStatus();
  }
  Record record = CaseRecord(response.review_case(), &response.claim());
  record.Bool("claimed", true, Show::kJsonOnly);
  ctx.out().Result(record);
  return absl::OkStatus();
}

absl::Status RunCase(CommandContext& ctx) {
  v1::GetCaseRequest request;
  request.set_case_id(ctx.invocation().Operand(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::ReviewCase review_case;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::GetCase, request, review_case));
  ctx.out().Result(CaseRecord(review_case));
  return absl::OkStatus();
}

absl::Status RunRelease(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::ReleaseCaseRequest request;
  request.set_case_id(inv.Operand(0));
  request.set_claim_id(*inv.Get("claim"));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  google::protobuf::Empty empty;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::ReleaseCase, request, empty));
  Record record;
  record.Str("released", request.case_id());
  ctx.out().Result(record);
  return absl::OkStatus();
}

absl::Status RunDecide(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::DecideCaseRequest request;
  request.set_case_id(inv.Operand(0));
  request.set_claim_id(*inv.Get("claim"));
  CF_ASSIGN_OR_RETURN(const std::optional<v1::ModerationAction> action, ActionFlag(inv));
  request.set_action(*action);  // --action is required
  CF_ASSIGN_OR_RETURN(const std::vector<v1::ModerationCategory> categories,
                      EnumListFlag<v1::ModerationCategory>(inv, "category", kCategoryPrefix));
  for (const v1::ModerationCategory category : categories) request.add_categories(category);
  CF_ASSIGN_OR_RETURN(std::optional<v1::StatementOfReasons> statement, StatementFromFlags(inv, kDecisionRedress));
  // Only "nothing is wrong" needs no reasons: every other action is sent to
  // the affected user with its categories and statement.
  if (*action != v1::MODERATION_ACTION_NO_ACTION) {
    if (categories.empty()) return UsageError("--category is required unless --action=no-action");
    if (!statement) return UsageError("--ground, --reference and --facts are required unless --action=no-action");
  }
  if (statement) {
    CF_RETURN_IF_ERROR(CheckSuspensionEnd(*action, *statement));
    *request.mutable_statement() = *std::move(statement);
  }
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Decision decision;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::DecideCase, request, decision));
  ctx.out().Result(DecisionRecord(decision));
  return absl::OkStatus();
}

absl::Status RunAppeal(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::FileAppealRequest request;
  request.set_decision_id(inv.Operand(0));
  request.set_text(inv.Operand(1));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Appeal appeal;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::FileAppeal, request, appeal));
  ctx.out().Result(AppealRecord(appeal));
  return absl::OkStatus();
}

absl::Status RunAppealShow(CommandContext& ctx) {
  v1::GetAppealRequest request;
  request.set_appeal_id(ctx.invocation().Operand(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::Appeal appeal;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::GetAppeal, request, appeal));
  ctx.out().Result(AppealRecord(appeal));
  return absl::OkStatus();
}

absl::Status RunAppealDecide(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::DecideAppealRequest request;
  request.set_appeal_id(inv.Operand(0));
  request.set_claim_id(*inv.Get("claim"));
  CF_ASSIGN_OR_RETURN(const v1::AppealStatus outcome, OutcomeFlag(inv));
  request.set_outcome(outcome);
  // REVERSED restores and UPHELD keeps the action: only MODIFIED names one.
  CF_ASSIGN_OR_RETURN(const std::optional<v1::ModerationAction> action, ActionFlag(inv));
  const bool modified = outcome == v1::APPEAL_STATUS_MODIFIED;
  if (modified && !action) return UsageError("--outcome=modified needs --action: the new action");
  if (!modified && action) return UsageError("--action is only for --outcome=modified");
  if (action) request.set_action(*action);
  CF_ASSIGN_OR_RETURN(std::optional<v1::StatementOfReasons> statement,
                      StatementFromFlags(inv, kAppealOutcomeRedress));
  if (!statement) return UsageError("an appeal's outcome needs --ground, --reference and --facts");
  if (modified) CF_RETURN_IF_ERROR(CheckSuspensionEnd(*action, *statement));
  *request.mutable_statement() = *std::move(statement);
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Appeal appeal;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::DecideAppeal, request, appeal));
  ctx.out().Result(AppealRecord(appeal));
  return absl::OkStatus();
}

}  // namespace clipforge::cli
