#include "services/worker/worker_credential.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace clipforge::worker {
namespace {

constexpr size_t kMaxCredentialChars = 1024;

absl::Status CheckCredential(absl::string_view credential, absl::string_view source) {
  const bool visible = std::all_of(credential.begin(), credential.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (credential.empty() || credential.size() > kMaxCredentialChars || !visible) {
    // The credential itself is never quoted, not even a bad one.
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the worker credential must be 1-1024 visible ASCII characters"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> LoadWorkerCredential(const std::string& file, absl::string_view env_value) {
  if (file.empty()) {
    const std::string credential(absl::StripAsciiWhitespace(env_value));
    if (credential.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--credential-file is required (or the credential itself in ", kCredentialEnv, ")"));
    }
    if (absl::Status s = CheckCredential(credential, kCredentialEnv); !s.ok()) return s;
    return credential;
  }
  struct stat st;
  if (stat(file.c_str(), &st) != 0) return absl::NotFoundError(absl::StrCat("--credential-file: cannot read ", file));
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("--credential-file: ", file, " must not be readable by group or others (chmod 600)"));
  }
  std::ifstream in(file);
  if (!in) return absl::NotFoundError(absl::StrCat("--credential-file: cannot read ", file));
  std::stringstream text;
  text << in.rdbuf();
  const std::string credential(absl::StripAsciiWhitespace(text.str()));
  if (absl::Status s = CheckCredential(credential, absl::StrCat("--credential-file ", file)); !s.ok()) return s;
  return credential;
}

}  // namespace clipforge::worker
