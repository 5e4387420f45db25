#include "services/tipping/send_tips_reactor.h"

#include "base/validation.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "services/kit/call_observer.h"
#include "services/kit/grpc_status.h"
#include "services/tipping/convert.h"
#include "services/tipping/request_parsing.h"

namespace clipforge::tipping_service {

// --- SendTipsFlow ---

SendTipsFlow::Steps SendTipsFlow::Received(SendTipInput tip) {
  Steps steps;
  if (ending_ || !Admit(steps)) return steps;
  waiting_.push_back(std::move(tip));
  StartWaiting(steps);
  steps.read = true;
  return steps;
}

SendTipsFlow::Steps SendTipsFlow::Answered(v1::SendTipsResponse outcome) {
  Steps steps;
  if (ending_ || !Admit(steps)) return steps;
  Enqueue(std::move(outcome), steps);
  steps.read = true;
  return steps;
}

SendTipsFlow::Steps SendTipsFlow::HalfClosed() {
  Steps steps;
  half_closed_ = true;
  if (!ending_ && outstanding_ == 0) EndWith(absl::OkStatus(), steps);
  return steps;
}

SendTipsFlow::Steps SendTipsFlow::Outcome(v1::SendTipsResponse outcome) {
  Steps steps;
  --running_;
  if (ending_) return steps;
  Enqueue(std::move(outcome), steps);
  StartWaiting(steps);
  return steps;
}

SendTipsFlow::Steps SendTipsFlow::WriteDone(bool ok) {
  Steps steps;
  write_in_flight_ = false;
  if (ending_) {
    // The end waited for this write.
    if (!finish_started_) {
      finish_started_ = true;
      steps.finish = end_status_;
    }
    return steps;
  }
  if (!ok) {
    EndWith(absl::CancelledError("the client went away"), steps);
    return steps;
  }
  --outstanding_;
  if (!outcomes_.empty()) {
    writing_message_ = std::move(outcomes_.front());
    outcomes_.pop_front();
    write_in_flight_ = true;
    steps.write = &writing_message_;
  } else if (half_closed_ && outstanding_ == 0) {
    EndWith(absl::OkStatus(), steps);
  }
  return steps;
}

SendTipsFlow::Steps SendTipsFlow::Cancelled() {
  Steps steps;
  if (!ending_) EndWith(absl::CancelledError("the call was cancelled"), steps);
  return steps;
}

SendTipsFlow::Steps SendTipsFlow::End(absl::Status status) {
  Steps steps;
  if (!ending_) EndWith(std::move(status), steps);
  return steps;
}

bool SendTipsFlow::TaskExited() {
  --tasks_;
  return done_ && tasks_ == 0;
}

bool SendTipsFlow::Done() {
  done_ = true;
  return tasks_ == 0;
}

bool SendTipsFlow::Admit(Steps& steps) {
  if (++outstanding_ <= max_outstanding_) return true;
  EndWith(base::WithReason(absl::ResourceExhaustedError(absl::StrCat(
                               "more than ", max_outstanding_,
                               " tips await their outcomes; read the outcomes before sending more tips")),
                           kTooManyOutstandingTipsReason),
          steps);
  return false;
}

void SendTipsFlow::Enqueue(v1::SendTipsResponse outcome, Steps& steps) {
  if (write_in_flight_) {
    outcomes_.push_back(std::move(outcome));
    return;
  }
  writing_message_ = std::move(outcome);
  write_in_flight_ = true;
  steps.write = &writing_message_;
}

void SendTipsFlow::StartWaiting(Steps& steps) {
  while (!waiting_.empty() && running_ < max_running_) {
    ++running_;
    ++tasks_;
    steps.run.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
}

void SendTipsFlow::EndWith(absl::Status status, Steps& steps) {
  ending_ = true;
  end_status_ = std::move(status);
  // Tips not started never run; outcomes not written are dropped (their
  // tips may have booked: a retry with the same request ids answers them).
  waiting_.clear();
  outcomes_.clear();
  // A write in flight finishes first (WriteDone finishes the call).
  if (!write_in_flight_ && !finish_started_) {
    finish_started_ = true;
    steps.finish = end_status_;
  }
}

// --- SendTipsReactor ---

SendTipsReactor::SendTipsReactor(grpc::CallbackServerContext* ctx, TippingLogic& logic, kit::CallRunner& runner,
                                 const kit::AuthGate& auth, kit::BlockingExecutor& executor,
                                 const SendTipsOptions& options)
    : ctx_(ctx),
      logic_(logic),
      runner_(runner),
      executor_(executor),
      timeout_(ctx, options.write_timeout),
      flow_(options.max_outstanding, options.max_running) {
  // Once for the whole stream: the token is checked without a database
  // call, so on the gRPC thread.
  absl::StatusOr<kit::Caller> caller = auth.Authenticate(*ctx);
  SendTipsFlow::Steps steps;
  if (caller.ok()) {
    caller_ = *std::move(caller);
    steps.read = true;
  } else {
    absl::MutexLock lock(&mu_);
    steps = flow_.End(caller.status());
  }
  Carry(std::move(steps));
}

void SendTipsReactor::OnReadDone(bool ok) {
  SendTipsFlow::Steps steps;
  if (!ok) {
    absl::MutexLock lock(&mu_);
    steps = flow_.HalfClosed();
  } else {
    const v1::SendTipRequest& tip = request_.tip();
    absl::StatusOr<SendTipInput> input = ParseSendTip(tip, logic_.config().currency);
    absl::MutexLock lock(&mu_);
    if (input.ok()) {
      steps = flow_.Received(*std::move(input));
    } else if (!flow_.ending()) {
      steps = flow_.Answered(OutcomeOf(tip.request_id(), input.status()));
    }
  }
  // The next read reuses request_: whatever was needed of it is copied.
  Carry(std::move(steps));
}

void SendTipsReactor::OnWriteDone(bool ok) {
  timeout_.WriteDone();
  SendTipsFlow::Steps steps;
  {
    absl::MutexLock lock(&mu_);
    steps = flow_.WriteDone(ok);
  }
  Carry(std::move(steps));
}

void SendTipsReactor::OnCancel() {
  SendTipsFlow::Steps steps;
  {
    absl::MutexLock lock(&mu_);
    steps = flow_.Cancelled();
  }
  Carry(std::move(steps));
}

void SendTipsReactor::OnDone() {
  timeout_.CallDone();
  bool last;
  {
    absl::MutexLock lock(&mu_);
    last = flow_.Done();
  }
  // Otherwise the last task to exit deletes it.
  if (last) delete this;
}

void SendTipsReactor::Carry(SendTipsFlow::Steps steps) {
  for (SendTipInput& tip : steps.run) Submit(std::move(tip));
  if (steps.write != nullptr) {
    timeout_.WriteStarted();
    StartWrite(steps.write);
  }
  if (steps.read) StartRead(&request_);
  // Last: once finished, OnDone may run (and delete the reactor) at any
  // moment, unless a task still holds it.
  if (steps.finish.has_value()) Finish(runner_.ClientStatus(*ctx_, *steps.finish));
}

void SendTipsReactor::Submit(SendTipInput tip) {
  const std::string request_id = tip.tip_id;
  const absl::Status submitted = executor_.Submit([this, tip = std::move(tip)] { RunTip(tip); });
  // Refused (the executor is full or draining): the tip's outcome says so.
  // The caller keeps the reactor alive, so this never deletes it.
  if (!submitted.ok()) Complete(request_id, submitted);
}

void SendTipsReactor::RunTip(const SendTipInput& tip) {
  bool ending;
  {
    absl::MutexLock lock(&mu_);
    ending = flow_.ending();
  }
  // A stream that ended (the client went away) books nothing more; its
  // outcome would be dropped anyway.
  const absl::StatusOr<TipRecord> result =
      ending ? absl::StatusOr<TipRecord>(absl::CancelledError("the stream ended")) : logic_.SendTip(caller_, tip);
  Complete(tip.tip_id, result);
}

void SendTipsReactor::Complete(const std::string& request_id, const absl::StatusOr<TipRecord>& result) {
  SendTipsFlow::Steps steps;
  {
    absl::MutexLock lock(&mu_);
    v1::SendTipsResponse outcome;
    if (!flow_.ending()) outcome = OutcomeOf(request_id, result);
    steps = flow_.Outcome(std::move(outcome));
  }
  Carry(std::move(steps));
  bool last;
  {
    absl::MutexLock lock(&mu_);
    last = flow_.TaskExited();
  }
  if (last) delete this;
}

v1::SendTipsResponse SendTipsReactor::OutcomeOf(const std::string& request_id,
                                                const absl::StatusOr<TipRecord>& result) {
  v1::SendTipsResponse outcome;
  // Echoed only when it is a request id: a malformed one (up to a whole
  // message long) would otherwise be held in every queued outcome.
  outcome.set_request_id(base::IsCanonicalUuid(request_id) ? request_id : std::string());
  if (result.ok()) {
    FillTip(*result, outcome.mutable_tip());
    return outcome;
  }
  // As a unary SendTip's status: the message a client may read (a server
  // fault's replaced, and logged), the reason as ErrorInfo would carry it.
  const absl::Status& status = result.status();
  const grpc::Status client = runner_.ClientStatus(*ctx_, status);
  outcome.set_code(static_cast<int32_t>(client.error_code()));
  outcome.set_message(client.error_message());
  v1::ErrorDetail* error = outcome.mutable_error();
  error->set_reason(base::ReasonOf(status).value_or(absl::StatusCodeToString(status.code())));
  if (kit::IsServerFault(status.code())) {
    (*error->mutable_metadata())["request_id"] = std::string(kit::RequestIdOf(*ctx_));
  }
  return outcome;
}

}  // namespace clipforge::tipping_service
