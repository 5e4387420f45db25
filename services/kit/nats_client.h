// RAII ownership of cnats handles and the JetStream setup every process
// shares: one connection that reconnects forever, one JetStream context, and
// the CLIPFORGE stream.
#pragma once

#include <memory>
#include <string>

#include <nats/nats.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace clipforge::kit {

struct NatsDeleter {
  void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
template <typename T>
using NatsPtr = std::unique_ptr<T, NatsDeleter>;

// Maps a cnats status (plus the last error text) to a canonical one.
absl::Status StatusFromNats(natsStatus s, absl::string_view what);

struct NatsOptions {
  std::string url = "nats://127.0.0.1:4222";
  std::string client_name = "clipforged";
  absl::Duration request_timeout = absl::Seconds(5);
  // Connect blocks until the server answers (retrying forever); false
  // returns at once and connects in the background.
  bool wait_for_server = true;
};

class NatsClient {
 public:
  // Does not fail when the server is down: cnats keeps retrying (blocking
  // here unless options.wait_for_server is false) and calls fail with
  // UNAVAILABLE until it connects.
  static absl::StatusOr<std::unique_ptr<NatsClient>> Connect(const NatsOptions& options);

  natsConnection* connection() const { return conn_.get(); }
  jsCtx* jetstream() const { return js_.get(); }
  const NatsOptions& options() const { return options_; }
  // OK while connected to a server (readiness checks).
  absl::Status Connected() const;

 private:
  NatsClient(NatsOptions options) : options_(std::move(options)) {}
  NatsOptions options_;
  NatsPtr<natsConnection> conn_;
  NatsPtr<jsCtx> js_;
};

struct StreamSpec {
  std::string name = "CLIPFORGE";
  std::string subjects = "clipforge.>";
  // JetStream drops a message whose Nats-Msg-Id it saw within this window.
  // It must cover the outbox retention so a redrive never duplicates.
  absl::Duration duplicate_window = absl::Minutes(10);
  absl::Duration max_age = absl::Hours(24 * 7);
};

// Creates the stream, or updates it when it exists with other settings.
absl::Status EnsureStream(jsCtx* js, const StreamSpec& spec);

}  // namespace clipforge::kit
