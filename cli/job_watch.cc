#include "cli/job_watch.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/status_message.h"

namespace clipforge::cli {
namespace {

// Whether `after` tells something `before` did not.
bool Moved(const v1::GenerationJob& before, const v1::GenerationJob& after) {
  return before.status() != after.status() || before.progress_percent() != after.progress_percent() ||
         before.stage() != after.stage() || before.queue_position() != after.queue_position();
}

// What one stream did.
struct StreamOutcome {
  bool ended = false;     // a state that ends the watch arrived
  bool received = false;  // at least one state arrived
  bool moved = false;     // the job changed during it
  // How the stream ended; unset when none was opened (the session failed
  // first, refreshing its token).
  std::optional<grpc::StatusCode> code;
};

}  // namespace

bool WatchEnds(v1::JobStatus status) {
  return status == v1::JOB_STATUS_COMPLETED || status == v1::JOB_STATUS_FAILED ||
         status == v1::JOB_STATUS_CANCELLED || status == v1::JOB_STATUS_PENDING_REVIEW;
}

absl::StatusOr<v1::GenerationJob> WatchJob(CommandContext& ctx, Session& session, const v1::GenerationJob& job,
                                           absl::FunctionRef<void(const v1::GenerationJob&)> on_state) {
  Connection& connection = ctx.connection();
  v1::WatchJobRequest request;
  request.set_job_id(job.job_id());
  const std::string goes_on =
      absl::StrCat("; the job goes on: `clipforge job ", job.job_id(), "` shows it");
  v1::GenerationJob latest = job;
  int broken_in_a_row = 0;
  absl::Duration pause = kFirstReconnectPause;
  for (;;) {
    StreamOutcome outcome;
    const absl::Status status = session.Call([&](const Credentials& credentials) -> absl::Status {
      auto context = connection.NewContext(kWatchStreamTimeout, credentials.access_token);
      auto reader = connection.generation().WatchJob(context.get(), request);
      v1::WatchJobResponse message;
      while (reader->Read(&message)) {
        outcome.received = true;
        if (Moved(latest, message.job())) outcome.moved = true;
        latest = message.job();
        on_state(latest);
        if (WatchEnds(latest.status())) {
          // Pending review would keep the stream open for days.
          outcome.ended = true;
          context->TryCancel();
          break;
        }
      }
      const grpc::Status finished = reader->Finish();
      if (outcome.ended) return absl::OkStatus();
      outcome.code = finished.error_code();
      return connection.Finish(finished, *context, kWatchStreamTimeout);
    });
    if (outcome.ended) return latest;

    // A stream that ran into its own deadline after hearing from the server
    // was healthy; one that ended OK before the end is treated as broken.
    const grpc::StatusCode code = outcome.code.value_or(static_cast<grpc::StatusCode>(status.code()));
    const bool lapsed = code == grpc::StatusCode::DEADLINE_EXCEEDED && outcome.received;
    const bool ended_early = outcome.code == grpc::StatusCode::OK;
    const bool broken = code == grpc::StatusCode::UNAVAILABLE || ended_early;
    if (!lapsed && !broken) return WithMessageSuffix(status, goes_on);
    if (outcome.moved || lapsed) {
      broken_in_a_row = 0;
      pause = kFirstReconnectPause;
    }
    if (lapsed) continue;
    if (++broken_in_a_row > kMaxWatchReconnects) {
      const absl::Status last =
          ended_early ? absl::UnavailableError("the server ended the progress stream early") : status;
      return WithMessageSuffix(last, goes_on);
    }
    ctx.out().Note(absl::StrCat("the progress stream broke (",
                                ended_early ? "it ended early" : std::string(status.message()), "); reconnecting in ",
                                absl::FormatDuration(pause), " (", broken_in_a_row, " of ", kMaxWatchReconnects,
                                ")"));
    absl::SleepFor(pause);
    pause *= 2;
  }
}

}  // namespace clipforge::cli
