#include "media/provenance_ca.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace clipforge::media {
namespace {

using provenance_internal::CertPtr;
using provenance_internal::KeyPtr;
using provenance_internal::OpenSslError;

// The C2PA claim-signing EKU (c2pa-kp-claimSigning).
constexpr char kC2paClaimSigningEku[] = "1.3.6.1.4.1.62558.2.1";
constexpr absl::Duration kRenewBefore = absl::Hours(24 * 30);

absl::StatusOr<KeyPtr> NewKey(ProvenanceKeyType type) {
  KeyPtr key(type == ProvenanceKeyType::kEd25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                                 : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return OpenSslError("generating a key");
  return key;
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return OpenSslError(absl::StrCat("extension ", OBJ_nid2sn(nid)));
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) return OpenSslError("adding an extension");
  return absl::OkStatus();
}

absl::Status SetName(X509_NAME* name, const std::string& organization, const std::string& unit,
                     const std::string& common_name) {
  auto add = [&](const char* field, const std::string& value) {
    if (value.empty()) return true;
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
  };
  if (!add("O", organization) || !add("OU", unit) || !add("CN", common_name)) return OpenSslError("certificate name");
  return absl::OkStatus();
}

// A certificate for `key` with a random positive 128-bit serial, valid
// from an hour before `now` (clock skew) for `validity`.
absl::StatusOr<CertPtr> NewCertificate(EVP_PKEY* key, absl::Time now, absl::Duration validity) {
  CertPtr cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), 2) != 1) return OpenSslError("new certificate");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return OpenSslError("serial number");
  serial[0] &= 0x7f;
  serial[0] |= 0x40;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool serial_ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  if (!serial_ok) return OpenSslError("serial number");
  const time_t start = absl::ToTimeT(now - absl::Hours(1));
  const time_t end = absl::ToTimeT(now + validity);
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), start) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), end) == nullptr) {
    return OpenSslError("validity");
  }
  if (X509_set_pubkey(cert.get(), key) != 1) return OpenSslError("public key");
  return cert;
}

absl::Status SignCertificate(X509* cert, EVP_PKEY* issuer_key) {
  // Ed25519 signs without a separate digest.
  const EVP_MD* md = EVP_PKEY_is_a(issuer_key, "ED25519") ? nullptr : EVP_sha256();
  if (X509_sign(cert, issuer_key, md) <= 0) return OpenSslError("signing the certificate");
  return absl::OkStatus();
}

absl::StatusOr<PemPair> ToPem(EVP_PKEY* key, X509* cert) {
  absl::StatusOr<std::string> key_pem = provenance_internal::PrivateKeyPem(key);
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<std::string> cert_pem = provenance_internal::CertPem(cert);
  if (!cert_pem.ok()) return cert_pem.status();
  return PemPair{.key_pem = *std::move(key_pem), .cert_pem = *std::move(cert_pem)};
}

}  // namespace

absl::StatusOr<PemPair> CreateSigningCa(const CaOptions& options, absl::Time now) {
  absl::StatusOr<KeyPtr> key = NewKey(options.key_type);
  if (!key.ok()) return key.status();
  absl::StatusOr<CertPtr> cert = NewCertificate(key->get(), now, options.validity);
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  if (absl::Status s = SetName(X509_get_subject_name(c), options.organization, "", options.common_name); !s.ok()) {
    return s;
  }
  if (X509_set_issuer_name(c, X509_get_subject_name(c)) != 1) return OpenSslError("issuer name");
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                   std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                                   std::pair{NID_subject_key_identifier, "hash"}}) {
    if (absl::Status s = AddExtension(c, c, nid, value); !s.ok()) return s;
  }
  if (absl::Status s = SignCertificate(c, key->get()); !s.ok()) return s;
  return ToPem(key->get(), c);
}

absl::StatusOr<PemPair> IssueSignerCertificate(const PemPair& ca, const SignerOptions& options, absl::Time now) {
  if (options.common_name.empty()) return absl::InvalidArgumentError("the signer certificate needs a common name");
  absl::StatusOr<KeyPtr> ca_key = provenance_internal::ParsePrivateKeyPem(ca.key_pem);
  if (!ca_key.ok()) return ca_key.status();
  absl::StatusOr<CertPtr> ca_cert = provenance_internal::ParseCertPem(ca.cert_pem);
  if (!ca_cert.ok()) return ca_cert.status();
  absl::StatusOr<KeyPtr> key = NewKey(options.key_type);
  if (!key.ok()) return key.status();
  absl::StatusOr<CertPtr> cert = NewCertificate(key->get(), now, options.validity);
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  if (absl::Status s = SetName(X509_get_subject_name(c), options.organization, options.organizational_unit,
                               options.common_name);
      !s.ok()) {
    return s;
  }
  if (X509_set_issuer_name(c, X509_get_subject_name(ca_cert->get())) != 1) return OpenSslError("issuer name");
  const std::string eku = absl::StrCat("emailProtection,", kC2paClaimSigningEku);
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                                   std::pair{NID_key_usage, "critical,digitalSignature"},
                                   std::pair{NID_ext_key_usage, eku.c_str()},
                                   std::pair{NID_subject_key_identifier, "hash"},
                                   std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (absl::Status s = AddExtension(c, ca_cert->get(), nid, value); !s.ok()) return s;
  }
  if (absl::Status s = SignCertificate(c, ca_key->get()); !s.ok()) return s;
  return ToPem(key->get(), c);
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  const std::streamoff size = in.tellg();
  if (size > (std::streamoff{16} << 20)) return absl::InvalidArgumentError(absl::StrCat(path, " is too large"));
  std::string contents(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(contents.data(), size)) return absl::DataLossError(absl::StrCat("short read of ", path));
  return contents;
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents, int mode) {
  const std::string temp = absl::StrCat(path, ".tmp.", getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return absl::PermissionDeniedError(absl::StrCat("cannot create ", temp, ": ", std::strerror(errno)));
  // The umask may have narrowed `mode` at creation; widen nothing, but make
  // sure a key is never group- or world-readable.
  ::fchmod(fd, static_cast<mode_t>(mode));
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      ::unlink(temp.c_str());
      return absl::DataLossError(absl::StrCat("cannot write ", temp));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temp.c_str());
    return absl::DataLossError(absl::StrCat("cannot write ", temp));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return absl::DataLossError(absl::StrCat("cannot rename ", temp, " to ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ProvenanceSigner>> LoadOrCreateSigner(const std::string& dir,
                                                                     const SignerOptions& options, absl::Time now) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::PermissionDeniedError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  const std::string ca_key = dir + "/ca.key", ca_cert = dir + "/ca.pem";
  const std::string signer_key = dir + "/signer.key", signer_cert = dir + "/signer.pem";

  PemPair ca;
  absl::StatusOr<std::string> ca_key_pem = ReadSmallFile(ca_key);
  absl::StatusOr<std::string> ca_cert_pem = ReadSmallFile(ca_cert);
  if (ca_key_pem.ok() && ca_cert_pem.ok()) {
    ca = PemPair{.key_pem = *std::move(ca_key_pem), .cert_pem = *std::move(ca_cert_pem)};
  } else {
    absl::StatusOr<PemPair> created = CreateSigningCa(CaOptions{.key_type = options.key_type}, now);
    if (!created.ok()) return created.status();
    ca = *std::move(created);
    if (absl::Status s = WriteFileAtomically(ca_key, ca.key_pem, 0600); !s.ok()) return s;
    if (absl::Status s = WriteFileAtomically(ca_cert, ca.cert_pem, 0644); !s.ok()) return s;
  }

  absl::StatusOr<std::string> key_pem = ReadSmallFile(signer_key);
  absl::StatusOr<std::string> cert_pem = ReadSmallFile(signer_cert);
  bool issue = !key_pem.ok() || !cert_pem.ok();
  if (!issue) {
    absl::StatusOr<CertPtr> cert = provenance_internal::ParseCertPem(*cert_pem);
    issue = !cert.ok() || provenance_internal::AsnTimeToTime(X509_get0_notAfter(cert->get())) < now + kRenewBefore;
  }
  if (issue) {
    absl::StatusOr<PemPair> leaf = IssueSignerCertificate(ca, options, now);
    if (!leaf.ok()) return leaf.status();
    if (absl::Status s = WriteFileAtomically(signer_key, leaf->key_pem, 0600); !s.ok()) return s;
    if (absl::Status s = WriteFileAtomically(signer_cert, leaf->cert_pem, 0644); !s.ok()) return s;
    key_pem = leaf->key_pem;
    cert_pem = leaf->cert_pem;
  }
  return ProvenanceSigner::FromPem(*key_pem, *cert_pem, ca.cert_pem);
}

}  // namespace clipforge::media
