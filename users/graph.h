// The social graph between two users (follows, blocks, mutes) and its rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace clipforge::users {

// How `viewer` and another user stand, seen from the viewer.
struct Relation {
  bool following = false;
  bool followed_by = false;
  bool blocking = false;
  bool blocked_by = false;
  bool muting = false;
  std::optional<absl::Time> follow_time;
};

enum class GraphOp { kFollow, kUnfollow, kBlock, kUnblock, kMute, kUnmute };

// The lists a user has.
enum class ListKind { kFollowers, kFollowing, kBlocked, kMuted };

// Blocked and muted lists are private to their owner; follower lists are
// public (minus what blocks hide).
inline bool IsOwnList(ListKind kind) { return kind == ListKind::kBlocked || kind == ListKind::kMuted; }

// A user in a list, with when the relation began.
struct RelatedAccount {
  std::string user_id;
  std::string handle;
  std::string display_name;
  absl::Time since;
};

// Keyset position in a list ordered by (since DESC, user_id DESC).
struct ListCursor {
  absl::Time since;
  std::string user_id;
};

// Whether `op` may be applied from `before`, for a user who follows
// `following_count` users (at most `max_following`). Errors name the field
// target_user_id.
absl::Status CheckGraphChange(GraphOp op, const Relation& before, int64_t following_count, int64_t max_following);

// Whoever blocks you is invisible to you: their profile and lists are
// NOT_FOUND.
inline bool HiddenFrom(const Relation& relation) { return relation.blocked_by; }

}  // namespace clipforge::users
