#include "cli/credentials.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/atomic_file.h"
#include "base/json_writer.h"
#include "cli/time_format.h"
#include "base/status_macros.h"

namespace clipforge::cli {
namespace {

constexpr int kVersion = 1;
constexpr size_t kMaxFileSize = 64 * 1024;

absl::StatusOr<std::string> StringField(const google::protobuf::Struct& object, const char* key,
                                        bool required) {
  const auto it = object.fields().find(key);
  if (it == object.fields().end()) {
    if (required) return absl::InvalidArgumentError(absl::StrCat("missing \"", key, "\""));
    return std::string();
  }
  if (it->second.kind_case() != google::protobuf::Value::kStringValue) {
    return absl::InvalidArgumentError(absl::StrCat("\"", key, "\" is not a string"));
  }
  if (required && it->second.string_value().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", key, "\" is empty"));
  }
  return it->second.string_value();
}

absl::StatusOr<absl::Time> TimeField(const google::protobuf::Struct& object, const char* key) {
  CF_ASSIGN_OR_RETURN(const std::string text, StringField(object, key, /*required=*/true));
  absl::StatusOr<absl::Time> time = ParseRfc3339(text);
  if (!time.ok()) return absl::InvalidArgumentError(absl::StrCat("\"", key, "\" is not a time"));
  return time;
}

}  // namespace

std::string SerializeCredentials(const Credentials& c) {
  base::JsonWriter json;
  json.BeginObject();
  json.Key("version").Int(kVersion);
  json.Key("server").String(c.server);
  json.Key("user_id").String(c.user_id);
  json.Key("handle").String(c.handle);
  json.Key("session_id").String(c.session_id);
  json.Key("access_token").String(c.access_token);
  json.Key("access_token_expire_time").String(FormatRfc3339(c.access_token_expire_time));
  json.Key("refresh_token").String(c.refresh_token);
  json.Key("refresh_token_expire_time").String(FormatRfc3339(c.refresh_token_expire_time));
  json.EndObject();
  return json.str() + "\n";
}

absl::StatusOr<Credentials> ParseCredentials(absl::string_view json) {
  google::protobuf::Struct object;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &object);
  if (!parsed.ok()) return absl::InvalidArgumentError("not a JSON object");
  const auto version = object.fields().find("version");
  if (version == object.fields().end() ||
      version->second.kind_case() != google::protobuf::Value::kNumberValue ||
      version->second.number_value() != kVersion) {
    return absl::InvalidArgumentError(absl::StrCat("\"version\" is not ", kVersion));
  }
  Credentials c;
  CF_ASSIGN_OR_RETURN(c.server, StringField(object, "server", true));
  CF_ASSIGN_OR_RETURN(c.user_id, StringField(object, "user_id", true));
  CF_ASSIGN_OR_RETURN(c.handle, StringField(object, "handle", true));
  CF_ASSIGN_OR_RETURN(c.session_id, StringField(object, "session_id", false));
  CF_ASSIGN_OR_RETURN(c.access_token, StringField(object, "access_token", true));
  CF_ASSIGN_OR_RETURN(c.access_token_expire_time, TimeField(object, "access_token_expire_time"));
  CF_ASSIGN_OR_RETURN(c.refresh_token, StringField(object, "refresh_token", true));
  CF_ASSIGN_OR_RETURN(c.refresh_token_expire_time, TimeField(object, "refresh_token_expire_time"));
  return c;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

CredentialStore::CredentialStore(std::string dir)
    : dir_(std::move(dir)), path_(absl::StrCat(dir_, "/credentials.json")) {}

absl::StatusOr<Credentials> CredentialStore::Load() const {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no credentials at ", path_));
    if (errno == ELOOP) {
      return absl::FailedPreconditionError(
          absl::StrCat("refusing to read ", path_, ": it is a symbolic link; remove it and run "
                       "`clipforge login`"));
    }
    return ErrnoError(errno, absl::StrCat("cannot read ", path_));
  }
  const absl::Cleanup close_fd = [fd] { ::close(fd); };
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError(errno, absl::StrCat("cannot inspect ", path_));
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("refusing to read ", path_,
                                                      ": not a regular file"));
  }
  if (st.st_uid != ::geteuid()) {
    return absl::FailedPreconditionError(
        absl::StrCat("refusing to read ", path_, ": it belongs to another user; remove it and "
                     "run `clipforge login`"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "refusing to read %s: other users may read it (mode %04o); fix it with `chmod 600 %s` "
        "(and run `clipforge logout --everywhere` if someone else could have read it)",
        path_, st.st_mode & 07777, path_));
  }
  if (static_cast<size_t>(st.st_size) > kMaxFileSize) {
    return absl::DataLossError(absl::StrCat(path_, " is too large to be a credentials file"));
  }
  absl::StatusOr<std::string> text = ReadToEnd(fd, kMaxFileSize, absl::StrCat("cannot read ", path_));
  if (absl::IsOutOfRange(text.status())) {
    return absl::DataLossError(absl::StrCat(path_, " is too large to be a credentials file"));
  }
  if (!text.ok()) return text.status();
  absl::StatusOr<Credentials> credentials = ParseCredentials(*text);
  if (!credentials.ok()) {
    return absl::DataLossError(absl::StrCat(path_, " is damaged (", credentials.status().message(),
                                            "); run `clipforge login` to replace it"));
  }
  return credentials;
}

absl::Status CredentialStore::Save(const Credentials& credentials) const {
  CF_RETURN_IF_ERROR(MakePrivateDir(dir_));
  return WriteFileAtomically(path_, SerializeCredentials(credentials), 0600);
}

absl::Status CredentialStore::Remove() const {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError(errno, absl::StrCat("cannot remove ", path_));
  }
  return absl::OkStatus();
}

absl::StatusOr<FileLock> CredentialStore::Lock() const {
  CF_RETURN_IF_ERROR(MakePrivateDir(dir_));
  const std::string lock_path = absl::StrCat(dir_, "/credentials.lock");
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError(errno, absl::StrCat("cannot open ", lock_path));
  FileLock lock(fd);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoError(errno, absl::StrCat("cannot lock ", lock_path));
  }
  return lock;
}

}  // namespace clipforge::cli
