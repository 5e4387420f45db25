#include "generation/c2pa_cose.h"

#include "absl/strings/str_cat.h"

namespace clipforge::generation::c2pa {
namespace {

constexpr uint64_t kCoseSign1Tag = 18;
constexpr int64_t kHeaderAlg = 1;
constexpr int64_t kHeaderX5Chain = 33;

void AppendCerts(const Cbor& value, std::vector<std::string>& out) {
  if (value.is(Cbor::Kind::kBytes)) {
    out.push_back(value.str());
  } else if (value.is(Cbor::Kind::kArray)) {
    for (const Cbor& cert : value.items()) {
      if (cert.is(Cbor::Kind::kBytes)) out.push_back(cert.str());
    }
  }
}

}  // namespace

absl::string_view CoseAlgName(CoseAlg alg) {
  switch (alg) {
    case CoseAlg::kEs256:
      return "ES256";
    case CoseAlg::kEs384:
      return "ES384";
    case CoseAlg::kEs512:
      return "ES512";
    case CoseAlg::kEdDsa:
      return "Ed25519";
    case CoseAlg::kPs256:
      return "PS256";
    case CoseAlg::kPs384:
      return "PS384";
    case CoseAlg::kPs512:
      return "PS512";
  }
  return "unknown";
}

absl::StatusOr<CoseAlg> CoseAlgFromId(int64_t id) {
  switch (id) {
    case -7:
    case -35:
    case -36:
    case -8:
    case -37:
    case -38:
    case -39:
      return static_cast<CoseAlg>(id);
    default:
      return absl::InvalidArgumentError(absl::StrCat("COSE algorithm ", id, " is not one C2PA allows"));
  }
}

absl::StatusOr<CoseAlg> CoseSign1::Alg() const {
  const Cbor* alg = protected_header.FindInt(kHeaderAlg);
  int64_t id = 0;
  if (alg == nullptr || !alg->AsInt64(id)) return absl::InvalidArgumentError("COSE: no algorithm in the protected header");
  return CoseAlgFromId(id);
}

std::vector<std::string> CoseSign1::X5Chain() const {
  std::vector<std::string> chain;
  if (const Cbor* certs = protected_header.FindInt(kHeaderX5Chain)) {
    AppendCerts(*certs, chain);
  } else if (const Cbor* certs = unprotected_header.FindInt(kHeaderX5Chain)) {
    AppendCerts(*certs, chain);
  } else if (const Cbor* certs = unprotected_header.Find("x5chain")) {
    AppendCerts(*certs, chain);
  }
  return chain;
}

std::string CoseSigStructure(absl::string_view protected_bytes, absl::string_view payload) {
  return EncodeCbor(Cbor::Array({Cbor::Text("Signature1"), Cbor::Bytes(protected_bytes), Cbor::Bytes(""),
                                 Cbor::Bytes(payload)}));
}

absl::StatusOr<std::string> SignCoseSign1(const Signer& signer, absl::string_view payload) {
  const std::vector<std::string> chain = signer.CertChainDer();
  if (chain.empty()) return absl::FailedPreconditionError("COSE: the signer has no certificate");
  Cbor x5chain;
  if (chain.size() == 1) {
    x5chain = Cbor::Bytes(chain.front());
  } else {
    std::vector<Cbor> certs;
    for (const std::string& cert : chain) certs.push_back(Cbor::Bytes(cert));
    x5chain = Cbor::Array(std::move(certs));
  }
  const std::string protected_bytes = EncodeCbor(Cbor::Map(
      {{Cbor::Int(kHeaderAlg), Cbor::Int(static_cast<int64_t>(signer.alg()))}, {Cbor::Int(kHeaderX5Chain), x5chain}}));
  absl::StatusOr<std::string> signature = signer.Sign(CoseSigStructure(protected_bytes, payload));
  if (!signature.ok()) return signature.status();
  return EncodeCbor(Cbor::Tag(kCoseSign1Tag, Cbor::Array({Cbor::Bytes(protected_bytes), Cbor::Map(), Cbor::Null(),
                                                          Cbor::Bytes(*signature)})));
}

absl::StatusOr<CoseSign1> ParseCoseSign1(absl::string_view bytes) {
  absl::StatusOr<Cbor> decoded = DecodeCbor(bytes);
  if (!decoded.ok()) return decoded.status();
  const Cbor* body = &*decoded;
  if (body->is(Cbor::Kind::kTag)) {
    if (body->uint() != kCoseSign1Tag) return absl::InvalidArgumentError("COSE: not a COSE_Sign1 tag");
    body = &body->items().front();
  }
  if (!body->is(Cbor::Kind::kArray) || body->items().size() != 4) {
    return absl::InvalidArgumentError("COSE: COSE_Sign1 is not an array of four");
  }
  const std::vector<Cbor>& parts = body->items();
  if (!parts[0].is(Cbor::Kind::kBytes) || !parts[1].is(Cbor::Kind::kMap) || !parts[3].is(Cbor::Kind::kBytes)) {
    return absl::InvalidArgumentError("COSE: malformed COSE_Sign1");
  }
  CoseSign1 out;
  out.protected_bytes = parts[0].str();
  if (!out.protected_bytes.empty()) {
    absl::StatusOr<Cbor> header = DecodeCbor(out.protected_bytes);
    if (!header.ok()) return header.status();
    if (!header->is(Cbor::Kind::kMap)) return absl::InvalidArgumentError("COSE: protected header is not a map");
    out.protected_header = *std::move(header);
  } else {
    out.protected_header = Cbor::Map();
  }
  out.unprotected_header = parts[1];
  if (parts[2].is(Cbor::Kind::kBytes)) {
    out.payload = parts[2].str();
  } else if (!parts[2].is(Cbor::Kind::kNull)) {
    return absl::InvalidArgumentError("COSE: payload is neither bytes nor nil");
  }
  out.signature = parts[3].str();
  return out;
}

}  // namespace clipforge::generation::c2pa
