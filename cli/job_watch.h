// Following a job with WatchJob until it stops changing by itself. The
// server sends the current state first on every stream, so a broken stream
// (UNAVAILABLE: a restart, a network blip) is simply opened again, a few
// times in a row with growing pauses; any progress in between starts the
// count afresh.
#pragma once

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/command_context.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::cli {

// How long one stream stays open. A job may sit queued for longer without
// a message; the bound only catches a connection that died silently, and
// the stream is then opened again (not counted as broken).
inline constexpr absl::Duration kWatchStreamTimeout = absl::Minutes(5);
// Broken streams in a row that are opened again before giving up, after
// pauses of 0.25 s, 0.5 s, 1 s, 2 s and 4 s.
inline constexpr int kMaxWatchReconnects = 5;
inline constexpr absl::Duration kFirstReconnectPause = absl::Milliseconds(250);

// True when the job changes no more without someone acting on it:
// completed, failed, cancelled, or waiting for a moderator.
bool WatchEnds(v1::JobStatus status);

// Watches `job` (its last known state) until WatchEnds, handing every state
// the server sends to `on_state`, and returns the last one. Failures other
// than a broken stream (NOT_FOUND, a session that ended, ...) end the watch
// at once; so do broken streams beyond kMaxWatchReconnects. Either way the
// message says that the job itself goes on.
absl::StatusOr<v1::GenerationJob> WatchJob(CommandContext& ctx, Session& session, const v1::GenerationJob& job,
                                           absl::FunctionRef<void(const v1::GenerationJob&)> on_state);

}  // namespace clipforge::cli
