#include "services/moderation/result_codecs.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/kit/proto_codec.h"
#include "services/moderation/convert.h"

namespace clipforge::moderation_service {
namespace {

std::string EncodeVersion(const int64_t& version) { return absl::StrCat(version); }
absl::StatusOr<int64_t> DecodeVersion(absl::string_view bytes) {
  int64_t version = 0;
  if (!absl::SimpleAtoi(bytes, &version)) return absl::DataLossError("idempotency record: not a version");
  return version;
}

}  // namespace

const kit::IdempotencyCodec<RuleRecord> kRuleCodec = kit::ProtoCodec<v1::Rule, RuleRecord, FillRule, RuleFromProto>();
const kit::IdempotencyCodec<CategoryPolicyRecord> kPolicyCodec =
    kit::ProtoCodec<v1::CategoryPolicy, CategoryPolicyRecord, FillPolicy, PolicyFromProto>();
const kit::IdempotencyCodec<int64_t> kVersionCodec{EncodeVersion, DecodeVersion};

}  // namespace clipforge::moderation_service
