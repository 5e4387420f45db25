// Content Credentials end to end with OpenSSL: the signing CA and its
// files, a real H.264 MP4 signed and verified (valid; one changed byte in
// mdat: invalid; another CA as anchor: untrusted), Ed25519, remixes, and
// the reference files signed by c2pa-rs (under CF_TESTDATA_DIR/c2pa).
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "generation/c2pa_manifest.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/provenance_ca.h"
#include "media/provenance_mp4.h"
#include "media/provenance_verifier.h"
#include "tests/unit/c2pa/h264_mp4.h"

namespace clipforge::media {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace c2pa = generation::c2pa;

std::vector<std::string> Codes(const std::vector<c2pa::ValidationStatus>& statuses) {
  std::vector<std::string> codes;
  for (const auto& s : statuses) codes.push_back(s.code);
  return codes;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

ClipCredentials Fields(int n) {
  return ClipCredentials{.clip_id = absl::StrCat("0190a3c2-0000-7000-8000-00000000000", n),
                         .job_id = absl::StrCat("job-", n),
                         .creator_user_id = "0190a3c2-0000-7000-8000-0000000000aa",
                         .prompt_sha256_hex = std::string(64, 'f'),
                         .renderer_name = "clipforge-procedural",
                         .renderer_version = "1.2.0",
                         .seed = 1234567890123ULL + static_cast<uint64_t>(n),
                         .title = absl::StrCat("clip-", n, ".mp4")};
}

class ProvenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / absl::StrCat("c2pa-test-", getpid(), "-", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    video_ = Path("input.mp4");
    ASSERT_TRUE(test_media::WriteH264Mp4(video_, 48).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(absl::string_view name) const { return (dir_ / std::string(name)).string(); }

  std::filesystem::path dir_;
  std::string video_;
};

TEST_F(ProvenanceTest, SigningCaFilesAreKeptWithPrivateKeys0600) {
  const absl::Time now = absl::Now();
  auto signer = LoadOrCreateSigner(Path("ca"), SignerOptions{.common_name = "worker-1"}, now);
  ASSERT_TRUE(signer.ok()) << signer.status();
  for (const char* key : {"ca.key", "signer.key"}) {
    struct stat st {};
    ASSERT_EQ(stat(Path(absl::StrCat("ca/", key)).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << key;
  }
  const std::string cert = ReadFile(Path("ca/signer.pem"));
  auto again = LoadOrCreateSigner(Path("ca"), SignerOptions{.common_name = "worker-1"}, now);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ReadFile(Path("ca/signer.pem")), cert);  // loaded, not reissued
  EXPECT_EQ((*again)->CertChainDer(), (*signer)->CertChainDer());
  // Close to its end, the signer certificate is renewed from the same CA.
  auto renewed = LoadOrCreateSigner(Path("ca"), SignerOptions{.common_name = "worker-1"}, now + absl::Hours(24 * 350));
  ASSERT_TRUE(renewed.ok());
  EXPECT_NE(ReadFile(Path("ca/signer.pem")), cert);
  EXPECT_EQ((*renewed)->ca_pem(), (*signer)->ca_pem());

  auto verifier = ProvenanceVerifier::Create({(*signer)->ca_pem()}, now);
  ASSERT_TRUE(verifier.ok());
  auto check = (*verifier)->CheckChain((*signer)->CertChainDer());
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->profile_ok) << check->profile_problem;
  EXPECT_TRUE(check->trusted) << check->trust_detail;
  EXPECT_TRUE(check->inside_validity);
  EXPECT_EQ(check->identity.common_name, "worker-1");
  EXPECT_EQ(check->identity.organization, "ClipForge");
}

TEST_F(ProvenanceTest, SignedH264Mp4VerifiesAndTamperingShows) {
  auto signer = LoadOrCreateSigner(Path("ca"), SignerOptions{.common_name = "worker-1"}, absl::Now());
  ASSERT_TRUE(signer.ok()) << signer.status();
  const std::string out = Path("signed.mp4");
  auto store = SignMp4File(video_, out, Fields(1), std::nullopt, **signer);
  ASSERT_TRUE(store.ok()) << store.status();

  auto untrusted = VerifyMp4File(out, {});
  ASSERT_TRUE(untrusted.ok()) << untrusted.status();
  EXPECT_EQ(untrusted->State(), "Valid");
  EXPECT_THAT(Codes(untrusted->active()->failure), ElementsAre("signingCredential.untrusted"));
  EXPECT_THAT(Codes(untrusted->active()->success), Contains("assertion.bmffHash.match"));
  EXPECT_THAT(Codes(untrusted->active()->success), Contains("claimSignature.validated"));
  EXPECT_EQ(untrusted->active()->alg, "ES256");
  EXPECT_EQ(untrusted->active()->signer.common_name, "worker-1");
  EXPECT_EQ(untrusted->active()->clipforge->seed, 1234567890124ULL);

  auto trusted = VerifyMp4File(out, {(*signer)->ca_pem()});
  ASSERT_TRUE(trusted.ok());
  EXPECT_EQ(trusted->State(), "Trusted");
  EXPECT_THAT(Codes(trusted->active()->failure), IsEmpty());

  auto other_ca = CreateSigningCa(CaOptions{.common_name = "Someone Else CA"}, absl::Now());
  ASSERT_TRUE(other_ca.ok());
  auto wrong_anchor = VerifyMp4File(out, {other_ca->cert_pem});
  ASSERT_TRUE(wrong_anchor.ok());
  EXPECT_EQ(wrong_anchor->State(), "Valid");
  EXPECT_FALSE(wrong_anchor->trusted);
  EXPECT_THAT(Codes(wrong_anchor->active()->failure), ElementsAre("signingCredential.untrusted"));

  // One byte of video changed.
  std::string bytes = ReadFile(out);
  const size_t mdat = bytes.find("mdat");
  ASSERT_NE(mdat, std::string::npos);
  bytes[mdat + 100] ^= 0x01;
  WriteFile(Path("tampered.mp4"), bytes);
  auto tampered = VerifyMp4File(Path("tampered.mp4"), {(*signer)->ca_pem()});
  ASSERT_TRUE(tampered.ok());
  EXPECT_EQ(tampered->State(), "Invalid");
  EXPECT_THAT(Codes(tampered->active()->failure), ElementsAre("assertion.bmffHash.mismatch"));

  // The unsigned input has no manifest.
  auto plain = VerifyMp4File(video_, {});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->manifest_found);
}

TEST_F(ProvenanceTest, Ed25519SignerVerifies) {
  auto ca = CreateSigningCa(CaOptions{.key_type = ProvenanceKeyType::kEd25519}, absl::Now());
  ASSERT_TRUE(ca.ok()) << ca.status();
  auto leaf = IssueSignerCertificate(*ca, SignerOptions{.common_name = "worker-ed", .key_type = ProvenanceKeyType::kEd25519},
                                     absl::Now());
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  auto signer = ProvenanceSigner::FromPem(leaf->key_pem, leaf->cert_pem, ca->cert_pem);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ((*signer)->alg(), c2pa::CoseAlg::kEdDsa);
  ASSERT_TRUE(SignMp4File(video_, Path("ed.mp4"), Fields(2), std::nullopt, **signer).ok());
  auto report = VerifyMp4File(Path("ed.mp4"), {ca->cert_pem});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->State(), "Trusted");
  EXPECT_EQ(report->active()->alg, "Ed25519");
}

TEST_F(ProvenanceTest, RemixCarriesTheParentManifest) {
  auto signer = LoadOrCreateSigner(Path("ca"), SignerOptions{.common_name = "worker-1"}, absl::Now());
  ASSERT_TRUE(signer.ok());
  auto parent = SignMp4File(video_, Path("parent.mp4"), Fields(1), std::nullopt, **signer);
  ASSERT_TRUE(parent.ok());
  ASSERT_TRUE(test_media::WriteH264Mp4(Path("remix-input.mp4"), 24, 77).ok());
  auto child = SignMp4File(Path("remix-input.mp4"), Path("remix.mp4"), Fields(2), *parent, **signer);
  ASSERT_TRUE(child.ok()) << child.status();
  auto report = VerifyMp4File(Path("remix.mp4"), {(*signer)->ca_pem()});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->State(), "Trusted");
  ASSERT_EQ(report->manifests.size(), 2u);
  EXPECT_EQ(report->manifests[1].clipforge->clip_id, Fields(1).clip_id);
  ASSERT_EQ(report->active()->ingredients.size(), 1u);
  EXPECT_EQ(report->active()->ingredients[0].relationship, "parentOf");
  EXPECT_EQ(report->active()->ingredients[0].title, "clip-1.mp4");
  EXPECT_THAT(Codes(report->active()->success), Contains("ingredient.manifest.validated"));
  EXPECT_FALSE(SignMp4File(video_, Path("x.mp4"), Fields(3), std::string("not jumbf"), **signer).ok());
}

// The C2PA reference files (see ../shared/testdata/c2pa/README.md).
std::string ReferenceDir() {
  const char* env = std::getenv("CF_TESTDATA_DIR");
  const std::string root = env != nullptr && *env != '\0' ? env : CF_TESTDATA_DIR;
  const std::string dir = root + "/c2pa";
  std::error_code ec;
  return std::filesystem::is_directory(dir, ec) ? dir : "";
}

#define CF_C2PA_REFERENCE_OR_SKIP(var)                                                               \
  const std::string var = ReferenceDir();                                                            \
  if (var.empty())                                                                                   \
  GTEST_SKIP() << "C2PA reference files not found (set CF_TESTDATA_DIR, or the CMake cache variable " \
                  "of that name, to the directory holding c2pa/)"

TEST(ProvenanceReferenceTest, ReadsC2paRsVideoWithClaimV1AndIngredient) {
  CF_C2PA_REFERENCE_OR_SKIP(dir);
  auto report = VerifyMp4File(dir + "/video1.mp4", {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->State(), "Valid");
  const c2pa::ManifestReport& active = *report->active();
  EXPECT_EQ(active.label, "urn:uuid:8da8ffb6-3de4-430a-8924-5b58b561e647");
  EXPECT_EQ(active.claim_version, 1);
  EXPECT_EQ(active.alg, "ES256");
  EXPECT_THAT(active.assertion_labels, Contains("c2pa.hash.bmff.v2"));
  EXPECT_THAT(Codes(active.success), Contains("assertion.bmffHash.match"));
  EXPECT_THAT(Codes(active.failure), ElementsAre("signingCredential.untrusted"));
  ASSERT_EQ(active.ingredients.size(), 1u);
  EXPECT_EQ(active.ingredients[0].relationship, "parentOf");
  ASSERT_EQ(report->manifests.size(), 2u);
  EXPECT_EQ(report->manifests[1].label, "urn:uuid:54281c07-ad34-430e-bea5-112a18facf0b");
  EXPECT_TRUE(report->manifests[1].signature_valid);
}

TEST(ProvenanceReferenceTest, ReadsC2paRsClaimV2AndTrustsItsAnchor) {
  CF_C2PA_REFERENCE_OR_SKIP(dir);
  auto untrusted = VerifyMp4File(dir + "/ref_v2_es256.mp4", {});
  ASSERT_TRUE(untrusted.ok()) << untrusted.status();
  EXPECT_EQ(untrusted->State(), "Valid");
  EXPECT_EQ(untrusted->active()->claim_version, 2);
  EXPECT_THAT(untrusted->active()->assertion_labels, Contains("c2pa.hash.bmff.v3"));
  EXPECT_THAT(Codes(untrusted->active()->failure), ElementsAre("signingCredential.untrusted"));
  EXPECT_EQ(untrusted->active()->signer.common_name, "es256 signer");

  auto trusted = VerifyMp4File(dir + "/ref_v2_es256.mp4", {ReadFile(dir + "/ref_root_ca.pem")});
  ASSERT_TRUE(trusted.ok());
  EXPECT_EQ(trusted->State(), "Trusted");
}

TEST(ProvenanceReferenceTest, FileWithoutManifest) {
  CF_C2PA_REFERENCE_OR_SKIP(dir);
  auto report = VerifyMp4File(dir + "/video1_no_manifest.mp4", {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->manifest_found);
}

}  // namespace
}  // namespace clipforge::media
