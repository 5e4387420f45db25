// The blob store's interface over LocalBlobStore on a real directory: Open
// (bytes through the descriptor and the path, refusals, reads that outlive
// Remove), the writer, and BlobFile's ownership of its descriptor and of a
// spooled copy.
#include "services/kit/local_blob_store.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/sha256.h"
#include "base/testing/status_matchers.h"
#include "tests/support/patterned_bytes.h"
#include "tests/support/process.h"

namespace clipforge::kit {
namespace {

using base::testing::IsOk;
using base::testing::IsOkAndHolds;
using base::testing::StatusIs;
using clipforge::testing::PatternedBytes;

// `length` bytes at `offset` of `fd`, read with pread; fewer when the file
// ends first.
std::string PreadAt(int fd, int64_t offset, size_t length) {
  std::string out(length, '\0');
  size_t done = 0;
  while (done < length) {
    const ssize_t got = pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (got <= 0) break;
    done += static_cast<size_t>(got);
  }
  out.resize(done);
  return out;
}

std::string ReadPath(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool IsOpenFd(int fd) { return fcntl(fd, F_GETFD) != -1; }

class BlobStoreTest : public ::testing::Test {
 protected:
  // A file outside the store, opened for reading: what a spooled copy is.
  BlobFile Spool(const std::string& bytes) {
    std::string path = dir_.path() + "/spool.XXXXXX";
    UniqueFd fd(mkstemp(path.data()));
    EXPECT_GE(fd.get(), 0);
    EXPECT_EQ(write(fd.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    return BlobFile::SpooledCopy(std::move(fd), static_cast<int64_t>(bytes.size()), std::move(path));
  }

  clipforge::testing::TempDir dir_;
  LocalBlobStore blobs_{dir_.path() + "/blobs"};
  const BlobStore& store_ = blobs_;  // The interface, as consumers see it.
};

TEST_F(BlobStoreTest, PutNamesTheBlobByTheSha256OfItsBytes) {
  const std::string bytes = PatternedBytes(1000);
  ASSERT_OK_AND_ASSIGN(const std::string name, store_.Put(bytes));
  EXPECT_EQ(name, base::Sha256Hex(bytes));
  EXPECT_TRUE(IsBlobName(name));
  EXPECT_THAT(store_.Put(bytes), IsOkAndHolds(name));  // Stored already: the same name.
}

TEST_F(BlobStoreTest, OpenGivesTheSizeAndTheBytesThroughTheFdAndThePath) {
  const std::string bytes = PatternedBytes(200 * 1024 + 3);
  ASSERT_OK_AND_ASSIGN(const std::string name, store_.Put(bytes));

  ASSERT_OK_AND_ASSIGN(const BlobFile file, store_.Open(name));
  EXPECT_EQ(file.size(), static_cast<int64_t>(bytes.size()));
  EXPECT_TRUE(PreadAt(file.fd(), 0, bytes.size() + 10) == bytes);
  EXPECT_EQ(PreadAt(file.fd(), 70000, 100), bytes.substr(70000, 100));
  EXPECT_TRUE(ReadPath(file.path()) == bytes);
}

TEST_F(BlobStoreTest, OpenOfAnEmptyBlobIsAnEmptyFile) {
  ASSERT_OK_AND_ASSIGN(const std::string name, store_.Put(""));
  ASSERT_OK_AND_ASSIGN(const BlobFile file, store_.Open(name));
  EXPECT_EQ(file.size(), 0);
  EXPECT_EQ(PreadAt(file.fd(), 0, 10), "");
}

TEST_F(BlobStoreTest, OpenRefusesAMalformedName) {
  const std::string name = store_.Put("bytes").value();
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(toupper(c));
  ASSERT_NE(upper, name);  // The hash has letters.
  for (const std::string& bad : {std::string(""), name.substr(0, 63), name + "0", upper, std::string("../") + name,
                                 std::string(64, 'g')}) {
    EXPECT_THAT(store_.Open(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST_F(BlobStoreTest, OpenOfABlobNotStoredIsNotFound) {
  EXPECT_THAT(store_.Open(std::string(64, 'a')), StatusIs(absl::StatusCode::kNotFound));
  // Its directory exists (another blob shares the first two digits).
  const std::string name = store_.Put("bytes").value();
  std::string sibling = name;
  sibling[63] = sibling[63] == '0' ? '1' : '0';
  EXPECT_THAT(store_.Open(sibling), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(BlobStoreTest, AFileOpenedBeforeRemoveStillReadsTheWholeBlob) {
  const std::string bytes = PatternedBytes(100 * 1024);
  ASSERT_OK_AND_ASSIGN(const std::string name, store_.Put(bytes));
  ASSERT_OK_AND_ASSIGN(const BlobFile file, store_.Open(name));

  ASSERT_THAT(store_.Remove(name), IsOk());
  EXPECT_THAT(store_.Open(name), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_.Remove(name), IsOk());  // Gone already.

  EXPECT_EQ(file.size(), static_cast<int64_t>(bytes.size()));
  EXPECT_TRUE(PreadAt(file.fd(), 0, bytes.size()) == bytes);
}

TEST_F(BlobStoreTest, ASpooledCopyIsUnlinkedWhenItGoesAndTheStoresFileIsNot) {
  const std::string bytes = PatternedBytes(5000);
  ASSERT_OK_AND_ASSIGN(const std::string name, store_.Put(bytes));
  std::string stored_path;
  {
    ASSERT_OK_AND_ASSIGN(const BlobFile file, store_.Open(name));
    stored_path = file.path();
  }
  EXPECT_TRUE(std::filesystem::exists(stored_path));
  EXPECT_THAT(store_.Open(name), IsOk());

  std::string spooled_path;
  {
    const BlobFile spooled = Spool(bytes);
    spooled_path = spooled.path();
    ASSERT_TRUE(std::filesystem::exists(spooled_path));
    EXPECT_TRUE(ReadPath(spooled.path()) == bytes);
    EXPECT_TRUE(PreadAt(spooled.fd(), 0, bytes.size()) == bytes);
  }
  EXPECT_FALSE(std::filesystem::exists(spooled_path));
}

TEST_F(BlobStoreTest, AMovedFromFileIsEmptyAndTheDescriptorIsClosedOnce) {
  const std::string bytes = PatternedBytes(3000);
  ASSERT_OK_AND_ASSIGN(const std::string name, store_.Put(bytes));
  ASSERT_OK_AND_ASSIGN(BlobFile source, store_.Open(name));
  const int fd = source.fd();
  const std::string path = source.path();

  std::optional<BlobFile> moved(std::move(source));
  EXPECT_EQ(source.fd(), -1);
  EXPECT_EQ(source.size(), 0);
  EXPECT_EQ(source.path(), "");
  EXPECT_EQ(moved->fd(), fd);
  EXPECT_EQ(moved->path(), path);
  { BlobFile gone = std::move(source); }  // Destroying an empty one closes nothing.
  EXPECT_TRUE(IsOpenFd(fd));
  EXPECT_TRUE(PreadAt(moved->fd(), 0, bytes.size()) == bytes);

  // Assigning over a file closes the file it held.
  ASSERT_OK_AND_ASSIGN(BlobFile other, store_.Open(store_.Put("other").value()));
  const int other_fd = other.fd();
  other = *std::move(moved);
  EXPECT_FALSE(IsOpenFd(other_fd));
  EXPECT_EQ(other.fd(), fd);
  EXPECT_EQ(moved->fd(), -1);
  moved.reset();
  EXPECT_TRUE(IsOpenFd(fd));

  other = Spool("x");  // Drops the store's file: closed, but left in place.
  EXPECT_FALSE(IsOpenFd(fd));
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(BlobStoreTest, AMovedSpooledCopyIsUnlinkedOnlyByItsLastOwner) {
  std::optional<BlobFile> first(Spool("spooled bytes"));
  const std::string path = first->path();
  BlobFile second = *std::move(first);
  first.reset();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(ReadPath(second.path()), "spooled bytes");

  // Assigning over a spooled copy unlinks it.
  second = Spool("another");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(BlobStoreTest, AWriterCommitsUnderTheHashAndItsBytesAreReadableBeforehand) {
  const std::string bytes = PatternedBytes(10000);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> writer, store_.NewWriter());
  ASSERT_THAT(writer->Append(bytes.substr(0, 4000)), IsOk());
  ASSERT_THAT(writer->Append(bytes.substr(4000)), IsOk());
  EXPECT_EQ(writer->size(), static_cast<int64_t>(bytes.size()));
  EXPECT_TRUE(ReadPath(writer->path()) == bytes);

  ASSERT_OK_AND_ASSIGN(const std::string name, writer->Commit(base::Sha256Hex(bytes)));
  EXPECT_EQ(name, base::Sha256Hex(bytes));
  ASSERT_OK_AND_ASSIGN(const BlobFile file, store_.Open(name));
  EXPECT_TRUE(PreadAt(file.fd(), 0, bytes.size()) == bytes);
  EXPECT_THAT(writer->Append("more"), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(BlobStoreTest, AWriterSaysWhetherItsCommitStoredTheBlobOrFoundItThere) {
  const std::string bytes = PatternedBytes(3000, 99);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> first, store_.NewWriter());
  ASSERT_THAT(first->Append(bytes), IsOk());
  ASSERT_THAT(first->Commit(""), IsOk());
  EXPECT_TRUE(first->stored_new());

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> second, store_.NewWriter());
  ASSERT_THAT(second->Append(bytes), IsOk());
  EXPECT_FALSE(second->stored_new());  // Not committed yet.
  ASSERT_OK_AND_ASSIGN(const std::string name, second->Commit(""));
  EXPECT_FALSE(second->stored_new());
  ASSERT_OK_AND_ASSIGN(const BlobFile file, store_.Open(name));
  EXPECT_EQ(file.size(), static_cast<int64_t>(bytes.size()));
}

TEST_F(BlobStoreTest, AWriterWithTheWrongHashOrDroppedStoresNothing) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> wrong, store_.NewWriter());
  ASSERT_THAT(wrong->Append("some bytes"), IsOk());
  const std::string wrong_path = wrong->path();
  EXPECT_THAT(wrong->Commit(std::string(64, 'a')), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_.Open(base::Sha256Hex("some bytes")), StatusIs(absl::StatusCode::kNotFound));
  wrong.reset();
  EXPECT_FALSE(std::filesystem::exists(wrong_path));

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> dropped, store_.NewWriter());
  ASSERT_THAT(dropped->Append("dropped bytes"), IsOk());
  const std::string dropped_path = dropped->path();
  ASSERT_TRUE(std::filesystem::exists(dropped_path));
  dropped.reset();
  EXPECT_FALSE(std::filesystem::exists(dropped_path));
  EXPECT_THAT(store_.Open(base::Sha256Hex("dropped bytes")), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace clipforge::kit
