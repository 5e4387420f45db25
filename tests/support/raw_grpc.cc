#include "tests/support/raw_grpc.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <condition_variable>
#include <mutex>

#include "absl/time/clock.h"
#include "services/kit/grpc_status.h"

namespace clipforge::testing {
namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  grpc::Slice slice;
  (void)buffer.TrySingleSlice(&slice);
  if (slice.size() == 0) {
    (void)buffer.DumpToSingleSlice(&slice);
  }
  return std::string(reinterpret_cast<const char*>(slice.begin()), slice.size());
}

class OneShotBidi final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit OneShotBidi(const std::string& request) : request_(ToBuffer(request)) {}
  void Begin() {
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }
  void OnWriteDone(bool) override { StartWritesDone(); }
  void OnReadDone(bool ok) override { got_ = ok; }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    done_ = true;
    cv_.notify_all();
  }
  absl::StatusOr<std::string> Await() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
    if (!got_) return status_.ok() ? absl::InternalError("no response") : kit::FromGrpcStatus(status_);
    return FromBuffer(response_);
  }

 private:
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  bool got_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace

absl::StatusOr<std::string> RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& method, const std::string& request,
                                         absl::Duration timeout,
                                         const std::vector<std::pair<std::string, std::string>>& metadata) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  for (const auto& [key, value] : metadata) ctx.AddMetadata(key, value);
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  grpc::ByteBuffer in = ToBuffer(request);
  grpc::ByteBuffer out;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &in, &out, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    status = std::move(s);
    done = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  if (!status.ok()) return kit::FromGrpcStatus(status);
  return FromBuffer(out);
}

absl::StatusOr<std::string> RawBidiOnce(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& method, const std::string& request,
                                        absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  OneShotBidi reactor(request);
  stub.PrepareBidiStreamingCall(&ctx, method, grpc::StubOptions(), &reactor);
  reactor.Begin();
  return reactor.Await();
}

absl::StatusOr<int> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                const std::string& service) {
  // HealthCheckRequest{service = 1}; HealthCheckResponse{status = 1 (enum)}.
  std::string request;
  if (!service.empty()) {
    request.push_back(0x0A);
    request.push_back(static_cast<char>(service.size()));
    request += service;
  }
  auto response = RawUnaryCall(channel, "/grpc.health.v1.Health/Check", request);
  if (!response.ok()) return response.status();
  if (response->size() == 2 && (*response)[0] == 0x08) return (*response)[1];
  return 0;  // UNKNOWN (the default value is not serialized).
}

bool HealthBecomes(const std::shared_ptr<grpc::Channel>& channel, const std::string& service, int expected,
                   absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    if (CheckHealth(channel, service).value_or(-1) == expected) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

}  // namespace clipforge::testing
