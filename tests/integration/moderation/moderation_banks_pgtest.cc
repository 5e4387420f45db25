// The media filter through ModerationService over a real Postgres and NATS:
// an admin creates a hash bank and imports hashes (bad ones reported, not
// fatal), CheckVideo decodes a real video from the blob store with FFmpeg,
// hashes its sampled frames with PDQ and finds the bank's entry, opening a
// review case for the subject; the allow-list and a disabled bank silence
// a match; featureless frames never match; normal users reach none of it.
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/role.h"
#include "base/uuid.h"
#include "media/pdq_file.h"
#include "services/kit/local_blob_store.h"
#include "services/moderation/active_banks.h"
#include "tests/support/moderation_test_server.h"
#include "tests/unit/moderation/synthetic_video.h"

namespace clipforge::testing {
namespace {

using grpc::StatusCode;

constexpr int kSide = 128;

// Bands, gradients and a square that moves every frame: high PDQ quality,
// a different hash per second.
void DrawTextured(int index, std::vector<uint8_t>& rgb) {
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      const bool square = x / 16 == (2 + index / 10) % 8 && y / 16 == 3;
      const uint8_t band = ((x + y) / 12) % 2 ? 200 : 40;
      uint8_t* p = &rgb[(static_cast<size_t>(y) * kSide + x) * 3];
      p[0] = square ? 255 : band;
      p[1] = square ? 255 : static_cast<uint8_t>(x * 255 / kSide);
      p[2] = square ? 0 : static_cast<uint8_t>(y * 255 / kSide);
    }
  }
}

void DrawFlat(int, std::vector<uint8_t>& rgb) { std::fill(rgb.begin(), rgb.end(), 128); }

class ModerationBanksTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(work_); }
  void TearDown() override { std::filesystem::remove_all(work_); }

  // Writes a 3 s video at 10 fps, stores it as a blob and returns its
  // sampled frames' hashes as CheckVideo will compute them.
  v1::BlobRef StoreVideo(const std::string& name, const test_media::DrawFrame& draw,
                         std::vector<media::FramePdq>* hashes) {
    const std::string path = work_ + "/" + name + ".mp4";
    EXPECT_TRUE(test_media::WriteVideo(path, kSide, kSide, 10, 30, draw).ok());
    *hashes = media::PdqOfFrames(path, {.interval_seconds = 1.0}).value();
    return StoreFile(path, "video/mp4");
  }

  v1::BlobRef StoreFile(const std::string& path, const std::string& type) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    v1::BlobRef blob;
    blob.set_sha256(kit::LocalBlobStore(server_.blob_dir()).Put(bytes.str()).value());
    blob.set_content_type(type);
    blob.set_size_bytes(static_cast<int64_t>(bytes.str().size()));
    return blob;
  }

  template <typename Call>
  grpc::Status As(const std::string& token, Call call) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    return call(ctx);
  }

  v1::HashBank CreateBank(const std::string& name, v1::ModerationCategory category) {
    v1::CreateHashBankRequest request;
    request.set_request_id(ids_.Next());
    request.mutable_bank()->set_name(name);
    request.mutable_bank()->set_category(category);
    request.mutable_bank()->set_decision(v1::MODERATION_DECISION_BLOCK);
    request.mutable_bank()->set_hash_type(v1::HASH_TYPE_PDQ);
    request.mutable_bank()->set_max_distance(31);
    request.mutable_bank()->set_enabled(true);
    v1::HashBank bank;
    const grpc::Status status = As(admin_, [&](auto& c) { return stub_->CreateHashBank(&c, request, &bank); });
    EXPECT_TRUE(status.ok()) << status.error_message();
    return bank;
  }

  v1::ImportHashesResponse Import(const std::string& bank_id, const std::vector<std::string>& hashes) {
    v1::ImportHashesRequest request;
    request.set_request_id(ids_.Next());
    request.set_bank_id(bank_id);
    for (const std::string& hash : hashes) {
      v1::HashEntryInput* entry = request.add_entries();
      entry->set_hash(hash);
      entry->set_external_id("case-4711");
    }
    v1::ImportHashesResponse response;
    const grpc::Status status = As(admin_, [&](auto& c) { return stub_->ImportHashes(&c, request, &response); });
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status Check(const v1::BlobRef& blob, v1::CheckVideoResponse* out, const std::string& subject_clip = "") {
    v1::CheckVideoRequest request;
    *request.mutable_blob() = blob;
    if (!subject_clip.empty()) {
      request.mutable_subject()->set_kind(v1::CONTENT_KIND_CLIP);
      request.mutable_subject()->set_id(subject_clip);
    }
    return As(moderator_, [&](auto& c) { return stub_->CheckVideo(&c, request, out); });
  }

  v1::CheckVideoResponse CheckOk(const v1::BlobRef& blob, const std::string& subject_clip = "") {
    v1::CheckVideoResponse out;
    const grpc::Status status = Check(blob, &out, subject_clip);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  ModerationTestServer server_;
  std::unique_ptr<v1::ModerationService::Stub> stub_ = server_.NewStub();
  std::string admin_ = server_.Token({base::Role::kUser, base::Role::kAdmin});
  std::string moderator_ = server_.Token({base::Role::kUser, base::Role::kModerator});
  std::string user_ = server_.Token({base::Role::kUser});
  std::string work_ = (std::filesystem::temp_directory_path() / ("cf-banks-" + ids_.Next())).string();
};

TEST_F(ModerationBanksTest, AnImportedHashIsFoundInAVideoAndOpensACase) {
  std::vector<media::FramePdq> frames;
  const v1::BlobRef blob = StoreVideo("textured", DrawTextured, &frames);
  ASSERT_GE(frames.size(), 3u);
  ASSERT_GE(frames[1].pdq.quality, moderation_service::kMinMatchQuality);

  // Before any bank: nothing matches.
  v1::CheckVideoResponse clean = CheckOk(blob);
  EXPECT_EQ(clean.decision(), v1::MODERATION_DECISION_ALLOW);
  EXPECT_EQ(clean.frames_checked(), static_cast<int>(frames.size()));
  // In process (as generation's finished renders are screened), the check
  // also carries every sampled frame's hash, in order, for the feed.
  const absl::StatusOr<moderation_service::MediaCheck> screened =
      server_.component().screening().Screen(blob.sha256(), std::nullopt);
  ASSERT_TRUE(screened.ok()) << screened.status();
  EXPECT_EQ(screened->frames_checked, static_cast<int>(frames.size()));
  EXPECT_EQ(screened->frame_hashes.size(), frames.size());
  EXPECT_EQ(screened->frame_hashes.front(), frames.front().pdq.hash);  // The first frame is always decoded.

  const v1::HashBank bank = CreateBank("known-material", v1::MODERATION_CATEGORY_CHILD_SAFETY);
  const std::string hash = moderation_service::PdqBytes(frames[1].pdq.hash);
  const v1::ImportHashesResponse imported = Import(bank.bank_id(), {hash, hash, "short", std::string(32, '\x01')});
  EXPECT_EQ(imported.added_count(), 2);
  EXPECT_EQ(imported.duplicate_count(), 1);
  EXPECT_EQ(imported.rejected_count(), 1);
  ASSERT_EQ(imported.rejections_size(), 1);
  EXPECT_EQ(imported.rejections(0).field(), "entries[2].hash");

  const std::string clip = ids_.Next();
  const v1::CheckVideoResponse matched = CheckOk(blob, clip);
  EXPECT_EQ(matched.decision(), v1::MODERATION_DECISION_BLOCK);
  ASSERT_EQ(matched.categories_size(), 1);
  EXPECT_EQ(matched.categories(0), v1::MODERATION_CATEGORY_CHILD_SAFETY);
  ASSERT_GE(matched.frames_size(), 1);
  bool exact = false;
  for (const v1::FrameMatch& frame : matched.frames()) {
    ASSERT_GE(frame.matches_size(), 1);
    EXPECT_EQ(frame.matches(0).bank_id(), bank.bank_id());
    EXPECT_LE(frame.matches(0).distance(), 31);
    exact = exact || (frame.frame_index() == 1 && frame.matches(0).distance() == 0);
  }
  EXPECT_TRUE(exact) << "the imported frame itself matches at distance 0";
  EXPECT_GT(matched.banks_version(), clean.banks_version());

  // The subject's case is in the queue with the matched frames.
  EXPECT_EQ(server_.bus().Scalar("SELECT count(*) FROM moderation.cases WHERE source = 2 AND target_id = '" + clip +
                                 "'"),
            1);
  v1::ClaimNextCaseRequest claim;
  claim.set_request_id(ids_.Next());
  v1::ClaimNextCaseResponse claimed;
  ASSERT_TRUE(As(moderator_, [&](auto& c) { return stub_->ClaimNextCase(&c, claim, &claimed); }).ok());
  EXPECT_EQ(claimed.review_case().source(), v1::CASE_SOURCE_MEDIA_FILTER);
  EXPECT_EQ(claimed.review_case().frame_matches_size(), matched.frames_size());
}

TEST_F(ModerationBanksTest, TheAllowListAndADisabledBankSilenceAMatch) {
  std::vector<media::FramePdq> frames;
  const v1::BlobRef blob = StoreVideo("textured", DrawTextured, &frames);
  const v1::HashBank bank = CreateBank("extremism", v1::MODERATION_CATEGORY_VIOLENT_EXTREMISM);
  const std::string hash = moderation_service::PdqBytes(frames[1].pdq.hash);
  Import(bank.bank_id(), {hash});
  ASSERT_EQ(CheckOk(blob).decision(), v1::MODERATION_DECISION_BLOCK);

  v1::AddAllowListEntryRequest allow;
  allow.set_request_id(ids_.Next());
  allow.mutable_entry()->set_bank_id(bank.bank_id());
  allow.mutable_entry()->set_hash(hash);
  allow.mutable_entry()->set_reason("a news report, reviewed");
  v1::AllowListEntry entry;
  ASSERT_TRUE(As(admin_, [&](auto& c) { return stub_->AddAllowListEntry(&c, allow, &entry); }).ok());
  ASSERT_TRUE(server_.component().bank_reloader().Refresh().ok());
  EXPECT_EQ(CheckOk(blob).decision(), v1::MODERATION_DECISION_ALLOW);

  v1::ListAllowListEntriesRequest list;
  list.set_bank_id(bank.bank_id());
  v1::ListAllowListEntriesResponse listed;
  ASSERT_TRUE(As(admin_, [&](auto& c) { return stub_->ListAllowListEntries(&c, list, &listed); }).ok());
  ASSERT_EQ(listed.entries_size(), 1);
  EXPECT_EQ(listed.entries(0).entry_id(), entry.entry_id());
  EXPECT_EQ(listed.entries(0).hash(), hash);
  EXPECT_EQ(listed.entries(0).reason(), "a news report, reviewed");

  v1::RemoveAllowListEntryRequest remove;
  remove.set_request_id(ids_.Next());
  remove.set_entry_id(entry.entry_id());
  google::protobuf::Empty empty;
  ASSERT_TRUE(As(admin_, [&](auto& c) { return stub_->RemoveAllowListEntry(&c, remove, &empty); }).ok());
  ASSERT_TRUE(server_.component().bank_reloader().Refresh().ok());
  EXPECT_EQ(CheckOk(blob).decision(), v1::MODERATION_DECISION_BLOCK);

  v1::UpdateHashBankRequest disable;
  disable.set_request_id(ids_.Next());
  disable.mutable_bank()->set_bank_id(bank.bank_id());
  disable.mutable_bank()->set_enabled(false);
  disable.mutable_update_mask()->add_paths("enabled");
  v1::HashBank disabled;
  ASSERT_TRUE(As(admin_, [&](auto& c) { return stub_->UpdateHashBank(&c, disable, &disabled); }).ok());
  EXPECT_FALSE(disabled.enabled());
  EXPECT_EQ(CheckOk(blob).decision(), v1::MODERATION_DECISION_ALLOW);

  // Every change is in the audit log.
  v1::ListAuditEntriesResponse audit;
  ASSERT_TRUE(As(admin_, [&](auto& c) { return stub_->ListAuditEntries(&c, {}, &audit); }).ok());
  std::vector<std::string> actions;
  for (const v1::AuditEntry& e : audit.entries()) actions.push_back(e.action());
  EXPECT_EQ(actions, (std::vector<std::string>{"bank.created", "bank.imported", "allow_list.added",
                                               "allow_list.removed", "bank.updated"}));
}

TEST_F(ModerationBanksTest, FeaturelessFramesNeverMatch) {
  std::vector<media::FramePdq> frames;
  const v1::BlobRef blob = StoreVideo("flat", DrawFlat, &frames);
  ASSERT_LT(frames[0].pdq.quality, moderation_service::kMinMatchQuality);
  const v1::HashBank bank = CreateBank("flat", v1::MODERATION_CATEGORY_SPAM);
  Import(bank.bank_id(), {moderation_service::PdqBytes(frames[0].pdq.hash)});
  const v1::CheckVideoResponse check = CheckOk(blob);
  EXPECT_EQ(check.decision(), v1::MODERATION_DECISION_ALLOW);
  EXPECT_EQ(check.frames_checked(), static_cast<int>(frames.size()));
}

TEST_F(ModerationBanksTest, BadBlobsAndCallersAreRefused) {
  v1::CheckVideoResponse out;
  v1::BlobRef blob;
  blob.set_sha256("../../etc/passwd");
  blob.set_content_type("text/plain");
  grpc::Status status = Check(blob, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("blob.sha256"), std::string::npos);
  EXPECT_NE(status.error_message().find("blob.content_type"), std::string::npos);

  blob.set_sha256(std::string(64, 'a'));
  blob.set_content_type("video/mp4");
  EXPECT_EQ(Check(blob, &out).error_code(), StatusCode::NOT_FOUND);

  const std::string junk = work_ + "/junk.mp4";
  std::ofstream(junk) << "not a video at all";
  status = Check(StoreFile(junk, "video/mp4"), &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("blob"), std::string::npos);

  v1::CheckVideoRequest request;
  *request.mutable_blob() = blob;
  EXPECT_EQ(As(user_, [&](auto& c) { return stub_->CheckVideo(&c, request, &out); }).error_code(),
            StatusCode::PERMISSION_DENIED);
  v1::ImportHashesRequest import;
  v1::ImportHashesResponse imported;
  EXPECT_EQ(As(moderator_, [&](auto& c) { return stub_->ImportHashes(&c, import, &imported); }).error_code(),
            StatusCode::PERMISSION_DENIED);
  v1::CreateHashBankRequest create;
  v1::HashBank bank;
  EXPECT_EQ(As(user_, [&](auto& c) { return stub_->CreateHashBank(&c, create, &bank); }).error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(ModerationBanksTest, BankNamesAreUniqueAndListedInOrder) {
  CreateBank("b-bank", v1::MODERATION_CATEGORY_SPAM);
  CreateBank("a-bank", v1::MODERATION_CATEGORY_HATE);
  v1::CreateHashBankRequest twin;
  twin.set_request_id(ids_.Next());
  twin.mutable_bank()->set_name("a-bank");
  twin.mutable_bank()->set_category(v1::MODERATION_CATEGORY_HATE);
  twin.mutable_bank()->set_decision(v1::MODERATION_DECISION_REVIEW);
  twin.mutable_bank()->set_hash_type(v1::HASH_TYPE_PDQ);
  v1::HashBank out;
  EXPECT_EQ(As(admin_, [&](auto& c) { return stub_->CreateHashBank(&c, twin, &out); }).error_code(),
            StatusCode::ALREADY_EXISTS);
  v1::ListHashBanksRequest list;
  list.set_page_size(1);
  v1::ListHashBanksResponse first;
  ASSERT_TRUE(As(admin_, [&](auto& c) { return stub_->ListHashBanks(&c, list, &first); }).ok());
  ASSERT_EQ(first.banks_size(), 1);
  EXPECT_EQ(first.banks(0).name(), "a-bank");
  list.set_page_token(first.next_page_token());
  v1::ListHashBanksResponse second;
  ASSERT_TRUE(As(admin_, [&](auto& c) { return stub_->ListHashBanks(&c, list, &second); }).ok());
  ASSERT_EQ(second.banks_size(), 1);
  EXPECT_EQ(second.banks(0).name(), "b-bank");
  EXPECT_TRUE(second.next_page_token().empty());
}

}  // namespace
}  // namespace clipforge::testing
