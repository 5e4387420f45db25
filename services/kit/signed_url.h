// Signed, expiring URLs for blobs of the blob store (blob_store.h), served by
// BlobHttpServer (blob_http_server.h) to players that cannot send an access
// token (a <video> element, ffprobe, a phone's media stack).
//
// Format (the path and query of the URL; the host is the server's):
//
//   /media/<sha256>?ct=<content type, percent-encoded>&exp=<unix s>&sig=<b64>
//
// sha256 is the blob's name (64 lowercase hex digits), exp the first second
// at which the URL no longer works, and sig the HMAC-SHA-256 (libsodium
// crypto_auth_hmacsha256, keyed with the server's secret) in base64url
// without padding, over this canonical encoding (integers big-endian):
//
//   u32 length, "clipforge-media-url-v1"   (domain tag: this key signs
//                                            nothing else, and a v2 cannot
//                                            be confused with v1)
//   u32 length, sha256
//   u32 length, content type (decoded)
//   i64 exp
//
// Every field is length-prefixed, so no bytes can move from one field to
// another with the MAC intact. The content type is signed because the
// server answers with it: only the types on kServableContentTypes can be
// signed or served, so no URL can make the server send text/html or script.
// The query's parameters may come in any order; an unknown or repeated one
// makes the URL malformed.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace clipforge::kit {

inline constexpr absl::string_view kMediaPathPrefix = "/media/";
inline constexpr size_t kMinUrlSigningKeyBytes = 32;
// A key file holds exactly this many random bytes.
inline constexpr size_t kUrlSigningKeyFileBytes = 32;
// Longer request targets are malformed (a real one is about 150 bytes).
inline constexpr size_t kMaxSignedTargetBytes = 1024;

// The media types a signed URL may carry (and the server may answer with).
inline constexpr absl::string_view kServableContentTypes[] = {
    "video/mp4",  "image/jpeg", "image/png", "image/webp", "application/c2pa",
    "audio/mpeg", "audio/mp4",  "audio/aac", "audio/ogg",  "audio/wav",
};

// True when `content_type` is exactly one of kServableContentTypes.
bool IsServableContentType(absl::string_view content_type);

// What a verified URL grants: reading one blob, served as one type, until
// `expires`.
struct SignedBlob {
  std::string sha256;
  std::string content_type;
  absl::Time expires;  // Whole seconds.
};

class UrlSigner {
 public:
  // `key`: the secret, at least kMinUrlSigningKeyBytes bytes (INVALID_ARGUMENT
  // otherwise). Every server that verifies a URL needs the key that signed it.
  static absl::StatusOr<UrlSigner> Create(absl::string_view key);

  UrlSigner(const UrlSigner&) = default;
  UrlSigner& operator=(const UrlSigner&) = default;
  UrlSigner(UrlSigner&&) = default;
  UrlSigner& operator=(UrlSigner&&) = default;
  ~UrlSigner();  // Wipes the key.

  // The path and query granting `blob_sha256` as `content_type` until
  // `expires` (floored to a whole second). INVALID_ARGUMENT for a malformed
  // blob name, a content type not on kServableContentTypes, or an expiry
  // before 1970.
  absl::StatusOr<std::string> Sign(absl::string_view blob_sha256, absl::string_view content_type,
                                   absl::Time expires) const;

  // Checks a request target made by Sign. INVALID_ARGUMENT when it is not of
  // the format above (wrong path, missing or unknown parameters, bad
  // encoding); PERMISSION_DENIED when the signature is missing or does not
  // match (any field changed), or when `now` >= exp. The signature is
  // compared in constant time (crypto_verify_32).
  absl::StatusOr<SignedBlob> Verify(absl::string_view target, absl::Time now) const;

 private:
  explicit UrlSigner(std::string key) : key_(std::move(key)) {}

  // HMAC-SHA-256 of the canonical encoding; `mac` holds 32 bytes.
  void Mac(absl::string_view sha256, absl::string_view content_type, int64_t exp,
           unsigned char* mac) const;

  std::string key_;
};

// The signer for the key in `key_file`: kUrlSigningKeyFileBytes raw bytes.
// A missing file is created with fresh random bytes and mode 0600 (written
// to a temporary file and linked into place, so concurrent starters all end
// up with the one key that won). FAILED_PRECONDITION for a file of another
// size or one readable or writable by group or others; INTERNAL for I/O
// errors.
absl::StatusOr<UrlSigner> LoadOrCreateUrlSigner(const std::string& key_file);

// The raw key in `key_file` (kUrlSigningKeyFileBytes bytes), created as
// LoadOrCreateUrlSigner creates it: for other HMAC keys kept the same way
// (the feed's page tokens).
absl::StatusOr<std::string> LoadOrCreateKeyFile(const std::string& key_file);

// How a service makes media URLs: the signer (null when none is
// configured) and the origin the URLs name, e.g. "https://media.example.com".
struct MediaUrls {
  const UrlSigner* signer = nullptr;
  std::string base;
};

}  // namespace clipforge::kit
