// LocalProvenanceReader over a real blob store and real signed H.264 MP4s:
// what a clip shows of its video's Content Credentials, a remix naming its
// parent's manifest, a tampered video, a file with no manifest and a video
// the store does not hold.
#include "services/clips/local_provenance_reader.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "base/testing/status_matchers.h"
#include "media/provenance_ca.h"
#include "media/provenance_mp4.h"
#include "services/kit/local_blob_store.h"
#include "tests/unit/c2pa/h264_mp4.h"

namespace clipforge::clips_service {
namespace {

using ::clipforge::base::testing::StatusIs;

media::ClipCredentials Fields(const std::string& clip_id) {
  return media::ClipCredentials{.clip_id = clip_id,
                                .job_id = "job-" + clip_id,
                                .creator_user_id = "0190a3c2-0000-7000-8000-0000000000aa",
                                .prompt_sha256_hex = std::string(64, 'f'),
                                .renderer_name = "clipforge-procedural",
                                .renderer_version = "1.2.0",
                                .seed = 7,
                                .title = clip_id + ".mp4"};
}

class LocalProvenanceReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("cf-clips-provenance-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    blobs_.emplace((dir_ / "blobs").string());
    auto signer = media::LoadOrCreateSigner(Path("ca"), media::SignerOptions{.common_name = "worker-1"}, absl::Now());
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = *std::move(signer);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // A signed video in the blob store (a remix of `parent_store` when set);
  // returns its reference and sets `store` to its manifest store.
  v1::BlobRef SignedVideo(const std::string& clip_id, int seed, const std::optional<std::string>& parent_store,
                          std::string* store = nullptr) {
    const std::string raw = Path(clip_id + "-raw.mp4"), signed_path = Path(clip_id + ".mp4");
    EXPECT_TRUE(test_media::WriteH264Mp4(raw, 24, seed).ok());
    auto manifest = media::SignMp4File(raw, signed_path, Fields(clip_id), parent_store, *signer_);
    EXPECT_TRUE(manifest.ok()) << manifest.status();
    if (store != nullptr && manifest.ok()) *store = *manifest;
    return Stored(Read(signed_path));
  }
  v1::BlobRef Stored(const std::string& bytes) {
    auto name = blobs_->Put(bytes);
    EXPECT_TRUE(name.ok()) << name.status();
    v1::BlobRef ref;
    ref.set_sha256(name.value_or(""));
    ref.set_content_type("video/mp4");
    ref.set_size_bytes(static_cast<int64_t>(bytes.size()));
    return ref;
  }

  std::filesystem::path dir_;
  std::optional<kit::LocalBlobStore> blobs_;
  std::unique_ptr<media::ProvenanceSigner> signer_;
};

TEST_F(LocalProvenanceReaderTest, ASignedVideoIsPresentAndValidWithItsSignerAndSourceType) {
  const v1::BlobRef video = SignedVideo("clip-1", 1, std::nullopt);
  LocalProvenanceReader reader(*blobs_);

  ASSERT_OK_AND_ASSIGN(const v1::C2paSummary summary, reader.Summarize(video));
  EXPECT_TRUE(summary.present());
  EXPECT_TRUE(summary.valid());
  EXPECT_TRUE(absl::StartsWith(summary.manifest_label(), "urn:")) << summary.manifest_label();
  EXPECT_TRUE(absl::StartsWith(summary.claim_generator(), "ClipForge")) << summary.claim_generator();
  EXPECT_EQ(summary.digital_source_type(),
            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia");
  EXPECT_EQ(summary.signer(), "worker-1");
  EXPECT_EQ(summary.parent_manifest_label(), "");
}

TEST_F(LocalProvenanceReaderTest, ARemixNamesItsParentsManifest) {
  std::string parent_store;
  const v1::BlobRef parent = SignedVideo("clip-1", 1, std::nullopt, &parent_store);
  const v1::BlobRef remix = SignedVideo("clip-2", 2, parent_store);
  LocalProvenanceReader reader(*blobs_);

  ASSERT_OK_AND_ASSIGN(const v1::C2paSummary parent_summary, reader.Summarize(parent));
  ASSERT_OK_AND_ASSIGN(const v1::C2paSummary remix_summary, reader.Summarize(remix));
  EXPECT_TRUE(remix_summary.valid());
  EXPECT_NE(remix_summary.manifest_label(), parent_summary.manifest_label());
  EXPECT_EQ(remix_summary.parent_manifest_label(), parent_summary.manifest_label());
}

TEST_F(LocalProvenanceReaderTest, OneChangedByteOfVideoIsPresentButNotValid) {
  const v1::BlobRef video = SignedVideo("clip-1", 1, std::nullopt);
  ASSERT_OK_AND_ASSIGN(const kit::BlobFile stored, blobs_->Open(video.sha256()));
  std::string bytes = Read(stored.path());
  const size_t mdat = bytes.find("mdat");
  ASSERT_NE(mdat, std::string::npos);
  bytes[mdat + 100] ^= 0x01;
  const v1::BlobRef tampered = Stored(bytes);
  LocalProvenanceReader reader(*blobs_);

  ASSERT_OK_AND_ASSIGN(const v1::C2paSummary summary, reader.Summarize(tampered));
  EXPECT_TRUE(summary.present());
  EXPECT_FALSE(summary.valid());
}

TEST_F(LocalProvenanceReaderTest, AVideoWithoutAManifestIsNotPresent) {
  const std::string raw = Path("raw.mp4");
  ASSERT_TRUE(test_media::WriteH264Mp4(raw, 24, 3).ok());
  const v1::BlobRef unsigned_video = Stored(Read(raw));
  const v1::BlobRef not_mp4 = Stored("not a video at all");
  LocalProvenanceReader reader(*blobs_);

  for (const v1::BlobRef& video : {unsigned_video, not_mp4}) {
    ASSERT_OK_AND_ASSIGN(const v1::C2paSummary summary, reader.Summarize(video));
    EXPECT_FALSE(summary.present());
    EXPECT_FALSE(summary.valid());
    EXPECT_EQ(summary.manifest_label(), "");
  }
}

TEST_F(LocalProvenanceReaderTest, AVideoTheStoreDoesNotHoldIsFailedPrecondition) {
  v1::BlobRef gone;
  gone.set_sha256(std::string(64, 'a'));
  LocalProvenanceReader reader(*blobs_);

  const absl::StatusOr<v1::C2paSummary> summary = reader.Summarize(gone);
  EXPECT_THAT(summary, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(base::ReasonOf(summary.status()).value_or(""), "VIDEO_MISSING");
}

}  // namespace
}  // namespace clipforge::clips_service
