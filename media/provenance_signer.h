// The C2PA signer with OpenSSL: an ES256 (P-256) or Ed25519 key and its
// certificate chain from the instance's signing CA.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "generation/c2pa_signer.h"
#include "media/provenance_openssl.h"

namespace clipforge::media {

class ProvenanceSigner final : public generation::c2pa::Signer {
 public:
  // `key_pem`: the signer's private key (P-256 or Ed25519); `chain_pem`:
  // its certificate, then any intermediates; `ca_pem`: the CA that issued
  // it (optional: lets a remix check a parent signed by the same CA).
  static absl::StatusOr<std::unique_ptr<ProvenanceSigner>> FromPem(absl::string_view key_pem,
                                                                   absl::string_view chain_pem,
                                                                   absl::string_view ca_pem = "");

  generation::c2pa::CoseAlg alg() const override { return alg_; }
  std::vector<std::string> CertChainDer() const override { return chain_der_; }
  absl::StatusOr<std::string> Sign(absl::string_view to_be_signed) const override;
  // The issuing CA's PEM, "" when not given.
  const std::string& ca_pem() const { return ca_pem_; }

 private:
  ProvenanceSigner(provenance_internal::KeyPtr key, generation::c2pa::CoseAlg alg, std::vector<std::string> chain_der,
                   std::string ca_pem)
      : key_(std::move(key)), alg_(alg), chain_der_(std::move(chain_der)), ca_pem_(std::move(ca_pem)) {}

  provenance_internal::KeyPtr key_;
  generation::c2pa::CoseAlg alg_;
  std::vector<std::string> chain_der_;
  std::string ca_pem_;
};

}  // namespace clipforge::media
