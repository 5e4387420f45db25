// Reach penalties for mass reposting: the issue's "creators who
// mass-repost lose reach for a while (appealable)".
//
// A repost is a copy (IsCopy, originality.h): an exact or near copy of
// another creator's clip. A creator who publishes kMassRepostCopies copies
// within kMassRepostWindow loses reach: for kReachPenaltyDuration from the
// copy that completed the run, each of their clips keeps
// kReachPenaltyMultiplier of its score (the "reach" factor, scoring.h).
// A later copy that completes another run while the penalty runs starts
// the duration again from itself.
//
// Appeals: a moderator who lifts a penalty forgives the copies up to then
// (MassRepostRun's `forgiven_through`): they never count toward a later
// run, so a lifted penalty does not start again with the next copy.
//
// The issue names no numbers; these are starting values, to be tuned on
// what moderators see in appeals:
//   - kMassRepostCopies, kMassRepostWindow: five copies in a day. One or
//     two copies are a creator sharing something they liked (the copy
//     rule already drops each in favour of its original); five in a day is
//     reposting in bulk, the pattern the issue is about.
//   - kReachPenaltyDuration: a week, long enough to outlast the 36 h
//     freshness half-life (scoring.h) several times over, so the reposts
//     have gone stale before the creator's reach comes back.
//   - kReachPenaltyMultiplier: a quarter of the score kept, as the least
//     original non-copy keeps (kOriginalityFloor): the creator's clips
//     still rank among themselves and for their followers, below their
//     peers' with everything else equal, never hidden (hiding is the
//     viewer's choice, HIDE_CREATOR).
//
// Pure: times in, a decision out; the service keeps the copies' times and
// the penalties.
#pragma once

#include <optional>

#include "absl/time/time.h"
#include "absl/types/span.h"

namespace clipforge::feed {

inline constexpr int kMassRepostCopies = 5;
inline constexpr absl::Duration kMassRepostWindow = absl::Hours(24);
inline constexpr absl::Duration kReachPenaltyDuration = absl::Hours(24 * 7);
inline constexpr double kReachPenaltyMultiplier = 0.25;

// A run of copies that starts (or restarts) a penalty.
struct MassRepostRun {
  absl::Time first_copy_at;  // the earliest copy counted
  absl::Time started_at;     // the copy that completed the run: the penalty starts here
  absl::Time until;          // started_at + kReachPenaltyDuration
  int copies = 0;            // the copies counted, first_copy_at to started_at (at least kMassRepostCopies)
};

// The latest run in a creator's copy publish times (in any order): the
// latest copy with at least kMassRepostCopies copies in the window that
// ends at it, [copy - kMassRepostWindow, copy] (both ends included, the
// copy itself counted). Copies at or before `forgiven_through` (when a
// penalty was lifted on appeal) are forgiven and not counted. None when no
// copy completes a run.
std::optional<MassRepostRun> LatestMassRepostRun(absl::Span<const absl::Time> copy_times,
                                                 absl::Time forgiven_through = absl::InfinitePast());

// Whether a penalty until `until` (lifted: `lifted`) costs reach at `now`.
bool ReachPenaltyRuns(absl::Time until, bool lifted, absl::Time now);

}  // namespace clipforge::feed
