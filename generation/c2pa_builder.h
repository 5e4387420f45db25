// Builds and signs ClipForge's C2PA manifest for a generated clip: the
// actions (c2pa.created, digital source type trainedAlgorithmicMedia), the
// ClipForge generation assertion, the parent clip as a parentOf ingredient
// (its manifests copied in, so the lineage travels with the file, as long
// as they are at most `max_ancestor_manifests`; past that the parent is
// named without its manifests and the carried lineage starts again, since
// signed manifests cannot be trimmed), the BMFF hard binding, a v2 claim and
// its COSE signature; and embeds the store into an MP4. No I/O, no clock,
// no randomness: identifiers come in the request.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "generation/c2pa_cbor.h"
#include "generation/c2pa_manifest.h"
#include "generation/c2pa_signer.h"

namespace clipforge::generation::c2pa {

// What the ClipForge assertion records about a clip.
struct ClipCredentials {
  std::string clip_id;
  std::string job_id;
  std::string creator_user_id;
  std::string prompt_sha256_hex;  // 64 lowercase hex digits
  std::string renderer_name;
  std::string renderer_version;
  uint64_t seed = 0;
  std::string title;  // dc:title, e.g. "clip.mp4"
};

// The ClipForge assertion's CBOR and back.
Cbor ClipCredentialsCbor(const ClipCredentials& clip);
absl::StatusOr<ClipCredentials> ClipCredentialsFrom(const Cbor& value);

struct ClaimIdentity {
  std::string manifest_uuid;  // the manifest label is "urn:c2pa:" + this
  std::string instance_uuid;  // the claim's instanceID is "xmp:iid:" + this
  std::string generator_name = "ClipForge";
  std::string generator_version;
};

// The clip a remix was made from.
struct ParentIngredient {
  const ManifestStore* store = nullptr;  // the parent's manifest store
  std::string title;
  // How the parent's active manifest validated when it was taken in.
  std::vector<ValidationStatus> success;
  std::vector<ValidationStatus> informational;
  std::vector<ValidationStatus> failure;
};

struct ManifestRequest {
  ClipCredentials clip;
  ClaimIdentity identity;
  const ParentIngredient* parent = nullptr;  // null for a new clip
  std::string bmff_hash;                     // 32 bytes (zeros for sizing)
  // The most ancestor manifests a file carries.
  size_t max_ancestor_manifests = 8;
};

// The manifest store's JUMBF bytes, our manifest last (active).
absl::StatusOr<std::string> BuildManifestStore(const ManifestRequest& request, const Signer& signer);

struct SignedMp4 {
  std::string bytes;
  std::string manifest_store;
};

// `mp4` with the store for `request` (its bmff_hash ignored) embedded: a
// store of the final size goes in first, so that the hash covers the final
// layout, then the real one replaces it byte for byte.
absl::StatusOr<SignedMp4> SignMp4Bytes(absl::string_view mp4, ManifestRequest request, const Signer& signer);

}  // namespace clipforge::generation::c2pa
