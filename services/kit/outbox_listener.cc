#include "services/kit/outbox_listener.h"

#include <algorithm>
#include <exception>

#include <pqxx/nontransaction>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace clipforge::kit {

class OutboxListener::Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& conn, bool& notified)
      : pqxx::notification_receiver(conn, kOutboxChannel), notified_(notified) {}
  void operator()(const std::string&, int) override { notified_ = true; }

 private:
  bool& notified_;
};

OutboxListener::OutboxListener(std::string dsn) : dsn_(std::move(dsn)) {}

OutboxListener::~OutboxListener() { Drop(); }

void OutboxListener::Drop() {
  asleep_ = false;
  // The receiver UNLISTENs in its destructor; on a broken connection that
  // fails quietly.
  try {
    receiver_.reset();
  } catch (const std::exception&) {
  }
  conn_.reset();
}

bool OutboxListener::EnsureListening() {
  if (receiver_ != nullptr) return false;
  try {
    conn_ = std::make_unique<pqxx::connection>(dsn_);
    // A dropped connection must fail, not reopen itself without the LISTEN.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    conn_->inhibit_reactivation(true);
#pragma GCC diagnostic pop
    receiver_ = std::make_unique<Receiver>(*conn_, notified_);  // Issues LISTEN.
    return true;
  } catch (const std::exception&) {
    Drop();
    return false;
  }
}

bool OutboxListener::TrySleep() {
  if (asleep_) return true;
  if (receiver_ == nullptr) return false;
  try {
    pqxx::nontransaction q(*conn_);
    asleep_ = q.exec1(absl::StrCat("SELECT pg_try_advisory_lock(", kRelaySleepLockKey, ")"))[0].as<bool>();
    return asleep_;
  } catch (const std::exception&) {
    Drop();
    return false;
  }
}

void OutboxListener::Wake() {
  if (!asleep_) return;
  asleep_ = false;
  try {
    pqxx::nontransaction q(*conn_);
    q.exec1(absl::StrCat("SELECT pg_advisory_unlock(", kRelaySleepLockKey, ")"));
  } catch (const std::exception&) {
    Drop();  // A closed session holds no locks.
  }
}

bool OutboxListener::Wait(absl::Duration timeout) {
  if (EnsureListening()) return true;
  if (receiver_ == nullptr) {
    absl::SleepFor(timeout);
    return false;
  }
  notified_ = false;
  try {
    // Notifications that came while we were busy are already buffered.
    if (conn_->get_notifs() > 0 || notified_) return true;
    const int64_t us = std::max<int64_t>(0, absl::ToInt64Microseconds(timeout));
    conn_->await_notification(static_cast<long>(us / 1000000), static_cast<long>(us % 1000000));
    // Drain whatever else arrived, so a burst wakes the relay once.
    conn_->get_notifs();
    if (!notified_ && !conn_->is_open()) {
      Drop();
      return true;
    }
    return notified_;
  } catch (const std::exception&) {
    Drop();
    return true;  // Lost the connection: look at the outbox, then reconnect.
  }
}

}  // namespace clipforge::kit
