// The manifest builder, reader and validator together, with fake crypto:
// a signed MP4 validates, a changed byte or assertion does not, trust
// follows the anchors, and a remix carries its lineage, cut to a bound.
#include <string>

#include "absl/strings/str_cat.h"
#include "generation/c2pa_bmff.h"
#include "generation/c2pa_builder.h"
#include "generation/c2pa_bytes.h"
#include "generation/c2pa_cose.h"
#include "generation/c2pa_manifest.h"
#include "generation/c2pa_validator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/c2pa/fake_crypto.h"

namespace clipforge::generation::c2pa {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using testing::FakeSigner;
using testing::FakeVerifier;

std::string TinyMp4() {
  std::string stco_body(4, '\0');
  PutU32(stco_body, 1);
  const std::string ftyp = WrapBox("ftyp", std::string("isom\0\0\x02\0isom", 12));
  auto moov = [&](uint32_t offset) {
    std::string body = stco_body;
    PutU32(body, offset);
    return WrapBox("moov", WrapBox("trak", WrapBox("mdia", WrapBox("minf", WrapBox("stbl", WrapBox("stco", body))))));
  };
  const uint32_t data = static_cast<uint32_t>(ftyp.size() + moov(0).size() + 8);
  return ftyp + moov(data) + WrapBox("mdat", std::string(1000, 'v'));
}

ManifestRequest Request(int n) {
  ManifestRequest request;
  request.clip = ClipCredentials{.clip_id = absl::StrCat("clip-", n),
                                 .job_id = absl::StrCat("job-", n),
                                 .creator_user_id = "user-1",
                                 .prompt_sha256_hex = std::string(64, 'a'),
                                 .renderer_name = "procedural",
                                 .renderer_version = "1.0.0",
                                 .seed = 42u + static_cast<uint64_t>(n),
                                 .title = absl::StrCat("clip-", n, ".mp4")};
  request.identity = ClaimIdentity{.manifest_uuid = absl::StrCat("00000000-0000-4000-8000-", 100000000000 + n),
                                   .instance_uuid = absl::StrCat("11111111-0000-4000-8000-", 100000000000 + n),
                                   .generator_version = "0.1.0"};
  return request;
}

std::vector<std::string> Codes(const std::vector<ValidationStatus>& statuses) {
  std::vector<std::string> codes;
  for (const ValidationStatus& s : statuses) codes.push_back(s.code);
  return codes;
}

TEST(C2paStoreTest, SignedMp4Validates) {
  const FakeSigner signer("instance-1");
  auto signed_mp4 = SignMp4Bytes(TinyMp4(), Request(1), signer);
  ASSERT_TRUE(signed_mp4.ok()) << signed_mp4.status();
  StringByteSource source(signed_mp4->bytes);
  auto report = ValidateMp4(source, FakeVerifier());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->manifest_found);
  EXPECT_TRUE(report->valid);
  EXPECT_FALSE(report->trusted);
  EXPECT_EQ(report->State(), "Valid");
  const ManifestReport& active = *report->active();
  EXPECT_EQ(active.label, absl::StrCat("urn:c2pa:", Request(1).identity.manifest_uuid));
  EXPECT_EQ(active.claim_version, 2);
  EXPECT_EQ(active.alg, "ES256");
  EXPECT_EQ(active.signer.common_name, "instance-1");
  EXPECT_THAT(Codes(active.failure), ElementsAre("signingCredential.untrusted"));
  EXPECT_THAT(Codes(active.success),
              UnorderedElementsAre("claimSignature.validated", "claimSignature.insideValidity",
                                   "assertion.hashedURI.match", "assertion.hashedURI.match",
                                   "assertion.hashedURI.match", "assertion.bmffHash.match"));
  EXPECT_THAT(active.assertion_labels,
              ElementsAre("c2pa.actions.v2", "com.clipforge.generation", "c2pa.hash.bmff.v3"));
  EXPECT_THAT(active.actions, ElementsAre("c2pa.created"));
  EXPECT_EQ(active.digital_source_type, kTrainedAlgorithmicMedia);
  ASSERT_TRUE(active.clipforge.has_value());
  EXPECT_EQ(active.clipforge->clip_id, "clip-1");
  EXPECT_EQ(active.clipforge->seed, 43u);
  EXPECT_EQ(active.clipforge->renderer_name, "procedural");
  EXPECT_EQ(active.title, "clip-1.mp4");

  auto trusted = ValidateMp4(source, FakeVerifier({"instance-1"}));
  ASSERT_TRUE(trusted.ok());
  EXPECT_EQ(trusted->State(), "Trusted");
  EXPECT_EQ(ReadMp4ManifestStore(source).value(), signed_mp4->manifest_store);
}

TEST(C2paStoreTest, ChangedVideoByteFailsTheHardBinding) {
  const FakeSigner signer("instance-1");
  auto signed_mp4 = SignMp4Bytes(TinyMp4(), Request(1), signer);
  ASSERT_TRUE(signed_mp4.ok());
  std::string tampered = signed_mp4->bytes;
  tampered[tampered.size() - 10] ^= 1;
  StringByteSource source(tampered);
  auto report = ValidateMp4(source, FakeVerifier({"instance-1"}));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->State(), "Invalid");
  EXPECT_THAT(Codes(report->active()->failure), ElementsAre("assertion.bmffHash.mismatch"));
}

TEST(C2paStoreTest, ChangedAssertionOrSignatureIsCaught) {
  const FakeSigner signer("instance-1");
  auto signed_mp4 = SignMp4Bytes(TinyMp4(), Request(1), signer);
  ASSERT_TRUE(signed_mp4.ok());
  // The seed inside the ClipForge assertion: 43 encodes as 0x18 0x2b.
  std::string tampered = signed_mp4->bytes;
  const size_t seed = tampered.find(std::string("seed\x18\x2b", 6));
  ASSERT_NE(seed, std::string::npos);
  tampered[seed + 5] = 0x2c;
  StringByteSource source(tampered);
  auto report = ValidateMp4(source, FakeVerifier());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->State(), "Invalid");
  EXPECT_THAT(Codes(report->active()->failure),
              UnorderedElementsAre("assertion.hashedURI.mismatch", "signingCredential.untrusted"));

  // Another key's signature over the same claim.
  auto store = ParseManifestStore(signed_mp4->manifest_store);
  ASSERT_TRUE(store.ok());
  auto cose = ParseCoseSign1(store->active()->signature_bytes);
  ASSERT_TRUE(cose.ok());
  std::string forged = signed_mp4->bytes;
  const size_t at = forged.find(cose->signature);
  ASSERT_NE(at, std::string::npos);
  forged.replace(at, 64, FakeSigner("intruder").Sign("x").value());
  StringByteSource forged_source(forged);
  auto forged_report = ValidateMp4(forged_source, FakeVerifier({"instance-1"}));
  ASSERT_TRUE(forged_report.ok());
  EXPECT_THAT(Codes(forged_report->active()->failure), ElementsAre("claimSignature.mismatch"));
}

TEST(C2paStoreTest, NoManifestIsReported) {
  const std::string mp4 = TinyMp4();
  StringByteSource source(mp4);
  auto report = ValidateMp4(source, FakeVerifier());
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->manifest_found);
  EXPECT_EQ(report->State(), "NoManifest");
}

// Signs generations 0..n-1, each a remix of the one before; returns the
// last file and the stores' manifest counts.
std::string SignLineage(int n, std::vector<size_t>& store_sizes) {
  const FakeSigner signer("instance-1");
  std::string previous_store, mp4;
  for (int generation = 0; generation < n; ++generation) {
    ManifestRequest request = Request(generation);
    ManifestStore parent_store;
    ParentIngredient parent;
    if (!previous_store.empty()) {
      parent_store = ParseManifestStore(previous_store).value();
      parent = ParentIngredient{.store = &parent_store, .title = absl::StrCat("clip-", generation - 1, ".mp4")};
      request.parent = &parent;
    }
    auto signed_mp4 = SignMp4Bytes(TinyMp4(), request, signer);
    EXPECT_TRUE(signed_mp4.ok()) << signed_mp4.status();
    previous_store = signed_mp4->manifest_store;
    mp4 = signed_mp4->bytes;
    store_sizes.push_back(ParseManifestStore(previous_store).value().manifests.size());
  }
  return mp4;
}

TEST(C2paStoreTest, RemixCarriesItsWholeLineageUpToTheBound) {
  std::vector<size_t> sizes;
  const std::string mp4 = SignLineage(9, sizes);
  EXPECT_THAT(sizes, ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9));  // ours and up to 8 ancestors
  StringByteSource source(mp4);
  auto report = ValidateMp4(source, FakeVerifier({"instance-1"}));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->State(), "Trusted");
  ASSERT_EQ(report->manifests.size(), 9u);
  for (size_t i = 0; i < report->manifests.size(); ++i) {
    const ManifestReport& m = report->manifests[i];
    EXPECT_EQ(m.depth, static_cast<int>(i));
    EXPECT_EQ(m.clipforge->clip_id, absl::StrCat("clip-", 8 - i));
    EXPECT_TRUE(m.signature_valid);
    EXPECT_THAT(Codes(m.failure), ::testing::IsEmpty()) << m.label;
  }
  const ManifestReport& active = *report->active();
  ASSERT_EQ(active.ingredients.size(), 1u);
  EXPECT_EQ(active.ingredients[0].relationship, "parentOf");
  EXPECT_EQ(active.ingredients[0].title, "clip-7.mp4");
  EXPECT_EQ(active.ingredients[0].version, 3);
  EXPECT_THAT(Codes(active.success), ::testing::Contains("ingredient.manifest.validated"));
}

TEST(C2paStoreTest, LongerLineageStartsOverRatherThanBreak) {
  std::vector<size_t> sizes;
  const std::string mp4 = SignLineage(12, sizes);
  // A parent carrying 9 manifests is named, not carried; then it grows again.
  EXPECT_THAT(sizes, ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3));
  StringByteSource source(mp4);
  auto report = ValidateMp4(source, FakeVerifier({"instance-1"}));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->State(), "Trusted");
  ASSERT_EQ(report->manifests.size(), 3u);
  const ManifestReport& oldest = report->manifests.back();
  EXPECT_EQ(oldest.clipforge->clip_id, "clip-9");
  ASSERT_EQ(oldest.ingredients.size(), 1u);
  EXPECT_EQ(oldest.ingredients[0].title, "clip-8.mp4");
  EXPECT_FALSE(oldest.ingredients[0].manifest.has_value());
  EXPECT_THAT(Codes(oldest.failure), ::testing::IsEmpty());
}

TEST(C2paStoreTest, RequestIsChecked) {
  const FakeSigner signer("instance-1");
  ManifestRequest request = Request(1);
  request.identity.manifest_uuid.clear();
  EXPECT_FALSE(SignMp4Bytes(TinyMp4(), request, signer).ok());
  EXPECT_FALSE(SignMp4Bytes("not an mp4", Request(1), signer).ok());
}

}  // namespace
}  // namespace clipforge::generation::c2pa
