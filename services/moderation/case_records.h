// Reports, review cases, decisions and appeals as the moderation logic and
// its store exchange them. Enums are the API's; the statement of reasons
// and a case's filter evidence are kept as the API's messages (validated
// on the way in, stored whole, returned as they were).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/moderation.pb.h"

namespace clipforge::moderation_service {

// What a report, case or decision is about.
struct TargetRef {
  v1::ContentKind kind = v1::CONTENT_KIND_UNSPECIFIED;
  std::string id;

  friend bool operator==(const TargetRef&, const TargetRef&) = default;
};

struct ReportRecord {
  std::string report_id;
  std::string reporter_id;
  TargetRef target;
  v1::ModerationCategory reason = v1::MODERATION_CATEGORY_UNSPECIFIED;
  std::string details;
  v1::ReportStatus status = v1::REPORT_STATUS_OPEN;
  std::string case_id;
  std::string decision_id;  // Once decided.
  absl::Time create_time;
  absl::Time update_time;
};

struct CaseRecord {
  std::string case_id;
  TargetRef target;
  std::string subject_user_id;  // The affected user; empty when unknown.
  std::string recused_user_id;  // Must not judge it: for an appeal, the first decision's moderator.
  v1::CaseSource source = v1::CASE_SOURCE_UNSPECIFIED;
  v1::CaseStatus status = v1::CASE_STATUS_OPEN;
  std::vector<v1::ModerationCategory> categories;
  int32_t severity = 0;  // 0-100.
  int64_t views = 0;
  int32_t report_count = 0;
  int64_t rank_micros = 0;  // moderation::QueueRankMicros.
  std::string claim_id;       // Empty unless claimed (the claim may have lapsed).
  std::string claim_user_id;
  absl::Time claim_expire_time = absl::InfinitePast();
  std::string appeal_id;  // For CASE_SOURCE_APPEAL.
  std::string prompt;
  std::string text;
  v1::ReviewCase evidence;  // Only rule_matches and frame_matches.
  std::string decision_id;  // Once decided.
  absl::Time create_time;
  absl::Time update_time;

  // Held by a live claim at `now`.
  bool ClaimedAt(absl::Time now) const {
    return status == v1::CASE_STATUS_CLAIMED && claim_expire_time > now;
  }
};

struct DecisionRecord {
  std::string decision_id;
  std::string case_id;
  TargetRef target;
  std::string subject_user_id;
  v1::ModerationAction action = v1::MODERATION_ACTION_UNSPECIFIED;
  std::vector<v1::ModerationCategory> categories;
  v1::StatementOfReasons statement;
  std::string moderator_id;  // Empty for a fully automated decision.
  std::string appeal_id;     // For a decision on an appeal.
  absl::Time create_time;
  absl::Time appeal_deadline;
};

struct AppealRecord {
  std::string appeal_id;
  std::string decision_id;
  std::string appellant_id;
  std::string text;
  v1::AppealStatus status = v1::APPEAL_STATUS_PENDING;
  std::string case_id;
  std::string outcome_decision_id;  // Once decided.
  absl::Time create_time;
  std::optional<absl::Time> decide_time;
};

// Which undecided cases a queue read or claim considers.
struct QueueFilter {
  std::vector<v1::CaseSource> sources;             // Empty: all.
  std::vector<v1::ModerationCategory> categories;  // Empty: all.
};

// A position in the queue: cases after (rank_micros, case_id).
struct QueueCursor {
  int64_t rank_micros = 0;
  std::string case_id;
};

// A position in a reporter's list: reports older than this one.
struct ReportCursor {
  absl::Time create_time;
  std::string report_id;
};

}  // namespace clipforge::moderation_service
