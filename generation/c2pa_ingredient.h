// Reading ingredient assertions (c2pa.ingredient, .v2, .v3): which manifest
// in the store each one links to, and through which hashed URIs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "generation/c2pa_manifest.h"

namespace clipforge::generation::c2pa {

struct IngredientLink {
  std::string assertion_label;
  int version = 1;
  std::string title;
  std::string format;
  std::string relationship;     // parentOf, componentOf, inputTo
  std::string manifest_label;   // "" when the ingredient has no manifest
  std::optional<HashedUri> manifest;         // c2pa_manifest (v1, v2) / activeManifest (v3)
  std::optional<HashedUri> claim_signature;  // v3
};

// The ingredients of `manifest`, in assertion order; ones that cannot be
// read are skipped (the validator reports them).
std::vector<IngredientLink> IngredientLinks(const Manifest& manifest);

}  // namespace clipforge::generation::c2pa
