// Ends a server stream whose write has been stuck too long. A client that
// stops reading (its HTTP/2 window at zero) otherwise keeps the call, its
// buffered messages and its reactor alive until the stream deadline, and a
// few thousand such clients pin memory for an hour.
#pragma once

#include <memory>

#include <grpcpp/alarm.h>
#include <grpcpp/support/server_callback.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clipforge::kit {

// Owned by one write reactor: call WriteStarted beside each StartWrite,
// WriteDone first thing in OnWriteDone and CallDone first thing in OnDone.
// A write outstanding longer than `limit` cancels the call (the write then
// completes with ok=false and the reactor finishes as for a vanished client).
class WriteTimeout {
 public:
  WriteTimeout(grpc::CallbackServerContext* ctx, absl::Duration limit);
  ~WriteTimeout();
  WriteTimeout(const WriteTimeout&) = delete;
  WriteTimeout& operator=(const WriteTimeout&) = delete;

  void WriteStarted();
  void WriteDone();
  void CallDone();

 private:
  // Shared with the alarm's callback, which may run after the reactor is
  // gone: it cancels only while the call is alive and the same write is out.
  struct Call {
    absl::Mutex mu;
    grpc::CallbackServerContext* ctx ABSL_GUARDED_BY(mu);
    uint64_t write ABSL_GUARDED_BY(mu) = 0;  // The outstanding write's number; 0: none.
  };

  const absl::Duration limit_;
  const std::shared_ptr<Call> call_;
  uint64_t writes_ = 0;
  // One alarm per write: destroying it cancels its timer.
  std::unique_ptr<grpc::Alarm> alarm_;
};

}  // namespace clipforge::kit
