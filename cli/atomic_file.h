// Files that readers see either whole or not at all, and private
// directories. Used for credentials.json and data exports.
#pragma once

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::cli {

// Creates `dir` and any missing parents with mode 0700; tightens `dir`
// itself to 0700 when it already exists with group or other access.
absl::Status MakePrivateDir(absl::string_view dir);

// A new file written under a temporary name in its final directory. Commit
// flushes it to disk and renames it into place (replacing any old file);
// a file never committed is removed when the object goes away.
class AtomicFile {
 public:
  // The temporary file is created in `dir` with `mode` (e.g. 0600).
  static absl::StatusOr<AtomicFile> Create(absl::string_view dir, mode_t mode);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  absl::Status Append(absl::string_view bytes);
  // `path` must be in the directory given to Create.
  absl::Status Commit(absl::string_view path);
  const std::string& temp_path() const { return temp_path_; }

 private:
  AtomicFile(int fd, std::string dir, std::string temp_path)
      : fd_(fd), dir_(std::move(dir)), temp_path_(std::move(temp_path)) {}
  void Discard();

  int fd_ = -1;
  std::string dir_;
  std::string temp_path_;
};

// Replaces `path` with `contents` atomically; the file gets `mode`.
absl::Status WriteFileAtomically(absl::string_view path, absl::string_view contents, mode_t mode);

// Reads `fd` to its end: OUT_OF_RANGE once it holds more than `max_bytes`
// (a file growing while read included), an errno status ("what: ...") when
// a read fails.
absl::StatusOr<std::string> ReadToEnd(int fd, size_t max_bytes, absl::string_view what);

// "a/b/c" -> "a/b"; "c" -> ".".
std::string DirName(absl::string_view path);

// An errno as a status: "what: strerror" with a fitting code.
absl::Status ErrnoError(int error, absl::string_view what);

}  // namespace clipforge::cli
