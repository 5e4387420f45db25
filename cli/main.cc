// clipforge: the command-line client for trying ClipForge. main only wires
// the process (arguments, environment, stdio) into RunCli.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/local_stack.h"
#include "cli/terminal.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  clipforge::cli::StdioTerminal terminal;
  return clipforge::cli::RunCli(
      args, [](const char* name) -> const char* { return std::getenv(name); },
      [] {
        return clipforge::cli::FindLocalStackServer(clipforge::cli::ExecutablePath(),
                                                    clipforge::cli::ReadOwnPrivateFile);
      },
      terminal, stdout, stderr);
}
