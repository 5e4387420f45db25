// The path every unary handler takes: authenticate (unless the method is
// public), then run the work and finish the reactor exactly once with the
// work's status. Work that blocks (SQL, FFmpeg, synchronous NATS) goes to the
// executor; work that only computes may run inline on the gRPC thread and
// skip the hop (two context switches, the largest cost of an empty RPC).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/status/status.h"
#include "services/kit/auth.h"
#include "services/kit/call_observer.h"
#include "services/kit/executor.h"
#include "services/kit/grpc_status.h"
#include "services/kit/logger.h"

namespace clipforge::kit {

// Which executor a call's work runs on. CPU-heavy calls (password checks)
// wait in a lane of their own, so that a flood of them queues behind itself
// and never in front of cheap calls: the compute lane has a few threads (the
// compute slots and a little more, to overlap their database reads and
// writes) and its own bounded queue.
enum class Lane { kBlocking, kCompute };

class CallRunner {
 public:
  // `logger` receives what a client is not told (server faults' messages,
  // private details); `compute` runs Lane::kCompute work (without one, every
  // lane is `executor`). None is owned; each must outlive the runner.
  CallRunner(BlockingExecutor& executor, const AuthGate& auth, Logger& logger, BlockingExecutor* compute = nullptr)
      : executor_(executor), compute_(compute), auth_(auth), logger_(logger) {}

  // The status the client of `ctx` gets for `status`; what it does not get
  // (a server fault's message, a private detail) is logged with the
  // request id the client is given.
  grpc::Status ClientStatus(const grpc::ServerContextBase& ctx, const absl::Status& status) const {
    const absl::string_view request_id = RequestIdOf(ctx);
    const std::optional<std::string> detail = PrivateDetailOf(status);
    if (IsServerFault(status.code()) || detail) {
      logger_.Log(IsServerFault(status.code()) ? LogLevel::kError : LogLevel::kWarn, "rpc_error",
                  {{"request_id", request_id},
                   {"code", static_cast<int>(status.code())},
                   {"message", status.message()},
                   {"detail", detail.value_or("")}});
    }
    return ToGrpcStatus(status, request_id);
  }

  // `work` is `absl::Status(const Caller&)`; it runs on the lane's executor.
  template <typename Work>
  grpc::ServerUnaryReactor* Authenticated(grpc::CallbackServerContext* ctx, Work work,
                                          Lane lane = Lane::kBlocking) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    absl::StatusOr<Caller> caller = auth_.Authenticate(*ctx);
    if (!caller.ok()) {
      reactor->Finish(ClientStatus(*ctx, caller.status()));
      return reactor;
    }
    Dispatch(ctx, reactor, lane, [work = std::move(work), caller = *std::move(caller)]() mutable {
      return work(caller);
    });
    return reactor;
  }

  // For RPCs marked public: `work` is `absl::Status()`.
  template <typename Work>
  grpc::ServerUnaryReactor* Public(grpc::CallbackServerContext* ctx, Work work, Lane lane = Lane::kBlocking) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    Dispatch(ctx, reactor, lane, std::move(work));
    return reactor;
  }

  // Like Authenticated, for work that never blocks: runs on the calling
  // gRPC thread.
  template <typename Work>
  grpc::ServerUnaryReactor* AuthenticatedInline(grpc::CallbackServerContext* ctx, Work work) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    absl::StatusOr<Caller> caller = auth_.Authenticate(*ctx);
    reactor->Finish(ClientStatus(*ctx, caller.ok() ? work(*caller) : caller.status()));
    return reactor;
  }

  // Like Public, for work that never blocks.
  template <typename Work>
  grpc::ServerUnaryReactor* PublicInline(grpc::CallbackServerContext* ctx, Work work) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(ClientStatus(*ctx, work()));
    return reactor;
  }

 private:
  template <typename Fn>
  void Dispatch(grpc::CallbackServerContext* ctx, grpc::ServerUnaryReactor* reactor, Lane lane, Fn fn) {
    BlockingExecutor& executor = lane == Lane::kCompute && compute_ != nullptr ? *compute_ : executor_;
    absl::Status submitted = executor.Submit([this, ctx, reactor, fn = std::move(fn)]() mutable {
      // The client may have gone, or a deadline (the client's or the
      // server's cap) passed, while queued.
      if (ctx->IsCancelled()) {
        const bool expired = ctx->deadline() <= std::chrono::system_clock::now();
        reactor->Finish(expired ? grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded")
                                : grpc::Status::CANCELLED);
        return;
      }
      reactor->Finish(ClientStatus(*ctx, fn()));
    });
    if (!submitted.ok()) reactor->Finish(ClientStatus(*ctx, submitted));
  }

  BlockingExecutor& executor_;
  BlockingExecutor* compute_;
  const AuthGate& auth_;
  Logger& logger_;
};

}  // namespace clipforge::kit
