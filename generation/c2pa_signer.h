// What the C2PA core needs from cryptography, as interfaces, so that it
// links no crypto library: media/provenance_* implements them with OpenSSL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace clipforge::generation::c2pa {

// COSE algorithm identifiers (RFC 9053) that C2PA allows.
enum class CoseAlg : int64_t {
  kEs256 = -7,
  kEs384 = -35,
  kEs512 = -36,
  kEdDsa = -8,  // Ed25519
  kPs256 = -37,
  kPs384 = -38,
  kPs512 = -39,
};

// "ES256", "Ed25519", ...
absl::string_view CoseAlgName(CoseAlg alg);
absl::StatusOr<CoseAlg> CoseAlgFromId(int64_t id);

// Signs claims. Implementations hold the private key.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual CoseAlg alg() const = 0;
  // DER certificates: the signer's own first, then any intermediates, not
  // the root (validators take that from their trust list).
  virtual std::vector<std::string> CertChainDer() const = 0;
  // The COSE signature of `to_be_signed` (ECDSA: r || s, fixed length).
  virtual absl::StatusOr<std::string> Sign(absl::string_view to_be_signed) const = 0;
};

// Who signed, read from the signer's certificate.
struct SignerIdentity {
  std::string subject;      // RFC 2253, e.g. "CN=...,O=..."
  std::string issuer;
  std::string common_name;
  std::string organization;
  std::string serial_hex;
  absl::Time not_before = absl::InfinitePast();
  absl::Time not_after = absl::InfiniteFuture();
};

struct ChainCheck {
  SignerIdentity identity;
  // The certificate profile C2PA requires of a signer (version 3, key
  // usage digitalSignature, an allowed EKU, not a CA, ...).
  bool profile_ok = false;
  std::string profile_problem;
  // Now (the verifier's clock) lies inside the signer certificate's
  // validity; without a time-stamp that is the only time there is.
  bool inside_validity = false;
  // The chain reaches one of the verifier's trust anchors.
  bool trusted = false;
  std::string trust_detail;
};

// Verifies signatures and certificate chains. Implementations hold the
// trust anchors and the clock.
class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  // OK when `signature` is `alg`'s signature of `to_be_signed` by the key in
  // `signer_cert_der`; INVALID_ARGUMENT (or UNIMPLEMENTED for an algorithm
  // it lacks) otherwise.
  virtual absl::Status VerifySignature(CoseAlg alg, absl::string_view to_be_signed, absl::string_view signature,
                                       absl::string_view signer_cert_der) const = 0;
  // Parses `chain_der` (signer first) and checks profile and trust; an error
  // only when the certificate cannot be read at all.
  virtual absl::StatusOr<ChainCheck> CheckChain(const std::vector<std::string>& chain_der) const = 0;
};

}  // namespace clipforge::generation::c2pa
