// Signed media URLs: the round trip, every field tampered with, expiry,
// malformed targets, the content-type allow-list and the key file.
#include "services/kit/signed_url.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/testing/status_matchers.h"
#include "tests/support/process.h"

namespace clipforge::kit {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::string_view kBlob = "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4";
constexpr absl::string_view kOtherBlob = "0000000000000000000000000000000000000000000000000000000000000001";
const absl::Time kNow = absl::FromUnixSeconds(1'780'000'000);
const absl::Time kExpires = kNow + absl::Minutes(10);

UrlSigner Signer(char fill = 'k') { return *UrlSigner::Create(std::string(32, fill)); }

std::string SignOrDie(const UrlSigner& signer, absl::string_view ct = "video/mp4", absl::Time expires = kExpires) {
  absl::StatusOr<std::string> target = signer.Sign(kBlob, ct, expires);
  EXPECT_THAT(target, IsOk());
  return target.value_or("");
}

// `target` with the value of parameter `name` replaced by `value`.
std::string WithParam(const std::string& target, absl::string_view name, absl::string_view value) {
  const size_t start = target.find(absl::StrCat(name, "="));
  const size_t value_start = start + name.size() + 1;
  size_t end = target.find('&', value_start);
  if (end == std::string::npos) end = target.size();
  return absl::StrCat(target.substr(0, value_start), value, target.substr(end));
}

TEST(SignedUrlTest, RoundTrip) {
  const UrlSigner signer = Signer();
  const std::string target = SignOrDie(signer, "video/mp4");
  EXPECT_THAT(target, StartsWith(absl::StrCat("/media/", kBlob, "?ct=video%2Fmp4&exp=1780000600&sig=")));
  absl::StatusOr<SignedBlob> blob = signer.Verify(target, kNow);
  ASSERT_THAT(blob, IsOk());
  EXPECT_EQ(blob->sha256, kBlob);
  EXPECT_EQ(blob->content_type, "video/mp4");
  EXPECT_EQ(blob->expires, kExpires);
}

TEST(SignedUrlTest, ExpiryIsFlooredToWholeSeconds) {
  const UrlSigner signer = Signer();
  const std::string target = SignOrDie(signer, "image/jpeg", kExpires + absl::Milliseconds(900));
  absl::StatusOr<SignedBlob> blob = signer.Verify(target, kNow);
  ASSERT_THAT(blob, IsOk());
  EXPECT_EQ(blob->expires, kExpires);
}

TEST(SignedUrlTest, EveryServableTypeRoundTrips) {
  const UrlSigner signer = Signer();
  for (absl::string_view ct : kServableContentTypes) {
    absl::StatusOr<SignedBlob> blob = signer.Verify(SignOrDie(signer, ct), kNow);
    ASSERT_THAT(blob, IsOk()) << ct;
    EXPECT_EQ(blob->content_type, ct);
  }
}

TEST(SignedUrlTest, ParameterOrderAndUnescapedSlashDoNotMatter) {
  const UrlSigner signer = Signer();
  const std::string target = SignOrDie(signer);
  const std::string query = target.substr(target.find('?') + 1);
  const std::string sig = query.substr(query.find("sig=") + 4);
  const std::string reordered =
      absl::StrCat("/media/", kBlob, "?sig=", sig, "&exp=", absl::ToUnixSeconds(kExpires), "&ct=video/mp4");
  EXPECT_THAT(signer.Verify(reordered, kNow), IsOk());
}

TEST(SignedUrlTest, EachTamperedFieldIsDenied) {
  const UrlSigner signer = Signer();
  const std::string target = SignOrDie(signer);
  // The blob.
  EXPECT_THAT(signer.Verify(absl::StrReplaceAll(target, {{kBlob, kOtherBlob}}), kNow),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // The content type, to another servable one and to one that is not.
  EXPECT_THAT(signer.Verify(WithParam(target, "ct", "image%2Fpng"), kNow),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(signer.Verify(WithParam(target, "ct", "text%2Fhtml"), kNow),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // The expiry, one second later.
  EXPECT_THAT(signer.Verify(WithParam(target, "exp", absl::StrCat(absl::ToUnixSeconds(kExpires) + 1)), kNow),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // The signature: one character changed, cut short, empty, absent.
  std::string sig = target.substr(target.find("sig=") + 4);
  std::string flipped = sig;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
  EXPECT_THAT(signer.Verify(WithParam(target, "sig", flipped), kNow), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(signer.Verify(WithParam(target, "sig", sig.substr(0, 20)), kNow),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(signer.Verify(WithParam(target, "sig", ""), kNow), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(signer.Verify(target.substr(0, target.find("&sig=")), kNow),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("signature")));
  // Signed with another key.
  EXPECT_THAT(Signer('x').Verify(target, kNow), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(SignedUrlTest, ExpiredIsDenied) {
  const UrlSigner signer = Signer();
  const std::string target = SignOrDie(signer);
  EXPECT_THAT(signer.Verify(target, kExpires - absl::Nanoseconds(1)), IsOk());
  EXPECT_THAT(signer.Verify(target, kExpires), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("expired")));
  EXPECT_THAT(signer.Verify(target, kExpires + absl::Hours(1)), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(SignedUrlTest, MalformedTargetsAreInvalid) {
  const UrlSigner signer = Signer();
  const std::string target = SignOrDie(signer);
  const std::string query = target.substr(target.find('?'));
  const std::string malformed[] = {
      "",
      "/",
      absl::StrCat("/blobs/", kBlob, query),
      absl::StrCat("/media/", kBlob),
      absl::StrCat("/media/", kBlob, "?"),
      absl::StrCat("/media/", absl::AsciiStrToUpper(kBlob), query),
      absl::StrCat("/media/", kBlob.substr(1), query),
      absl::StrCat("/media/", kBlob, "/x", query),
      absl::StrCat(target, "&extra=1"),
      absl::StrCat(target, "&ct=video%2Fmp4"),
      absl::StrCat(target, "&exp"),
      WithParam(target, "exp", "-5"),
      WithParam(target, "exp", "+5"),
      WithParam(target, "exp", "12x"),
      WithParam(target, "exp", ""),
      WithParam(target, "exp", "99999999999999999999"),
      WithParam(target, "ct", "video%2"),
      WithParam(target, "ct", "video%zzmp4"),
      WithParam(target, "ct", "video+mp4"),
      WithParam(target, "ct", ""),
      target.substr(0, target.find("&exp=")) + target.substr(target.find("&sig=")),
      absl::StrCat(target, "&pad=", std::string(kMaxSignedTargetBytes, 'a')),
  };
  for (const std::string& bad : malformed) {
    EXPECT_THAT(signer.Verify(bad, kNow), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(SignedUrlTest, OnlyServableTypesAndBlobNamesAreSigned) {
  const UrlSigner signer = Signer();
  for (absl::string_view ct : {"text/html", "application/javascript", "image/svg+xml", "VIDEO/MP4", "video/mp4 ",
                               "video/mp4; charset=utf-8", ""}) {
    EXPECT_THAT(signer.Sign(kBlob, ct, kExpires), StatusIs(absl::StatusCode::kInvalidArgument)) << ct;
    EXPECT_FALSE(IsServableContentType(ct)) << ct;
  }
  EXPECT_THAT(signer.Sign("not-a-blob", "video/mp4", kExpires), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(signer.Sign(kBlob, "video/mp4", absl::FromUnixSeconds(-1)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SignedUrlTest, ShortKeysAreRefused) {
  EXPECT_THAT(UrlSigner::Create(std::string(31, 'k')), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(UrlSigner::Create(std::string(32, 'k')), IsOk());
  EXPECT_THAT(UrlSigner::Create(std::string(64, 'k')), IsOk());
}

TEST(SignedUrlTest, KeyFileIsCreated0600AndReloadedIdentically) {
  clipforge::testing::TempDir dir;
  const std::string path = dir.path() + "/media-url.key";
  absl::StatusOr<UrlSigner> created = LoadOrCreateUrlSigner(path);
  ASSERT_THAT(created, IsOk());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(st.st_size, static_cast<off_t>(kUrlSigningKeyFileBytes));

  absl::StatusOr<UrlSigner> reloaded = LoadOrCreateUrlSigner(path);
  ASSERT_THAT(reloaded, IsOk());
  const std::string target = SignOrDie(*created);
  EXPECT_EQ(SignOrDie(*reloaded), target);
  EXPECT_THAT(reloaded->Verify(target, kNow), IsOk());

  // A second key file holds another key.
  absl::StatusOr<UrlSigner> other = LoadOrCreateUrlSigner(dir.path() + "/other.key");
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(other->Verify(target, kNow), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(SignedUrlTest, BadKeyFilesAreRefused) {
  clipforge::testing::TempDir dir;
  const std::string wrong_size = dir.path() + "/short.key";
  std::ofstream(wrong_size) << std::string(31, 'k');
  chmod(wrong_size.c_str(), 0600);
  EXPECT_THAT(LoadOrCreateUrlSigner(wrong_size), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("32")));

  const std::string too_long = dir.path() + "/long.key";
  std::ofstream(too_long) << std::string(64, 'k');
  chmod(too_long.c_str(), 0600);
  EXPECT_THAT(LoadOrCreateUrlSigner(too_long), StatusIs(absl::StatusCode::kFailedPrecondition));

  const std::string readable = dir.path() + "/readable.key";
  std::ofstream(readable) << std::string(32, 'k');
  chmod(readable.c_str(), 0644);
  EXPECT_THAT(LoadOrCreateUrlSigner(readable), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("600")));

  EXPECT_THAT(LoadOrCreateUrlSigner(dir.path() + "/no/such/dir/media.key"), StatusIs(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace clipforge::kit
