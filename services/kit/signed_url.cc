#include "services/kit/signed_url.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/random.h"
#include "services/kit/blob_store.h"

namespace clipforge::kit {
namespace {

constexpr absl::string_view kDomainTag = "clipforge-media-url-v1";
constexpr size_t kMacBytes = crypto_auth_hmacsha256_BYTES;
static_assert(kMacBytes == 32, "crypto_verify_32 compares 32-byte MACs");

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void AppendField(std::string& out, absl::string_view field) {
  AppendBigEndian(out, field.size(), 4);
  out.append(field.data(), field.size());
}

bool IsUnreserved(char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string PercentEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (IsUnreserved(c)) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; other characters must be unreserved or '/', which is
// all a servable content type needs ('+' is not a space here).
std::optional<std::string> PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (IsUnreserved(text[i]) || text[i] == '/') {
      out.push_back(text[i]);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// Unix seconds as 1-19 decimal digits (no sign, no spaces).
std::optional<int64_t> ParseUnixSeconds(absl::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) return std::nullopt;
  return value;
}

absl::Status Malformed(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("media url: ", why));
}

// One refusal text for every signature problem, so answers do not tell a
// forger which part was wrong.
absl::Status Denied() { return absl::PermissionDeniedError("media url: bad or missing signature"); }

}  // namespace

bool IsServableContentType(absl::string_view content_type) {
  for (absl::string_view allowed : kServableContentTypes) {
    if (content_type == allowed) return true;
  }
  return false;
}

absl::StatusOr<UrlSigner> UrlSigner::Create(absl::string_view key) {
  if (key.size() < kMinUrlSigningKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("media url key: at least ", kMinUrlSigningKeyBytes, " bytes"));
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  return UrlSigner(std::string(key));
}

UrlSigner::~UrlSigner() { sodium_memzero(key_.data(), key_.size()); }

void UrlSigner::Mac(absl::string_view sha256, absl::string_view content_type, int64_t exp,
                    unsigned char* mac) const {
  std::string message;
  AppendField(message, kDomainTag);
  AppendField(message, sha256);
  AppendField(message, content_type);
  AppendBigEndian(message, static_cast<uint64_t>(exp), 8);
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(&state, sizeof state);
}

absl::StatusOr<std::string> UrlSigner::Sign(absl::string_view blob_sha256, absl::string_view content_type,
                                            absl::Time expires) const {
  if (!IsBlobName(blob_sha256)) return absl::InvalidArgumentError("media url: blob: 64 lowercase hex digits");
  if (!IsServableContentType(content_type)) {
    return absl::InvalidArgumentError("media url: content type: not a servable media type");
  }
  const int64_t exp = absl::ToUnixSeconds(expires);
  if (exp < 0) return absl::InvalidArgumentError("media url: expiry: before 1970");
  unsigned char mac[kMacBytes];
  Mac(blob_sha256, content_type, exp, mac);
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string sig(sodium_base64_ENCODED_LEN(sizeof mac, variant), '\0');
  sodium_bin2base64(sig.data(), sig.size(), mac, sizeof mac, variant);
  sig.resize(std::strlen(sig.c_str()));  // ENCODED_LEN counts the terminating NUL.
  return absl::StrCat(kMediaPathPrefix, blob_sha256, "?ct=", PercentEncode(content_type), "&exp=", exp,
                      "&sig=", sig);
}

absl::StatusOr<SignedBlob> UrlSigner::Verify(absl::string_view target, absl::Time now) const {
  if (target.size() > kMaxSignedTargetBytes) return Malformed("too long");
  if (!absl::StartsWith(target, kMediaPathPrefix)) return Malformed("not under /media/");
  target.remove_prefix(kMediaPathPrefix.size());
  const size_t question = target.find('?');
  if (question == absl::string_view::npos) return Malformed("no query");
  const absl::string_view sha256 = target.substr(0, question);
  if (!IsBlobName(sha256)) return Malformed("blob: 64 lowercase hex digits");

  std::optional<absl::string_view> ct, exp, sig;
  for (absl::string_view pair : absl::StrSplit(target.substr(question + 1), '&')) {
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) return Malformed("a parameter without a value");
    const absl::string_view name = pair.substr(0, equals);
    std::optional<absl::string_view>* slot = nullptr;
    if (name == "ct") slot = &ct;
    if (name == "exp") slot = &exp;
    if (name == "sig") slot = &sig;
    if (slot == nullptr) return Malformed("unknown parameter");
    if (slot->has_value()) return Malformed("repeated parameter");
    *slot = pair.substr(equals + 1);
  }
  if (!ct || !exp) return Malformed("ct and exp are required");
  const std::optional<std::string> content_type = PercentDecode(*ct);
  if (!content_type || content_type->empty()) return Malformed("ct: bad encoding");
  const std::optional<int64_t> exp_seconds = ParseUnixSeconds(*exp);
  if (!exp_seconds) return Malformed("exp: unix seconds");

  if (!sig) return Denied();
  unsigned char presented[kMacBytes];
  size_t presented_size = 0;
  if (sodium_base642bin(presented, sizeof presented, sig->data(), sig->size(), /*ignore=*/nullptr,
                        &presented_size, /*b64_end=*/nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      presented_size != kMacBytes) {
    return Denied();
  }
  unsigned char expected[kMacBytes];
  Mac(sha256, *content_type, *exp_seconds, expected);
  if (crypto_verify_32(presented, expected) != 0) return Denied();

  const absl::Time expires = absl::FromUnixSeconds(*exp_seconds);
  if (now >= expires) return absl::PermissionDeniedError("media url: expired");
  // Unreachable with an honest key (Sign refuses such types); kept so a type
  // dropped from the list stops being served at once.
  if (!IsServableContentType(*content_type)) return absl::PermissionDeniedError("media url: content type");
  return SignedBlob{.sha256 = std::string(sha256), .content_type = *content_type, .expires = expires};
}

namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat("key file ", path, ": ", what, ": ", std::strerror(errno)));
}

// Reads the whole key file (it must be exactly kUrlSigningKeyFileBytes).
absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    close(fd);
    return Errno("cannot stat", path);
  }
  if ((st.st_mode & 077) != 0) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "key file ", path, ": must not be accessible by group or others (chmod 600)"));
  }
  if (!S_ISREG(st.st_mode) || st.st_size != static_cast<off_t>(kUrlSigningKeyFileBytes)) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat("key file ", path, ": must hold exactly ",
                                                      kUrlSigningKeyFileBytes, " bytes"));
  }
  std::string key(kUrlSigningKeyFileBytes, '\0');
  size_t got = 0;
  while (got < key.size()) {
    const ssize_t n = read(fd, key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  if (got != key.size()) {
    sodium_memzero(key.data(), key.size());
    return absl::InternalError(absl::StrCat("key file ", path, ": short read"));
  }
  return key;
}

// Writes a fresh key to a temporary file and links it into place. link(2),
// unlike rename(2), never replaces a file: when another process created the
// key first, EEXIST sends us to read theirs.
absl::Status CreateKeyFile(const std::string& path) {
  unsigned char key[kUrlSigningKeyFileBytes];
  base::SecureRandom().Fill(key, sizeof key);
  std::string temporary = absl::StrCat(path, ".XXXXXX");
  const int fd = mkstemp(temporary.data());  // Mode 0600.
  if (fd < 0) {
    sodium_memzero(key, sizeof key);
    return Errno("cannot create a temporary file", path);
  }
  size_t written = 0;
  while (written < sizeof key) {
    const ssize_t n = write(fd, key + written, sizeof key - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  sodium_memzero(key, sizeof key);
  const bool synced = written == sizeof key && fsync(fd) == 0;
  close(fd);
  if (!synced) {
    unlink(temporary.c_str());
    return Errno("cannot write", path);
  }
  const bool linked = link(temporary.c_str(), path.c_str()) == 0 || errno == EEXIST;
  const int link_errno = errno;
  unlink(temporary.c_str());
  if (!linked) {
    errno = link_errno;
    return Errno("cannot link into place", path);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> LoadOrCreateKeyFile(const std::string& key_file) {
  struct stat st {};
  if (lstat(key_file.c_str(), &st) != 0) {
    if (errno != ENOENT) return Errno("cannot stat", key_file);
    if (absl::Status created = CreateKeyFile(key_file); !created.ok()) return created;
  }
  return ReadKeyFile(key_file);
}

absl::StatusOr<UrlSigner> LoadOrCreateUrlSigner(const std::string& key_file) {
  absl::StatusOr<std::string> key = LoadOrCreateKeyFile(key_file);
  if (!key.ok()) return key.status();
  absl::StatusOr<UrlSigner> signer = UrlSigner::Create(*key);
  sodium_memzero(key->data(), key->size());
  return signer;
}

}  // namespace clipforge::kit
