// How the feeds print: a feed page with each clip's reasons in words and
// its score breakdown, feedback, originality explanations, ranking weights,
// themes (Echo Chambers) and the caller's reach penalty. Pure: no calls, no
// terminal.
//
// Records carry no floating-point values, so scores, factors and weights
// are strings: for --json the shortest decimal that reads back as the same
// double (Digits::kExact), for people 4 significant digits (kShort).
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "cli/enum_words.h"
#include "cli/output.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/feed.pb.h"

namespace clipforge::cli {

inline constexpr absl::string_view kFeedReasonPrefix = "FEED_REASON_TYPE_";
inline constexpr absl::string_view kPersonalizationModePrefix = "PERSONALIZATION_MODE_";
inline constexpr absl::string_view kOriginalityComponentPrefix = "ORIGINALITY_COMPONENT_KIND_";
inline constexpr absl::string_view kFeedbackTypePrefix = "FEEDBACK_TYPE_";
inline constexpr absl::string_view kFeedbackScopePrefix = "FEEDBACK_SCOPE_";
inline constexpr absl::string_view kReachAppealStatePrefix = "REACH_APPEAL_STATE_";
// `--scope=cluster` for FEEDBACK_SCOPE_PROMPT_CLUSTER ("prompt-cluster" is
// accepted too).
inline constexpr ShortWord kFeedbackScopeWords[] = {{v1::FEEDBACK_SCOPE_PROMPT_CLUSTER, "cluster"}};

enum class Digits {
  kExact,  // the shortest decimal that reads back as the same double: "0.1", "0.30000000000000004"
  kShort,  // 4 significant digits: "0.3", "0.8735", "1"
};

// `value` written as `digits` says.
std::string NumberText(double value, Digits digits);

// A reason in words, with the theme, creator or clip it names:
// "by a creator you follow (creator id-bob)", "trending in theme t-1",
// "picked for its originality". A type this client does not know reads as
// its number, with whatever ids it names.
std::string ReasonText(const v1::FeedReason& reason);

// The factors' values multiplied in the order sent, starting from 1.0: the
// score, bit for bit, when the server kept its word.
double BreakdownProduct(const v1::ScoreBreakdown& breakdown);

// "score 0.063 = quality 1.2 × freshness 0.5 × originality 0.7 × ...", and
// when the factors do not multiply to the score, what they do give:
// " (the factors give 0.0631)".
std::string BreakdownText(const v1::ScoreBreakdown& breakdown);

// "0.87", or "0.12 (a copy)" for a copy of another creator's clip.
std::string OriginalityText(const v1::Originality& originality, Digits digits);

// A feed page for people: a header naming the feed and how it was
// personalized, a line per clip (its id, its primary reason in words, its
// originality) and, with `why`, every reason and the score breakdown under
// it; last, the --page token of the next page. Server text is made
// TerminalSafe.
std::string FeedText(absl::string_view feed, const v1::GetFeedResponse& page, bool why);

// A feed page for --json: every item with all its reasons (type word, text,
// the ids they name), originality, score and factors, feed_context; the
// personalization mode and the next page token.
Record FeedRecord(absl::string_view feed, const v1::GetFeedResponse& page);

// What `more` and `less` sent and how much the server applied.
Record FeedbackRecord(const v1::Feedback& feedback, const v1::SendFeedbackResponse& response);

// `why`: the clip, its originality and copy flag, when it was computed, and
// a table of components: kind, penalty, factor, matched clip ids.
Record ExplanationRecord(const v1::ClipExplanation& explanation, Digits digits);

// `weights`: originality, freshness, following vs discovery, exploration
// share, a table of theme weights, and when they last changed.
Record WeightsRecord(const v1::RankingWeights& weights, Digits digits);

// One row of `themes`: slug, name, members, clips, joined, id; also what
// `themes create` prints of the theme it made.
Record ThemeRow(const v1::Theme& theme);
// A theme in full for `join` and `leave`, with the feed that shows it.
Record ThemeRecord(const v1::Theme& theme);

// `reach` and `reach appeal`: whether the penalty runs and the reach kept,
// when it started and ends, the copies behind it and their clips, and the
// appeal: its state, statement, the moderator's note, and when each came.
// A creator never penalized gets active, reach and appeal alone.
Record ReachRecord(const v1::ReachStatus& status, Digits digits);

}  // namespace clipforge::cli
