// The stored session: credentials.json in the config directory. The file
// holds secrets (the tokens), so it is written atomically with mode 0600 in
// a 0700 directory, and a file that others could read is refused.
//
// Format (JSON object, all strings; times RFC 3339 UTC):
//   {"version":1,"server":"127.0.0.1:50051","user_id":"...","handle":"alice",
//    "session_id":"...","access_token":"...","access_token_expire_time":"...",
//    "refresh_token":"...","refresh_token_expire_time":"..."}
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace clipforge::cli {

struct Credentials {
  std::string server;  // the --server the session belongs to
  std::string user_id;
  std::string handle;
  std::string session_id;
  std::string access_token;
  absl::Time access_token_expire_time = absl::InfinitePast();
  std::string refresh_token;
  absl::Time refresh_token_expire_time = absl::InfinitePast();
};

std::string SerializeCredentials(const Credentials& credentials);
// INVALID_ARGUMENT naming what is wrong (never echoing a token).
absl::StatusOr<Credentials> ParseCredentials(absl::string_view json);

// Releases an advisory lock (flock) when destroyed.
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  int fd_;
};

class CredentialStore {
 public:
  explicit CredentialStore(std::string dir);

  const std::string& dir() const { return dir_; }
  const std::string& path() const { return path_; }

  // NOT_FOUND when there is no file. FAILED_PRECONDITION when the file is
  // not a regular file owned by this user, or is open to group or others
  // (the message says how to fix it); DATA_LOSS when it cannot be parsed.
  absl::StatusOr<Credentials> Load() const;
  // Creates the directory (0700) and replaces the file atomically (0600).
  absl::Status Save(const Credentials& credentials) const;
  // Removes the file; OK when there is none.
  absl::Status Remove() const;
  // Blocks until this process holds the exclusive lock that serializes
  // token refreshes between concurrent clipforge processes.
  absl::StatusOr<FileLock> Lock() const;

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace clipforge::cli
