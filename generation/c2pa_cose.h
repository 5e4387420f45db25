// COSE_Sign1 (RFC 9052) as C2PA signs claims: tag 18, the algorithm and the
// x5chain (label 33) in the protected header, a detached payload (the
// claim's CBOR), no countersignatures. No crypto here: a Signer signs the
// Sig_structure this builds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "generation/c2pa_cbor.h"
#include "generation/c2pa_signer.h"

namespace clipforge::generation::c2pa {

struct CoseSign1 {
  std::string protected_bytes;  // the serialized protected header
  Cbor protected_header;
  Cbor unprotected_header;
  std::optional<std::string> payload;  // nullopt when detached
  std::string signature;

  // The algorithm from the protected header.
  absl::StatusOr<CoseAlg> Alg() const;
  // x5chain from the protected header, else (older signers) from the
  // unprotected one under 33 or "x5chain"; signer certificate first.
  std::vector<std::string> X5Chain() const;
};

// ["Signature1", protected, external_aad = h'', payload], the bytes signed.
std::string CoseSigStructure(absl::string_view protected_bytes, absl::string_view payload);

// Tagged COSE_Sign1 over `payload` (detached) by `signer`.
absl::StatusOr<std::string> SignCoseSign1(const Signer& signer, absl::string_view payload);

absl::StatusOr<CoseSign1> ParseCoseSign1(absl::string_view bytes);

}  // namespace clipforge::generation::c2pa
