#include "services/worker/file_digest.h"

#include <sodium.h>

#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"

namespace clipforge::worker {

absl::StatusOr<FileDigest> DigestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> buffer(1 << 20);
  FileDigest digest;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    if (got <= 0) break;
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buffer.data()),
                              static_cast<unsigned long long>(got));
    digest.size_bytes += got;
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat("read error in ", path));
  unsigned char raw[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, raw);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  digest.sha256_hex.assign(hex, crypto_hash_sha256_BYTES * 2);
  return digest;
}

}  // namespace clipforge::worker
