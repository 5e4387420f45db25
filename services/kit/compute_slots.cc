#include "services/kit/compute_slots.h"

#include <pthread.h>

#include <algorithm>
#include <cstdlib>

namespace clipforge::kit {
namespace {

// The CPUs in `set`, lowest first.
std::vector<int> CpusOf(const cpu_set_t& set) {
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

}  // namespace

ComputeSlots::ComputeSlots(ComputeSlotsOptions options) {
  // The calling thread's affinity: the process's cpuset unless narrowed.
  CPU_ZERO(&usable_);
  if (sched_getaffinity(0, sizeof usable_, &usable_) != 0) CPU_ZERO(&usable_);
  const std::vector<int> cpus = CpusOf(usable_);
  const int usable = std::max<int>(1, static_cast<int>(cpus.size()));
  slots_ = options.slots > 0 ? options.slots : usable;
  if (options.pin && slots_ <= static_cast<int>(cpus.size())) {
    slot_cpus_.assign(cpus.begin(), cpus.begin() + slots_);
  }
  absl::MutexLock lock(&mu_);
  busy_.assign(static_cast<size_t>(slots_), false);
}

int ComputeSlots::Acquire() {
  absl::MutexLock lock(&mu_);
  const uint64_t ticket = next_ticket_++;
  auto admitted = [this, ticket]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return ticket < released_ + static_cast<uint64_t>(slots_);
  };
  mu_.Await(absl::Condition(&admitted));
  // Admission guarantees a free slot; the lowest keeps a quiet server's
  // hashing on one CPU.
  const auto slot = std::find(busy_.begin(), busy_.end(), false);
  if (slot == busy_.end()) std::abort();  // Admission is broken: never run over the limit.
  *slot = true;
  return static_cast<int>(slot - busy_.begin());
}

void ComputeSlots::Release(int slot) {
  absl::MutexLock lock(&mu_);
  busy_[static_cast<size_t>(slot)] = false;
  ++released_;
}

int ComputeSlots::running() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(std::count(busy_.begin(), busy_.end(), true));
}

int ComputeSlots::waiting() const {
  absl::MutexLock lock(&mu_);
  const uint64_t admitted = std::min(next_ticket_, released_ + static_cast<uint64_t>(slots_));
  return static_cast<int>(next_ticket_ - admitted);
}

ComputeSlots::Lease::Lease(ComputeSlots& owner) : owner_(owner), slot_(owner.Acquire()) {
  if (owner_.slot_cpus_.empty()) return;
  // Best effort: a sandbox that forbids changing affinity only loses speed.
  if (pthread_getaffinity_np(pthread_self(), sizeof previous_, &previous_) != 0) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(owner_.slot_cpus_[static_cast<size_t>(slot_)], &one);
  pinned_ = pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
}

ComputeSlots::Lease::~Lease() {
  if (pinned_ && pthread_setaffinity_np(pthread_self(), sizeof previous_, &previous_) != 0) {
    // Never leave an executor thread pinned for good.
    pthread_setaffinity_np(pthread_self(), sizeof owner_.usable_, &owner_.usable_);
  }
  owner_.Release(slot_);
}

}  // namespace clipforge::kit
