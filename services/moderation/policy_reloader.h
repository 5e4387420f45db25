// Keeps an instance's prompt policy current: compares the stored policy
// version with the one it holds, and on a difference loads every enabled
// rule in one snapshot, compiles them off the request path and swaps the
// result in whole. Checks keep using the old policy until the swap, and
// keep it for good when the new one fails to load or compile.
//
// It runs when a rule_changed event arrives (RunSoon, from
// ChangeListener) and every `poll_every` besides, so a lost event
// delays a change by at most that long. A change of a few rules compiles
// only those (ActivePolicy::Extend), so it is live in well under a second
// whatever the rule count; a second thread folds such layers into a full
// compile every `compact_every` (half a minute at 50,000 rules, while the
// layered policy keeps answering).
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
  // Changes of more rules than this since the last full compile are
  // compiled in full.
  static constexpr size_t kMaxDeltaRules = 1000;
  // A version that failed to compile is tried again only after this (or
  // once the version moves): the same rules fail the same way, and a full
  // compile can take half a minute of a core.
  static constexpr absl::Duration kRetryFailedAfter = absl::Minutes(1);

  // None is owned. A zero `poll_every` (`compact_every`) starts no thread:
  // Refresh (Compact) only on demand (tests).
  PolicyReloader(ModerationStore& store, ActivePolicyHolder& holder, kit::Logger& logger, absl::Duration poll_every,
                 absl::Duration compact_every = absl::ZeroDuration());

  // Loads and swaps in the stored policy unless the holder has its version
  // already. Serialized with itself and with Compact's swap.
  absl::Status Refresh();

  // Replaces a layered live policy by a full compile of the stored one. The
  // compile runs without blocking Refresh; changes that went live during it
  // are put on top of the result before it is swapped in.
  absl::Status Compact();

  // Asks the background thread for a Refresh now.
  void RunSoon() { periodic_.RunSoon(); }

  // Waits until the holder's policy is at least `version`; false on timeout.
  bool AwaitVersion(int64_t version, absl::Duration timeout);

 private:
  ModerationStore& store_;
  ActivePolicyHolder& holder_;
  kit::Logger& logger_;
  // Swaps in `policy` (built from `snapshot`) and records its version.
  void Install(std::shared_ptr<const ActivePolicy> policy, absl::Time started, const char* how)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);

  absl::Mutex refresh_mu_;
  int64_t failed_version_ ABSL_GUARDED_BY(refresh_mu_) = -1;
  absl::Time failed_at_ ABSL_GUARDED_BY(refresh_mu_);
  absl::Mutex loaded_mu_;
  int64_t loaded_version_ ABSL_GUARDED_BY(loaded_mu_) = -1;
  // Last: their threads stop before the rest goes.
  kit::Periodic compactor_;
  kit::Periodic periodic_;
};

}  // namespace clipforge::moderation_service
