#include "services/kit/write_timeout.h"

#include <grpcpp/server_context.h>

#include <chrono>

namespace clipforge::kit {

WriteTimeout::WriteTimeout(grpc::CallbackServerContext* ctx, absl::Duration limit)
    : limit_(limit), call_(std::make_shared<Call>()) {
  absl::MutexLock lock(&call_->mu);
  call_->ctx = ctx;
}

WriteTimeout::~WriteTimeout() { CallDone(); }

void WriteTimeout::WriteStarted() {
  const uint64_t write = ++writes_;
  {
    absl::MutexLock lock(&call_->mu);
    call_->write = write;
  }
  alarm_ = std::make_unique<grpc::Alarm>();
  alarm_->Set(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(limit_),
              [call = call_, write](bool fired) {
                if (!fired) return;  // Cancelled: the write completed in time.
                absl::MutexLock lock(&call->mu);
                if (call->ctx != nullptr && call->write == write) call->ctx->TryCancel();
              });
}

void WriteTimeout::WriteDone() {
  {
    absl::MutexLock lock(&call_->mu);
    call_->write = 0;
  }
  alarm_.reset();
}

void WriteTimeout::CallDone() {
  {
    absl::MutexLock lock(&call_->mu);
    call_->ctx = nullptr;
  }
  alarm_.reset();
}

}  // namespace clipforge::kit
