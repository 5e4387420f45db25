#include "services/kit/blob_http_server.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/kit/blob_http_metrics.h"
#include "services/kit/blob_http_response.h"
#include "services/kit/logger.h"

namespace clipforge::kit {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// How long the acceptor pauses after a failed accept (out of file
// descriptors, say) instead of retrying in a busy loop.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);
// Draining a connection before closing it (LingerThenClose): at most this
// long and this many bytes, read this many at a time.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kMaxLingerBytes = 64 * 1024;
constexpr size_t kLingerReadBytes = 4096;

// What every connection uses; owned by the server, which outlives them all.
struct ServingContext {
  const UrlSigner& signer;
  const BlobStore& blobs;
  const base::Clock& clock;
  const BlobHttpServerOptions& options;
  BlobHttpMetrics* metrics;  // Null without a registry.
  std::atomic<int>& connections;
};

// True for errors in the request's bytes (which deserve a 400), as opposed
// to the peer going away or the read timing out.
bool IsMalformedRequest(const beast::error_code& error) {
  return error.category() == http::make_error_code(http::error::bad_target).category() &&
         error != http::error::end_of_stream && error != http::error::partial_message;
}

// One client connection: read a request, answer it, repeat while
// keep-alive. Every step runs on the connection's strand; the pending
// operation's handler owns the connection.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const ServingContext& context)
      : stream_(std::move(socket)), context_(context) {
    context_.connections.fetch_add(1);
  }
  ~Connection() { context_.connections.fetch_sub(1); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(context_.options.max_header_bytes));
    parser_->body_limit(0);  // GET and HEAD carry no body.
    stream_.expires_after(absl::ToChronoNanoseconds(context_.options.read_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, size_t) { self->OnRequest(error); });
  }

  void OnRequest(beast::error_code error) {
    if (error == http::error::header_limit) {
      return Send(TextResponse(http::status::request_header_fields_too_large, "request header too large\n", false),
                  /*version=*/11, /*keep_alive=*/false);
    }
    if (IsMalformedRequest(error)) {
      return Send(TextResponse(http::status::bad_request, "bad request\n", false), 11, false);
    }
    if (error) return;  // Closed, reset or timed out: nobody to answer.
    const http::request<http::empty_body>& request = parser_->get();
    BlobResponse response =
        RespondToBlobRequest(request, context_.signer, context_.blobs, context_.clock.Now());
    if (!response.error.empty() && context_.options.logger != nullptr) {
      context_.options.logger->Error("media_http_failed", {{"error", response.error}});
    }
    Send(std::move(response), request.version(), request.keep_alive());
  }

  void Send(BlobResponse response, unsigned version, bool keep_alive) {
    response.header.version(version);
    keep_alive_ = keep_alive;
    if (context_.metrics != nullptr) context_.metrics->CountResponse(response.header.result_int());
    if (response.slice.has_value()) return StartBody(std::move(response));
    auto message = std::make_shared<http::response<http::string_body>>(std::move(response.header),
                                                                      std::move(response.text));
    message->keep_alive(keep_alive_);
    stream_.expires_after(absl::ToChronoNanoseconds(context_.options.write_timeout));
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code error, size_t) {
                        self->OnResponseSent(error);
                      });
  }

  // The header goes out with the first chunk; buffer_body hands the
  // serializer one chunk at a time, so memory stays at one chunk per
  // connection whatever the blob's size.
  void StartBody(BlobResponse response) {
    slice_ = std::move(response.slice);
    body_message_.emplace(std::move(response.header));
    body_message_->keep_alive(keep_alive_);
    serializer_.emplace(*body_message_);
    if (chunk_ == nullptr) chunk_ = std::make_unique<char[]>(context_.options.chunk_bytes);
    WriteChunk();
  }

  void WriteChunk() {
    http::buffer_body::value_type& body = body_message_->body();
    if (slice_->length > 0) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(slice_->length, context_.options.chunk_bytes));
      ssize_t got;
      do {
        got = pread(slice_->file.fd(), chunk_.get(), want, static_cast<off_t>(slice_->offset));
      } while (got < 0 && errno == EINTR);
      if (got <= 0) {
        // The header is already promised (or sent): closing is the only way
        // left to tell the client its body is short.
        if (context_.options.logger != nullptr) {
          context_.options.logger->Error(
              "media_http_read_failed", {{"error", got < 0 ? std::strerror(errno) : "unexpected end of file"}});
        }
        return;
      }
      slice_->offset += static_cast<uint64_t>(got);
      slice_->length -= static_cast<uint64_t>(got);
      body.data = chunk_.get();
      body.size = static_cast<size_t>(got);
      body.more = true;
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    stream_.expires_after(absl::ToChronoNanoseconds(context_.options.write_timeout));
    http::async_write(stream_, *serializer_, [self = shared_from_this()](beast::error_code error, size_t) {
      if (error == http::error::need_buffer) error = {};  // The chunk is out; give the next.
      if (error) return;
      if (!self->serializer_->is_done()) return self->WriteChunk();
      self->serializer_.reset();
      self->body_message_.reset();
      self->slice_.reset();
      self->OnResponseSent(error);
    });
  }

  void OnResponseSent(beast::error_code error) {
    if (error) return;
    if (keep_alive_) return ReadRequest();
    LingerThenClose();
  }

  // Closing a socket with unread bytes in it (the rest of an oversized
  // header, a pipelined request) sends a reset, which can destroy the
  // response before the client reads it. So: end our side, then read and
  // discard until the client closes, for a short while at most.
  void LingerThenClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::min(absl::ToChronoNanoseconds(context_.options.read_timeout),
                                   std::chrono::nanoseconds(kLingerTime)));
    Discard(0);
  }

  void Discard(size_t discarded) {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kLingerReadBytes),
                            [self = shared_from_this(), discarded](beast::error_code error, size_t bytes) {
                              if (error || discarded + bytes > kMaxLingerBytes) return;
                              self->Discard(discarded + bytes);
                            });
  }

  beast::tcp_stream stream_;
  const ServingContext& context_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  bool keep_alive_ = false;
  // While a blob's body is being written:
  std::optional<BlobSlice> slice_;
  std::optional<http::response<http::buffer_body>> body_message_;
  std::optional<http::response_serializer<http::buffer_body>> serializer_;
  std::unique_ptr<char[]> chunk_;  // Kept across keep-alive requests.
};

absl::Status CheckOptions(const BlobHttpServerOptions& options) {
  if (options.io_threads < 1) return absl::InvalidArgumentError("media http: io_threads must be at least 1");
  if (options.max_connections < 1) {
    return absl::InvalidArgumentError("media http: max_connections must be at least 1");
  }
  if (options.max_header_bytes < 1 || options.max_header_bytes > UINT32_MAX) {
    return absl::InvalidArgumentError("media http: max_header_bytes out of range");
  }
  if (options.chunk_bytes < 1) return absl::InvalidArgumentError("media http: chunk_bytes must be at least 1");
  if (options.read_timeout <= absl::ZeroDuration() || options.write_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("media http: timeouts must be positive");
  }
  return absl::OkStatus();
}

}  // namespace

class BlobHttpServer::Impl {
 public:
  Impl(const UrlSigner& signer, const BlobStore& blobs, const base::Clock& clock,
       BlobHttpServerOptions options)
      : options_(std::move(options)),
        metrics_(options_.registry != nullptr ? std::make_unique<BlobHttpMetrics>(*options_.registry) : nullptr),
        context_{signer, blobs, clock, options_, metrics_.get(), connections_} {}

  ~Impl() { Stop(); }

  absl::Status Start(const std::string& address, int port) {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kNew) return absl::FailedPreconditionError("media http: a server starts once");
    if (absl::Status valid = CheckOptions(options_); !valid.ok()) return valid;
    if (port < 0 || port > 65535) return absl::InvalidArgumentError("media http: port out of range");
    beast::error_code error;
    const net::ip::address ip = net::ip::make_address(address, error);
    if (error) return absl::InvalidArgumentError(absl::StrCat("media http: not an IP address: ", address));

    io_ = std::make_unique<net::io_context>(options_.io_threads);
    acceptor_ = std::make_unique<tcp::acceptor>(net::make_strand(*io_));
    accept_retry_ = std::make_unique<net::steady_timer>(acceptor_->get_executor());
    const tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
    acceptor_->open(endpoint.protocol(), error);
    if (!error) acceptor_->set_option(net::socket_base::reuse_address(true), error);
    if (!error) acceptor_->bind(endpoint, error);
    if (!error) acceptor_->listen(net::socket_base::max_listen_connections, error);
    if (error) {
      accept_retry_.reset();
      acceptor_.reset();
      io_.reset();
      return absl::UnavailableError(
          absl::StrCat("media http: cannot listen on ", address, ":", port, ": ", error.message()));
    }
    port_.store(acceptor_->local_endpoint().port());
    Accept();
    for (int i = 0; i < options_.io_threads; ++i) threads_.emplace_back([io = io_.get()] { io->run(); });
    state_ = State::kRunning;
    return absl::OkStatus();
  }

  void Stop() {
    absl::MutexLock lock(&mu_);
    if (state_ == State::kRunning) {
      io_->stop();
      for (std::thread& thread : threads_) thread.join();
      threads_.clear();
      // The I/O objects go before the io_context they belong to; destroying
      // it then destroys the handlers not yet run, and with them the
      // connections they own (closing their sockets).
      accept_retry_.reset();
      acceptor_.reset();
      io_.reset();
    }
    state_ = State::kStopped;
  }

  int port() const { return port_.load(); }

 private:
  enum class State { kNew, kRunning, kStopped };

  // Runs on the acceptor's strand.
  void Accept() {
    acceptor_->async_accept(net::make_strand(*io_), [this](beast::error_code error, tcp::socket socket) {
      if (error == net::error::operation_aborted) return;
      if (error) {
        accept_retry_->expires_after(kAcceptRetryDelay);
        accept_retry_->async_wait([this](beast::error_code wait_error) {
          if (!wait_error) Accept();
        });
        return;
      }
      // Only this strand adds connections, so the count cannot pass the
      // cap between the check and the add.
      if (connections_.load() >= options_.max_connections) {
        // Counted before the close that the client sees, so that whoever
        // watches the close then the counter finds it counted.
        if (metrics_ != nullptr) metrics_->CountRefusedConnection();
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Connection>(std::move(socket), context_)->Start();
      }
      Accept();
    });
  }

  // Declared before the io_context's owners, so they outlive every
  // connection.
  const BlobHttpServerOptions options_;
  std::unique_ptr<BlobHttpMetrics> metrics_;
  std::atomic<int> connections_{0};
  const ServingContext context_;
  std::atomic<int> port_{0};

  absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kNew;
  std::unique_ptr<net::io_context> io_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::unique_ptr<net::steady_timer> accept_retry_;
  std::vector<std::thread> threads_;
};

BlobHttpServer::BlobHttpServer(const UrlSigner& signer, const BlobStore& blobs, const base::Clock& clock,
                               BlobHttpServerOptions options)
    : impl_(std::make_unique<Impl>(signer, blobs, clock, std::move(options))) {}

BlobHttpServer::~BlobHttpServer() = default;

absl::Status BlobHttpServer::Start(const std::string& address, int port) { return impl_->Start(address, port); }

void BlobHttpServer::Stop() { impl_->Stop(); }

int BlobHttpServer::port() const { return impl_->port(); }

}  // namespace clipforge::kit
