// Our Content Credentials as the C2PA reference implementation (c2pa-rs as
// WebAssembly, npm @contentauth/c2pa-wasm, run by c2pa_validate.mjs under
// node) reads them: it finds the manifest; its only failure is the
// untrusted signer (our CA is on no public list); with our CA as trust
// anchor the file is Trusted; one changed byte of video makes it Invalid
// (assertion.bmffHash.mismatch); a remix validates with its parent as
// ingredient. Skips when node or the npm package (`npm ci` in tests/c2pa)
// is missing.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "media/provenance_ca.h"
#include "media/provenance_mp4.h"
#include "tests/unit/c2pa/h264_mp4.h"

namespace clipforge::media {
namespace {

using ::testing::HasSubstr;

std::string RunValidator(const std::string& file, const std::string& trust_pem_path = "") {
  std::string command = absl::StrCat("node '", CF_C2PA_VALIDATE_SCRIPT, "' '", file, "'");
  if (!trust_pem_path.empty()) absl::StrAppend(&command, " --trust '", trust_pem_path, "'");
  absl::StrAppend(&command, " 2>&1");
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    ::pclose(pipe);
  }
  return output;
}

class C2paWasmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("node --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed";
    const std::filesystem::path pkg = std::filesystem::path(CF_C2PA_VALIDATE_SCRIPT).parent_path() /
                                      "node_modules/@contentauth/c2pa-wasm/pkg/c2pa_bg.wasm";
    if (!std::filesystem::exists(pkg)) GTEST_SKIP() << "run `npm ci` in tests/c2pa first (" << pkg << " missing)";
    const char* keep = std::getenv("CF_C2PA_KEEP_DIR");
    dir_ = keep != nullptr && *keep != '\0' ? std::filesystem::path(keep)
                                            : std::filesystem::temp_directory_path() / absl::StrCat("c2pa-wasm-", getpid());
    keep_ = keep != nullptr && *keep != '\0';
    std::filesystem::create_directories(dir_);
    auto signer = LoadOrCreateSigner(Path("ca"), SignerOptions{.common_name = "clipforge-worker-test"}, absl::Now());
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = *std::move(signer);
    ASSERT_TRUE(test_media::WriteH264Mp4(Path("input.mp4"), 48).ok());
  }
  void TearDown() override {
    if (!keep_ && !dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string Path(absl::string_view name) const { return (dir_ / std::string(name)).string(); }

  ClipCredentials Fields(int n) const {
    return ClipCredentials{.clip_id = absl::StrCat("clip-", n),
                           .job_id = absl::StrCat("job-", n),
                           .creator_user_id = "user-1",
                           .prompt_sha256_hex = std::string(64, '0'),
                           .renderer_name = "clipforge-procedural",
                           .renderer_version = "1.0.0",
                           .seed = 7,
                           .title = absl::StrCat("clip-", n, ".mp4")};
  }

  std::filesystem::path dir_;
  bool keep_ = false;
  std::unique_ptr<ProvenanceSigner> signer_;
};

TEST_F(C2paWasmTest, ReferenceImplementationValidatesOurMp4) {
  ASSERT_TRUE(SignMp4File(Path("input.mp4"), Path("signed.mp4"), Fields(1), std::nullopt, *signer_).ok());

  const std::string untrusted = RunValidator(Path("signed.mp4"));
  EXPECT_THAT(untrusted, HasSubstr("\"found\":true"));
  EXPECT_THAT(untrusted, HasSubstr("\"validation_state\":\"Valid\""));
  EXPECT_THAT(untrusted, HasSubstr("\"failures\":[\"signingCredential.untrusted\"]"));
  EXPECT_THAT(untrusted, HasSubstr("\"claim_version\":2"));
  EXPECT_THAT(untrusted, HasSubstr("assertion.bmffHash.match"));

  const std::string trusted = RunValidator(Path("signed.mp4"), Path("ca/ca.pem"));
  EXPECT_THAT(trusted, HasSubstr("\"validation_state\":\"Trusted\""));
  EXPECT_THAT(trusted, HasSubstr("\"failures\":[]"));
}

TEST_F(C2paWasmTest, ReferenceImplementationSeesAChangedVideoByte) {
  ASSERT_TRUE(SignMp4File(Path("input.mp4"), Path("signed.mp4"), Fields(1), std::nullopt, *signer_).ok());
  std::ifstream in(Path("signed.mp4"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const size_t mdat = bytes.find("mdat");
  ASSERT_NE(mdat, std::string::npos);
  bytes[mdat + 100] ^= 0x01;
  std::ofstream(Path("tampered.mp4"), std::ios::binary) << bytes;
  const std::string report = RunValidator(Path("tampered.mp4"), Path("ca/ca.pem"));
  EXPECT_THAT(report, HasSubstr("\"validation_state\":\"Invalid\""));
  EXPECT_THAT(report, HasSubstr("\"failures\":[\"assertion.bmffHash.mismatch\"]"));
}

TEST_F(C2paWasmTest, ReferenceImplementationValidatesARemix) {
  auto parent = SignMp4File(Path("input.mp4"), Path("parent.mp4"), Fields(1), std::nullopt, *signer_);
  ASSERT_TRUE(parent.ok()) << parent.status();
  ASSERT_TRUE(test_media::WriteH264Mp4(Path("remix-input.mp4"), 24, 9).ok());
  ASSERT_TRUE(SignMp4File(Path("remix-input.mp4"), Path("remix.mp4"), Fields(2), *parent, *signer_).ok());
  const std::string report = RunValidator(Path("remix.mp4"), Path("ca/ca.pem"));
  EXPECT_THAT(report, HasSubstr("\"validation_state\":\"Trusted\""));
  EXPECT_THAT(report, HasSubstr("\"failures\":[]"));
  EXPECT_THAT(report, HasSubstr("\"ingredient_failures\":[]"));
  EXPECT_THAT(report, HasSubstr("\"relationship\":\"parentOf\""));
}

// A lineage is carried whole while it is at most 8 ancestor manifests
// (generation 8: ours and 8), then starts over (generation 9 names its
// parent without its manifests): each file stays valid, since c2pa-rs
// counts a link to a missing manifest as invalid.
TEST_F(C2paWasmTest, ReferenceImplementationValidatesBoundedLineages) {
  std::optional<std::string> parent;
  for (int generation = 0; generation < 10; ++generation) {
    const std::string out = Path(absl::StrCat("lineage-", generation, ".mp4"));
    auto store = SignMp4File(Path("input.mp4"), out, Fields(generation), parent, *signer_);
    ASSERT_TRUE(store.ok()) << store.status();
    parent = *std::move(store);
  }
  for (int generation : {8, 9}) {
    const std::string file = Path(absl::StrCat("lineage-", generation, ".mp4"));
    const std::string report = RunValidator(file, Path("ca/ca.pem"));
    EXPECT_THAT(report, HasSubstr("\"validation_state\":\"Trusted\"")) << generation;
    EXPECT_THAT(report, HasSubstr("\"failures\":[]")) << generation;
    EXPECT_THAT(report, HasSubstr("\"ingredient_failures\":[]")) << generation;
    auto ours = VerifyMp4File(file, {signer_->ca_pem()});
    ASSERT_TRUE(ours.ok());
    EXPECT_EQ(ours->State(), "Trusted");
    EXPECT_EQ(ours->manifests.size(), generation == 8 ? 9u : 1u);
  }
}

}  // namespace
}  // namespace clipforge::media
