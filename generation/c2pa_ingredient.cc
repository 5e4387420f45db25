#include "generation/c2pa_ingredient.h"

namespace clipforge::generation::c2pa {
namespace {

std::string TextField(const Cbor& map, absl::string_view key) {
  const Cbor* value = map.Find(key);
  return value != nullptr ? value->TextOr() : std::string();
}

std::optional<HashedUri> LinkField(const Cbor& map, absl::string_view key) {
  const Cbor* value = map.Find(key);
  if (value == nullptr) return std::nullopt;
  absl::StatusOr<HashedUri> uri = HashedUriFrom(*value);
  if (!uri.ok()) return std::nullopt;
  return *std::move(uri);
}

}  // namespace

std::vector<IngredientLink> IngredientLinks(const Manifest& manifest) {
  std::vector<IngredientLink> links;
  for (const Assertion& assertion : manifest.assertions) {
    const std::string base = assertion.BaseLabel();
    int version = 0;
    if (base == "c2pa.ingredient") {
      version = 1;
    } else if (base == "c2pa.ingredient.v2") {
      version = 2;
    } else if (base == "c2pa.ingredient.v3") {
      version = 3;
    } else {
      continue;
    }
    if (!assertion.value.is(Cbor::Kind::kMap)) continue;
    IngredientLink link{.assertion_label = assertion.label, .version = version};
    link.title = TextField(assertion.value, "dc:title");
    link.format = TextField(assertion.value, "dc:format");
    link.relationship = TextField(assertion.value, "relationship");
    link.manifest = LinkField(assertion.value, version >= 3 ? "activeManifest" : "c2pa_manifest");
    link.claim_signature = LinkField(assertion.value, "claimSignature");
    if (link.manifest) {
      absl::StatusOr<JumbfUri> uri = ParseJumbfUri(link.manifest->url);
      if (uri.ok()) link.manifest_label = uri->manifest;
    }
    links.push_back(std::move(link));
  }
  return links;
}

}  // namespace clipforge::generation::c2pa
