#include "cli/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace clipforge::cli {

absl::Status ErrnoError(int error, absl::string_view what) {
  const std::string message = absl::StrCat(what, ": ", std::strerror(error));
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::StatusOr<std::string> ReadToEnd(int fd, size_t max_bytes, absl::string_view what) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, what);
    }
    if (n == 0) return text;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > max_bytes) return absl::OutOfRangeError(absl::StrCat(what, ": more than ", max_bytes, " bytes"));
  }
}

std::string DirName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

absl::Status MakePrivateDir(absl::string_view dir) {
  if (dir.empty()) return absl::InvalidArgumentError("empty directory name");
  std::string path(dir);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  // Create each missing component, outermost first.
  std::vector<std::string> missing;
  for (std::string p = path; !p.empty() && p != "/" && p != ".";) {
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        return absl::FailedPreconditionError(absl::StrCat(p, " is not a directory"));
      }
      break;
    }
    if (errno != ENOENT) return ErrnoError(errno, absl::StrCat("cannot inspect ", p));
    missing.push_back(p);
    const std::string parent = DirName(p);
    if (parent == p) break;
    p = parent;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoError(errno, absl::StrCat("cannot create ", *it));
    }
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoError(errno, absl::StrCat("cannot inspect ", path));
  if ((st.st_mode & 077) != 0 && st.st_uid == ::geteuid()) {
    if (::chmod(path.c_str(), 0700) != 0) {
      return ErrnoError(errno, absl::StrCat("cannot make ", path, " private"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AtomicFile> AtomicFile::Create(absl::string_view dir, mode_t mode) {
  std::string pattern = absl::StrCat(dir, "/.clipforge-XXXXXX.tmp");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = ::mkstemps(buffer.data(), 4);
  if (fd < 0) return ErrnoError(errno, absl::StrCat("cannot create a file in ", dir));
  AtomicFile file(fd, std::string(dir), std::string(buffer.data()));
  if (::fchmod(fd, mode) != 0) return ErrnoError(errno, absl::StrCat("cannot chmod ", file.temp_path_));
  return file;
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      dir_(std::move(other.dir_)),
      temp_path_(std::exchange(other.temp_path_, std::string())) {}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    Discard();
    fd_ = std::exchange(other.fd_, -1);
    dir_ = std::move(other.dir_);
    temp_path_ = std::exchange(other.temp_path_, std::string());
  }
  return *this;
}

AtomicFile::~AtomicFile() { Discard(); }

void AtomicFile::Discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

absl::Status AtomicFile::Append(absl::string_view bytes) {
  if (fd_ < 0) return absl::FailedPreconditionError("file already committed");
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, absl::StrCat("cannot write ", temp_path_));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status AtomicFile::Commit(absl::string_view path) {
  if (fd_ < 0) return absl::FailedPreconditionError("file already committed");
  if (::fsync(fd_) != 0) return ErrnoError(errno, absl::StrCat("cannot flush ", temp_path_));
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return ErrnoError(errno, absl::StrCat("cannot write ", temp_path_));
  const std::string target(path);
  if (::rename(temp_path_.c_str(), target.c_str()) != 0) {
    return ErrnoError(errno, absl::StrCat("cannot move ", temp_path_, " to ", target));
  }
  temp_path_.clear();
  // Make the rename itself durable.
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(absl::string_view path, absl::string_view contents, mode_t mode) {
  CF_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(DirName(path), mode));
  CF_RETURN_IF_ERROR(file.Append(contents));
  return file.Commit(path);
}

}  // namespace clipforge::cli
