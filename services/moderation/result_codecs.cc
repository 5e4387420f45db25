#include "services/moderation/result_codecs.h"

#include "services/kit/proto_codec.h"
#include "services/moderation/convert.h"

namespace clipforge::moderation_service {
namespace {

std::string EncodeDone(const Done&) { return ""; }
absl::StatusOr<Done> DecodeDone(absl::string_view) { return Done{}; }

}  // namespace

const kit::IdempotencyCodec<RuleRecord> kRuleCodec = kit::ProtoCodec<v1::Rule, RuleRecord, FillRule, RuleFromProto>();
const kit::IdempotencyCodec<CategoryPolicyRecord> kPolicyCodec =
    kit::ProtoCodec<v1::CategoryPolicy, CategoryPolicyRecord, FillPolicy, PolicyFromProto>();
const kit::IdempotencyCodec<Done> kDoneCodec{EncodeDone, DecodeDone};

}  // namespace clipforge::moderation_service
