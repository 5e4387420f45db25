// The clip graph's pure rules: who sees and forks a clip, the attribution
// chain's weights, and the canvas layout (tidy, ordered, cycle-proof, and
// iterative for a 10,000-deep chain).
#include <string>
#include <vector>

#include "base/error_reason.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remix/attribution.h"
#include "remix/canvas_layout.h"
#include "remix/clip_access.h"

namespace clipforge::remix {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::IsEmpty;

TEST(ClipAccessTest, VisibilityFollowersBlocksAndRemoval) {
  ClipAccess clip{.clip_id = "c1", .author_id = "alice"};
  const Viewer stranger{.user_id = "bob"}, follower{.user_id = "carol", .follows_author = true},
      blocked{.user_id = "dave", .follows_author = true, .blocked_by_author = true}, author{.user_id = "alice"},
      admin{.user_id = "root", .is_admin = true}, anonymous{};
  EXPECT_TRUE(CanSee(clip, stranger));
  EXPECT_TRUE(CanSee(clip, anonymous));
  EXPECT_FALSE(CanSee(clip, blocked));  // blocked: nothing of the author's
  clip.visibility = Visibility::kFollowers;
  EXPECT_FALSE(CanSee(clip, stranger));
  EXPECT_TRUE(CanSee(clip, follower));
  EXPECT_FALSE(CanSee(clip, blocked));
  EXPECT_TRUE(CanSee(clip, author));
  clip.visibility = Visibility::kPrivate;
  EXPECT_FALSE(CanSee(clip, follower));
  EXPECT_TRUE(CanSee(clip, author));
  EXPECT_TRUE(CanSee(clip, admin));
  clip.visibility = Visibility::kPublic;
  clip.removed = true;
  EXPECT_FALSE(CanSee(clip, author));
  EXPECT_TRUE(CanSee(clip, admin));
}

TEST(ClipAccessTest, ForkingAnInvisibleOrClosedClip) {
  ClipAccess clip{.clip_id = "c1", .author_id = "alice", .visibility = Visibility::kPrivate};
  EXPECT_THAT(CheckFork(clip, Viewer{.user_id = "bob"}, "parent_clip_id"),
              StatusIs(absl::StatusCode::kNotFound, ::testing::HasSubstr("parent_clip_id")));
  clip.visibility = Visibility::kPublic;
  EXPECT_THAT(CheckFork(clip, Viewer{.user_id = "bob"}, "parent_clip_id"), IsOk());
  clip.forking_allowed = false;
  const absl::Status closed = CheckFork(clip, Viewer{.user_id = "bob"}, "parent_clip_id");
  EXPECT_THAT(closed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(base::ReasonOf(closed).value_or(""), "FORKING_DISABLED");
  EXPECT_THAT(CheckFork(clip, Viewer{.user_id = "alice"}, "parent_clip_id"), IsOk());  // the author may
  clip.removed = true;
  EXPECT_THAT(CheckFork(clip, Viewer{.user_id = "root", .is_admin = true}, "parent_clip_id"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(AttributionTest, WeightsHalvePerGenerationUpToTheCap) {
  const std::vector<AncestorWeight> chain = AttributionChain({"p", "g", "gg", "ggg", "gggg"});
  ASSERT_EQ(chain.size(), 4u);
  EXPECT_EQ(chain[0].clip_id, "p");
  EXPECT_EQ(chain[0].depth, 1);
  EXPECT_EQ(chain[0].weight_ppm, 50'000);
  EXPECT_EQ(chain[1].weight_ppm, 25'000);
  EXPECT_EQ(chain[2].weight_ppm, 12'500);
  EXPECT_EQ(chain[3].weight_ppm, 6'250);
  EXPECT_EQ(chain[3].clip_id, "ggg");
  EXPECT_THAT(AttributionChain({}), IsEmpty());
  // A weight that halves to nothing ends the chain early.
  EXPECT_EQ(AttributionChain({"a", "b", "c"}, {.parent_ppm = 2, .max_depth = 10}).size(), 2u);
}

TEST(CanvasLayoutTest, LeavesInOrderAndParentsCentred) {
  // r has children a, b, c (in that order); a has d and e.
  const std::vector<CanvasPosition> p =
      LayoutCanvas({{"r", ""}, {"a", "r"}, {"b", "r"}, {"c", "r"}, {"d", "a"}, {"e", "a"}});
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p[4].x, 0);  // d
  EXPECT_EQ(p[5].x, 1);  // e
  EXPECT_EQ(p[1].x, 0.5);  // a over d and e
  EXPECT_EQ(p[2].x, 2);  // b
  EXPECT_EQ(p[3].x, 3);  // c
  EXPECT_EQ(p[0].x, 1.75);  // r over a and c
  EXPECT_EQ(p[0].depth, 0);
  EXPECT_EQ(p[1].depth, 1);
  EXPECT_EQ(p[4].depth, 2);
}

TEST(CanvasLayoutTest, MissingParentsDuplicatesAndCyclesDoNotBreakIt) {
  const std::vector<CanvasPosition> p =
      LayoutCanvas({{"x", "not-shown"}, {"y", "x"}, {"x", "y"}, {"a", "b"}, {"b", "a"}});
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].depth, 0);  // its parent is not on the canvas: a root
  EXPECT_EQ(p[1].depth, 1);
  EXPECT_EQ(p[2].x, p[0].x);  // a duplicate takes the first place
  EXPECT_TRUE((p[3].depth == 0) != (p[4].depth == 0));  // the cycle is cut once
}

TEST(CanvasLayoutTest, ATenThousandDeepChainLaysOutIteratively) {
  std::vector<CanvasNode> chain;
  chain.push_back({"n0", ""});
  for (int i = 1; i < 10000; ++i) chain.push_back({"n" + std::to_string(i), "n" + std::to_string(i - 1)});
  const std::vector<CanvasPosition> p = LayoutCanvas(chain);
  EXPECT_EQ(p.back().depth, 9999);
  EXPECT_EQ(p.front().x, 0);
  EXPECT_EQ(p.back().x, 0);
}

}  // namespace
}  // namespace clipforge::remix
