#include "cli/credentials.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <gtest/gtest.h>

#include "cli/atomic_file.h"
#include "cli/test_util.h"

namespace clipforge::cli {
namespace {

Credentials Sample() {
  Credentials c;
  c.server = "127.0.0.1:50051";
  c.user_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  c.handle = "alice";
  c.session_id = "0190a1b2-c3d4-7e5f-8a9b-000000000001";
  c.access_token = "v1.k1.access\"token\\with/odd=chars";
  c.access_token_expire_time = absl::FromUnixSeconds(1714564800);
  c.refresh_token = "refresh-token-secret";
  c.refresh_token_expire_time = absl::FromUnixSeconds(1717156800);
  return c;
}

void ExpectSame(const Credentials& a, const Credentials& b) {
  EXPECT_EQ(a.server, b.server);
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.handle, b.handle);
  EXPECT_EQ(a.session_id, b.session_id);
  EXPECT_EQ(a.access_token, b.access_token);
  EXPECT_EQ(a.access_token_expire_time, b.access_token_expire_time);
  EXPECT_EQ(a.refresh_token, b.refresh_token);
  EXPECT_EQ(a.refresh_token_expire_time, b.refresh_token_expire_time);
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(CredentialsTest, SerializeParseRoundTrip) {
  const std::string json = SerializeCredentials(Sample());
  EXPECT_NE(json.find("\"access_token_expire_time\":\"2024-05-01T12:00:00Z\""), std::string::npos);
  EXPECT_NE(json.find("\"version\":1"), std::string::npos);
  const auto parsed = ParseCredentials(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ExpectSame(*parsed, Sample());
}

TEST(CredentialsTest, ParseRejectsBrokenFilesWithoutEchoingSecrets) {
  EXPECT_FALSE(ParseCredentials("not json").ok());
  EXPECT_FALSE(ParseCredentials("[]").ok());
  std::string json = SerializeCredentials(Sample());
  json.replace(json.find("\"version\":1"), 11, "\"version\":2");
  EXPECT_EQ(ParseCredentials(json).status().message(), "\"version\" is not 1");

  Credentials no_refresh = Sample();
  no_refresh.refresh_token.clear();
  EXPECT_EQ(ParseCredentials(SerializeCredentials(no_refresh)).status().message(),
            "\"refresh_token\" is empty");

  std::string bad_time = SerializeCredentials(Sample());
  bad_time.replace(bad_time.find("2024-05-01T12:00:00Z"), 20, "refresh-token-secret");
  const absl::Status status = ParseCredentials(bad_time).status();
  EXPECT_EQ(status.message(), "\"access_token_expire_time\" is not a time");
  EXPECT_EQ(status.message().find("secret"), absl::string_view::npos);
}

TEST(CredentialStoreTest, SaveCreatesPrivateDirAndFileAndLoadsBack) {
  testing::TempDir tmp;
  const std::string dir = tmp.path() + "/config/clipforge";
  CredentialStore store(dir);
  EXPECT_TRUE(absl::IsNotFound(store.Load().status()));
  ASSERT_TRUE(store.Save(Sample()).ok());
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_EQ(ModeOf(tmp.path() + "/config"), 0700u);
  EXPECT_EQ(ModeOf(store.path()), 0600u);
  const auto loaded = store.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectSame(*loaded, Sample());
}

TEST(CredentialStoreTest, SaveReplacesAtomicallyAndLeavesNoTemporaryFiles) {
  testing::TempDir tmp;
  CredentialStore store(tmp.path());
  ASSERT_TRUE(store.Save(Sample()).ok());
  struct stat before;
  ASSERT_EQ(::stat(store.path().c_str(), &before), 0);
  Credentials next = Sample();
  next.refresh_token = "rotated";
  ASSERT_TRUE(store.Save(next).ok());
  struct stat after;
  ASSERT_EQ(::stat(store.path().c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);  // a new file renamed over, not rewritten in place
  EXPECT_EQ(store.Load()->refresh_token, "rotated");
  EXPECT_EQ(Entries(tmp.path()), std::vector<std::string>{"credentials.json"});
  EXPECT_EQ(ModeOf(store.path()), 0600u);
}

TEST(CredentialStoreTest, SaveTightensAnOpenDirectory) {
  testing::TempDir tmp;
  const std::string dir = tmp.path() + "/open";
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  ASSERT_TRUE(CredentialStore(dir).Save(Sample()).ok());
  EXPECT_EQ(ModeOf(dir), 0700u);
}

TEST(CredentialStoreTest, RefusesAFileOthersCanRead) {
  testing::TempDir tmp;
  CredentialStore store(tmp.path());
  ASSERT_TRUE(store.Save(Sample()).ok());
  for (const mode_t mode : {0644, 0640, 0604, 0620}) {
    ASSERT_EQ(::chmod(store.path().c_str(), mode), 0);
    const absl::Status status = store.Load().status();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << mode;
    EXPECT_NE(status.message().find("chmod 600 " + store.path()), absl::string_view::npos)
        << status;
  }
  ASSERT_EQ(::chmod(store.path().c_str(), 0600), 0);
  EXPECT_TRUE(store.Load().ok());
}

TEST(CredentialStoreTest, RefusesSymlinksAndReportsDamage) {
  testing::TempDir tmp;
  CredentialStore store(tmp.path());
  const std::string elsewhere = tmp.path() + "/elsewhere.json";
  ASSERT_TRUE(WriteFileAtomically(elsewhere, SerializeCredentials(Sample()), 0600).ok());
  ASSERT_EQ(::symlink(elsewhere.c_str(), store.path().c_str()), 0);
  EXPECT_EQ(store.Load().status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store.Remove().ok());

  ASSERT_TRUE(WriteFileAtomically(store.path(), "{\"version\":1", 0600).ok());
  const absl::Status damaged = store.Load().status();
  EXPECT_EQ(damaged.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(damaged.message().find("clipforge login"), absl::string_view::npos);
}

TEST(CredentialStoreTest, RemoveIsIdempotent) {
  testing::TempDir tmp;
  CredentialStore store(tmp.path());
  ASSERT_TRUE(store.Save(Sample()).ok());
  EXPECT_TRUE(store.Remove().ok());
  EXPECT_TRUE(store.Remove().ok());
  EXPECT_TRUE(absl::IsNotFound(store.Load().status()));
}

TEST(CredentialStoreTest, LockCanBeTakenAgainAfterRelease) {
  testing::TempDir tmp;
  CredentialStore store(tmp.path());
  { auto lock = store.Lock(); ASSERT_TRUE(lock.ok()); }
  auto again = store.Lock();
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(ModeOf(tmp.path() + "/credentials.lock"), 0600u);
}

TEST(AtomicFileTest, UncommittedFileLeavesNothingBehind) {
  testing::TempDir tmp;
  {
    auto file = AtomicFile::Create(tmp.path(), 0600);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->Append("partial").ok());
    EXPECT_EQ(Entries(tmp.path()).size(), 1u);
  }
  EXPECT_TRUE(Entries(tmp.path()).empty());

  auto file = AtomicFile::Create(tmp.path(), 0600);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->Append("whole").ok());
  ASSERT_TRUE(file->Commit(tmp.path() + "/out.zip").ok());
  EXPECT_EQ(Entries(tmp.path()), std::vector<std::string>{"out.zip"});
  EXPECT_EQ(ModeOf(tmp.path() + "/out.zip"), 0600u);
  std::ifstream in(tmp.path() + "/out.zip");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "whole");
}

TEST(AtomicFileTest, DirName) {
  EXPECT_EQ(DirName("a/b/c.json"), "a/b");
  EXPECT_EQ(DirName("c.json"), ".");
  EXPECT_EQ(DirName("/c.json"), "/");
}

}  // namespace
}  // namespace clipforge::cli
