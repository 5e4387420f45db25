// A signer and a verifier for the core's tests that need no crypto library:
// a "signature" is SHA-256(key || to-be-signed) twice over (64 bytes, like
// ES256), the "certificate" names the key, and trust is a set of names.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/sha256.h"
#include "generation/c2pa_signer.h"

namespace clipforge::generation::c2pa::testing {

class FakeSigner final : public Signer {
 public:
  explicit FakeSigner(std::string key) : key_(std::move(key)) {}
  CoseAlg alg() const override { return CoseAlg::kEs256; }
  std::vector<std::string> CertChainDer() const override { return {absl::StrCat("cert:", key_)}; }
  absl::StatusOr<std::string> Sign(absl::string_view tbs) const override {
    const std::string h = base::Sha256(absl::StrCat(key_, tbs));
    return h + base::Sha256(h);
  }

 private:
  std::string key_;
};

class FakeVerifier final : public SignatureVerifier {
 public:
  explicit FakeVerifier(std::set<std::string> trusted_keys = {}) : trusted_(std::move(trusted_keys)) {}
  absl::Status VerifySignature(CoseAlg alg, absl::string_view tbs, absl::string_view signature,
                               absl::string_view cert) const override {
    absl::string_view key = cert;
    if (!absl::ConsumePrefix(&key, "cert:")) return absl::InvalidArgumentError("not a fake certificate");
    const std::string h = base::Sha256(absl::StrCat(key, tbs));
    if (signature != h + base::Sha256(h)) return absl::InvalidArgumentError("signature mismatch");
    return absl::OkStatus();
  }
  absl::StatusOr<ChainCheck> CheckChain(const std::vector<std::string>& chain) const override {
    ChainCheck check;
    check.identity.subject = absl::StrCat("CN=", chain.at(0).substr(5));
    check.identity.common_name = chain.at(0).substr(5);
    check.profile_ok = true;
    check.inside_validity = true;
    check.trusted = trusted_.contains(check.identity.common_name);
    check.trust_detail = check.trusted ? "fake anchor" : "not a fake anchor";
    return check;
  }

 private:
  std::set<std::string> trusted_;
};

}  // namespace clipforge::generation::c2pa::testing
