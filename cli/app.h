// One clipforge invocation: parse the command line, resolve the config, run
// the command, report the outcome. main() only wires the process into it.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "cli/config.h"
#include "cli/terminal.h"

namespace clipforge::cli {

// `args` excludes the program name. Returns the process exit code.
int RunCli(const std::vector<std::string>& args, const GetEnvFn& getenv,
           const LocalStackFn& local_stack, Terminal& terminal, FILE* out, FILE* err);

}  // namespace clipforge::cli
