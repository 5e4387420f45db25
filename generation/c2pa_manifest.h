// A C2PA manifest store read from its JUMBF bytes: the manifests (the
// active one last), each with its claim, assertions and signature, and the
// exact bytes that hashed URIs cover. Reading checks structure only;
// c2pa_validator.h checks hashes and signatures. No I/O.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "generation/c2pa_cbor.h"

namespace clipforge::generation::c2pa {

inline constexpr absl::string_view kTrainedAlgorithmicMedia =
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
inline constexpr absl::string_view kClipForgeAssertionLabel = "com.clipforge.generation";

// One entry of a validation report: a C2PA status code
// ("claimSignature.validated", "assertion.bmffHash.mismatch", ...), the
// JUMBF URI it is about, and words for people.
struct ValidationStatus {
  std::string code;
  std::string url;
  std::string explanation;
};

struct Assertion {
  std::string label;         // as stored, e.g. "c2pa.ingredient.v3__1"
  std::string content_type;  // the content box: "cbor", "json", ...
  std::string payload;       // the content box's bytes
  std::string hashed_bytes;  // what a hashed URI to it covers
  Cbor value;                // decoded when content_type is "cbor"

  // The label without an instance suffix ("__1").
  std::string BaseLabel() const;
};

struct Manifest {
  std::string label;  // "urn:c2pa:..." or "urn:uuid:..."
  int claim_version = 0;
  std::string claim_bytes;
  Cbor claim;
  std::vector<Assertion> assertions;
  std::string signature_bytes;         // COSE_Sign1
  std::string hashed_bytes;            // what an ingredient's link to this manifest covers
  std::string signature_hashed_bytes;  // what a v3 ingredient's claimSignature link covers

  const Assertion* FindAssertion(absl::string_view label) const;
  // The assertions whose base label is `base_label`.
  std::vector<const Assertion*> AssertionsNamed(absl::string_view base_label) const;
};

struct ManifestStore {
  std::vector<Manifest> manifests;  // the active manifest last

  const Manifest* active() const { return manifests.empty() ? nullptr : &manifests.back(); }
  const Manifest* Find(absl::string_view label) const;
};

absl::StatusOr<ManifestStore> ParseManifestStore(absl::string_view jumbf);

// JUMBF URIs as C2PA writes them: "self#jumbf=c2pa.assertions/LABEL"
// (relative to the manifest) or "self#jumbf=/c2pa/MANIFEST/..." (absolute).
struct JumbfUri {
  std::string manifest;  // empty when relative
  std::string path;      // after the manifest: "c2pa.assertions/x", "c2pa.signature", ""
};
absl::StatusOr<JumbfUri> ParseJumbfUri(absl::string_view uri);
std::string AssertionUri(absl::string_view label);                 // relative
std::string ManifestUri(absl::string_view manifest_label);         // absolute
std::string SignatureUri(absl::string_view manifest_label);        // absolute

// A hashed URI map {"url", "hash"[, "alg"]}.
struct HashedUri {
  std::string url;
  std::string hash;
  std::string alg;  // "" when absent (the claim's, else sha256)
};
Cbor HashedUriCbor(const HashedUri& uri);
absl::StatusOr<HashedUri> HashedUriFrom(const Cbor& value);

}  // namespace clipforge::generation::c2pa
