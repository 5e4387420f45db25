#include "cli/feed_views.h"

#include <charconv>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/time_format.h"

namespace clipforge::cli {
namespace {

// Named apart from the other views' helpers: the CLI builds as a unity
// build, where file-local names of several .cc files share a translation
// unit.
void AddFeedTime(Record& record, absl::string_view key, const google::protobuf::Timestamp& time) {
  const std::string text = FormatProtoTime(time);
  if (!text.empty()) record.Str(key, text);
}

// `phrase`, then the id it names, when there is one: "by a creator you
// follow (creator id-bob)".
std::string ReasonPhrase(absl::string_view phrase, absl::string_view label, const std::string& id) {
  return id.empty() ? std::string(phrase) : absl::StrCat(phrase, " (", label, " ", id, ")");
}

std::string ModeWord(v1::PersonalizationMode mode) { return EnumWord(mode, kPersonalizationModePrefix); }

std::string PrimaryReasonText(const v1::FeedItem& item) {
  return item.reasons().empty() ? "(no reason given)" : ReasonText(item.reasons(0));
}

Record ReasonRow(const v1::FeedReason& reason) {
  Record row;
  row.Str("type", EnumWord(reason.type(), kFeedReasonPrefix))
      .Str("text", ReasonText(reason))
      .Str("theme_id", reason.theme_id())
      .Str("related_clip_id", reason.related_clip_id())
      .Str("creator_id", reason.creator_id());
  if (!reason.campaign_id().empty()) row.Str("campaign_id", reason.campaign_id());
  return row;
}

Record FeedItemRow(const v1::FeedItem& item) {
  std::vector<Record> reasons;
  for (const v1::FeedReason& reason : item.reasons()) reasons.push_back(ReasonRow(reason));
  std::vector<Record> factors;
  for (const v1::ScoreFactor& factor : item.score().factors()) {
    Record row;
    row.Str("name", factor.name()).Str("value", NumberText(factor.value(), Digits::kExact));
    factors.push_back(std::move(row));
  }
  Record row;
  row.Str("clip_id", item.clip_id())
      .Str("reason", item.reasons().empty() ? "" : EnumWord(item.reasons(0).type(), kFeedReasonPrefix))
      .Str("reason_text", PrimaryReasonText(item))
      .Str("originality", NumberText(item.originality().score(), Digits::kExact))
      .Bool("copy", item.originality().copy())
      .Str("score", NumberText(item.score().score(), Digits::kExact))
      .Table("reasons", std::move(reasons))
      .Table("factors", std::move(factors))
      .Str("feed_context", item.feed_context());
  return row;
}

}  // namespace

std::string NumberText(double value, Digits digits) {
  if (digits == Digits::kShort) return absl::StrFormat("%.4g", value);
  // std::to_chars without a precision writes the shortest round trip.
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (error != std::errc()) return absl::StrFormat("%.17g", value);
  return std::string(buffer, end);
}

std::string ReasonText(const v1::FeedReason& reason) {
  switch (reason.type()) {
    case v1::FEED_REASON_TYPE_FOLLOWING_CREATOR:
      return ReasonPhrase("by a creator you follow", "creator", reason.creator_id());
    case v1::FEED_REASON_TYPE_FORK_OF_LIKED_CLIP:
      return ReasonPhrase("a fork of a clip you liked", "clip", reason.related_clip_id());
    case v1::FEED_REASON_TYPE_IN_YOUR_ECHO_CHAMBER:
      return ReasonPhrase("in an Echo Chamber you joined", "theme", reason.theme_id());
    case v1::FEED_REASON_TYPE_ECHOED_FROM_CHAMBER:
      return ReasonPhrase("echoed from an Echo Chamber you are not in", "theme", reason.theme_id());
    case v1::FEED_REASON_TYPE_ORIGINAL_PICK:
      return "picked for its originality";
    case v1::FEED_REASON_TYPE_NEW_CREATOR:
      return ReasonPhrase("by a creator new to ClipForge", "creator", reason.creator_id());
    case v1::FEED_REASON_TYPE_TRENDING_IN_THEME:
      return reason.theme_id().empty() ? "trending" : absl::StrCat("trending in theme ", reason.theme_id());
    case v1::FEED_REASON_TYPE_ASKED_FOR_MORE:
      return "you asked for more like it";
    case v1::FEED_REASON_TYPE_PERSONALIZED_THEME:
      return ReasonPhrase("matches your themes", "theme", reason.theme_id());
    case v1::FEED_REASON_TYPE_EXPLORATION:
      return "exploring: a new clip with few views yet";
    default:
      break;
  }
  // Unset, or newer than this client: its word (or number) and every id it
  // names.
  std::string text = EnumWord(reason.type(), kFeedReasonPrefix);
  const std::pair<absl::string_view, const std::string*> ids[] = {{"theme", &reason.theme_id()},
                                                                  {"clip", &reason.related_clip_id()},
                                                                  {"creator", &reason.creator_id()},
                                                                  {"campaign", &reason.campaign_id()}};
  for (const auto& [label, id] : ids) {
    if (!id->empty()) absl::StrAppend(&text, " (", label, " ", *id, ")");
  }
  return text;
}

double BreakdownProduct(const v1::ScoreBreakdown& breakdown) {
  double product = 1.0;
  for (const v1::ScoreFactor& factor : breakdown.factors()) product *= factor.value();
  return product;
}

std::string BreakdownText(const v1::ScoreBreakdown& breakdown) {
  std::vector<std::string> factors;
  for (const v1::ScoreFactor& factor : breakdown.factors()) {
    factors.push_back(absl::StrCat(factor.name(), " ", NumberText(factor.value(), Digits::kShort)));
  }
  std::string text = absl::StrCat("score ", NumberText(breakdown.score(), Digits::kShort));
  if (!factors.empty()) absl::StrAppend(&text, " = ", absl::StrJoin(factors, " × "));
  const double product = BreakdownProduct(breakdown);
  if (product != breakdown.score()) {
    absl::StrAppend(&text, " (the factors give ", NumberText(product, Digits::kExact), ")");
  }
  return text;
}

std::string OriginalityText(const v1::Originality& originality, Digits digits) {
  return absl::StrCat(NumberText(originality.score(), digits), originality.copy() ? " (a copy)" : "");
}

std::string FeedText(absl::string_view feed, const v1::GetFeedResponse& page, bool why) {
  Record header;
  header.Str("feed", feed).Str("personalization", ModeWord(page.personalization_mode()));
  std::string text = absl::StrCat(RenderHuman(header), "\n");
  if (page.items().empty()) absl::StrAppend(&text, "clips: none\n");
  for (const v1::FeedItem& item : page.items()) {
    const std::string line =
        absl::StrJoin({item.clip_id(), PrimaryReasonText(item),
                       absl::StrCat("originality ", OriginalityText(item.originality(), Digits::kShort))},
                      "  ");
    absl::StrAppend(&text, TerminalSafe(line), "\n");
    if (!why) continue;
    std::vector<std::string> reasons;
    for (const v1::FeedReason& reason : item.reasons()) reasons.push_back(ReasonText(reason));
    if (!reasons.empty()) absl::StrAppend(&text, "    reasons: ", TerminalSafe(absl::StrJoin(reasons, "; ")), "\n");
    if (item.has_score()) absl::StrAppend(&text, "    ", TerminalSafe(BreakdownText(item.score())), "\n");
  }
  absl::StrAppend(&text, "\n",
                  page.next_page_token().empty()
                      ? "next page: none (nothing more is eligible now)"
                      : absl::StrCat("next page: --page=", TerminalSafe(page.next_page_token())),
                  "\n");
  return text;
}

Record FeedRecord(absl::string_view feed, const v1::GetFeedResponse& page) {
  std::vector<Record> items;
  for (const v1::FeedItem& item : page.items()) items.push_back(FeedItemRow(item));
  Record record;
  record.Str("feed", feed)
      .Str("personalization", ModeWord(page.personalization_mode()))
      .Str("feed_request_id", page.feed_request_id())
      .Table("items", std::move(items))
      .Str("next_page_token", page.next_page_token());
  return record;
}

Record FeedbackRecord(const v1::Feedback& feedback, const v1::SendFeedbackResponse& response) {
  Record record;
  record.Str("clip_id", feedback.clip_id())
      .Str("feedback", EnumWord(feedback.type(), kFeedbackTypePrefix))
      .Str("scope", EnumWord(feedback.scope(), kFeedbackScopePrefix, kFeedbackScopeWords))
      .Int("accepted", response.accepted_count());
  return record;
}

Record ExplanationRecord(const v1::ClipExplanation& explanation, Digits digits) {
  std::vector<Record> components;
  for (const v1::OriginalityComponent& component : explanation.components()) {
    Record row;
    row.Str("kind", EnumWord(component.kind(), kOriginalityComponentPrefix))
        .Str("penalty", NumberText(component.penalty(), digits))
        .Str("factor", NumberText(component.factor(), digits))
        .List("matched", {component.matched_clip_ids().begin(), component.matched_clip_ids().end()});
    components.push_back(std::move(row));
  }
  Record record;
  record.Str("clip_id", explanation.clip_id())
      .Str("originality", NumberText(explanation.originality().score(), digits))
      .Bool("copy", explanation.originality().copy());
  AddFeedTime(record, "computed", explanation.compute_time());
  record.Table("components", std::move(components));
  return record;
}

Record WeightsRecord(const v1::RankingWeights& weights, Digits digits) {
  std::vector<Record> themes;
  for (const v1::ThemeWeight& theme : weights.theme_weights()) {
    Record row;
    row.Str("theme_id", theme.theme_id()).Str("weight", NumberText(theme.weight(), digits));
    themes.push_back(std::move(row));
  }
  Record record;
  record.Str("originality", NumberText(weights.originality(), digits))
      .Str("freshness", NumberText(weights.freshness(), digits))
      .Str("following_vs_discovery", NumberText(weights.following_vs_discovery(), digits))
      .Str("exploration_share", NumberText(weights.exploration_share(), digits));
  AddFeedTime(record, "updated", weights.update_time());
  record.Table("theme_weights", std::move(themes));
  return record;
}

Record ThemeRow(const v1::Theme& theme) {
  Record row;
  row.Str("slug", theme.slug())
      .Str("name", theme.display_name())
      .Int("members", theme.member_count())
      .Int("clips", theme.clip_count())
      .Bool("joined", theme.joined())
      .Str("theme_id", theme.theme_id());
  return row;
}

Record ThemeRecord(const v1::Theme& theme) {
  Record record;
  record.Str("theme_id", theme.theme_id()).Str("slug", theme.slug()).Str("name", theme.display_name());
  if (!theme.description().empty()) record.Str("description", theme.description());
  record.List("tags", {theme.tags().begin(), theme.tags().end()})
      .Int("members", theme.member_count())
      .Int("clips", theme.clip_count())
      .Bool("joined", theme.joined())
      .Str("feed", absl::StrCat("theme/", theme.theme_id()));
  AddFeedTime(record, "created", theme.create_time());
  return record;
}

Record ReachRecord(const v1::ReachStatus& status, Digits digits) {
  Record record;
  record.Bool("active", status.active()).Str("reach", NumberText(status.reach(), digits));
  if (status.has_start_time()) {
    AddFeedTime(record, "started", status.start_time());
    AddFeedTime(record, "ends", status.end_time());
    record.Int("copies", status.copies())
        .List("copy_clip_ids", {status.copy_clip_ids().begin(), status.copy_clip_ids().end()});
  }
  record.Str("appeal", EnumWord(status.appeal_state(), kReachAppealStatePrefix));
  if (!status.appeal_statement().empty()) record.Str("statement", status.appeal_statement());
  AddFeedTime(record, "appealed", status.appeal_time());
  if (!status.decision_note().empty()) record.Str("decision_note", status.decision_note());
  AddFeedTime(record, "decided", status.decide_time());
  AddFeedTime(record, "lifted", status.lift_time());
  return record;
}

}  // namespace clipforge::cli
