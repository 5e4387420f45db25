#include "generation/c2pa_manifest.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "generation/c2pa_jumbf.h"

namespace clipforge::generation::c2pa {
namespace {

absl::Status MalformedStore(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("C2PA manifest store: ", what));
}

absl::StatusOr<Manifest> ReadManifest(const JumbfBox& box) {
  Manifest manifest;
  manifest.label = box.label;
  manifest.hashed_bytes = box.raw_contents;
  for (const JumbfBox& part : box.children) {
    const std::string kind = JumbfFourcc(part.type);
    if (kind == "c2cl") {
      const JumbfContent* cbor = part.Content("cbor");
      if (cbor == nullptr) return MalformedStore(absl::StrCat(box.label, ": the claim has no CBOR"));
      if (part.label == "c2pa.claim.v2") {
        manifest.claim_version = 2;
      } else if (part.label == "c2pa.claim") {
        manifest.claim_version = 1;
      } else {
        return MalformedStore(absl::StrCat(box.label, ": unknown claim '", part.label, "'"));
      }
      manifest.claim_bytes = cbor->payload;
      absl::StatusOr<Cbor> claim = DecodeCbor(cbor->payload);
      if (!claim.ok()) return MalformedStore(absl::StrCat(box.label, ": claim: ", claim.status().message()));
      if (!claim->is(Cbor::Kind::kMap)) return MalformedStore(absl::StrCat(box.label, ": the claim is not a map"));
      manifest.claim = *std::move(claim);
    } else if (kind == "c2cs") {
      const JumbfContent* cbor = part.Content("cbor");
      if (cbor == nullptr) return MalformedStore(absl::StrCat(box.label, ": the signature has no CBOR"));
      manifest.signature_bytes = cbor->payload;
      manifest.signature_hashed_bytes = part.raw_contents;
    } else if (kind == "c2as") {
      for (const JumbfBox& item : part.children) {
        Assertion assertion;
        assertion.label = item.label;
        assertion.hashed_bytes = item.raw_contents;
        if (!item.contents.empty()) {
          assertion.content_type = item.contents.front().box_type;
          assertion.payload = item.contents.front().payload;
        }
        if (assertion.content_type == "cbor") {
          absl::StatusOr<Cbor> value = DecodeCbor(assertion.payload);
          // A malformed assertion is reported by the validator, not here.
          if (value.ok()) assertion.value = *std::move(value);
        }
        manifest.assertions.push_back(std::move(assertion));
      }
    }
  }
  if (manifest.claim_version == 0) return MalformedStore(absl::StrCat(box.label, ": no claim"));
  return manifest;
}

}  // namespace

std::string Assertion::BaseLabel() const {
  const size_t suffix = label.rfind("__");
  if (suffix == std::string::npos || suffix + 2 == label.size()) return label;
  for (size_t i = suffix + 2; i < label.size(); ++i) {
    if (label[i] < '0' || label[i] > '9') return label;
  }
  return label.substr(0, suffix);
}

const Assertion* Manifest::FindAssertion(absl::string_view wanted) const {
  for (const Assertion& assertion : assertions) {
    if (assertion.label == wanted) return &assertion;
  }
  return nullptr;
}

std::vector<const Assertion*> Manifest::AssertionsNamed(absl::string_view base_label) const {
  std::vector<const Assertion*> out;
  for (const Assertion& assertion : assertions) {
    if (assertion.BaseLabel() == base_label) out.push_back(&assertion);
  }
  return out;
}

const Manifest* ManifestStore::Find(absl::string_view label) const {
  for (const Manifest& manifest : manifests) {
    if (manifest.label == label) return &manifest;
  }
  return nullptr;
}

absl::StatusOr<ManifestStore> ParseManifestStore(absl::string_view jumbf) {
  absl::StatusOr<JumbfBox> root = ParseJumbf(jumbf);
  if (!root.ok()) return root.status();
  if (JumbfFourcc(root->type) != "c2pa") return MalformedStore("the outer box is not a C2PA manifest store");
  ManifestStore store;
  for (const JumbfBox& child : root->children) {
    if (JumbfFourcc(child.type) != "c2ma") continue;  // update manifests etc. are not read
    absl::StatusOr<Manifest> manifest = ReadManifest(child);
    if (!manifest.ok()) return manifest.status();
    store.manifests.push_back(*std::move(manifest));
  }
  if (store.manifests.empty()) return MalformedStore("no manifests");
  return store;
}

absl::StatusOr<JumbfUri> ParseJumbfUri(absl::string_view uri) {
  absl::string_view rest = uri;
  if (!absl::ConsumePrefix(&rest, "self#jumbf=")) {
    return absl::InvalidArgumentError(absl::StrCat("not a JUMBF URI: ", uri));
  }
  JumbfUri out;
  if (absl::ConsumePrefix(&rest, "/c2pa/")) {
    const size_t slash = rest.find('/');
    out.manifest = std::string(rest.substr(0, slash));
    if (slash != absl::string_view::npos) out.path = std::string(rest.substr(slash + 1));
  } else if (absl::ConsumePrefix(&rest, "/c2pa")) {
    if (!rest.empty()) return absl::InvalidArgumentError(absl::StrCat("bad JUMBF URI: ", uri));
  } else {
    out.path = std::string(rest);
  }
  return out;
}

std::string AssertionUri(absl::string_view label) { return absl::StrCat("self#jumbf=c2pa.assertions/", label); }
std::string ManifestUri(absl::string_view manifest_label) { return absl::StrCat("self#jumbf=/c2pa/", manifest_label); }
std::string SignatureUri(absl::string_view manifest_label) {
  return absl::StrCat("self#jumbf=/c2pa/", manifest_label, "/c2pa.signature");
}

Cbor HashedUriCbor(const HashedUri& uri) {
  Cbor map = Cbor::Map();
  map.Set("url", Cbor::Text(uri.url));
  if (!uri.alg.empty()) map.Set("alg", Cbor::Text(uri.alg));
  map.Set("hash", Cbor::Bytes(uri.hash));
  return map;
}

absl::StatusOr<HashedUri> HashedUriFrom(const Cbor& value) {
  const Cbor* url = value.Find("url");
  const Cbor* hash = value.Find("hash");
  if (url == nullptr || !url->is(Cbor::Kind::kText) || hash == nullptr || !hash->is(Cbor::Kind::kBytes)) {
    return absl::InvalidArgumentError("a hashed URI needs a text url and a byte hash");
  }
  HashedUri out{.url = url->str(), .hash = hash->str()};
  if (const Cbor* alg = value.Find("alg")) out.alg = alg->TextOr();
  return out;
}

}  // namespace clipforge::generation::c2pa
