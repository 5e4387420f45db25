#include "services/kit/periodic.h"

namespace clipforge::kit {

Periodic::Periodic(absl::Duration interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)) {
  if (interval_ > absl::ZeroDuration()) thread_ = std::thread([this] { Run(); });
}

Periodic::~Periodic() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Periodic::RunSoon() {
  absl::MutexLock lock(&mu_);
  run_soon_ = true;
}

void Periodic::Run() {
  absl::MutexLock lock(&mu_);
  const auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || run_soon_; };
  for (;;) {
    mu_.AwaitWithTimeout(absl::Condition(&woken), interval_);
    if (stopping_) return;
    run_soon_ = false;
    mu_.Unlock();
    task_();
    mu_.Lock();
  }
}

}  // namespace clipforge::kit
