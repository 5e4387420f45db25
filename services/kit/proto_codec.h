// An IdempotencyCodec that records an outcome as the RPC's response
// message: a replay answers byte for byte what the first call answered.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/kit/idempotency.h"

namespace clipforge::kit {

// Encodes through `fill` into Message; decodes with `from`.
template <typename Message, typename Result, void (*fill)(const Result&, Message*)>
std::string EncodeAsProto(const Result& result) {
  Message message;
  fill(result, &message);
  return message.SerializeAsString();
}

template <typename Message, typename Result, Result (*from)(const Message&)>
absl::StatusOr<Result> DecodeFromProto(absl::string_view bytes) {
  Message message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("idempotency record: not a valid response");
  }
  return from(message);
}

template <typename Message, typename Result, void (*fill)(const Result&, Message*), Result (*from)(const Message&)>
constexpr IdempotencyCodec<Result> ProtoCodec() {
  return {EncodeAsProto<Message, Result, fill>, DecodeFromProto<Message, Result, from>};
}

}  // namespace clipforge::kit
