#include "services/clipforged/auth_setup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/status_macros.h"

namespace clipforge::clipforged {

absl::StatusOr<TokenKeys> LoadTokenKeys(const std::string& signing_key_file, const std::string& verify_keys) {
  TokenKeys keys;
  if (!signing_key_file.empty()) {
    struct stat st;
    if (stat(signing_key_file.c_str(), &st) != 0) {
      return absl::NotFoundError(absl::StrCat("--token-signing-key-file: cannot read ", signing_key_file,
                                              " (create one with `clipforged keys generate`)"));
    }
    if ((st.st_mode & 077) != 0) {
      return absl::FailedPreconditionError(absl::StrCat("--token-signing-key-file: ", signing_key_file,
                                                        " must not be readable by group or others (chmod 600)"));
    }
    std::ifstream in(signing_key_file);
    std::stringstream text;
    text << in.rdbuf();
    CF_ASSIGN_OR_RETURN(const kit::KeyFileEntry seed,
                        kit::ParseSigningKeySeed(absl::StripAsciiWhitespace(text.str())));
    CF_ASSIGN_OR_RETURN(kit::AccessTokenSigner signer, kit::AccessTokenSigner::FromSeed(seed.key_id, seed.key));
    CF_RETURN_IF_ERROR(keys.keyring->AddPublicKey(signer.key_id(), signer.public_key()));
    keys.signer.emplace(std::move(signer));
  }
  for (absl::string_view entry : absl::StrSplit(verify_keys, ',', absl::SkipWhitespace())) {
    absl::StatusOr<kit::KeyFileEntry> key = kit::ParseVerifyKey(absl::StripAsciiWhitespace(entry));
    if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat("--token-verify-keys: ", key.status().message()));
    CF_RETURN_IF_ERROR(keys.keyring->AddPublicKey(key->key_id, key->key));
  }
  return keys;
}

absl::Status WriteNewSigningKey(const std::string& path, const std::string& key_id) {
  base::SecureRandom random;
  const std::string seed = kit::GenerateSigningKeySeed(random);
  const std::string text = kit::FormatSigningKeySeed(key_id, seed) + "\n";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat(path, ": exists or cannot be created"));
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!written) return absl::InternalError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

}  // namespace clipforge::clipforged
