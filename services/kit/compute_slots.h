// Bounds how many CPU-heavy sections (Argon2id password hashing now; media
// encoding and perceptual hashing later) run at once in a process, and, when
// the process has a CPU per slot, pins each running section to its slot's
// CPU.
//
// Why a limit apart from the blocking executor: the executor is sized for
// database waits (more threads than cores), and memory-hard work
// oversubscribed that way thrashes: eight concurrent 19 MiB Argon2id runs on
// two cores gave a third less throughput than two.
//
// Why pinning: libsodium maps, faults in and unmaps Argon2id's 19 MiB on every
// call. A run that lands on a different CPU than the last one finds neither
// the freed pages nor the cache warm and took 13-14 ms instead of 10-11 on
// our 2-core machine. A section takes the lowest free slot and runs pinned to
// that slot's CPU, so at low load the same CPU does all the hashing; the
// thread's own affinity is restored afterwards. Pin only where the process
// owns its CPUs (a machine or VM of its own, a dedicated cpuset): processes
// that share CPUs would all pin to the same lowest ones. Threads started
// inside a section inherit its pin.
//
// Callers beyond the limit wait in arrival order (no starvation under load).
#pragma once

#include <sched.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace clipforge::kit {

struct ComputeSlotsOptions {
  // Sections running at once; 0: one per CPU this process may run on.
  int slots = 0;
  // Pin each running section to its slot's CPU (only when there are at
  // least as many usable CPUs as slots; best effort where the sandbox
  // forbids changing affinity).
  bool pin = true;
};

class ComputeSlots {
 public:
  explicit ComputeSlots(ComputeSlotsOptions options = {});

  ComputeSlots(const ComputeSlots&) = delete;
  ComputeSlots& operator=(const ComputeSlots&) = delete;

  // Runs `fn` on the calling thread once a slot is free; returns its result.
  template <typename Fn>
  decltype(auto) Run(Fn&& fn) {
    Lease lease(*this);
    return std::forward<Fn>(fn)();
  }

  int slots() const { return slots_; }
  // The CPU each slot runs on; empty when sections are not pinned.
  const std::vector<int>& slot_cpus() const { return slot_cpus_; }
  // Sections running now, and callers waiting for a slot.
  int running() const;
  int waiting() const;

 private:
  // One admitted section: its slot, and the thread's affinity to restore.
  class Lease {
   public:
    explicit Lease(ComputeSlots& owner);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

   private:
    ComputeSlots& owner_;
    int slot_;
    bool pinned_ = false;
    cpu_set_t previous_;
  };

  int Acquire();
  void Release(int slot);

  int slots_;
  std::vector<int> slot_cpus_;
  // The CPUs the process could use when this was made: the fallback when a
  // thread's own affinity cannot be restored.
  cpu_set_t usable_;
  mutable absl::Mutex mu_;
  // Tickets are admitted in order: ticket t runs once t < released_ + slots_.
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t released_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<bool> busy_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::kit
