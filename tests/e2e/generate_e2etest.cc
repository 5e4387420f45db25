// `clipforge generate` against the stack `scripts/run` starts: clipforged
// serving users, moderation, generation and clips over a real Postgres, and the
// reference worker (`clipforged worker`) as its own process with the
// credential clipforged keeps for it. The clip is rendered, encoded, signed
// (C2PA), uploaded, checked by the media filter and downloaded; `clipforge
// verify` reads its Content Credentials; a remix of a published clip carries
// the parent's manifest as an ingredient. A worker killed with SIGKILL in the
// middle of a render loses its lease and a second worker finishes the job.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/support/clipforged_process.h"
#include "tests/support/test_servers.h"
#include "tests/unit/media/mp4_inspect.h"
#include "tests/unit/media/test_media_files.h"

namespace clipforge::testing {
namespace {


class GenerateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = TestPostgres::Start();
    server_ = ClipforgedServer::Start(
        CF_CLIPFORGED, {.services = "users,moderation,generation,clips",
                        .database_url = pg_->dsn(),
                        .extra_flags = {"--blob-dir=" + dir_.path() + "/blobs",
                                        "--generation-local-worker-credential=" + Credential(),
                                        "--generation-lease=3s", "--generation-sweep-interval=200ms"}});
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(StartWorker(first_worker_, "worker-1"));
    auto r = Cli({"register", "--handle=alice", "--email=alice@example.com", "--display-name=Alice",
                  "--password-stdin"},
                 kTestPassword);
    ASSERT_EQ(r.first, 0) << r.second;
    // The prompt policy compiles once at start; until then checks answer
    // UNAVAILABLE. Wait for it the way a client would: by checking.
    for (int i = 0; i < 100 && Cli({"check", "hello"}).first != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  std::string Credential() const { return dir_.path() + "/worker.credential"; }

  bool StartWorker(Daemon& worker, const std::string& name) {
    return worker.Start({CF_CLIPFORGED, "worker", "--server=" + server_->address(), "--credential-file=" + Credential(),
                         "--work-dir=" + dir_.path() + "/" + name, "--provenance-dir=" + dir_.path() + "/provenance",
                         "--lease-wait=1s", "--worker-instance=" + name},
                        dir_.path() + "/" + name + ".log");
  }

  std::pair<int, std::string> Cli(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::vector<std::string> argv = {CF_CLIPFORGE, "--server=" + server_->address(),
                                     "--config-dir=" + dir_.path() + "/config"};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string log = dir_.path() + "/cmd-" + std::to_string(++commands_) + ".log";
    std::string input;
    if (!stdin_text.empty()) {
      input = dir_.path() + "/stdin-" + std::to_string(commands_);
      std::ofstream(input) << stdin_text;
    }
    const int code = RunCommand(argv, log, input);
    return {code, ReadFileToString(log)};
  }

  TempDir dir_;
  std::unique_ptr<TestPostgres> pg_;
  std::unique_ptr<ClipforgedServer> server_;
  Daemon first_worker_;
  int commands_ = 0;
};

TEST_F(GenerateTest, GenerateRendersSignsAndDownloadsTheClip) {
  const std::string clip = dir_.path() + "/neon.mp4";
  auto r = Cli({"generate", "a neon city at night in the rain", "--seconds=4", "--out=" + clip});
  ASSERT_EQ(r.first, 0) << r.second << "\nworker log:\n" << ReadFileToString(dir_.path() + "/worker-1.log");
  EXPECT_NE(r.second.find(clip), std::string::npos) << r.second;
  const std::string bytes = ReadFileToString(clip);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(4, 4), "ftyp");

  // Its Content Credentials name ClipForge's renderer and validate.
  r = Cli({"verify", clip});
  EXPECT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("procedural-1"), std::string::npos) << r.second;

  r = Cli({"--json", "jobs"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("completed"), std::string::npos) << r.second;

  // Effects: a caption, a colour grade and double speed: the 4 s render
  // becomes a 2 s clip.
  r = Cli({"--json", "generate", "waves at dawn", "--seconds=4", "--effect=text:HELLO", "--effect=grade:vintage",
           "--effect=speed:2", "--out=" + dir_.path() + "/waves.mp4"});
  ASSERT_EQ(r.first, 0) << r.second;
  const size_t id_at = r.second.find("\"job_id\":\"");
  ASSERT_NE(id_at, std::string::npos) << r.second;
  const std::string job_id = r.second.substr(id_at + 10, 36);
  r = Cli({"--json", "job", job_id});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("\"duration\":\"2s\""), std::string::npos) << r.second;
  // The credential never reaches a log.
  const std::string credential = ReadFileToString(Credential());
  ASSERT_GT(credential.size(), 40u);
  const std::string secret = credential.substr(41, 20);
  EXPECT_EQ(server_->log().find(secret), std::string::npos);
  EXPECT_EQ(ReadFileToString(dir_.path() + "/worker-1.log").find(secret), std::string::npos);
}

// The JSON value of `"key":"` in `text` (36 characters: an id).
std::string IdAfter(const std::string& text, const std::string& key) {
  const size_t at = text.find("\"" + key + "\":\"");
  return at == std::string::npos ? "" : text.substr(at + key.size() + 4, 36);
}

// The string value of the first `key` in compact JSON ("" when absent).
std::string StringAfter(const std::string& text, const std::string& key) {
  const size_t at = text.find("\"" + key + "\":\"");
  if (at == std::string::npos) return "";
  const size_t from = at + key.size() + 4;
  return text.substr(from, text.find('"', from) - from);
}

TEST_F(GenerateTest, ARemixOfAPublishedClipCarriesItsParentsManifestAsAnIngredient) {
  auto r = Cli({"--json", "generate", "a paper lantern on a dark river", "--seconds=4",
                "--out=" + dir_.path() + "/lantern.mp4"});
  ASSERT_EQ(r.first, 0) << r.second << "\nworker log:\n" << ReadFileToString(dir_.path() + "/worker-1.log");
  const std::string job_id = IdAfter(r.second, "job_id");
  ASSERT_EQ(job_id.size(), 36u) << r.second;
  r = Cli({"--json", "publish", job_id, "--title=Lantern"});
  ASSERT_EQ(r.first, 0) << r.second;
  const std::string clip_id = IdAfter(r.second, "clip_id");
  ASSERT_EQ(clip_id.size(), 36u) << r.second;
  // The clip says what its video's Content Credentials say, validated.
  EXPECT_EQ(StringAfter(r.second, "content_credentials"), "valid") << r.second;
  EXPECT_EQ(StringAfter(r.second, "signer"), "worker-1") << r.second;
  EXPECT_EQ(StringAfter(r.second, "source_type"), "trainedAlgorithmicMedia") << r.second;
  const std::string parent_label = StringAfter(r.second, "manifest");
  ASSERT_FALSE(parent_label.empty()) << r.second;
  r = Cli({"--json", "verify", dir_.path() + "/lantern.mp4"});
  ASSERT_EQ(r.first, 0) << r.second;
  const size_t parent_label_at = r.second.find("urn:");
  ASSERT_NE(parent_label_at, std::string::npos) << r.second;
  EXPECT_NE(r.second.find(parent_label), std::string::npos) << "clip's label " << parent_label << "\n" << r.second;

  // The remix: the parent's seed and size, an edited prompt, and the
  // parent's manifest inside the new file as a parentOf ingredient.
  const std::string remix = dir_.path() + "/lantern-remix.mp4";
  r = Cli({"--json", "generate", "a paper lantern on a bright river", "--remix-of=" + clip_id, "--out=" + remix});
  ASSERT_EQ(r.first, 0) << r.second << "\nworker log:\n" << ReadFileToString(dir_.path() + "/worker-1.log");
  const std::string remix_job = IdAfter(r.second, "job_id");
  r = Cli({"--json", "verify", remix});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("parentOf"), std::string::npos) << r.second;

  // Published, it is the clip's fork: its lineage names the parent.
  r = Cli({"--json", "publish", remix_job});
  ASSERT_EQ(r.first, 0) << r.second;
  const std::string fork_id = IdAfter(r.second, "clip_id");
  EXPECT_EQ(IdAfter(r.second, "parent_clip_id"), clip_id) << r.second;
  EXPECT_EQ(StringAfter(r.second, "parent_manifest"), parent_label) << r.second;
  r = Cli({"lineage", fork_id});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("Lantern"), std::string::npos) << r.second;
}

TEST_F(GenerateTest, ASoundtrackAndAStickerAreUploadedFetchedAndRenderedIn) {
  const std::string song = dir_.path() + "/song.wav", paw = dir_.path() + "/paw.png";
  ASSERT_TRUE(test_media::WriteSineWav(song, 1.5).ok());
  ASSERT_TRUE(test_media::WriteRgbaPng(paw, 64, 64, test_media::SolidRgba(64, 64, 255, 255, 255, 255)).ok());
  const std::string clip = dir_.path() + "/harbour.mp4";
  auto r = Cli({"generate", "a quiet harbour at dawn", "--seconds=4", "--effect=sticker:" + paw,
                "--soundtrack=" + song, "--out=" + clip});
  ASSERT_EQ(r.first, 0) << r.second << "\nworker log:\n" << ReadFileToString(dir_.path() + "/worker-1.log");
  const test_media::Mp4Info info = test_media::InspectMp4(clip);
  ASSERT_EQ(info.streams.size(), 2u);
  EXPECT_EQ(info.streams[0].codec, "h264");
  EXPECT_EQ(info.streams[1].codec, "aac");
  EXPECT_NEAR(info.streams[1].duration, 4.0, 0.1);  // the 1.5 s song looped to the clip
  r = Cli({"verify", clip});
  EXPECT_EQ(r.first, 0) << r.second;

  // A file that is not what its name says is refused by the server's
  // probe, before any job exists.
  const std::string fake = dir_.path() + "/fake.png";
  std::ofstream(fake) << "these bytes are not a picture";
  r = Cli({"generate", "a second harbour", "--effect=sticker:" + fake});
  EXPECT_NE(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("not a decodable"), std::string::npos) << r.second;
  r = Cli({"--json", "jobs"});
  EXPECT_EQ(r.second.find("a second harbour"), std::string::npos) << r.second;
}

TEST_F(GenerateTest, ApiKeysAreCreatedOnceListedByPrefixAndRevoked) {
  auto r = Cli({"--json", "api-keys", "create", "my app", "--daily-seconds=600"});
  ASSERT_EQ(r.first, 0) << r.second;
  const size_t key_at = r.second.find("\"key\":\"cfk_");
  ASSERT_NE(key_at, std::string::npos) << r.second;
  const std::string key = r.second.substr(key_at + 7, r.second.find('"', key_at + 7) - key_at - 7);
  const std::string key_id = key.substr(4, 36);
  r = Cli({"--json", "api-keys"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("cfk_" + key_id), std::string::npos) << r.second;
  EXPECT_EQ(r.second.find(key), std::string::npos) << "a list shows the prefix, never the key";
  r = Cli({"api-keys", "revoke", key_id});
  EXPECT_EQ(r.first, 0) << r.second;
  r = Cli({"--json", "api-keys"});
  EXPECT_EQ(r.second.find(key_id), std::string::npos) << r.second;  // live keys only
  r = Cli({"--json", "api-keys", "--all"});
  EXPECT_NE(r.second.find(key_id), std::string::npos) << r.second;
  // The key never reaches the server's log.
  EXPECT_EQ(server_->log().find(key.substr(41)), std::string::npos);
}

TEST_F(GenerateTest, AWorkerKilledMidRenderLosesItsLeaseAndAnotherFinishesTheJob) {
  // A 20 s full-quality clip renders for several seconds on this machine.
  const std::string clip = dir_.path() + "/long.mp4";
  std::pair<int, std::string> generated;
  std::thread generate([&] {
    generated = Cli({"generate", "a forest under falling snow", "--seconds=20", "--quality=full", "--out=" + clip});
  });
  bool rendering = false;
  for (int i = 0; i < 300 && !rendering; ++i) {
    rendering = Cli({"--json", "jobs"}).second.find("in-progress") != std::string::npos;
    if (!rendering) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(rendering);
  first_worker_.Kill();
  Daemon second_worker;
  ASSERT_TRUE(StartWorker(second_worker, "worker-2"));
  generate.join();
  ASSERT_EQ(generated.first, 0) << generated.second << "\n" << ReadFileToString(dir_.path() + "/worker-2.log");
  EXPECT_GT(ReadFileToString(clip).size(), 1000u);
  const auto r = Cli({"--json", "jobs"});
  EXPECT_NE(r.second.find("completed"), std::string::npos) << r.second;
  // The second worker's log shows it took the job (attempt 2).
  EXPECT_NE(ReadFileToString(dir_.path() + "/worker-2.log").find("job"), std::string::npos);
}

}  // namespace
}  // namespace clipforge::testing
