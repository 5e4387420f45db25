#include "services/kit/call_observer.h"

#include <chrono>
#include <string>

#include <grpc/grpc.h>

namespace clipforge::kit {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr size_t kMaxRequestIdBytes = 64;

bool IsAcceptableRequestId(grpc::string_ref id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

DeadlineCap::DeadlineCap(const base::Clock& clock) : clock_(clock), thread_([this] { Run(); }) {}

DeadlineCap::~DeadlineCap() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

uint64_t DeadlineCap::Watch(grpc::ServerContextBase* ctx, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  const uint64_t ticket = next_ticket_++;
  watched_.emplace(std::make_pair(deadline, ticket), ctx);
  by_ticket_.emplace(ticket, deadline);
  return ticket;
}

bool DeadlineCap::Release(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  const auto it = by_ticket_.find(ticket);
  if (it == by_ticket_.end()) return true;
  watched_.erase(std::make_pair(it->second, ticket));
  by_ticket_.erase(it);
  return false;
}

bool DeadlineCap::Fired(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  return !by_ticket_.contains(ticket);
}

void DeadlineCap::Run() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    const absl::Time now = clock_.Now();
    while (!watched_.empty() && watched_.begin()->first.first <= now) {
      // Cancelling under the lock is what makes this safe: Release (called
      // before the context is destroyed) cannot run concurrently. With a
      // status (unlike TryCancel's CANCELLED) the client learns why.
      grpc_call_cancel_with_status(watched_.begin()->second->c_call(),
                                   GRPC_STATUS_DEADLINE_EXCEEDED,
                                   "Deadline Exceeded: the server's limit for this call", nullptr);
      by_ticket_.erase(watched_.begin()->first.second);
      watched_.erase(watched_.begin());
    }
    const absl::Duration wait =
        watched_.empty() ? absl::Milliseconds(200)
                         : std::min(absl::Milliseconds(200), watched_.begin()->first.first - now);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait);
  }
}

class CallObserver final : public grpc::experimental::Interceptor {
 public:
  CallObserver(const CallObserverFactory& factory, grpc::experimental::ServerRpcInfo* info)
      : f_(factory), info_(info), start_(f_.clock_.Now()) {}

  ~CallObserver() override {
    const bool capped = ticket_ != 0 && f_.cap_.Release(ticket_);
    // No status was sent: the call was cancelled before it finished. Calls
    // whose handler never ran (reset before their request arrived) are
    // counted but not logged, here and at PRE_SEND_STATUS, so a rapid-reset
    // flood (HEADERS then RST_STREAM, tens of thousands a second) cannot
    // flood the log.
    if (!recorded_) {
      Record(capped ? grpc::StatusCode::DEADLINE_EXCEEDED : grpc::StatusCode::CANCELLED,
             /*log=*/capped || !HandlerNeverRan());
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      OnStart(methods->GetRecvInitialMetadata());
    }
    // The hook also fires when the read found no message (a null one).
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      got_message_ = true;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("x-request-id", request_id_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::StatusCode code = methods->GetSendStatus().error_code();
      // A handler that saw its call cancelled by the cap: the client got
      // DEADLINE_EXCEEDED.
      if (code == grpc::StatusCode::CANCELLED && ticket_ != 0 && f_.cap_.Fired(ticket_)) {
        code = grpc::StatusCode::DEADLINE_EXCEEDED;
      }
      // gRPC still answers a unary call reset before its request arrived
      // (UNIMPLEMENTED, to nobody); its handler never ran.
      Record(code, /*log=*/!HandlerNeverRan());
    }
    methods->Proceed();
  }

 private:
  void OnStart(std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    auto it = metadata->find("x-request-id");
    if (it != metadata->end() && IsAcceptableRequestId(it->second)) {
      request_id_.assign(it->second.data(), it->second.size());
    } else {
      if (it != metadata->end()) metadata->erase(it);
      request_id_ = f_.ids_.Next();
      // Handlers read the id from the client metadata; the string outlives
      // the call because this interceptor does.
      metadata->emplace("x-request-id", grpc::string_ref(request_id_));
    }
    CapDeadline();
  }

  void CapDeadline() {
    using Type = grpc::experimental::ServerRpcInfo::Type;
    const absl::Duration cap = info_->type() == Type::UNARY ? f_.options_.max_unary_deadline
                                                            : f_.options_.max_stream_deadline;
    grpc::ServerContextBase* ctx = info_->server_context();
    const auto limit = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(cap);
    if (ctx->deadline() > limit) ticket_ = f_.cap_.Watch(ctx, start_ + cap);
  }

  // A unary or server-streaming handler runs only once its one request
  // message has arrived; without it the call did no work.
  bool HandlerNeverRan() const {
    using Type = grpc::experimental::ServerRpcInfo::Type;
    const bool request_first = info_->type() == Type::UNARY || info_->type() == Type::SERVER_STREAMING;
    return request_first && !got_message_;
  }

  void Record(grpc::StatusCode code, bool log = true) {
    recorded_ = true;
    const absl::Duration elapsed = f_.clock_.Now() - start_;
    f_.metrics_.Record(f_.MetricMethod(info_->method()), static_cast<int>(code), absl::ToDoubleSeconds(elapsed));
    if (!log) return;
    const LogLevel level = code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
                                   code == grpc::StatusCode::DATA_LOSS
                               ? LogLevel::kError
                               : LogLevel::kInfo;
    f_.logger_.Log(level, "rpc", {{"request_id", request_id_},
                                  {"method", info_->method()},
                                  {"code", static_cast<int>(code)},
                                  {"latency_us", absl::ToInt64Microseconds(elapsed)}});
  }

  const CallObserverFactory& f_;
  grpc::experimental::ServerRpcInfo* info_;
  const absl::Time start_;
  std::string request_id_;
  uint64_t ticket_ = 0;
  bool recorded_ = false;
  bool got_message_ = false;
};

const char* CallObserverFactory::MetricMethod(const char* method) const {
  if (method != nullptr && known_methods_.contains(absl::string_view(method))) return method;
  return kUnknownMethodLabel;
}

grpc::experimental::Interceptor* CallObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallObserver(*this, info);
}

absl::string_view RequestIdOf(const grpc::ServerContextBase& ctx) {
  const auto& metadata = ctx.client_metadata();
  const auto it = metadata.find("x-request-id");
  if (it == metadata.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace clipforge::kit
