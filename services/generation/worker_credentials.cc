#include "services/generation/worker_credentials.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/generation/secret_token.h"

namespace clipforge::generation_service {
namespace {

constexpr absl::string_view kPrefix = "cfw_";

absl::Status Refused() { return absl::UnauthenticatedError("authorization: not a valid worker credential"); }

}  // namespace

absl::StatusOr<ParsedCredential> ParseWorkerCredential(absl::string_view text) {
  CF_ASSIGN_OR_RETURN(SecretToken token, ParseSecretToken(text, kPrefix, Refused()));
  return ParsedCredential{.credential_id = std::move(token.id), .secret = std::move(token.secret)};
}

absl::StatusOr<IssuedCredential> IssueWorkerCredential(GenerationStore& store, base::UuidV7Generator& ids,
                                                       base::RandomSource& random, const base::Clock& clock,
                                                       const std::string& name) {
  base::FieldValidator v;
  v.Check(!name.empty() && name.size() <= 64, "name", "must be 1-64 characters");
  CF_RETURN_IF_ERROR(v.status());
  const std::string credential_id = ids.Next();
  const NewSecretToken token = MakeSecretToken(kPrefix, credential_id, random);
  const WorkerCredentialRecord record{.credential_id = credential_id,
                                      .name = name,
                                      .secret_sha256 = token.secret_sha256,
                                      .create_time = clock.Now()};
  bool inserted = false;
  CF_RETURN_IF_ERROR(store.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) {
    inserted = tx.InsertCredential(record);
    return absl::OkStatus();
  }));
  if (!inserted) return absl::AlreadyExistsError(absl::StrCat("name: a worker credential named '", name, "' exists"));
  return IssuedCredential{.credential_id = record.credential_id, .credential = token.text};
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
  std::optional<std::optional<std::string>> cached = cache_.Get(parsed.credential_id, now);
  if (!cached) {
    std::optional<std::string> fetched;
    CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) {
      fetched.reset();
      std::optional<WorkerCredentialRecord> record = tx.GetCredential(parsed.credential_id);
      if (record && !record->revoke_time) fetched = record->secret_sha256;
      return absl::OkStatus();
    }));
    cache_.Put(parsed.credential_id, fetched, now);
    cached.emplace(fetched);
  }
  const std::optional<std::string>& expected = *cached;
  if (!expected || !SecretMatches(*expected, parsed.secret)) return Refused();
  return parsed.credential_id;
}

}  // namespace clipforge::generation_service
