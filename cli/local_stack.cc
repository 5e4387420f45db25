#include "cli/local_stack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "cli/atomic_file.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace clipforge::cli {
namespace {

// stack.env is a few hundred bytes; anything much larger is not ours.
constexpr size_t kMaxStackEnvBytes = 64 * 1024;

bool IsNameChar(char c) { return absl::ascii_isalnum(c) || c == '.' || c == '-'; }

bool IsIpv6Char(char c) { return absl::ascii_isxdigit(c) || c == ':' || c == '.'; }

}  // namespace

bool IsPlainHostPort(absl::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return false;
  const absl::string_view host = address.substr(0, colon);
  const absl::string_view port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), absl::ascii_isdigit)) {
    return false;
  }
  int number = 0;
  if (!absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) return false;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const absl::string_view inside = host.substr(1, host.size() - 2);
    return !inside.empty() && std::all_of(inside.begin(), inside.end(), IsIpv6Char);
  }
  return !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), IsNameChar);
}

std::optional<std::string> RunningStackServer(absl::string_view stack_env) {
  std::optional<absl::string_view> state;
  std::optional<absl::string_view> address;
  for (const absl::string_view line : absl::StrSplit(stack_env, '\n')) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "export ")) continue;
    if (absl::ConsumePrefix(&rest, "CLIPFORGE_RUN_STATE=")) {
      state = rest;
    } else if (absl::ConsumePrefix(&rest, "CLIPFORGE_GRPC_ADDR=")) {
      address = rest;
    }
  }
  if (state != "running" || !address || !IsPlainHostPort(*address)) return std::nullopt;
  return std::string(*address);
}

std::optional<std::string> FindLocalStackServer(absl::string_view executable_path,
                                                const ReadFileFn& read_file) {
  if (!absl::StartsWith(executable_path, "/")) return std::nullopt;
  std::string dir(executable_path.substr(0, executable_path.rfind('/')));
  for (;;) {
    if (const auto text = read_file(dir + "/" + kStackEnvPath)) return RunningStackServer(*text);
    if (dir.empty()) return std::nullopt;  // "" is the root: "/.data/stack.env" was the last
    dir.erase(dir.rfind('/'));
  }
}

std::optional<std::string> ReadOwnPrivateFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  const absl::Cleanup close_fd = [fd] { ::close(fd); };
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & 077) != 0 || static_cast<size_t>(st.st_size) > kMaxStackEnvBytes) {
    return std::nullopt;
  }
  absl::StatusOr<std::string> text = ReadToEnd(fd, kMaxStackEnvBytes, path);
  if (!text.ok()) return std::nullopt;
  return *std::move(text);
}

std::string ExecutablePath() {
  std::vector<char> buffer(4096);
  const ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size());
  if (n <= 0 || static_cast<size_t>(n) >= buffer.size()) return "";
  return std::string(buffer.data(), static_cast<size_t>(n));
}

}  // namespace clipforge::cli
