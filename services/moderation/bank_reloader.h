// Keeps an instance's hash banks current: compares the stored banks
// version with the one it holds and, on a difference, loads every enabled
// bank, its entries and the allow-list in one snapshot, builds the index
// off the request path and swaps it in whole. It runs when a bank_changed
// event arrives (RunSoon, from ChangeListener) and every `poll_every`.
//
// Each change reloads everything: an import of a million hashes takes
// seconds to read and index, which is fine for banks that change a few
// times a day; a delta layer like the prompt policy's can come when banks
// change faster.
#pragma once

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/kit/logger.h"
#include "services/kit/periodic.h"
#include "services/moderation/active_banks.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

class BankReloader {
 public:
  // None is owned. A zero `poll_every` starts no thread (tests call
  // Refresh).
  BankReloader(ModerationStore& store, ActiveBanksHolder& holder, kit::Logger& logger, absl::Duration poll_every);

  // Loads and swaps in the stored banks unless the holder has their
  // version already.
  absl::Status Refresh();
  void RunSoon() { periodic_.RunSoon(); }
  // Waits until the holder's banks are at least `version`; false on timeout.
  bool AwaitVersion(int64_t version, absl::Duration timeout);

 private:
  ModerationStore& store_;
  ActiveBanksHolder& holder_;
  kit::Logger& logger_;
  absl::Mutex refresh_mu_;
  absl::Mutex loaded_mu_;
  int64_t loaded_version_ ABSL_GUARDED_BY(loaded_mu_) = -1;
  // Last: its thread stops before the rest goes.
  kit::Periodic periodic_;
};

}  // namespace clipforge::moderation_service
