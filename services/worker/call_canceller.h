// Lets one thread cancel another thread's gRPC call: the worker's long-poll
// LeaseJob waits up to half a minute, and a stopping worker must not.
#pragma once

#include <grpcpp/client_context.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace clipforge::worker {

class CallCanceller {
 public:
  // Cancels the call in flight, if any, and every later one. Thread-safe.
  void Cancel();
  bool cancelled() const;

  // For the caller making the call: Attach before it starts (false: already
  // cancelled, do not start), Detach when it has finished.
  bool Attach(grpc::ClientContext* context);
  void Detach();

 private:
  mutable absl::Mutex mu_;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace clipforge::worker
