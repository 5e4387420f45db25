// The clipforged subcommands. Each returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace clipforge::clipforged {

int Serve(const std::vector<std::string>& args);
int Migrate(const std::vector<std::string>& args);
int BusRedrive(const std::vector<std::string>& args);
int KeysGenerate(const std::vector<std::string>& args);
int AdminMakeAdmin(const std::vector<std::string>& args);
// generation_admin_commands.cc
int AdminWorkerCredential(const std::vector<std::string>& args);
int AdminSetTier(const std::vector<std::string>& args);
int Pdq(const std::vector<std::string>& args);
int Worker(const std::vector<std::string>& args);

}  // namespace clipforge::clipforged
