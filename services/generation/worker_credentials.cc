#include "services/generation/worker_credentials.h"

#include <sodium.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/validation.h"

namespace clipforge::generation_service {
namespace {

constexpr absl::string_view kPrefix = "cfw_";
constexpr size_t kSecretBytes = 32;
constexpr size_t kUuidChars = 36;

absl::Status Refused() { return absl::UnauthenticatedError("authorization: not a valid worker credential"); }

}  // namespace

absl::StatusOr<ParsedCredential> ParseWorkerCredential(absl::string_view text) {
  if (!absl::ConsumePrefix(&text, kPrefix) || text.size() <= kUuidChars + 1 || text[kUuidChars] != '_') {
    return Refused();
  }
  ParsedCredential parsed{.credential_id = std::string(text.substr(0, kUuidChars))};
  if (!base::IsCanonicalUuid(parsed.credential_id) ||
      !absl::WebSafeBase64Unescape(text.substr(kUuidChars + 1), &parsed.secret) ||
      parsed.secret.size() != kSecretBytes) {
    return Refused();
  }
  return parsed;
}

absl::StatusOr<IssuedCredential> IssueWorkerCredential(GenerationStore& store, base::UuidV7Generator& ids,
                                                       base::RandomSource& random, const base::Clock& clock,
                                                       const std::string& name) {
  base::FieldValidator v;
  v.Check(!name.empty() && name.size() <= 64, "name", "must be 1-64 characters");
  CF_RETURN_IF_ERROR(v.status());
  std::string secret(kSecretBytes, '\0');
  random.Fill(secret.data(), secret.size());
  const WorkerCredentialRecord record{.credential_id = ids.Next(),
                                      .name = name,
                                      .secret_sha256 = base::Sha256(secret),
                                      .create_time = clock.Now()};
  bool inserted = false;
  CF_RETURN_IF_ERROR(store.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) {
    inserted = tx.InsertCredential(record);
    return absl::OkStatus();
  }));
  if (!inserted) return absl::AlreadyExistsError(absl::StrCat("name: a worker credential named '", name, "' exists"));
  std::string encoded;
  absl::WebSafeBase64Escape(secret, &encoded);
  sodium_memzero(secret.data(), secret.size());
  return IssuedCredential{.credential_id = record.credential_id,
                          .credential = absl::StrCat(kPrefix, record.credential_id, "_", encoded)};
}

absl::Status RevokeWorkerCredential(GenerationStore& store, const base::Clock& clock, const std::string& name) {
  bool revoked = false;
  CF_RETURN_IF_ERROR(store.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) {
    revoked = tx.RevokeCredential(name, clock.Now());
    return absl::OkStatus();
  }));
  if (!revoked) return absl::NotFoundError(absl::StrCat("name: no worker credential named '", name, "'"));
  return absl::OkStatus();
}

absl::StatusOr<std::string> WorkerCredentialVerifier::Verify(absl::string_view credential) {
  CF_ASSIGN_OR_RETURN(const ParsedCredential parsed, ParseWorkerCredential(credential));
  const absl::Time now = clock_.Now();
  std::optional<std::string> expected;
  bool cached = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(parsed.credential_id);
    if (it != cache_.end() && now - it->second.fetched < ttl_) {
      expected = it->second.secret_sha256;
      cached = true;
    }
  }
  if (!cached) {
    CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) {
      expected.reset();
      std::optional<WorkerCredentialRecord> record = tx.GetCredential(parsed.credential_id);
      if (record && !record->revoke_time) expected = record->secret_sha256;
      return absl::OkStatus();
    }));
    absl::MutexLock lock(&mu_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[parsed.credential_id] = Cached{.secret_sha256 = expected, .fetched = now};
  }
  const std::string actual = base::Sha256(parsed.secret);
  if (!expected || expected->size() != actual.size() ||
      sodium_memcmp(expected->data(), actual.data(), actual.size()) != 0) {
    return Refused();
  }
  return parsed.credential_id;
}

}  // namespace clipforge::generation_service
