#include "tests/support/clipforged_process.h"

#include <gtest/gtest.h>

namespace clipforge::testing {

CommandResult RunClipforged(const std::string& binary, const std::vector<std::string>& args) {
  TempDir dir;
  const std::string log = dir.path() + "/out.log";
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  const int code = RunCommand(argv, log);
  return {code, ReadFileToString(log)};
}

std::unique_ptr<ClipforgedServer> ClipforgedServer::Start(const std::string& binary, ServeOptions options) {
  std::unique_ptr<ClipforgedServer> server(new ClipforgedServer());
  if (!options.database_url.empty()) {
    const CommandResult migrated = RunClipforged(binary, {"migrate", "--database-url=" + options.database_url});
    if (migrated.exit_code != 0) {
      ADD_FAILURE() << "clipforged migrate failed:\n" << migrated.output;
      return nullptr;
    }
  }
  server->grpc_port_ = PickFreePort();
  server->metrics_port_ = PickFreePort();
  server->log_path_ = server->dir_.path() + "/clipforged.log";
  server->argv_ = {binary, "serve", "--services=" + options.services,
                   "--grpc-addr=" + server->address(),
                   "--metrics-addr=127.0.0.1:" + std::to_string(server->metrics_port_)};
  if (!options.database_url.empty()) server->argv_.push_back("--database-url=" + options.database_url);
  if (!options.nats_url.empty()) server->argv_.push_back("--nats-url=" + options.nats_url);
  if (options.signing_key) {
    server->key_file_ = server->dir_.path() + "/signing.key";
    const CommandResult made = RunClipforged(binary, {"keys", "generate", "--key-file=" + server->key_file_});
    if (made.exit_code != 0) {
      ADD_FAILURE() << "clipforged keys generate failed:\n" << made.output;
      return nullptr;
    }
    server->argv_.push_back("--token-signing-key-file=" + server->key_file_);
  }
  server->argv_.insert(server->argv_.end(), options.extra_flags.begin(), options.extra_flags.end());
  if (!server->Launch()) return nullptr;
  return server;
}

bool ClipforgedServer::Restart() { return Launch(); }

bool ClipforgedServer::Launch() {
  if (!daemon_.Start(argv_, log_path_)) {
    ADD_FAILURE() << "cannot start " << argv_[0];
    return false;
  }
  if (!WaitForPort(grpc_port_, 30000)) {
    ADD_FAILURE() << "clipforged did not accept on " << address() << ":\n" << log();
    return false;
  }
  return true;
}

}  // namespace clipforge::testing
