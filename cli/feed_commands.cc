// feed, more, less, why, weights, weights set, themes, themes create, join,
// leave, reach, reach appeal: the originality-weighted feeds from the
// command line (FeedService). What they print is feed_views' (pure, unit tested); this
// file checks the flags, calls and picks the output.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/feed_views.h"

namespace clipforge::cli {
namespace {

using FeedStub = v1::FeedService::StubInterface;

// The limits in feed.proto, checked before any call.
constexpr int32_t kMaxFeedPageSize = 50;
constexpr int32_t kMaxThemesPageSize = 100;
constexpr size_t kMaxFeedNameChars = 64;
constexpr double kMinRankingWeight = 0.5;
constexpr double kMaxRankingWeight = 2.0;
constexpr double kMinExplorationShare = 0.05;
constexpr double kMaxExplorationShare = 0.25;
constexpr int kMaxThemeWeights = 50;
// A theme's, as CreateTheme checks them.
constexpr size_t kMinSlugChars = 2;
constexpr size_t kMaxSlugChars = 40;
constexpr size_t kMaxThemeNameChars = 60;
constexpr size_t kMaxThemeDescriptionChars = 500;
constexpr size_t kMaxThemeTags = 32;
constexpr size_t kMaxThemeTagChars = 40;
// A reach appeal's statement, as AppealReachPenalty checks it.
constexpr size_t kMaxReachAppealChars = 1000;

Digits DigitsFor(CommandContext& ctx) { return ctx.out().json() ? Digits::kExact : Digits::kShort; }

// --feed as GetFeedRequest.feed: for_you (also written for-you, as the
// CLI's other words are), following, trending or theme/THEME_ID.
absl::StatusOr<std::string> FeedFlag(const Invocation& inv) {
  std::string feed = inv.Get("feed").value_or("for_you");
  if (feed == "for-you") feed = "for_you";
  if (feed == "for_you" || feed == "following" || feed == "trending") return feed;
  absl::string_view theme_id = feed;
  if (absl::ConsumePrefix(&theme_id, "theme/") && !theme_id.empty() && feed.size() <= kMaxFeedNameChars) return feed;
  return UsageError(absl::StrCat("--feed must be for_you, following, trending or theme/THEME_ID (at most ",
                                 kMaxFeedNameChars, " characters)"));
}

// A number in [min, max] written as --flag's value (or inside it, named
// `what`); a UsageError otherwise.
absl::StatusOr<double> RankingNumber(absl::string_view what, absl::string_view text, double min, double max) {
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value) || value < min || value > max) {
    return UsageError(absl::StrCat(what, " must be a number from ", min, " to ", max));
  }
  return value;
}

// --flag as a number in [min, max], when given.
absl::StatusOr<std::optional<double>> RankingFlag(const Invocation& inv, absl::string_view flag, double min,
                                                  double max) {
  const std::optional<std::string> text = inv.Get(flag);
  if (!text) return std::optional<double>();
  CF_ASSIGN_OR_RETURN(const double value, RankingNumber(absl::StrCat("--", flag), *text, min, max));
  return std::optional<double>(value);
}

// Every --theme THEME_ID=W, in order: the flag repeated, or its values
// comma-separated. `--theme=` alone gives none (and clears them).
absl::StatusOr<std::vector<v1::ThemeWeight>> ThemeWeightFlags(const Invocation& inv) {
  std::vector<v1::ThemeWeight> weights;
  absl::flat_hash_set<std::string> theme_ids;
  for (const std::string& value : inv.GetAll("theme")) {
    for (const std::string& pair : SplitList(value)) {
      const size_t eq = pair.rfind('=');
      const std::string theme_id = eq == std::string::npos ? "" : pair.substr(0, eq);
      if (theme_id.empty()) return UsageError(absl::StrCat("--theme takes THEME_ID=WEIGHT, not '", pair, "'"));
      CF_ASSIGN_OR_RETURN(const double weight, RankingNumber(absl::StrCat("--theme ", theme_id, "'s weight"),
                                                             pair.substr(eq + 1), kMinRankingWeight,
                                                             kMaxRankingWeight));
      if (!theme_ids.insert(theme_id).second) return UsageError(absl::StrCat("--theme names ", theme_id, " twice"));
      v1::ThemeWeight& theme = weights.emplace_back();
      theme.set_theme_id(theme_id);
      theme.set_weight(weight);
    }
  }
  if (weights.size() > static_cast<size_t>(kMaxThemeWeights)) {
    return UsageError(absl::StrCat("--theme: at most ", kMaxThemeWeights, " theme weights"));
  }
  return weights;
}

// The first operand, named `what` in the error when it is empty
// (`clipforge why ""`).
absl::StatusOr<std::string> IdOperand(const Invocation& inv, absl::string_view what) {
  std::string id = inv.Operand(0);
  if (id.empty()) return UsageError(absl::StrCat(what, " must not be empty"));
  return id;
}

// SendFeedback with one piece, `type` about the CLIP_ID operand, in the
// --scope given (the clip when none).
absl::Status SendShowFeedback(CommandContext& ctx, v1::FeedbackType type) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const std::optional<v1::FeedbackScope> scope,
                      EnumFlag<v1::FeedbackScope>(inv, "scope", kFeedbackScopePrefix, kFeedbackScopeWords));
  CF_ASSIGN_OR_RETURN(std::string clip_id, IdOperand(inv, "CLIP_ID"));
  v1::SendFeedbackRequest request;
  v1::Feedback& feedback = *request.add_feedback();
  feedback.set_clip_id(std::move(clip_id));
  feedback.set_type(type);
  feedback.set_scope(scope.value_or(v1::FEEDBACK_SCOPE_CLIP));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::SendFeedbackResponse response;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &FeedStub::SendFeedback, request, response));
  ctx.out().Result(FeedbackRecord(feedback, response));
  if (response.accepted_count() == 0) ctx.out().Note("The server already had this feedback: nothing changed.");
  return absl::OkStatus();
}

// A theme's slug: 2-40 of [a-z0-9-].
bool IsSlug(absl::string_view slug) {
  if (slug.size() < kMinSlugChars || slug.size() > kMaxSlugChars) return false;
  return std::all_of(slug.begin(), slug.end(),
                     [](char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-'; });
}

// A clip tag as a theme names it: 1-40 of [a-z0-9_] (lowercase, no '#'),
// as the clips service stores tags.
bool IsThemeTag(absl::string_view tag) {
  if (tag.empty() || tag.size() > kMaxThemeTagChars) return false;
  return std::all_of(tag.begin(), tag.end(),
                     [](char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_'; });
}

// `themes create`'s SLUG, --name, --description and --tags as the Theme to
// send, checked as CreateTheme checks them (code points for the lengths,
// valid UTF-8, no control characters): a UsageError naming each operand or
// flag that is wrong.
absl::StatusOr<v1::Theme> NewThemeFromFlags(const Invocation& inv) {
  v1::Theme theme;
  theme.set_slug(inv.Operand(0));
  theme.set_display_name(inv.Get("name").value_or(""));
  theme.set_description(inv.Get("description").value_or(""));
  for (std::string& tag : SplitList(inv.Get("tags").value_or(""))) theme.add_tags(std::move(tag));

  base::FieldValidator v;
  v.Check(IsSlug(theme.slug()), "SLUG",
          absl::StrCat("must be ", kMinSlugChars, "-", kMaxSlugChars, " characters of a-z, 0-9 and '-'"));
  if (theme.display_name().empty()) {
    v.Check(false, "--name", absl::StrCat("must be 1-", kMaxThemeNameChars, " characters"));
  } else {
    v.Text("--name", theme.display_name(), {.min_chars = 1, .max_chars = kMaxThemeNameChars});
  }
  v.Text("--description", theme.description(), {.max_chars = kMaxThemeDescriptionChars});
  v.Check(theme.tags_size() > 0 && static_cast<size_t>(theme.tags_size()) <= kMaxThemeTags, "--tags",
          absl::StrCat("must name 1-", kMaxThemeTags, " clip tags, comma-separated"));
  for (const std::string& tag : theme.tags()) {
    v.Check(IsThemeTag(tag), "--tags",
            absl::StrCat("'", tag, "' is not a clip tag: 1-", kMaxThemeTagChars, " of a-z, 0-9 and '_'"));
  }
  if (!v.ok()) return UsageError(absl::StrCat("invalid input: ", v.status().message()));
  return theme;
}

template <typename Request>
absl::Status ChangeMembership(CommandContext& ctx, StubMethod<FeedStub, Request, v1::Theme> method, bool join) {
  CF_ASSIGN_OR_RETURN(std::string theme_id, IdOperand(ctx.invocation(), "THEME_ID"));
  Request request;
  request.set_theme_id(std::move(theme_id));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Theme theme;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, method, request, theme));
  ctx.out().Result(ThemeRecord(theme));
  if (join) {
    ctx.out().Note(absl::StrCat("Its clips now come in your for_you feed; `clipforge feed --feed=theme/",
                                theme.theme_id(), "` shows its own feed."));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunFeed(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const std::string feed, FeedFlag(inv));
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> size, inv.IntFlag("size", 1, kMaxFeedPageSize));
  v1::GetFeedRequest request;
  request.set_feed(feed);
  if (size) request.set_page_size(*size);
  request.set_page_token(inv.Get("page").value_or(""));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::GetFeedResponse page;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &FeedStub::GetFeed, request, page));
  if (ctx.out().json()) {
    ctx.out().Result(FeedRecord(feed, page));
    return absl::OkStatus();
  }
  ctx.out().Text(FeedText(feed, page, inv.Has("why")));
  if (page.personalization_mode() == v1::PERSONALIZATION_MODE_NON_PERSONALIZED) {
    ctx.out().Note(
        "Not personalized: you have not opted into analytics (`clipforge consent on`). Follows, joined themes "
        "and your weights still count.");
  }
  return absl::OkStatus();
}

absl::Status RunMore(CommandContext& ctx) { return SendShowFeedback(ctx, v1::FEEDBACK_TYPE_SHOW_MORE); }

absl::Status RunLess(CommandContext& ctx) { return SendShowFeedback(ctx, v1::FEEDBACK_TYPE_SHOW_LESS); }

absl::Status RunWhy(CommandContext& ctx) {
  CF_ASSIGN_OR_RETURN(std::string clip_id, IdOperand(ctx.invocation(), "CLIP_ID"));
  v1::ExplainClipRequest request;
  request.set_clip_id(std::move(clip_id));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::ClipExplanation explanation;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &FeedStub::ExplainClip, request, explanation));
  ctx.out().Result(ExplanationRecord(explanation, DigitsFor(ctx)));
  if (explanation.originality().copy()) {
    ctx.out().Note(
        "A copy of an earlier clip by another creator: it keeps at most 20% of its score, and feeds serve the "
        "original instead.");
  }
  return absl::OkStatus();
}

absl::Status RunWeights(CommandContext& ctx) {
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::GetRankingWeightsRequest request;
  v1::RankingWeights weights;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &FeedStub::GetRankingWeights, request, weights));
  ctx.out().Result(WeightsRecord(weights, DigitsFor(ctx)));
  return absl::OkStatus();
}

absl::Status RunWeightsSet(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const std::optional<double> originality,
                      RankingFlag(inv, "originality", kMinRankingWeight, kMaxRankingWeight));
  CF_ASSIGN_OR_RETURN(const std::optional<double> freshness,
                      RankingFlag(inv, "freshness", kMinRankingWeight, kMaxRankingWeight));
  CF_ASSIGN_OR_RETURN(const std::optional<double> following,
                      RankingFlag(inv, "following", kMinRankingWeight, kMaxRankingWeight));
  CF_ASSIGN_OR_RETURN(const std::optional<double> exploration,
                      RankingFlag(inv, "exploration", kMinExplorationShare, kMaxExplorationShare));
  CF_ASSIGN_OR_RETURN(std::vector<v1::ThemeWeight> themes, ThemeWeightFlags(inv));

  v1::UpdateRankingWeightsRequest request;
  v1::RankingWeights& weights = *request.mutable_weights();
  std::vector<std::string> paths;
  if (originality) {
    weights.set_originality(*originality);
    paths.push_back("originality");
  }
  if (freshness) {
    weights.set_freshness(*freshness);
    paths.push_back("freshness");
  }
  if (following) {
    weights.set_following_vs_discovery(*following);
    paths.push_back("following_vs_discovery");
  }
  if (exploration) {
    weights.set_exploration_share(*exploration);
    paths.push_back("exploration_share");
  }
  if (inv.Has("theme")) {
    for (v1::ThemeWeight& theme : themes) *weights.add_theme_weights() = std::move(theme);
    paths.push_back("theme_weights");
  }
  if (paths.empty()) {
    return UsageError("nothing to change: give --originality, --freshness, --following, --exploration or --theme");
  }
  // Exactly the weights given: the server leaves every other one as it is.
  for (std::string& path : paths) request.mutable_update_mask()->add_paths(std::move(path));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::RankingWeights updated;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &FeedStub::UpdateRankingWeights, request, updated));
  ctx.out().Result(WeightsRecord(updated, DigitsFor(ctx)));
  return absl::OkStatus();
}

absl::Status RunThemes(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> page_size, inv.IntFlag("page-size", 1, kMaxThemesPageSize));
  v1::ListThemesRequest request;
  if (page_size) request.set_page_size(*page_size);
  request.set_page_token(inv.Get("page-token").value_or(""));
  request.set_joined_only(inv.Has("joined"));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  std::vector<Record> rows;
  CF_ASSIGN_OR_RETURN(const std::string next,
                      FetchPages(ctx, *session, &FeedStub::ListThemes, request, [&](const v1::ListThemesResponse& r) {
                        for (const v1::Theme& theme : r.themes()) rows.push_back(ThemeRow(theme));
                      }));
  PrintPages(ctx, "themes", std::move(rows), next);
  return absl::OkStatus();
}

absl::Status RunThemesCreate(CommandContext& ctx) {
  CF_ASSIGN_OR_RETURN(v1::Theme theme, NewThemeFromFlags(ctx.invocation()));
  v1::CreateThemeRequest request;
  *request.mutable_theme() = std::move(theme);
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Theme created;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &FeedStub::CreateTheme, request, created));
  // As `themes` prints it: the same fields, the same --json object.
  ctx.out().Result(ThemeRow(created));
  return absl::OkStatus();
}

absl::Status RunJoin(CommandContext& ctx) {
  return ChangeMembership<v1::JoinThemeRequest>(ctx, &FeedStub::JoinTheme, /*join=*/true);
}

absl::Status RunLeave(CommandContext& ctx) {
  return ChangeMembership<v1::LeaveThemeRequest>(ctx, &FeedStub::LeaveTheme, /*join=*/false);
}

absl::Status RunReach(CommandContext& ctx) {
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::GetReachStatusRequest request;
  v1::ReachStatus status;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &FeedStub::GetReachStatus, request, status));
  ctx.out().Result(ReachRecord(status, DigitsFor(ctx)));
  if (status.active() && status.appeal_state() == v1::REACH_APPEAL_STATE_NONE) {
    ctx.out().Note(
        "Your clips keep a quarter of their score while this runs. If the copies were not reposts, `clipforge "
        "reach appeal TEXT` asks a moderator to lift it (once).");
  }
  return absl::OkStatus();
}

absl::Status RunReachAppeal(CommandContext& ctx) {
  v1::AppealReachPenaltyRequest request;
  request.set_statement(ctx.invocation().Operand(0));
  // As the server checks it: code points, valid UTF-8, no control
  // characters, not blank.
  base::FieldValidator v;
  v.Text("TEXT", request.statement(), {.min_chars = 1, .max_chars = kMaxReachAppealChars});
  v.Check(request.statement().empty() || !absl::StripAsciiWhitespace(request.statement()).empty(), "TEXT",
          "must not be blank");
  if (!v.ok()) return UsageError(absl::StrCat("invalid input: ", v.status().message()));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::ReachStatus status;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &FeedStub::AppealReachPenalty, request, status));
  ctx.out().Result(ReachRecord(status, DigitsFor(ctx)));
  ctx.out().Note("A moderator will decide it; `clipforge reach` shows the outcome.");
  return absl::OkStatus();
}

}  // namespace clipforge::cli
