#include "services/moderation/case_request_parsing.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/validation.h"
#include "services/kit/proto_time.h"
#include "services/kit/token_fields.h"

namespace clipforge::moderation_service {
namespace {

constexpr base::TextRule kDetailsRule{.min_chars = 0, .max_chars = 1000};
constexpr base::TextRule kAppealTextRule{.min_chars = 1, .max_chars = 2000};
constexpr base::TextRule kGroundReferenceRule{.min_chars = 1, .max_chars = 500};
constexpr base::TextRule kExplanationRule{.min_chars = 0, .max_chars = 2000};
constexpr base::TextRule kFactsRule{.min_chars = 1, .max_chars = 2000};
constexpr base::TextRule kAutomationRule{.min_chars = 0, .max_chars = 500};
constexpr base::TextRule kScopeRule{.min_chars = 0, .max_chars = 100};

bool IsCategory(int value) {
  return v1::ModerationCategory_IsValid(value) && value != v1::MODERATION_CATEGORY_UNSPECIFIED;
}

// Enums of a repeated field: each known and set, none twice.
template <typename Enum, typename Repeated>
std::vector<Enum> ParseEnumList(base::FieldValidator& v, absl::string_view field, const Repeated& values,
                                bool (*is_valid)(int), size_t max) {
  std::vector<Enum> parsed;
  v.Count(field, static_cast<size_t>(values.size()), max);
  for (int value : values) {
    if (value == 0 || !is_valid(value)) {
      v.Check(false, field, absl::StrCat("unknown value ", value));
    } else if (std::find(parsed.begin(), parsed.end(), static_cast<Enum>(value)) != parsed.end()) {
      v.Check(false, field, absl::StrCat("value ", value, " repeated"));
    } else {
      parsed.push_back(static_cast<Enum>(value));
    }
  }
  return parsed;
}

template <typename Repeated>
QueueFilter ParseFilter(base::FieldValidator& v, const Repeated& sources, const Repeated& categories) {
  return {.sources = ParseEnumList<v1::CaseSource>(v, "sources", sources, v1::CaseSource_IsValid, 4),
          .categories = ParseEnumList<v1::ModerationCategory>(v, "categories", categories,
                                                              v1::ModerationCategory_IsValid, 13)};
}

// A filter's identity inside a page token.
std::string FilterKey(const QueueFilter& filter) {
  std::vector<int> sources(filter.sources.begin(), filter.sources.end());
  std::vector<int> categories(filter.categories.begin(), filter.categories.end());
  std::sort(sources.begin(), sources.end());
  std::sort(categories.begin(), categories.end());
  return absl::StrCat(absl::StrJoin(sources, ","), ";", absl::StrJoin(categories, ","));
}

// The statement of reasons of a decision; `appealable` when the decision
// can still be appealed inside ClipForge (not an appeal's outcome).
void CheckStatement(base::FieldValidator& v, const v1::StatementOfReasons& s, bool appealable) {
  v.Check(s.ground() == v1::DECISION_GROUND_ILLEGAL_CONTENT || s.ground() == v1::DECISION_GROUND_TERMS_OF_SERVICE,
          "statement.ground", "required: ILLEGAL_CONTENT or TERMS_OF_SERVICE");
  v.Text("statement.ground_reference", s.ground_reference(), kGroundReferenceRule);
  v.Text("statement.illegality_explanation", s.illegality_explanation(), kExplanationRule);
  if (s.ground() == v1::DECISION_GROUND_ILLEGAL_CONTENT) {
    v.Check(!s.illegality_explanation().empty(), "statement.illegality_explanation",
            "required when the ground is ILLEGAL_CONTENT");
  }
  v.Text("statement.facts", s.facts(), kFactsRule);
  v.Check(s.has_automation(), "statement.automation", "required");
  v.Text("statement.automation.description", s.automation().description(), kAutomationRule);
  v.Check(!s.automation().automated_decision(), "statement.automation.automated_decision",
          "a moderator's decision is not taken by automated means alone");
  const std::vector<v1::RedressOption> redress =
      ParseEnumList<v1::RedressOption>(v, "statement.redress", s.redress(), v1::RedressOption_IsValid, 3);
  const bool internal = std::find(redress.begin(), redress.end(), v1::REDRESS_OPTION_INTERNAL_APPEAL) != redress.end();
  if (appealable) {
    v.Check(internal, "statement.redress", "must offer INTERNAL_APPEAL");
  } else {
    // An appeal's outcome is final here: what remains is outside.
    v.Check(!internal && !redress.empty(), "statement.redress",
            "must offer OUT_OF_COURT_SETTLEMENT or JUDICIAL_REMEDY, not INTERNAL_APPEAL");
  }
  v.Text("statement.territorial_scope", s.territorial_scope(), kScopeRule);
  v.Check(!s.has_action_end_time() || kit::IsValidTimestamp(s.action_end_time()), "statement.action_end_time",
          "not a valid time");
}

}  // namespace

absl::StatusOr<ReportRecord> ParseNewReport(const v1::CreateReportRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  v.Check(v1::ContentKind_IsValid(request.target().kind()) && request.target().kind() != v1::CONTENT_KIND_UNSPECIFIED,
          "target.kind", "required: what kind of thing is reported");
  v.Uuid("target.id", request.target().id());
  v.Check(IsCategory(request.reason()), "reason", "required: the category the report is about");
  v.Text("details", request.details(), kDetailsRule);
  CF_RETURN_IF_ERROR(v.status());
  return ReportRecord{.target = {request.target().kind(), request.target().id()},
                      .reason = request.reason(),
                      .details = request.details()};
}

absl::StatusOr<ReportListing> ParseReportListing(const v1::ListMyReportsRequest& request) {
  base::FieldValidator v;
  ReportListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 20, 100);
  CF_RETURN_IF_ERROR(v.status());
  if (request.page_token().empty()) return listing;
  const std::optional<std::vector<std::string>> fields =
      kit::DecodeTokenFields(request.page_token(), "m1", 2, kit::kMaxPageTokenBytes);
  int64_t micros = 0;
  if (!fields || !absl::SimpleAtoi((*fields)[0], &micros) || micros <= 0 || !base::IsCanonicalUuid((*fields)[1])) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  listing.before = ReportCursor{absl::FromUnixMicros(micros), (*fields)[1]};
  return listing;
}

std::string ReportPageToken(const ReportCursor& next) {
  return kit::EncodeTokenFields("m1", {absl::StrCat(absl::ToUnixMicros(next.create_time)), next.report_id});
}

absl::StatusOr<CaseListing> ParseCaseListing(const v1::ListCasesRequest& request) {
  base::FieldValidator v;
  CaseListing listing;
  listing.filter = ParseFilter(v, request.sources(), request.categories());
  listing.page_size = v.PageSize("page_size", request.page_size(), 20, 100);
  CF_RETURN_IF_ERROR(v.status());
  if (request.page_token().empty()) return listing;
  const std::optional<std::vector<std::string>> fields =
      kit::DecodeTokenFields(request.page_token(), "q1", 3, kit::kMaxPageTokenBytes);
  int64_t rank = 0;
  if (!fields || !absl::SimpleAtoi((*fields)[1], &rank) || !base::IsCanonicalUuid((*fields)[2])) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  if ((*fields)[0] != FilterKey(listing.filter)) {
    return absl::InvalidArgumentError("page_token: was issued for other filters");
  }
  listing.after = QueueCursor{rank, (*fields)[2]};
  return listing;
}

std::string CasePageToken(const QueueFilter& filter, const QueueCursor& next) {
  return kit::EncodeTokenFields("q1", {FilterKey(filter), absl::StrCat(next.rank_micros), next.case_id});
}

absl::StatusOr<ClaimRequest> ParseClaim(const v1::ClaimNextCaseRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  ClaimRequest claim;
  claim.filter = ParseFilter(v, request.sources(), request.categories());
  if (request.has_claim_duration()) {
    const google::protobuf::Duration& d = request.claim_duration();
    const bool in_range = d.nanos() == 0 && d.seconds() >= 60 && d.seconds() <= 30 * 60;
    v.Check(in_range, "claim_duration", "whole seconds from 1 to 30 minutes");
    if (in_range) claim.hold = absl::Seconds(d.seconds());
  }
  CF_RETURN_IF_ERROR(v.status());
  return claim;
}

absl::StatusOr<DecisionInput> ParseDecision(const v1::DecideCaseRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("case_id", request.case_id()).Uuid("claim_id", request.claim_id());
  const v1::ModerationAction action = request.action();
  v.Check(v1::ModerationAction_IsValid(action) && action != v1::MODERATION_ACTION_UNSPECIFIED, "action", "required");
  v.Check(action != v1::MODERATION_ACTION_RESTORE, "action", "RESTORE undoes a decision: it is an appeal's outcome");
  DecisionInput input{.case_id = request.case_id(), .claim_id = request.claim_id(), .action = action,
                      .statement = request.statement()};
  input.categories = ParseEnumList<v1::ModerationCategory>(v, "categories", request.categories(),
                                                           v1::ModerationCategory_IsValid, 13);
  if (action != v1::MODERATION_ACTION_NO_ACTION) {
    v.Check(!input.categories.empty(), "categories", "required unless the action is NO_ACTION");
  }
  if (action != v1::MODERATION_ACTION_NO_ACTION) {
    v.Check(request.has_statement(), "statement", "required unless the action is NO_ACTION");
  }
  if (request.has_statement()) CheckStatement(v, request.statement(), /*appealable=*/true);
  CF_RETURN_IF_ERROR(v.status());
  return input;
}

absl::Status ValidateAppeal(const v1::FileAppealRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("decision_id", request.decision_id());
  v.Text("text", request.text(), kAppealTextRule);
  return v.status();
}

absl::StatusOr<AppealOutcomeInput> ParseAppealOutcome(const v1::DecideAppealRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("appeal_id", request.appeal_id()).Uuid("claim_id",
                                                                                          request.claim_id());
  const v1::AppealStatus outcome = request.outcome();
  v.Check(outcome == v1::APPEAL_STATUS_UPHELD || outcome == v1::APPEAL_STATUS_REVERSED ||
              outcome == v1::APPEAL_STATUS_MODIFIED,
          "outcome", "required: UPHELD, REVERSED or MODIFIED");
  if (outcome == v1::APPEAL_STATUS_MODIFIED) {
    const v1::ModerationAction action = request.action();
    v.Check(v1::ModerationAction_IsValid(action) && action != v1::MODERATION_ACTION_UNSPECIFIED &&
                action != v1::MODERATION_ACTION_RESTORE,
            "action", "required for MODIFIED: the new action (REVERSED restores)");
  } else {
    v.Check(request.action() == v1::MODERATION_ACTION_UNSPECIFIED, "action", "only MODIFIED sets an action");
  }
  v.Check(request.has_statement(), "statement", "required");
  if (request.has_statement()) CheckStatement(v, request.statement(), /*appealable=*/false);
  CF_RETURN_IF_ERROR(v.status());
  return AppealOutcomeInput{.appeal_id = request.appeal_id(),
                            .claim_id = request.claim_id(),
                            .outcome = outcome,
                            .action = request.action(),
                            .statement = request.statement()};
}

}  // namespace clipforge::moderation_service
