// JUMBF: built superboxes parse back to the same tree, hashed bytes are the
// superbox without its header, and malformed boxes are refused.
#include "generation/c2pa_jumbf.h"

#include "absl/strings/escaping.h"
#include "generation/c2pa_bytes.h"
#include "gtest/gtest.h"

namespace clipforge::generation::c2pa {
namespace {

JumbfBox SampleStore() {
  JumbfBox assertion{.type = JumbfType("cbor"), .label = "c2pa.actions.v2"};
  assertion.contents.push_back(JumbfContent{.box_type = "cbor", .payload = "\xa0"});
  assertion.private_box = WrapBox("c2sh", std::string(16, '\x5a'));
  JumbfBox assertions{.type = JumbfType("c2as"), .label = "c2pa.assertions"};
  assertions.children.push_back(assertion);
  JumbfBox manifest{.type = JumbfType("c2ma"), .label = "urn:c2pa:0190a3c2-0000-7000-8000-000000000001"};
  manifest.children.push_back(assertions);
  JumbfBox store{.type = JumbfType("c2pa"), .label = "c2pa"};
  store.children.push_back(manifest);
  return store;
}

TEST(JumbfTest, TypeUuidsCarryTheFourcc) {
  EXPECT_EQ(absl::BytesToHexString(JumbfType("c2pa")), "6332706100110010800000aa00389b71");
  EXPECT_EQ(JumbfFourcc(JumbfType("c2cl")), "c2cl");
  EXPECT_EQ(JumbfFourcc(std::string(16, '\0')), "");
}

TEST(JumbfTest, BuiltStoreParsesBack) {
  const std::string bytes = SerializeJumbf(SampleStore());
  // jumb header, then the description box: type, toggles 0x03, "c2pa\0".
  EXPECT_EQ(bytes.substr(4, 4), "jumb");
  EXPECT_EQ(bytes.substr(12, 4), "jumd");
  EXPECT_EQ(static_cast<uint8_t>(bytes[32]), 0x03);
  EXPECT_EQ(bytes.substr(33, 5), std::string("c2pa\0", 5));

  absl::StatusOr<JumbfBox> parsed = ParseJumbf(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(JumbfFourcc(parsed->type), "c2pa");
  ASSERT_EQ(parsed->children.size(), 1u);
  const JumbfBox& manifest = parsed->children[0];
  EXPECT_EQ(manifest.label, "urn:c2pa:0190a3c2-0000-7000-8000-000000000001");
  const JumbfBox* assertions = manifest.Child("c2pa.assertions");
  ASSERT_NE(assertions, nullptr);
  const JumbfBox* actions = assertions->Child("c2pa.actions.v2");
  ASSERT_NE(actions, nullptr);
  ASSERT_TRUE(actions->private_box.has_value());
  EXPECT_EQ(actions->private_box->substr(4, 4), "c2sh");
  ASSERT_NE(actions->Content("cbor"), nullptr);
  EXPECT_EQ(actions->Content("cbor")->payload, "\xa0");
  // Hashed URIs cover the superbox minus its 8-byte header, as parsed.
  EXPECT_EQ(actions->raw_contents, JumbfHashedBytes(SampleStore().children[0].children[0].children[0]));
  EXPECT_EQ(parsed->raw_contents, bytes.substr(8));
  EXPECT_EQ(SerializeJumbf(*parsed), bytes);
}

TEST(JumbfTest, RefusesMalformedBoxes) {
  const std::string good = SerializeJumbf(SampleStore());
  EXPECT_FALSE(ParseJumbf(good.substr(0, good.size() - 1)).ok());
  EXPECT_FALSE(ParseJumbf(good + "x").ok());
  EXPECT_FALSE(ParseJumbf(WrapBox("jumb", WrapBox("cbor", "x"))).ok());  // no description first
  EXPECT_FALSE(ParseJumbf(WrapBox("jumb", "")).ok());
  EXPECT_FALSE(ParseJumbf(WrapBox("free", "")).ok());
  std::string bad_size = good;
  bad_size[3] = static_cast<char>(bad_size[3] + 1);
  EXPECT_FALSE(ParseJumbf(bad_size).ok());
  // An unterminated label.
  EXPECT_FALSE(ParseJumbf(WrapBox("jumb", WrapBox("jumd", JumbfType("c2pa") + "\x03" + "c2pa"))).ok());
}

TEST(JumbfTest, RefusesDeepNesting) {
  JumbfBox box{.type = JumbfType("c2pa"), .label = "x"};
  for (int i = 0; i < 20; ++i) {
    JumbfBox outer{.type = JumbfType("c2pa"), .label = "x"};
    outer.children.push_back(std::move(box));
    box = std::move(outer);
  }
  EXPECT_FALSE(ParseJumbf(SerializeJumbf(box)).ok());
  EXPECT_TRUE(ParseJumbf(SerializeJumbf(box), 32).ok());
}

}  // namespace
}  // namespace clipforge::generation::c2pa
