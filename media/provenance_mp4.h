// Content Credentials for ClipForge's MP4 files, in one call each: the
// worker signs every clip it renders (SignMp4File), and `clipforge verify`
// reads any C2PA MP4 offline (VerifyMp4File).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "generation/c2pa_builder.h"
#include "generation/c2pa_validator.h"
#include "media/provenance_signer.h"

namespace clipforge::media {

using ClipCredentials = generation::c2pa::ClipCredentials;
using VerifyReport = generation::c2pa::ValidationReport;

// Writes `in_path` to `out_path` (atomically) with a C2PA manifest: the
// ClipForge assertion from `fields`, and for a remix the parent clip's
// manifest store (as SignMp4File returned it for the parent) as a parentOf
// ingredient with up to 8 ancestor manifests. Returns the new manifest
// store, which a remix of this clip passes as its parent. The parent is
// checked first: a store that does not parse is INVALID_ARGUMENT.
absl::StatusOr<std::string> SignMp4File(const std::string& in_path, const std::string& out_path,
                                        const ClipCredentials& fields,
                                        const std::optional<std::string>& parent_manifest_store,
                                        const ProvenanceSigner& signer);

// Validates the C2PA manifest of any MP4 against `trust_anchor_pems` (none:
// the verdict is at best Valid, never Trusted), at `now`.
absl::StatusOr<VerifyReport> VerifyMp4File(const std::string& path, const std::vector<std::string>& trust_anchor_pems,
                                           absl::Time now = absl::Now());

}  // namespace clipforge::media
