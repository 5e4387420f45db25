#include "media/provenance_openssl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace clipforge::media::provenance_internal {
namespace {

BioPtr ReadBio(absl::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

absl::Status OpenSslError(absl::string_view what) {
  const unsigned long code = ERR_get_error();
  char text[256] = "no details";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return absl::InternalError(absl::StrCat(what, ": ", text));
}

absl::StatusOr<KeyPtr> ParsePrivateKeyPem(absl::string_view pem) {
  BioPtr bio = ReadBio(pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) return absl::InvalidArgumentError(OpenSslError("not a PEM private key").message());
  return key;
}

absl::StatusOr<std::string> PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("writing the private key");
  }
  return BioContents(bio.get());
}

absl::StatusOr<CertPtr> ParseCertPem(absl::string_view pem) {
  BioPtr bio = ReadBio(pem);
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) return absl::InvalidArgumentError(OpenSslError("not a PEM certificate").message());
  return cert;
}

absl::StatusOr<std::vector<CertPtr>> ParseCertsPem(absl::string_view pem) {
  BioPtr bio = ReadBio(pem);
  std::vector<CertPtr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(cert);
  ERR_clear_error();  // the end of the input reads as an error
  if (certs.empty()) return absl::InvalidArgumentError("no PEM certificate found");
  return certs;
}

absl::StatusOr<CertPtr> ParseCertDer(absl::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  CertPtr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert == nullptr || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return absl::InvalidArgumentError(OpenSslError("not a DER certificate").message());
  }
  return cert;
}

absl::StatusOr<std::string> CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("writing the certificate");
  return BioContents(bio.get());
}

absl::StatusOr<std::string> CertDer(X509* cert) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert, &der);
  if (size <= 0) return OpenSslError("encoding the certificate");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

absl::Time AsnTimeToTime(const ASN1_TIME* time) {
  struct tm parts = {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return absl::InfinitePast();
  return absl::FromTM(parts, absl::UTCTimeZone());
}

}  // namespace clipforge::media::provenance_internal
