// Keeps an instance's prompt policy current: compares the stored policy
// version with the one it holds, and on a difference loads every enabled
// rule in one snapshot, compiles them off the request path and swaps the
// result in whole. Checks keep using the old policy until the swap, and
// keep it for good when the new one fails to load or compile.
//
// It runs when a rule_changed event arrives (RunSoon, from
// PolicyChangeListener) and every `poll_every` besides, so a lost event
// delays a change by at most that long.
#pragma once

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/kit/logger.h"
#include "services/kit/periodic.h"
#include "services/moderation/active_policy.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

class PolicyReloader {
 public:
  // None is owned. A zero `poll_every` starts no thread: Refresh only on
  // demand (tests).
  PolicyReloader(ModerationStore& store, ActivePolicyHolder& holder, kit::Logger& logger, absl::Duration poll_every);

  // Loads and swaps in the stored policy unless the holder has its version
  // already. Serialized: one compile at a time.
  absl::Status Refresh();

  // Asks the background thread for a Refresh now.
  void RunSoon() { periodic_.RunSoon(); }

  // Waits until the holder's policy is at least `version`; false on timeout.
  bool AwaitVersion(int64_t version, absl::Duration timeout);

 private:
  ModerationStore& store_;
  ActivePolicyHolder& holder_;
  kit::Logger& logger_;
  absl::Mutex refresh_mu_;
  absl::Mutex loaded_mu_;
  int64_t loaded_version_ ABSL_GUARDED_BY(loaded_mu_) = -1;
  // Last: its thread stops before the rest goes.
  kit::Periodic periodic_;
};

}  // namespace clipforge::moderation_service
