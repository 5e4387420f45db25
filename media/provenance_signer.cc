#include "media/provenance_signer.h"

#include <openssl/ec.h>
#include <openssl/ecdsa.h>

#include "absl/strings/str_cat.h"

namespace clipforge::media {
namespace {

using generation::c2pa::CoseAlg;
using provenance_internal::KeyPtr;
using provenance_internal::MdCtxPtr;
using provenance_internal::OpenSslError;

constexpr int kP256FieldBytes = 32;

// DER ECDSA-Sig-Value -> r || s, each left-padded to the field size, as
// COSE wants.
absl::StatusOr<std::string> DerToRaw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())),
                                                            ECDSA_SIG_free);
  if (sig == nullptr) return OpenSslError("reading the ECDSA signature");
  std::string raw(2 * kP256FieldBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kP256FieldBytes) != kP256FieldBytes ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kP256FieldBytes, kP256FieldBytes) != kP256FieldBytes) {
    return OpenSslError("ECDSA signature out of range");
  }
  return raw;
}

absl::StatusOr<CoseAlg> AlgOf(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return CoseAlg::kEdDsa;
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len) == 1 &&
        std::string(group) == "prime256v1") {
      return CoseAlg::kEs256;
    }
  }
  return absl::InvalidArgumentError("the C2PA signing key must be P-256 (ES256) or Ed25519");
}

}  // namespace

absl::StatusOr<std::unique_ptr<ProvenanceSigner>> ProvenanceSigner::FromPem(absl::string_view key_pem,
                                                                           absl::string_view chain_pem,
                                                                           absl::string_view ca_pem) {
  absl::StatusOr<KeyPtr> key = provenance_internal::ParsePrivateKeyPem(key_pem);
  if (!key.ok()) return key.status();
  absl::StatusOr<CoseAlg> alg = AlgOf(key->get());
  if (!alg.ok()) return alg.status();
  absl::StatusOr<std::vector<provenance_internal::CertPtr>> certs = provenance_internal::ParseCertsPem(chain_pem);
  if (!certs.ok()) return certs.status();
  if (X509_check_private_key(certs->front().get(), key->get()) != 1) {
    return absl::InvalidArgumentError(OpenSslError("the signing key does not match its certificate").message());
  }
  std::vector<std::string> chain_der;
  for (const provenance_internal::CertPtr& cert : *certs) {
    absl::StatusOr<std::string> der = provenance_internal::CertDer(cert.get());
    if (!der.ok()) return der.status();
    chain_der.push_back(*std::move(der));
  }
  return std::unique_ptr<ProvenanceSigner>(
      new ProvenanceSigner(*std::move(key), *alg, std::move(chain_der), std::string(ca_pem)));
}

absl::StatusOr<std::string> ProvenanceSigner::Sign(absl::string_view to_be_signed) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = alg_ == CoseAlg::kEdDsa ? nullptr : EVP_sha256();
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1) return OpenSslError("signing");
  size_t size = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(to_be_signed.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &size, data, to_be_signed.size()) != 1) return OpenSslError("signing");
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, data,
                     to_be_signed.size()) != 1) {
    return OpenSslError("signing");
  }
  signature.resize(size);
  if (alg_ == CoseAlg::kEdDsa) return signature;
  return DerToRaw(signature);
}

}  // namespace clipforge::media
