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

void Periodic::Run() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_)) {
    mu_.Unlock();
    task_();
    mu_.Lock();
  }
}

}  // namespace clipforge::kit
