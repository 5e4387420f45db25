#include "generation/c2pa_bytes.h"

#include "absl/strings/str_cat.h"

namespace clipforge::generation::c2pa {

std::string WrapBox(absl::string_view type, absl::string_view body) {
  std::string out;
  const uint64_t size = body.size() + 8;
  if (size > UINT32_MAX) {
    PutU32(out, 1);
    Append(out, type);
    PutU64(out, body.size() + 16);
  } else {
    PutU32(out, static_cast<uint32_t>(size));
    Append(out, type);
  }
  Append(out, body);
  return out;
}

absl::StatusOr<BoxView> NextBox(absl::string_view in) {
  if (in.size() < 8) return absl::InvalidArgumentError("truncated box header");
  BoxView box;
  box.type = std::string(in.substr(4, 4));
  uint64_t size = GetU32(in);
  box.header_size = 8;
  if (size == 1) {
    if (in.size() < 16) return absl::InvalidArgumentError("truncated box header");
    size = GetU64(in.substr(8));
    box.header_size = 16;
  } else if (size == 0) {
    size = in.size();
  }
  if (size < box.header_size || size > in.size()) {
    return absl::InvalidArgumentError(absl::StrCat("box '", box.type, "' has an impossible size ", size));
  }
  box.size = size;
  box.body = in.substr(box.header_size, size - box.header_size);
  return box;
}

}  // namespace clipforge::generation::c2pa
