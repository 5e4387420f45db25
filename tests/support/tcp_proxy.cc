#include "tests/support/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace clipforge::testing {
namespace {

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener_, 64) != 0 ||
      getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::abort();  // a test harness that cannot listen on loopback cannot run
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  shutdown(listener_, SHUT_RDWR);
  close(listener_);
  acceptor_.join();
  std::vector<std::thread> pumps;
  {
    absl::MutexLock lock(&mu_);
    for (const int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    pumps.swap(pumps_);
  }
  for (std::thread& pump : pumps) pump.join();
}

void TcpProxy::CutAfter(std::string bytes, bool forward_match) {
  absl::MutexLock lock(&mu_);
  cut_bytes_ = std::move(bytes);
  cut_forward_ = forward_match;
  cut_done_ = false;
}

void TcpProxy::Accept() {
  while (!stopping_) {
    const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = ConnectLoopback(target_port_);
    if (server < 0) {
      close(client);
      continue;
    }
    absl::MutexLock lock(&mu_);
    open_fds_.push_back(client);
    open_fds_.push_back(server);
    pumps_.emplace_back([this, client, server] { Pump(client, server); });
  }
}

bool TcpProxy::MatchCut(std::string& chunk) {
  absl::MutexLock lock(&mu_);
  if (cut_bytes_.empty()) return false;
  const size_t at = chunk.find(cut_bytes_);
  if (at == std::string::npos) return false;
  chunk.resize(cut_forward_ ? at + cut_bytes_.size() : at);
  cut_bytes_.clear();
  return true;
}

void TcpProxy::Pump(int client, int server) {
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  char buffer[64 * 1024];
  bool open = true;
  while (open && !stopping_) {
    if (poll(fds, 2, 200) < 0) break;
    for (int i = 0; i < 2 && open; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = recv(fds[i].fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        open = false;
        break;
      }
      std::string chunk(buffer, static_cast<size_t>(n));
      // Only the client's side is searched: the cut is defined by what the
      // client sends.
      const bool cut = i == 0 && MatchCut(chunk);
      if (!WriteAll(fds[1 - i].fd, chunk.data(), chunk.size())) open = false;
      if (cut) {
        // The client loses its connection now. The server gets what was
        // forwarded and then an orderly end of stream (never a reset, which
        // could discard the forwarded bytes unread); what it answers is
        // read and dropped until it closes.
        // Said before the client can notice, so that whatever it does next
        // sees the cut done.
        cut_done_ = true;
        shutdown(client, SHUT_RDWR);
        shutdown(server, SHUT_WR);
        while (recv(server, buffer, sizeof buffer, 0) > 0) {
        }
        open = false;
      }
    }
  }
  shutdown(client, SHUT_RDWR);
  shutdown(server, SHUT_RDWR);
  absl::MutexLock lock(&mu_);
  close(client);
  close(server);
  std::erase(open_fds_, client);
  std::erase(open_fds_, server);
}

}  // namespace clipforge::testing
