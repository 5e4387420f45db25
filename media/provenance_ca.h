// The instance's C2PA signing CA: a CA key and self-signed certificate
// (basicConstraints CA:true, keyUsage keyCertSign), and signer certificates
// it issues for instances (keyUsage digitalSignature; EKU emailProtection
// and the C2PA claim-signing EKU, which c2pa-rs accepts; subject and
// authority key identifiers). Keys are PEM files of mode 0600.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "media/provenance_signer.h"

namespace clipforge::media {

enum class ProvenanceKeyType { kEs256, kEd25519 };

struct PemPair {
  std::string key_pem;
  std::string cert_pem;
};

struct CaOptions {
  std::string organization = "ClipForge";
  std::string common_name = "ClipForge Content Credentials CA";
  absl::Duration validity = absl::Hours(24 * 365 * 10);
  ProvenanceKeyType key_type = ProvenanceKeyType::kEs256;
};

struct SignerOptions {
  std::string organization = "ClipForge";
  std::string organizational_unit = "Content Credentials";
  std::string common_name;  // the instance, e.g. "clipforge-worker-1"
  absl::Duration validity = absl::Hours(24 * 365);
  ProvenanceKeyType key_type = ProvenanceKeyType::kEs256;
};

absl::StatusOr<PemPair> CreateSigningCa(const CaOptions& options, absl::Time now);
absl::StatusOr<PemPair> IssueSignerCertificate(const PemPair& ca, const SignerOptions& options, absl::Time now);

// Reads a whole file (at most 16 MiB: keys and certificates).
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);
// Writes `contents` atomically (temporary file, then rename) with `mode`.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents, int mode);

// The signer kept in `dir`: ca.key/ca.pem and signer.key/signer.pem. What
// is missing is created (a new CA, or a new signer certificate from the
// existing CA when the old one is missing or ends within 30 days); keys are
// written with mode 0600.
absl::StatusOr<std::unique_ptr<ProvenanceSigner>> LoadOrCreateSigner(const std::string& dir,
                                                                     const SignerOptions& options, absl::Time now);

}  // namespace clipforge::media
