// Flag handling shared by the subcommands.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/kit/settings.h"

namespace clipforge::clipforged {

kit::SettingSpec DatabaseUrlSpec();

// Loads settings; on --help prints usage and returns CANCELLED (exit 0), on
// a bad flag prints the error and usage and returns INVALID_ARGUMENT.
absl::StatusOr<kit::Settings> LoadOrExplain(absl::string_view command,
                                            const std::vector<kit::SettingSpec>& specs,
                                            const std::vector<std::string>& args);

int ExitCodeFor(const absl::Status& status);

// Prints "clipforged: <message>" to stderr and returns exit code 1.
int Fail(absl::string_view message);

}  // namespace clipforge::clipforged
