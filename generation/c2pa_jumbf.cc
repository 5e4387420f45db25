#include "generation/c2pa_jumbf.h"

#include "absl/strings/str_cat.h"
#include "generation/c2pa_bytes.h"

namespace clipforge::generation::c2pa {
namespace {

constexpr absl::string_view kTypeSuffix("\x00\x11\x00\x10\x80\x00\x00\xAA\x00\x38\x9B\x71", 12);

// Description box toggles (ISO/IEC 19566-5 table B.4).
constexpr uint8_t kRequestable = 0x01;
constexpr uint8_t kHasLabel = 0x02;
constexpr uint8_t kHasId = 0x04;
constexpr uint8_t kHasHash = 0x08;
constexpr uint8_t kHasPrivate = 0x10;

std::string Description(const JumbfBox& box) {
  std::string body = box.type;
  uint8_t toggles = kHasLabel;
  if (box.requestable) toggles |= kRequestable;
  if (box.id) toggles |= kHasId;
  if (box.hash) toggles |= kHasHash;
  if (box.private_box) toggles |= kHasPrivate;
  body.push_back(static_cast<char>(toggles));
  body += box.label;
  body.push_back('\0');
  if (box.id) PutU32(body, *box.id);
  if (box.hash) body += *box.hash;
  if (box.private_box) body += *box.private_box;
  return WrapBox("jumd", body);
}

absl::Status MalformedJumbf(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("JUMBF: ", what));
}

absl::Status ParseDescription(absl::string_view body, JumbfBox& box) {
  if (body.size() < 17) return MalformedJumbf("description box too short");
  box.type = std::string(body.substr(0, 16));
  const uint8_t toggles = static_cast<uint8_t>(body[16]);
  box.requestable = (toggles & kRequestable) != 0;
  body.remove_prefix(17);
  if (toggles & kHasLabel) {
    const size_t end = body.find('\0');
    if (end == absl::string_view::npos) return MalformedJumbf("unterminated label");
    box.label = std::string(body.substr(0, end));
    body.remove_prefix(end + 1);
  }
  if (toggles & kHasId) {
    if (body.size() < 4) return MalformedJumbf("truncated id");
    box.id = GetU32(body);
    body.remove_prefix(4);
  }
  if (toggles & kHasHash) {
    if (body.size() < 32) return MalformedJumbf("truncated hash");
    box.hash = std::string(body.substr(0, 32));
    body.remove_prefix(32);
  }
  if (toggles & kHasPrivate) {
    box.private_box = std::string(body);
  }
  return absl::OkStatus();
}

absl::Status ParseSuperbox(absl::string_view contents, int depth, int max_depth, JumbfBox& box) {
  if (depth > max_depth) return MalformedJumbf("nested too deep");
  box.raw_contents = std::string(contents);
  bool first = true;
  while (!contents.empty()) {
    absl::StatusOr<BoxView> child = NextBox(contents);
    if (!child.ok()) return MalformedJumbf(child.status().message());
    if (first) {
      if (child->type != "jumd") return MalformedJumbf("a superbox must start with its description box");
      if (absl::Status s = ParseDescription(child->body, box); !s.ok()) return s;
      first = false;
    } else if (child->type == "jumb") {
      JumbfBox sub;
      if (absl::Status s = ParseSuperbox(child->body, depth + 1, max_depth, sub); !s.ok()) return s;
      box.children.push_back(std::move(sub));
    } else {
      box.contents.push_back(JumbfContent{.box_type = child->type, .payload = std::string(child->body)});
    }
    contents.remove_prefix(child->size);
  }
  if (first) return MalformedJumbf("empty superbox");
  return absl::OkStatus();
}

}  // namespace

std::string JumbfType(absl::string_view fourcc) { return absl::StrCat(fourcc.substr(0, 4), kTypeSuffix); }

std::string JumbfFourcc(absl::string_view type_uuid) {
  if (type_uuid.size() != 16 || type_uuid.substr(4) != kTypeSuffix) return "";
  return std::string(type_uuid.substr(0, 4));
}

const JumbfBox* JumbfBox::Child(absl::string_view wanted) const {
  for (const JumbfBox& child : children) {
    if (child.label == wanted) return &child;
  }
  return nullptr;
}

const JumbfContent* JumbfBox::Content(absl::string_view box_type) const {
  for (const JumbfContent& content : contents) {
    if (content.box_type == box_type) return &content;
  }
  return nullptr;
}

std::string JumbfHashedBytes(const JumbfBox& box) {
  std::string body = Description(box);
  for (const JumbfContent& content : box.contents) body += WrapBox(content.box_type, content.payload);
  for (const JumbfBox& child : box.children) body += SerializeJumbf(child);
  return body;
}

std::string SerializeJumbf(const JumbfBox& box) { return WrapBox("jumb", JumbfHashedBytes(box)); }

absl::StatusOr<JumbfBox> ParseJumbf(absl::string_view bytes, int max_depth) {
  absl::StatusOr<BoxView> outer = NextBox(bytes);
  if (!outer.ok()) return MalformedJumbf(outer.status().message());
  if (outer->type != "jumb") return MalformedJumbf("not a superbox");
  if (outer->size != bytes.size()) return MalformedJumbf("bytes after the superbox");
  JumbfBox box;
  if (absl::Status s = ParseSuperbox(outer->body, 0, max_depth, box); !s.ok()) return s;
  return box;
}

}  // namespace clipforge::generation::c2pa
