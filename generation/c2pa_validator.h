// Validates a C2PA manifest store the way the reference implementation
// (c2pa-rs) does, for what ClipForge needs: each manifest's claim, its COSE
// signature and signer certificate (through a SignatureVerifier), the
// hashed URIs of its assertions, the active manifest's BMFF hard binding
// against the file, and the links from ingredients to their manifests.
// Statuses use the C2PA validation codes. No I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "generation/c2pa_bmff.h"
#include "generation/c2pa_builder.h"
#include "generation/c2pa_ingredient.h"
#include "generation/c2pa_manifest.h"
#include "generation/c2pa_signer.h"

namespace clipforge::generation::c2pa {

struct ManifestReport {
  std::string label;
  int depth = 0;  // 0: the active manifest; 1: its ingredients' manifests; ...
  int claim_version = 0;
  std::string claim_generator;
  std::string title;
  std::string alg;
  SignerIdentity signer;
  bool signature_valid = false;
  bool trusted = false;
  std::vector<std::string> assertion_labels;
  std::vector<IngredientLink> ingredients;
  std::vector<std::string> actions;
  std::string digital_source_type;  // of the first c2pa.created action
  std::optional<ClipCredentials> clipforge;
  std::vector<ValidationStatus> success;
  std::vector<ValidationStatus> informational;
  std::vector<ValidationStatus> failure;
};

struct ValidationReport {
  bool manifest_found = false;
  std::string active_label;
  std::vector<ManifestReport> manifests;  // the active manifest first, then its lineage breadth first
  // No failure in the active manifest but an untrusted signer.
  bool valid = false;
  // Valid, and the active signer chains to a trust anchor.
  bool trusted = false;

  // "Trusted", "Valid", "Invalid" (c2pa-rs's validation_state), or
  // "NoManifest".
  std::string State() const;
  const ManifestReport* active() const { return manifests.empty() ? nullptr : &manifests.front(); }
};

struct ValidationOptions {
  int max_ingredient_depth = 16;
};

// `asset` and `tree` (the file the store came from) check the active
// manifest's hard binding; null skips it (reported as informational).
ValidationReport ValidateManifestStore(const ManifestStore& store, const ByteSource* asset,
                                       const std::vector<BmffBox>* tree, const SignatureVerifier& verifier,
                                       const ValidationOptions& options = {});

// Finds the manifest store in an MP4 and validates it. An error only when
// the file is not BMFF at all; no store gives manifest_found = false.
absl::StatusOr<ValidationReport> ValidateMp4(const ByteSource& source, const SignatureVerifier& verifier,
                                             const ValidationOptions& options = {});

// The manifest store's bytes from an MP4; NOT_FOUND when it has none.
absl::StatusOr<std::string> ReadMp4ManifestStore(const ByteSource& source);

}  // namespace clipforge::generation::c2pa
