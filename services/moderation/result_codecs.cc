#include "services/moderation/result_codecs.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/kit/proto_codec.h"
#include "services/moderation/bank_convert.h"
#include "services/moderation/convert.h"

namespace clipforge::moderation_service {
namespace {

std::string EncodeVersion(const int64_t& version) { return absl::StrCat(version); }
absl::StatusOr<int64_t> DecodeVersion(absl::string_view bytes) {
  int64_t version = 0;
  if (!absl::SimpleAtoi(bytes, &version)) return absl::DataLossError("idempotency record: not a version");
  return version;
}


std::string EncodeClaim(const std::optional<CaseClaim>& claim) {
  if (!claim) return "";
  return absl::StrCat(claim->case_id, " ", claim->claim_id, " ", absl::ToUnixMicros(claim->expire_time));
}
absl::StatusOr<std::optional<CaseClaim>> DecodeClaim(absl::string_view bytes) {
  if (bytes.empty()) return std::optional<CaseClaim>();
  const std::vector<std::string> parts = absl::StrSplit(bytes, ' ');
  int64_t micros = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[2], &micros)) {
    return absl::DataLossError("idempotency record: not a claim");
  }
  return std::optional<CaseClaim>(CaseClaim{parts[0], parts[1], absl::FromUnixMicros(micros)});
}

std::string EncodeImport(const ImportOutcome& outcome) {
  v1::ImportHashesResponse response;
  FillImport(outcome, &response);
  return absl::StrCat(outcome.version, "\n", response.SerializeAsString());
}
absl::StatusOr<ImportOutcome> DecodeImport(absl::string_view bytes) {
  const size_t newline = bytes.find('\n');
  int64_t version = 0;
  v1::ImportHashesResponse response;
  if (newline == absl::string_view::npos || !absl::SimpleAtoi(bytes.substr(0, newline), &version) ||
      !response.ParseFromArray(bytes.data() + newline + 1, static_cast<int>(bytes.size() - newline - 1))) {
    return absl::DataLossError("idempotency record: not an import");
  }
  ImportOutcome outcome = ImportFromProto(response);
  outcome.version = version;
  return outcome;
}

}  // namespace

const kit::IdempotencyCodec<RuleRecord> kRuleCodec = kit::ProtoCodec<v1::Rule, RuleRecord, FillRule, RuleFromProto>();
const kit::IdempotencyCodec<CategoryPolicyRecord> kPolicyCodec =
    kit::ProtoCodec<v1::CategoryPolicy, CategoryPolicyRecord, FillPolicy, PolicyFromProto>();
const kit::IdempotencyCodec<int64_t> kVersionCodec{EncodeVersion, DecodeVersion};
const kit::IdempotencyCodec<HashBankRecord> kBankCodec =
    kit::ProtoCodec<v1::HashBank, HashBankRecord, FillBank, BankFromProto>();
const kit::IdempotencyCodec<AllowListRecord> kAllowCodec =
    kit::ProtoCodec<v1::AllowListEntry, AllowListRecord, FillAllowListEntry, AllowListEntryFromProto>();
const kit::IdempotencyCodec<ImportOutcome> kImportCodec{EncodeImport, DecodeImport};
const kit::IdempotencyCodec<std::optional<CaseClaim>> kClaimCodec{EncodeClaim, DecodeClaim};

}  // namespace clipforge::moderation_service
