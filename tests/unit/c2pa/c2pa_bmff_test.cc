// BMFF walking and hashing on a hand-made MP4 skeleton: box paths, the
// exclusions and the v2 offsets the hash takes, and embedding a manifest
// store (C2PA box after ftyp, chunk offsets moved).
#include "generation/c2pa_bmff.h"

#include <functional>

#include "base/sha256.h"
#include "generation/c2pa_bytes.h"
#include "gtest/gtest.h"

namespace clipforge::generation::c2pa {
namespace {

std::string FullBox(absl::string_view type, absl::string_view body) {
  return WrapBox(type, std::string(4, '\0') + std::string(body));
}

// ftyp, moov (one track whose stco points at both chunks in mdat), mdat.
struct Skeleton {
  std::string bytes;
  uint64_t mdat_offset = 0;
};

Skeleton MakeSkeleton(bool wide_offsets = false) {
  const std::string ftyp = WrapBox("ftyp", "isom\0\0\x02\0isomiso2");
  const std::string mdat_body = "CHUNK-ONE.CHUNK-TWO";
  // The offsets depend on moov's size, which does not depend on them.
  auto build = [&](uint64_t first, uint64_t second) {
    std::string table;
    PutU32(table, 2);
    if (wide_offsets) {
      PutU64(table, first);
      PutU64(table, second);
    } else {
      PutU32(table, static_cast<uint32_t>(first));
      PutU32(table, static_cast<uint32_t>(second));
    }
    const std::string stbl = WrapBox("stbl", FullBox(wide_offsets ? "co64" : "stco", table));
    return WrapBox("moov", WrapBox("trak", WrapBox("mdia", WrapBox("minf", stbl))));
  };
  const size_t moov_size = build(0, 0).size();
  Skeleton s;
  s.mdat_offset = ftyp.size() + moov_size;
  const uint64_t data = s.mdat_offset + 8;
  s.bytes = ftyp + build(data, data + 10) + WrapBox("mdat", mdat_body);
  return s;
}

std::vector<uint64_t> ChunkOffsets(absl::string_view file) {
  StringByteSource source(file);
  auto tree = ParseBmff(source);
  EXPECT_TRUE(tree.ok());
  std::vector<uint64_t> out;
  std::function<void(const std::vector<BmffBox>&)> walk = [&](const std::vector<BmffBox>& boxes) {
    for (const BmffBox& box : boxes) {
      if (box.type == "stco" || box.type == "co64") {
        const bool wide = box.type == "co64";
        const absl::string_view body = file.substr(box.offset + 12);
        const uint32_t count = GetU32(body);
        for (uint32_t i = 0; i < count; ++i) {
          out.push_back(wide ? GetU64(body.substr(4 + 8 * i)) : GetU32(body.substr(4 + 4 * i)));
        }
      }
      walk(box.children);
    }
  };
  walk(*tree);
  return out;
}

TEST(BmffTest, WalksBoxesWithPaths) {
  const Skeleton s = MakeSkeleton();
  StringByteSource source(s.bytes);
  auto tree = ParseBmff(source);
  ASSERT_TRUE(tree.ok()) << tree.status();
  ASSERT_EQ(tree->size(), 3u);
  EXPECT_EQ((*tree)[0].path, "/ftyp");
  EXPECT_EQ((*tree)[1].path, "/moov");
  EXPECT_EQ((*tree)[2].path, "/mdat");
  EXPECT_EQ((*tree)[2].offset, s.mdat_offset);
  const BmffBox& stco = (*tree)[1].children[0].children[0].children[0].children[0].children[0];
  EXPECT_EQ(stco.path, "/moov/trak/mdia/minf/stbl/stco");
  EXPECT_EQ(stco.version, 0);
  EXPECT_EQ(stco.flags, 0u);
  EXPECT_EQ(ChunkOffsets(s.bytes), (std::vector<uint64_t>{s.mdat_offset + 8, s.mdat_offset + 18}));
}

TEST(BmffTest, RefusesImpossibleSizes) {
  std::string bytes = MakeSkeleton().bytes;
  bytes[3] = '\x07';  // ftyp smaller than its header
  StringByteSource source(bytes);
  EXPECT_FALSE(ParseBmff(source).ok());
  std::string too_long = MakeSkeleton().bytes;
  too_long.resize(too_long.size() - 1);  // mdat runs past the end
  StringByteSource short_source(too_long);
  EXPECT_FALSE(ParseBmff(short_source).ok());
}

TEST(BmffTest, HashV1IsTheFileMinusExclusions) {
  const Skeleton s = MakeSkeleton();
  StringByteSource source(s.bytes);
  auto tree = ParseBmff(source);
  ASSERT_TRUE(tree.ok());
  auto hash = BmffHash(source, *tree, DefaultBmffExclusions(), /*with_offsets=*/false);
  ASSERT_TRUE(hash.ok()) << hash.status();
  const uint64_t moov = (*tree)[1].offset;
  EXPECT_EQ(*hash, base::Sha256(absl::string_view(s.bytes).substr(moov)));
}

TEST(BmffTest, HashV2MixesInTopLevelOffsets) {
  const Skeleton s = MakeSkeleton();
  StringByteSource source(s.bytes);
  auto tree = ParseBmff(source);
  ASSERT_TRUE(tree.ok());
  auto hash = BmffHash(source, *tree, DefaultBmffExclusions(), /*with_offsets=*/true);
  ASSERT_TRUE(hash.ok());
  std::string expected;
  for (int i = 1; i < 3; ++i) {  // ftyp is excluded whole: no offset, no bytes
    PutU64(expected, (*tree)[i].offset);
    expected += s.bytes.substr((*tree)[i].offset, (*tree)[i].size);
  }
  EXPECT_EQ(*hash, base::Sha256(expected));
}

TEST(BmffTest, SubsetExclusionsDropPartOfABox) {
  const Skeleton s = MakeSkeleton();
  StringByteSource source(s.bytes);
  auto tree = ParseBmff(source);
  ASSERT_TRUE(tree.ok());
  // c2pa-rs's v1 exclusions: stco from byte 16 (its entries) to the end.
  BmffExclusion stco{.xpath = "/moov/trak/mdia/minf/stbl/stco"};
  stco.subset.push_back(BmffExclusion::Subset{.offset = 16, .length = 0});
  auto hash = BmffHash(source, *tree, {BmffExclusion{.xpath = "/ftyp"}, stco}, /*with_offsets=*/true);
  ASSERT_TRUE(hash.ok());
  const BmffBox& table = (*tree)[1].children[0].children[0].children[0].children[0].children[0];
  std::string expected;
  PutU64(expected, (*tree)[1].offset);
  expected += s.bytes.substr((*tree)[1].offset, table.offset + 16 - (*tree)[1].offset);
  PutU64(expected, (*tree)[2].offset);
  expected += s.bytes.substr((*tree)[2].offset);
  EXPECT_EQ(*hash, base::Sha256(expected));
}

TEST(BmffTest, DataExclusionMatchesOnlyC2paUuidBoxes) {
  const Skeleton s = MakeSkeleton();
  const std::string other_uuid = WrapBox("uuid", std::string(16, '\x11') + "xmp");
  const std::string bytes = s.bytes + other_uuid;
  StringByteSource source(bytes);
  auto tree = ParseBmff(source);
  ASSERT_TRUE(tree.ok());
  auto with = BmffHash(source, *tree, DefaultBmffExclusions(), false);
  StringByteSource plain_source(s.bytes);
  auto plain_tree = ParseBmff(plain_source);
  auto without = BmffHash(plain_source, *plain_tree, DefaultBmffExclusions(), false);
  ASSERT_TRUE(with.ok() && without.ok());
  EXPECT_NE(*with, *without);  // a non-C2PA uuid box stays in the hash
}

TEST(BmffTest, EmbedPutsTheStoreAfterFtypAndMovesChunkOffsets) {
  for (bool wide : {false, true}) {
    const Skeleton s = MakeSkeleton(wide);
    const std::string store = "STORE-BYTES";
    auto embedded = EmbedManifestStore(s.bytes, store);
    ASSERT_TRUE(embedded.ok()) << embedded.status();
    StringByteSource source(embedded->bytes);
    auto tree = ParseBmff(source);
    ASSERT_TRUE(tree.ok());
    ASSERT_EQ(tree->size(), 4u);
    EXPECT_EQ((*tree)[1].type, "uuid");
    EXPECT_EQ((*tree)[1].user_type, kC2paBoxUuid);
    EXPECT_EQ(embedded->bytes.substr(embedded->store_offset, store.size()), store);
    auto where = FindC2paManifestBox(source, *tree);
    ASSERT_TRUE(where.ok() && where->has_value());
    EXPECT_EQ((*where)->store_offset, embedded->store_offset);
    EXPECT_EQ((*where)->store_size, store.size());
    const uint64_t shift = (*tree)[1].size;
    EXPECT_EQ(ChunkOffsets(embedded->bytes), (std::vector<uint64_t>{s.mdat_offset + 8 + shift, s.mdat_offset + 18 + shift}));
    // The chunks still hold the same bytes.
    EXPECT_EQ(embedded->bytes.substr(ChunkOffsets(embedded->bytes)[1], 9), "CHUNK-TWO");

    // Embedding again replaces the box rather than adding one.
    auto again = EmbedManifestStore(embedded->bytes, "A-LONGER-STORE-THAN-BEFORE");
    ASSERT_TRUE(again.ok());
    StringByteSource again_source(again->bytes);
    auto again_tree = ParseBmff(again_source);
    ASSERT_EQ(again_tree->size(), 4u);
    EXPECT_EQ(again->bytes.substr(ChunkOffsets(again->bytes)[0], 9), "CHUNK-ONE");
  }
}

TEST(BmffTest, EmbedRefusesFragmentedFiles) {
  const std::string bytes = MakeSkeleton().bytes + WrapBox("moof", WrapBox("mfhd", std::string(8, '\0')));
  EXPECT_EQ(EmbedManifestStore(bytes, "x").status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_FALSE(EmbedManifestStore(WrapBox("moov", ""), "x").ok());  // no ftyp first
}

}  // namespace
}  // namespace clipforge::generation::c2pa
