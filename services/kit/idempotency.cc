#include "services/kit/idempotency.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include "base/sha256.h"

namespace clipforge::kit {
namespace {

std::string EncodeText(const std::string& text) { return text; }
absl::StatusOr<std::string> DecodeText(absl::string_view bytes) { return std::string(bytes); }

}  // namespace

const IdempotencyCodec<std::string> kTextCodec{EncodeText, DecodeText};

IdempotencyKey IdempotencyKeyFor(absl::string_view caller_id, absl::string_view request_id,
                                 const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    // Deterministic: map fields in key order, so equal requests hash equal.
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return {std::string(caller_id), std::string(request_id), request.GetDescriptor()->full_name(),
          base::Sha256Hex(bytes)};
}

}  // namespace clipforge::kit
