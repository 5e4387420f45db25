// RAII handles and small helpers for the OpenSSL objects the provenance
// code uses (keys, certificates, BIOs), and OpenSSL's error queue as an
// absl::Status.
#pragma once

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace clipforge::media::provenance_internal {

struct FreeKey {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct FreeCert {
  void operator()(X509* p) const { X509_free(p); }
};
struct FreeBio {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct FreeMdCtx {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, FreeKey>;
using CertPtr = std::unique_ptr<X509, FreeCert>;
using BioPtr = std::unique_ptr<BIO, FreeBio>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, FreeMdCtx>;

// `what` plus the newest OpenSSL error; clears the queue.
absl::Status OpenSslError(absl::string_view what);

absl::StatusOr<KeyPtr> ParsePrivateKeyPem(absl::string_view pem);
absl::StatusOr<std::string> PrivateKeyPem(EVP_PKEY* key);
absl::StatusOr<CertPtr> ParseCertPem(absl::string_view pem);
// Every certificate in a PEM bundle, in order.
absl::StatusOr<std::vector<CertPtr>> ParseCertsPem(absl::string_view pem);
absl::StatusOr<CertPtr> ParseCertDer(absl::string_view der);
absl::StatusOr<std::string> CertPem(X509* cert);
absl::StatusOr<std::string> CertDer(X509* cert);
absl::Time AsnTimeToTime(const ASN1_TIME* time);

}  // namespace clipforge::media::provenance_internal
