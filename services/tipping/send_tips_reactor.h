// SendTips: many tips over one bidirectional stream (tipping.proto). The
// caller is authenticated once, when the stream opens. Each request is one
// tip: parsed on the gRPC thread, then run through TippingLogic::SendTip on
// the blocking executor, which waits for the ledger writer's group commit;
// many tips of one stream on the executor at once share a commit. Each
// outcome is written as a SendTipsResponse (the status's code, the message a
// client may read, the reason) as soon as it is known, so outcomes come in
// the order tips finish, matched by request_id.
//
// Limits: a tip counts as outstanding from when it is read until its
// outcome's write completes; one more than max_outstanding (the API says 256)
// ends the stream RESOURCE_EXHAUSTED. So a client that stops reading its
// outcomes while it goes on sending is cut off. At most max_running tips of a
// stream are on the shared executor at once (the rest wait in the stream),
// so that one client cannot fill the executor's queue and shed everyone
// else's calls. One write is in flight at a time, the others queue; a write
// the client does not take within the write timeout cancels the call
// (kit::WriteTimeout).
//
// The stream ends OK once the client half-closed and every outcome is
// written; with CANCELLED when the client goes away (the outcomes still owed
// are dropped; tips already on the executor still book, and a retry with
// their request ids answers them). The reactor deletes itself in OnDone, or
// after it when executor tasks were still running then: the last one to
// finish deletes it.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/support/server_callback.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clipforge/v1/tipping.pb.h"
#include "services/kit/auth.h"
#include "services/kit/call_runner.h"
#include "services/kit/caller.h"
#include "services/kit/executor.h"
#include "services/kit/write_timeout.h"
#include "services/tipping/tipping_logic.h"

namespace clipforge::tipping_service {

// The reason on the status that ends a stream with too many tips awaiting
// their outcomes.
inline constexpr absl::string_view kTooManyOutstandingTipsReason = "TOO_MANY_OUTSTANDING_TIPS";

struct SendTipsOptions {
  // Tips read whose outcome is not yet written; one more ends the stream
  // RESOURCE_EXHAUSTED.
  int max_outstanding = 256;
  // At most this many of one stream's tips on the executor at once.
  int max_running = 16;
  // How long one outcome may wait for the client to take it.
  absl::Duration write_timeout = absl::Seconds(30);
};

// The bookkeeping of one SendTips stream, apart from gRPC so that it can be
// tested alone: which tips run and which wait, which outcome is written
// next, when the stream ends and with what, and when the reactor may go.
// Not thread-safe: the reactor calls it under its mutex and then carries
// out the Steps it returns, outside it.
class SendTipsFlow {
 public:
  // What the reactor does next, in this order.
  struct Steps {
    // Run each on the executor (each is already counted as a task: call
    // Outcome and then TaskExited for it, whether it ran or not).
    std::vector<SendTipInput> run;
    // StartWrite(write): writing(), unchanged until WriteDone.
    const v1::SendTipsResponse* write = nullptr;
    // StartRead the next request.
    bool read = false;
    // Finish the call with this status.
    std::optional<absl::Status> finish;
  };

  SendTipsFlow(int max_outstanding, int max_running)
      : max_outstanding_(max_outstanding), max_running_(max_running) {}

  // A tip was read and parsed.
  Steps Received(SendTipInput tip);
  // A tip was read whose outcome is known at once (it did not parse).
  Steps Answered(v1::SendTipsResponse outcome);
  // The client half-closed (or the read failed).
  Steps HalfClosed();
  // A task's outcome: running on the executor or refused by it.
  Steps Outcome(v1::SendTipsResponse outcome);
  // The write of writing() completed.
  Steps WriteDone(bool ok);
  // The call was cancelled (the client went away, a deadline, a stuck
  // write).
  Steps Cancelled();
  // Ends the stream with `status` (not OK), dropping what is owed.
  Steps End(absl::Status status);

  // A task is over (after its Outcome): true when the reactor is to be
  // deleted now (OnDone came before).
  bool TaskExited();
  // OnDone: true when no task is left, so the reactor is to be deleted now.
  bool Done();

  // The stream is ending: outcomes from now on are dropped.
  bool ending() const { return ending_; }
  // The outcome being written; unchanged until WriteDone.
  const v1::SendTipsResponse& writing() const { return writing_message_; }
  int outstanding() const { return outstanding_; }
  int running() const { return running_; }
  int waiting() const { return static_cast<int>(waiting_.size()); }
  int tasks() const { return tasks_; }

 private:
  // Counts one more outstanding tip: false (and the stream ends) past the
  // limit.
  bool Admit(Steps& steps);
  void Enqueue(v1::SendTipsResponse outcome, Steps& steps);
  void StartWaiting(Steps& steps);
  void EndWith(absl::Status status, Steps& steps);

  const int max_outstanding_;
  const int max_running_;
  int outstanding_ = 0;
  // Tips on the executor (for the concurrency limit, until their Outcome)
  // and tasks not yet exited (for deletion, until TaskExited).
  int running_ = 0;
  int tasks_ = 0;
  std::deque<SendTipInput> waiting_;
  std::deque<v1::SendTipsResponse> outcomes_;
  bool write_in_flight_ = false;
  v1::SendTipsResponse writing_message_;
  bool half_closed_ = false;
  bool ending_ = false;
  absl::Status end_status_;
  bool finish_started_ = false;
  bool done_ = false;
};

class SendTipsReactor final : public grpc::ServerBidiReactor<v1::SendTipsRequest, v1::SendTipsResponse> {
 public:
  // None of the references is owned; each must outlive every stream (the
  // executor's tasks included). Authenticates and starts reading, or
  // finishes the call when the caller is not authenticated.
  SendTipsReactor(grpc::CallbackServerContext* ctx, TippingLogic& logic, kit::CallRunner& runner,
                  const kit::AuthGate& auth, kit::BlockingExecutor& executor, const SendTipsOptions& options);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Carries out `steps` outside the mutex. Called only while something
  // keeps the reactor alive (a reaction in progress, the constructor, or a
  // task not yet exited).
  void Carry(SendTipsFlow::Steps steps);
  void Submit(SendTipInput tip);
  // On the executor (or inline, refused by it): books the tip and hands on
  // its outcome; may delete the reactor.
  void RunTip(const SendTipInput& tip);
  // Hands `result` on as the outcome of `request_id`, then exits the task.
  void Complete(const std::string& request_id, const absl::StatusOr<TipRecord>& result);
  // The outcome as the client sees it; ctx_ must be alive (the stream not
  // ending).
  v1::SendTipsResponse OutcomeOf(const std::string& request_id, const absl::StatusOr<TipRecord>& result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  grpc::CallbackServerContext* const ctx_;
  TippingLogic& logic_;
  kit::CallRunner& runner_;
  kit::BlockingExecutor& executor_;
  kit::WriteTimeout timeout_;
  // Set once, before the first read.
  kit::Caller caller_;
  // The read in flight's target (one read at a time).
  v1::SendTipsRequest request_;
  absl::Mutex mu_;
  SendTipsFlow flow_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::tipping_service
