// The media endpoint: blobs of the blob store served over plain HTTP/1.1 at
// signed, expiring URLs (signed_url.h), with byte ranges so that players
// and `ffprobe http://...` can seek. TLS, if any, is the edge proxy's.
//
// GET and HEAD on /media/<sha256>?ct=..&exp=..&sig=.. only:
//   - any other method: 405 (with Allow); any other path: 404;
//   - a malformed media URL: 400; a bad, missing or expired signature: 403
//     (short plain-text bodies; the target, and so the signature, is never
//     logged);
//   - a signed blob that is not in the store: 404;
//   - otherwise the blob, with Content-Type from the signed ct,
//     Accept-Ranges: bytes, ETag: "<sha256>" (strong: a blob never changes),
//     Cache-Control: private, max-age=<seconds until exp>,
//     X-Content-Type-Options: nosniff and Content-Disposition: inline.
//     If-None-Match naming the ETag (or *): 304. One Range (http_range.h):
//     206 with Content-Range, or 416 with "Content-Range: bytes */size";
//     If-Range applies the Range only when it is exactly the ETag (a date
//     never matches: there is no Last-Modified).
// The body is streamed from the file in chunks; a blob is never held in
// memory. Keep-alive is supported; a request whose header exceeds the limit
// gets 431, an unparsable one 400, and both close the connection.
//
// Threads: `io_threads` run the Asio io_context; BlobStore::Open and file
// reads (pread) run on them too, which is fine for a local disk with the
// page cache in front (a store whose Open downloads would want its own
// threads).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/kit/blob_store.h"
#include "services/kit/signed_url.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace clipforge::kit {

class Logger;

struct BlobHttpServerOptions {
  int io_threads = 2;
  // Connections beyond this are closed as soon as they are accepted.
  int max_connections = 1024;
  // The request line and header fields together; more gets 431.
  size_t max_header_bytes = 8 * 1024;
  // To read one whole request header, idle keep-alive time included.
  absl::Duration read_timeout = absl::Seconds(15);
  // To write one chunk of a response, so a reader that stalls is dropped.
  absl::Duration write_timeout = absl::Seconds(30);
  // How much of a file is read and written at a time.
  size_t chunk_bytes = 256 * 1024;
  // Optional: where the counters of blob_http_metrics.h go.
  prometheus::Registry* registry = nullptr;
  // Optional: where failures to read a blob are logged.
  Logger* logger = nullptr;
};

class BlobHttpServer {
 public:
  // `signer`, `blobs`, `clock` and the options' registry and logger must
  // outlive the server.
  BlobHttpServer(const UrlSigner& signer, const BlobStore& blobs, const base::Clock& clock,
                 BlobHttpServerOptions options = {});
  BlobHttpServer(const BlobHttpServer&) = delete;
  BlobHttpServer& operator=(const BlobHttpServer&) = delete;
  ~BlobHttpServer();  // Stops.

  // Binds `address` (an IP literal) and `port` (0: an ephemeral port, see
  // port()) and starts serving. INVALID_ARGUMENT for a bad address or
  // options, UNAVAILABLE when the port cannot be bound, FAILED_PRECONDITION
  // when already started or stopped (a server starts once).
  absl::Status Start(const std::string& address, int port);

  // Closes the listener and every connection (requests in flight are cut
  // off) and joins the io threads. Idempotent; must not be called from a
  // request handler's thread.
  void Stop();

  // The bound port once started, else 0.
  int port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clipforge::kit
