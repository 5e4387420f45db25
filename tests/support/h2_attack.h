// HTTP/2 spoken by hand, for attack tests: the frames a client needs to open
// gRPC streams and reset them at once (the rapid-reset pattern,
// CVE-2023-44487), and connections that send the preface and nothing else
// (connection floods, CVE-2023-4785). Loopback only: each attacker binds its
// own 127.0.0.0/8 source address, so per-address limits can tell it from
// the legitimate client on 127.0.0.1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace clipforge::testing::h2 {

// The client connection preface followed by an empty SETTINGS frame.
std::string ClientPreface();

// A HEADERS frame (END_HEADERS, no END_STREAM: the request message would
// follow) opening a gRPC call to `path`. HPACK literals without indexing and
// without Huffman coding, so the encoder keeps no state.
std::string GrpcRequestHeaders(uint32_t stream_id, const std::string& authority,
                               const std::string& path);

// RST_STREAM with `error_code` (8: CANCEL).
std::string RstStream(uint32_t stream_id, uint32_t error_code = 8);

// A blocking TCP connection from `source` (an address of 127.0.0.0/8) to
// 127.0.0.1:port; -1 when the connect fails.
int ConnectFrom(const std::string& source, int port);

struct RapidResetStats {
  int64_t streams_sent = 0;   // HEADERS + RST_STREAM pairs written.
  int64_t connections = 0;    // Connections opened: the first, then one per close by the peer.
  int64_t failed_connects = 0;
  int64_t goaways = 0;        // GOAWAY frames received.
};

// Until `deadline`: connects from `source` to 127.0.0.1:port, sends the
// preface, then HEADERS + RST_STREAM(CANCEL) pairs for `path` as fast as the
// socket takes them, acknowledging SETTINGS and PING and reading and
// dropping everything else; reconnects when the peer closes.
RapidResetStats RapidReset(const std::string& source, int port, const std::string& path,
                           absl::Time deadline);

// Opens up to `count` connections from `source` to 127.0.0.1:port, each
// sending the preface and nothing more; returns the sockets that connected
// (the caller closes them with CloseAll).
std::vector<int> OpenIdleConnections(const std::string& source, int port, int count);

// How many of `fds` the peer has not closed (reading and dropping whatever
// it sent: SETTINGS, GOAWAY).
int CountOpen(const std::vector<int>& fds);

void CloseAll(std::vector<int>& fds);

}  // namespace clipforge::testing::h2
