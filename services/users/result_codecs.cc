#include "services/users/result_codecs.h"

#include "services/users/convert.h"

namespace clipforge::users {
namespace {

// Encode through `fill` into Message; decode with `from`.
template <typename Message, typename Result, void (*fill)(const Result&, Message*)>
std::string Encode(const Result& result) {
  Message message;
  fill(result, &message);
  return message.SerializeAsString();
}

template <typename Message, typename Result, Result (*from)(const Message&)>
absl::StatusOr<Result> Decode(absl::string_view bytes) {
  Message message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("idempotency record: not a valid response");
  }
  return from(message);
}

}  // namespace

const kit::IdempotencyCodec<Account> kAccountCodec{Encode<v1::User, Account, FillUser>,
                                                   Decode<v1::User, Account, AccountFromUser>};
const kit::IdempotencyCodec<Consent> kConsentCodec{Encode<v1::AnalyticsConsent, Consent, FillConsent>,
                                                   Decode<v1::AnalyticsConsent, Consent, ConsentFromProto>};
const kit::IdempotencyCodec<RelationshipView> kRelationshipCodec{
    Encode<v1::Relationship, RelationshipView, FillRelationship>,
    Decode<v1::Relationship, RelationshipView, RelationshipFromProto>};
const kit::IdempotencyCodec<RolesView> kRolesCodec{Encode<v1::UserRoles, RolesView, FillRoles>,
                                                   Decode<v1::UserRoles, RolesView, RolesFromProto>};

}  // namespace clipforge::users
