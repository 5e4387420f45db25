// The clips service's stored records: a clip (a node of the fork graph,
// live or a tombstone) with its counters, and the users service's data it
// keeps a copy of. Proto enums and messages name the values (this is the
// service layer, not the core).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clipforge/v1/clips.pb.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::clips_service {

struct ClipCounts {
  int64_t likes = 0;
  int64_t views = 0;
  int64_t comments = 0;
  int64_t direct_forks = 0;
  int64_t descendants = 0;
};

struct ClipRecord {
  std::string clip_id;
  std::string author_id;  // Empty once the author's account is deleted.
  std::string job_id;
  // The job's spec (prompt and parameters, seed set) and outputs (blob
  // references of the video, thumbnail, spritesheet and C2PA manifest).
  v1::JobSpec spec;
  v1::JobOutputs media;
  // What the video's C2PA manifest said when it was published; unset for
  // clips published before the service read it.
  std::optional<v1::C2paSummary> c2pa;
  // A fork's prompt against its parent's, computed at publish (neither
  // prompt changes); empty for an original.
  v1::PromptDiff diff;
  std::string parent_id;  // Empty for an original.
  std::string root_id;    // Its own id for an original.
  int32_t depth = 0;
  std::string title;
  std::string caption;
  std::vector<std::string> tags;
  std::string language;
  v1::Visibility visibility = v1::VISIBILITY_PUBLIC;
  bool forking_allowed = true;
  std::string party_id;
  // REMOVAL_REASON_UNSPECIFIED while live; else a tombstone.
  v1::RemovalReason removal_reason = v1::REMOVAL_REASON_UNSPECIFIED;
  ClipCounts counts;
  absl::Time create_time;
  absl::Time update_time;

  bool removed() const { return removal_reason != v1::REMOVAL_REASON_UNSPECIFIED; }
  const std::string& prompt() const { return spec.prompt(); }
};

// A comment or a reply. A deleted comment with replies stays as a
// tombstone: `deleted`, no author, no text.
struct CommentRecord {
  std::string comment_id;
  std::string clip_id;
  std::string author_id;
  std::string parent_comment_id;  // Empty for a top-level comment.
  std::string text;
  int32_t reply_count = 0;
  bool deleted = false;
  absl::Time create_time;
};

// A user as this service knows them (from the users service's events).
struct UserRecord {
  std::string user_id;
  std::string handle;
  std::string display_name;
  bool analytics_opted_in = false;
  bool deleted = false;
};

// How a viewer stands to an author.
struct Relation {
  bool follows = false;             // The viewer follows the author.
  bool blocked_by_author = false;   // The author blocked the viewer.
};

}  // namespace clipforge::clips_service
