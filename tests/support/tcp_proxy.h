// A loopback TCP proxy for fault tests: it forwards every connection to a
// target port, and on request cuts one connection at an exact point of its
// client-to-server stream, to make failures that a stopped server cannot:
// a COMMIT that reached Postgres whose answer never came back (in doubt,
// committed), or one cut just before it was sent (in doubt, rolled back).
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace clipforge::testing {

class TcpProxy {
 public:
  // Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:target.
  explicit TcpProxy(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }

  // The next time a client sends `bytes` (within one read), the proxy
  // forwards everything up to and including them (or, with
  // `forward_match` false, only what came before them) and then closes
  // both sides of that connection at once. One cut per call.
  void CutAfter(std::string bytes, bool forward_match = true);
  // Whether the armed cut happened.
  bool cut_done() const { return cut_done_.load(); }

 private:
  void Accept();
  void Pump(int client, int server);
  // The bytes to forward of `chunk` and whether to cut after them.
  bool MatchCut(std::string& chunk);

  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_done_{false};
  absl::Mutex mu_;
  std::string cut_bytes_ ABSL_GUARDED_BY(mu_);
  bool cut_forward_ ABSL_GUARDED_BY(mu_) = true;
  std::vector<int> open_fds_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> pumps_ ABSL_GUARDED_BY(mu_);
  std::thread acceptor_;
};

}  // namespace clipforge::testing
