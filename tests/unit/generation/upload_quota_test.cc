// The upload quota: how many uploads, and how many bytes, a user may keep.
#include "generation/upload_quota.h"

#include <string>

#include "base/error_reason.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::generation {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr UploadLimits kSmallUploadLimits{.max_live_uploads = 3, .max_live_bytes = 1000};

TEST(UploadQuotaTest, AnUploadThatFitsBothLimitsIsAllowed) {
  EXPECT_THAT(CheckUploadQuota(kSmallUploadLimits, {}, 1000), IsOk());
  EXPECT_THAT(CheckUploadQuota(kSmallUploadLimits, {.live_uploads = 2, .live_bytes = 600}, 400), IsOk());
}

TEST(UploadQuotaTest, OneUploadPastTheCountIsRefusedSayingWhenRoomFreesUp) {
  const absl::Time expiry = absl::FromUnixSeconds(1'800'000'000);
  const absl::Status status =
      CheckUploadQuota(kSmallUploadLimits, {.live_uploads = 3, .live_bytes = 3, .next_expiry = expiry}, 1);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted,
                               AllOf(HasSubstr("uploads: 3 may be kept at once, 3 are"),
                                     HasSubstr(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", expiry, absl::UTCTimeZone())))));
  EXPECT_THAT(base::ReasonOf(status), Optional(std::string("QUOTA_EXCEEDED")));
}

TEST(UploadQuotaTest, AnUploadPastTheBytesIsRefusedNamingItsSize) {
  const absl::Status status = CheckUploadQuota(kSmallUploadLimits, {.live_uploads = 1, .live_bytes = 600}, 401);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted,
                               AllOf(HasSubstr("upload bytes: 1000 may be kept at once, 600 are"),
                                     HasSubstr("this upload has 401"))));
  EXPECT_THAT(base::ReasonOf(status), Optional(std::string("QUOTA_EXCEEDED")));
}

TEST(UploadQuotaTest, WithNothingLiveThereIsNoExpiryToPromise) {
  const absl::Status status = CheckUploadQuota({.max_live_uploads = 0, .max_live_bytes = 1000}, {}, 1);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("uploads: 0 may be kept")));
  EXPECT_THAT(std::string(status.message()), ::testing::Not(HasSubstr("room frees up")));
}

}  // namespace
}  // namespace clipforge::generation
