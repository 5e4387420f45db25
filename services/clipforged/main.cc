// clipforged: hosts any subset of the ClipForge services, applies
// migrations, and operates the bus. main only dispatches.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "services/clipforged/commands.h"

namespace {

constexpr char kUsage[] =
    "usage: clipforged COMMAND [--flag=value ...]\n"
    "\n"
    "commands:\n"
    "  serve        host services (--services=all|users,feed,...) on one gRPC port\n"
    "  migrate      apply migrations/NNNN_*.sql in order (safe to run concurrently)\n"
    "  bus redrive  republish outbox events published since --since=RFC3339\n"
    "  keys generate      write a new access-token signing key (--key-file=PATH)\n"
    "  admin make-admin   give a registered user the admin role (--handle=NAME)\n"
    "  admin worker-credential create|revoke   a generation worker's credential (--name=NAME)\n"
    "  admin set-tier     a user's subscription tier for generation (--user-id=ID --tier=free|plus|pro)\n"
    "  pdq FILE...  print PDQ perceptual hashes (HASH QUALITY) of images; --frames: per video frame\n"
    "  worker       render generation jobs leased from a server (--server, --credential-file)\n"
    "\n"
    "Run 'clipforged COMMAND --help' for the flags of a command. Every flag can\n"
    "also be set as CLIPFORGE_<FLAG> in the environment or as 'flag = value' in\n"
    "the file named by --config or CLIPFORGE_CONFIG.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") return clipforge::clipforged::Serve(args);
  if (command == "migrate") return clipforge::clipforged::Migrate(args);
  if (command == "bus" && !args.empty() && args[0] == "redrive") {
    args.erase(args.begin());
    return clipforge::clipforged::BusRedrive(args);
  }
  if (command == "keys" && !args.empty() && args[0] == "generate") {
    args.erase(args.begin());
    return clipforge::clipforged::KeysGenerate(args);
  }
  if (command == "admin" && !args.empty() && args[0] == "make-admin") {
    args.erase(args.begin());
    return clipforge::clipforged::AdminMakeAdmin(args);
  }
  if (command == "admin" && !args.empty() && args[0] == "worker-credential") {
    args.erase(args.begin());
    return clipforge::clipforged::AdminWorkerCredential(args);
  }
  if (command == "admin" && !args.empty() && args[0] == "set-tier") {
    args.erase(args.begin());
    return clipforge::clipforged::AdminSetTier(args);
  }
  if (command == "pdq") return clipforge::clipforged::Pdq(args);
  if (command == "worker") return clipforge::clipforged::Worker(args);
  std::fprintf(stderr, "clipforged: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}
