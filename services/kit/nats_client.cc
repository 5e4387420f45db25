#include "services/kit/nats_client.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clipforge::kit {

absl::Status StatusFromNats(natsStatus s, absl::string_view what) {
  if (s == NATS_OK) return absl::OkStatus();
  const char* last = nats_GetLastError(nullptr);
  std::string msg = absl::StrCat("nats: ", what, ": ", natsStatus_GetText(s));
  if (last != nullptr && *last != '\0') absl::StrAppend(&msg, " (", last, ")");
  switch (s) {
    case NATS_TIMEOUT: return absl::DeadlineExceededError(msg);
    case NATS_NOT_FOUND: return absl::NotFoundError(msg);
    case NATS_INVALID_ARG: return absl::InvalidArgumentError(msg);
    case NATS_NO_RESPONDERS:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NOT_YET_CONNECTED:
    case NATS_NO_SERVER:
    case NATS_IO_ERROR:
    case NATS_STALE_CONNECTION:
      return absl::UnavailableError(msg);
    default: return absl::InternalError(msg);
  }
}

absl::Status NatsClient::Connected() const {
  if (conn_ != nullptr && natsConnection_Status(conn_.get()) == NATS_CONN_STATUS_CONNECTED) {
    return absl::OkStatus();
  }
  return absl::UnavailableError("nats: not connected");
}

absl::StatusOr<std::unique_ptr<NatsClient>> NatsClient::Connect(const NatsOptions& options) {
  auto client = std::unique_ptr<NatsClient>(new NatsClient(options));
  natsOptions* raw_opts = nullptr;
  if (natsStatus s = natsOptions_Create(&raw_opts); s != NATS_OK) return StatusFromNats(s, "options");
  NatsPtr<natsOptions> opts(raw_opts);
  natsStatus s = natsOptions_SetURL(opts.get(), options.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetName(opts.get(), options.client_name.c_str());
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts.get(), -1);  // Forever.
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts.get(), 250);
  if (s == NATS_OK) s = natsOptions_SetReconnectJitter(opts.get(), 100, 100);
  // With a connected-callback cnats connects in the background instead of
  // blocking Connect until the server answers.
  natsConnectionHandler on_connected = nullptr;
  if (!options.wait_for_server) on_connected = [](natsConnection*, void*) {};
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(opts.get(), true, on_connected, nullptr);
  if (s != NATS_OK) return StatusFromNats(s, "options");

  natsConnection* conn = nullptr;
  s = natsConnection_Connect(&conn, opts.get());
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) return StatusFromNats(s, "connect");
  client->conn_.reset(conn);

  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.Wait = absl::ToInt64Milliseconds(options.request_timeout);
  jsCtx* js = nullptr;
  if (s = natsConnection_JetStream(&js, conn, &js_opts); s != NATS_OK) {
    return StatusFromNats(s, "jetstream context");
  }
  client->js_.reset(js);
  return client;
}

absl::Status EnsureStream(jsCtx* js, const StreamSpec& spec) {
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  const char* subjects[] = {spec.subjects.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Retention = js_LimitsPolicy;
  cfg.Duplicates = absl::ToInt64Nanoseconds(spec.duplicate_window);
  cfg.MaxAge = absl::ToInt64Nanoseconds(spec.max_age);
  jsStreamInfo* info = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&info, js, &cfg, nullptr, &err);
  if (s != NATS_OK && err == JSStreamNameExistErr) {
    s = js_UpdateStream(&info, js, &cfg, nullptr, &err);
  }
  if (info != nullptr) jsStreamInfo_Destroy(info);
  return StatusFromNats(s, absl::StrCat("ensure stream ", spec.name));
}

}  // namespace clipforge::kit
