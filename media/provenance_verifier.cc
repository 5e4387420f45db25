#include "media/provenance_verifier.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace clipforge::media {
namespace {

using generation::c2pa::ChainCheck;
using generation::c2pa::CoseAlg;
using generation::c2pa::SignerIdentity;
using provenance_internal::CertPtr;
using provenance_internal::MdCtxPtr;
using provenance_internal::OpenSslError;

// Extended key usages C2PA allows a claim signer (C2PA 2.x, 14.5.1).
constexpr const char* kAllowedEkus[] = {
    "1.3.6.1.5.5.7.3.4",      // id-kp-emailProtection
    "1.3.6.1.5.5.7.3.36",     // id-kp-documentSigning
    "1.3.6.1.4.1.62558.2.1",  // c2pa-kp-claimSigning
    "1.3.6.1.5.5.7.3.8",      // id-kp-timeStamping
    "1.3.6.1.5.5.7.3.9",      // id-kp-OCSPSigning
    "1.3.6.1.4.1.311.76.59.1.9",  // Microsoft document signing
};

const EVP_MD* DigestFor(CoseAlg alg) {
  switch (alg) {
    case CoseAlg::kEs256:
    case CoseAlg::kPs256:
      return EVP_sha256();
    case CoseAlg::kEs384:
    case CoseAlg::kPs384:
      return EVP_sha384();
    case CoseAlg::kEs512:
    case CoseAlg::kPs512:
      return EVP_sha512();
    case CoseAlg::kEdDsa:
      return nullptr;
  }
  return nullptr;
}

// r || s -> DER ECDSA-Sig-Value.
absl::StatusOr<std::string> RawToDer(absl::string_view raw) {
  if (raw.empty() || raw.size() % 2 != 0) return absl::InvalidArgumentError("ECDSA signature of odd length");
  const int half = static_cast<int>(raw.size() / 2);
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(p, half, nullptr);
  BIGNUM* s = BN_bin2bn(p + half, half, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return OpenSslError("ECDSA signature");
  }
  unsigned char* der = nullptr;
  const int size = i2d_ECDSA_SIG(sig.get(), &der);
  if (size <= 0) return OpenSslError("ECDSA signature");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

std::string NameText(const X509_NAME* name) {
  provenance_internal::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string NameEntry(const X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, value);
  if (size < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(size));
  OPENSSL_free(utf8);
  return out;
}

SignerIdentity IdentityOf(X509* cert) {
  SignerIdentity id;
  id.subject = NameText(X509_get_subject_name(cert));
  id.issuer = NameText(X509_get_issuer_name(cert));
  id.common_name = NameEntry(X509_get_subject_name(cert), NID_commonName);
  id.organization = NameEntry(X509_get_subject_name(cert), NID_organizationName);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  id.serial_hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial)), ASN1_STRING_length(serial)));
  id.not_before = provenance_internal::AsnTimeToTime(X509_get0_notBefore(cert));
  id.not_after = provenance_internal::AsnTimeToTime(X509_get0_notAfter(cert));
  return id;
}

// "" when `cert` meets the C2PA signer profile, else what it lacks.
std::string ProfileProblem(X509* cert) {
  if (X509_get_version(cert) != 2) return "not an X.509 v3 certificate";
  const uint32_t flags = X509_get_extension_flags(cert);  // also caches the extensions
  if (flags & EXFLAG_INVALID) return "the certificate's extensions cannot be read";
  if (X509_check_ca(cert) != 0) return "a CA certificate cannot sign claims";
  if (!(flags & EXFLAG_KUSAGE) || !(X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE)) {
    return "key usage lacks digitalSignature";
  }
  if (!(flags & EXFLAG_SS) && X509_get0_authority_key_id(cert) == nullptr) return "no authority key identifier";
  auto* ekus = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  if (ekus == nullptr) return "no extended key usage";
  bool allowed = false, any = false;
  for (int i = 0; i < sk_ASN1_OBJECT_num(ekus); ++i) {
    char oid[80] = {};
    OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(ekus, i), 1);
    if (std::string(oid) == "2.5.29.37.0") any = true;
    for (const char* ok : kAllowedEkus) allowed = allowed || std::string(oid) == ok;
  }
  EXTENDED_KEY_USAGE_free(ekus);
  if (any) return "anyExtendedKeyUsage is not allowed";
  if (!allowed) return "no extended key usage C2PA allows";
  return "";
}

}  // namespace

absl::StatusOr<std::unique_ptr<ProvenanceVerifier>> ProvenanceVerifier::Create(
    const std::vector<std::string>& trust_anchor_pems, absl::Time now) {
  std::vector<CertPtr> anchors;
  for (const std::string& pem : trust_anchor_pems) {
    absl::StatusOr<std::vector<CertPtr>> certs = provenance_internal::ParseCertsPem(pem);
    if (!certs.ok()) return absl::InvalidArgumentError(absl::StrCat("trust anchor: ", certs.status().message()));
    for (CertPtr& cert : *certs) anchors.push_back(std::move(cert));
  }
  return std::unique_ptr<ProvenanceVerifier>(new ProvenanceVerifier(std::move(anchors), now));
}

absl::Status ProvenanceVerifier::VerifySignature(CoseAlg alg, absl::string_view to_be_signed,
                                                 absl::string_view signature,
                                                 absl::string_view signer_cert_der) const {
  absl::StatusOr<CertPtr> cert = provenance_internal::ParseCertDer(signer_cert_der);
  if (!cert.ok()) return cert.status();
  EVP_PKEY* key = X509_get0_pubkey(cert->get());
  if (key == nullptr) return OpenSslError("signer public key");
  std::string sig(signature);
  const bool ecdsa = alg == CoseAlg::kEs256 || alg == CoseAlg::kEs384 || alg == CoseAlg::kEs512;
  if (ecdsa) {
    absl::StatusOr<std::string> der = RawToDer(signature);
    if (!der.ok()) return absl::InvalidArgumentError(der.status().message());
    sig = *std::move(der);
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, DigestFor(alg), nullptr, key) != 1) {
    return absl::InvalidArgumentError(OpenSslError("the key does not fit the algorithm").message());
  }
  if (alg == CoseAlg::kPs256 || alg == CoseAlg::kPs384 || alg == CoseAlg::kPs512) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, DigestFor(alg)) != 1) {
      return OpenSslError("RSA-PSS parameters");
    }
  }
  const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                  reinterpret_cast<const unsigned char*>(to_be_signed.data()), to_be_signed.size());
  ERR_clear_error();
  if (ok != 1) return absl::InvalidArgumentError("the claim signature does not verify");
  return absl::OkStatus();
}

absl::StatusOr<ChainCheck> ProvenanceVerifier::CheckChain(const std::vector<std::string>& chain_der) const {
  if (chain_der.empty()) return absl::InvalidArgumentError("empty certificate chain");
  std::vector<CertPtr> chain;
  for (const std::string& der : chain_der) {
    absl::StatusOr<CertPtr> cert = provenance_internal::ParseCertDer(der);
    if (!cert.ok()) return cert.status();
    chain.push_back(*std::move(cert));
  }
  X509* leaf = chain.front().get();
  ChainCheck check;
  check.identity = IdentityOf(leaf);
  check.inside_validity = check.identity.not_before <= now_ && now_ <= check.identity.not_after;
  check.profile_problem = ProfileProblem(leaf);
  check.profile_ok = check.profile_problem.empty();
  if (anchors_.empty()) {
    check.trust_detail = "signing certificate untrusted (no trust anchors given)";
    return check;
  }
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  for (const CertPtr& anchor : anchors_) X509_STORE_add_cert(store.get(), anchor.get());
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(sk_X509_new_null(),
                                                                        [](STACK_OF(X509)* s) { sk_X509_free(s); });
  for (size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted.get(), chain[i].get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1) return OpenSslError("chain check");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, absl::ToTimeT(now_));
  // An intermediate on the list ends a chain too, as on C2PA trust lists.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  const int verified = X509_verify_cert(ctx.get());
  ERR_clear_error();
  if (verified == 1) {
    check.trusted = true;
    check.trust_detail = "signing certificate trusted (chains to a given trust anchor)";
  } else {
    check.trust_detail = absl::StrCat("signing certificate untrusted: ",
                                      X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }
  return check;
}

}  // namespace clipforge::media
