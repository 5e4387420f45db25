// The C2PA signature verifier with OpenSSL: COSE signatures (ES256/384/512,
// Ed25519, PS256/384/512), the signer certificate profile C2PA asks for,
// and the chain to the trust anchors given (none: every signer is
// untrusted, which is what validators report for our private CA).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "generation/c2pa_signer.h"
#include "media/provenance_openssl.h"

namespace clipforge::media {

class ProvenanceVerifier final : public generation::c2pa::SignatureVerifier {
 public:
  // `trust_anchor_pems`: PEM texts, each holding one or more certificates
  // (a root or an intermediate: either ends a chain). `now` is when the
  // signer's certificate must be valid (there is no time-stamp).
  static absl::StatusOr<std::unique_ptr<ProvenanceVerifier>> Create(const std::vector<std::string>& trust_anchor_pems,
                                                                    absl::Time now);

  absl::Status VerifySignature(generation::c2pa::CoseAlg alg, absl::string_view to_be_signed,
                               absl::string_view signature, absl::string_view signer_cert_der) const override;
  absl::StatusOr<generation::c2pa::ChainCheck> CheckChain(const std::vector<std::string>& chain_der) const override;

 private:
  ProvenanceVerifier(std::vector<provenance_internal::CertPtr> anchors, absl::Time now)
      : anchors_(std::move(anchors)), now_(now) {}

  std::vector<provenance_internal::CertPtr> anchors_;
  absl::Time now_;
};

}  // namespace clipforge::media
