// `clipforged worker`: the reference generation worker. Leases jobs from a
// clipforged serving WorkerService, renders them with the procedural
// renderer, signs them with the instance's C2PA CA and uploads the
// outputs, until SIGINT/SIGTERM; then hands its job in flight back
// (retryable) and exits 0.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "base/uuid.h"
#include "media/provenance_ca.h"
#include "services/clipforged/commands.h"
#include "services/clipforged/flags.h"
#include "services/kit/logger.h"
#include "services/worker/channel_credentials.h"
#include "services/worker/worker_credential.h"
#include "services/worker/worker_loop.h"

namespace clipforge::clipforged {
namespace {

std::vector<kit::SettingSpec> WorkerSpecs() {
  return {
      {"server", "127.0.0.1:50051", "the clipforged serving WorkerService (host:port)"},
      {"credential-file", "", absl::StrCat("file holding the worker credential (cfw_...), mode 0600; or put the "
                                           "credential itself in ", worker::kCredentialEnv)},
      {"work-dir", ".data/worker", "where jobs' files live while they render (deleted after each job)"},
      {"provenance-dir", ".data/provenance",
       "the C2PA signing CA and signer key (ca.key/ca.pem, signer.key/signer.pem; created when missing)"},
      {"jobs", "1", "jobs rendered at once"},
      {"tls-ca-file", "", "PEM CA that signed the server's certificate (TLS; default for non-loopback servers, "
                          "with the system's roots)"},
      {"plaintext", "false", "no TLS even for a non-loopback server (the credential travels in the clear)"},
      {"worker-instance", "", "this process in the server's logs; default HOSTNAME/worker-PID"},
      {"lease-wait", "20s", "how long one lease request waits for a job (0-30s)"},
      {"log-level", "info", "debug, info, warn or error"},
  };
}

struct WorkerConfig {
  worker::ReferenceWorkerOptions worker;
  std::string credential_file;
  std::string provenance_dir;
  std::string tls_ca_file;
  bool plaintext = false;
  kit::LogLevel log_level = kit::LogLevel::kInfo;
};

std::string DefaultInstanceName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return absl::StrCat("worker-", getpid());
  return absl::StrCat(host, "/worker-", getpid());
}

absl::StatusOr<kit::LogLevel> ParseLogLevel(const std::string& level) {
  if (level == "debug") return kit::LogLevel::kDebug;
  if (level == "info") return kit::LogLevel::kInfo;
  if (level == "warn") return kit::LogLevel::kWarn;
  if (level == "error") return kit::LogLevel::kError;
  return absl::InvalidArgumentError("--log-level: expected debug, info, warn or error");
}

absl::StatusOr<WorkerConfig> ConfigFrom(const kit::Settings& s) {
  WorkerConfig c;
  c.worker.server_address = s.Get("server");
  c.worker.work_dir = s.Get("work-dir");
  c.worker.worker_instance = s.Get("worker-instance").empty() ? DefaultInstanceName() : s.Get("worker-instance");
  CF_ASSIGN_OR_RETURN(const int64_t jobs, s.GetInt("jobs", 1, 64));
  c.worker.max_concurrent_jobs = static_cast<int>(jobs);
  CF_ASSIGN_OR_RETURN(c.worker.lease_wait, s.GetDuration("lease-wait"));
  if (c.worker.lease_wait > absl::Seconds(30)) return absl::InvalidArgumentError("--lease-wait: at most 30s");
  c.credential_file = s.Get("credential-file");
  c.provenance_dir = s.Get("provenance-dir");
  c.tls_ca_file = s.Get("tls-ca-file");
  CF_ASSIGN_OR_RETURN(c.plaintext, s.GetBool("plaintext"));
  CF_ASSIGN_OR_RETURN(c.log_level, ParseLogLevel(s.Get("log-level")));
  if (c.worker.server_address.empty()) return absl::InvalidArgumentError("--server: required");
  if (c.worker.work_dir.empty()) return absl::InvalidArgumentError("--work-dir: required");
  if (c.provenance_dir.empty()) return absl::InvalidArgumentError("--provenance-dir: required");
  return c;
}

// Blocks SIGINT/SIGTERM in this thread and every thread it starts, so that
// only the wait below sees them (as `serve` does).
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Waits for SIGINT/SIGTERM or for `finished`; the signal's number, or 0.
int WaitForSignalOr(const sigset_t& signals, const std::atomic<bool>& finished) {
  const timespec poll{.tv_sec = 0, .tv_nsec = 200'000'000};
  while (!finished.load()) {
    const int signal_number = sigtimedwait(&signals, nullptr, &poll);
    if (signal_number > 0) return signal_number;
  }
  return 0;
}

}  // namespace

int Worker(const std::vector<std::string>& args) {
  const auto specs = WorkerSpecs();
  auto settings = LoadOrExplain("worker", specs, args);
  if (!settings.ok()) return ExitCodeFor(settings.status());
  auto config = ConfigFrom(*settings);
  if (!config.ok()) return Fail(config.status().message());
  const char* env_credential = std::getenv(worker::kCredentialEnv);
  auto credential = worker::LoadWorkerCredential(config->credential_file, env_credential ? env_credential : "");
  if (!credential.ok()) return Fail(credential.status().message());
  config->worker.credential = *std::move(credential);
  auto channel = worker::ChooseChannelCredentials(config->worker.server_address, config->tls_ca_file,
                                                  config->plaintext);
  if (!channel.ok()) return Fail(channel.status().message());
  config->worker.channel_credentials = channel->credentials;
  const sigset_t signals = BlockShutdownSignals();

  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  kit::Logger logger(stdout, clock, config->log_level);
  auto signer = media::LoadOrCreateSigner(
      config->provenance_dir, media::SignerOptions{.common_name = config->worker.worker_instance}, clock.Now());
  if (!signer.ok()) return Fail(absl::StrCat("--provenance-dir: ", signer.status().message()));
  const bool tls = channel->tls;
  auto created = worker::ReferenceWorker::Create(config->worker, **signer, clock, ids, logger);
  if (!created.ok()) return Fail(created.status().message());
  std::unique_ptr<worker::ReferenceWorker> reference_worker = *std::move(created);
  logger.Info("worker_config", {{"server", config->worker.server_address},
                                {"tls", tls},
                                {"work_dir", config->worker.work_dir},
                                {"provenance_dir", config->provenance_dir}});

  std::atomic<bool> stop{false};
  std::atomic<bool> finished{false};
  absl::Status result;
  std::thread runner([&] {
    result = reference_worker->Run(stop);
    finished = true;
  });
  const int signal_number = WaitForSignalOr(signals, finished);
  if (signal_number != 0) logger.Info("shutting_down", {{"signal", signal_number}});
  stop = true;
  runner.join();
  if (!result.ok()) return Fail(result.message());
  logger.Info("stopped");
  return 0;
}

}  // namespace clipforge::clipforged
