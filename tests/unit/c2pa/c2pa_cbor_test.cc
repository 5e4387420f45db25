// CBOR against the examples of RFC 8949 appendix A: each value encodes to
// the listed bytes (preferred serialization) and decodes back; the
// indefinite-length forms, which we never write, decode to the same values.
#include "generation/c2pa_cbor.h"

#include <cmath>
#include <limits>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::generation::c2pa {
namespace {

std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

struct Vector {
  Cbor value;
  const char* hex;
};

std::vector<Vector> RfcVectors() {
  const Cbor a = Cbor::Text("a");
  return {
      {Cbor::Uint(0), "00"},
      {Cbor::Uint(1), "01"},
      {Cbor::Uint(10), "0a"},
      {Cbor::Uint(23), "17"},
      {Cbor::Uint(24), "1818"},
      {Cbor::Uint(25), "1819"},
      {Cbor::Uint(100), "1864"},
      {Cbor::Uint(1000), "1903e8"},
      {Cbor::Uint(1000000), "1a000f4240"},
      {Cbor::Uint(1000000000000), "1b000000e8d4a51000"},
      {Cbor::Uint(18446744073709551615ULL), "1bffffffffffffffff"},
      {Cbor::Negative(18446744073709551615ULL), "3bffffffffffffffff"},
      {Cbor::Int(-1), "20"},
      {Cbor::Int(-10), "29"},
      {Cbor::Int(-100), "3863"},
      {Cbor::Int(-1000), "3903e7"},
      {Cbor::Float(0.0), "f90000"},
      {Cbor::Float(-0.0), "f98000"},
      {Cbor::Float(1.0), "f93c00"},
      {Cbor::Float(1.1), "fb3ff199999999999a"},
      {Cbor::Float(1.5), "f93e00"},
      {Cbor::Float(65504.0), "f97bff"},
      {Cbor::Float(100000.0), "fa47c35000"},
      {Cbor::Float(3.4028234663852886e+38), "fa7f7fffff"},
      {Cbor::Float(1.0e+300), "fb7e37e43c8800759c"},
      {Cbor::Float(5.960464477539063e-8), "f90001"},
      {Cbor::Float(0.00006103515625), "f90400"},
      {Cbor::Float(-4.0), "f9c400"},
      {Cbor::Float(-4.1), "fbc010666666666666"},
      {Cbor::Float(std::numeric_limits<double>::infinity()), "f97c00"},
      {Cbor::Float(std::numeric_limits<double>::quiet_NaN()), "f97e00"},
      {Cbor::Float(-std::numeric_limits<double>::infinity()), "f9fc00"},
      {Cbor::Bool(false), "f4"},
      {Cbor::Bool(true), "f5"},
      {Cbor::Null(), "f6"},
      {Cbor::Undefined(), "f7"},
      {Cbor::Tag(0, Cbor::Text("2013-03-21T20:04:00Z")), "c074323031332d30332d32315432303a30343a30305a"},
      {Cbor::Tag(1, Cbor::Uint(1363896240)), "c11a514b67b0"},
      {Cbor::Tag(23, Cbor::Bytes(Hex("01020304"))), "d74401020304"},
      {Cbor::Tag(32, Cbor::Text("http://www.example.com")), "d82076687474703a2f2f7777772e6578616d706c652e636f6d"},
      {Cbor::Bytes(""), "40"},
      {Cbor::Bytes(Hex("01020304")), "4401020304"},
      {Cbor::Text(""), "60"},
      {Cbor::Text("a"), "6161"},
      {Cbor::Text("IETF"), "6449455446"},
      {Cbor::Text("\"\\"), "62225c"},
      {Cbor::Text("\xc3\xbc"), "62c3bc"},
      {Cbor::Text("\xe6\xb0\xb4"), "63e6b0b4"},
      {Cbor::Text("\xf0\x90\x85\x91"), "64f0908591"},
      {Cbor::Array(), "80"},
      {Cbor::Array({Cbor::Uint(1), Cbor::Uint(2), Cbor::Uint(3)}), "83010203"},
      {Cbor::Array({Cbor::Uint(1), Cbor::Array({Cbor::Uint(2), Cbor::Uint(3)}),
                    Cbor::Array({Cbor::Uint(4), Cbor::Uint(5)})}),
       "8301820203820405"},
      {Cbor::Map(), "a0"},
      {Cbor::Map({{Cbor::Uint(1), Cbor::Uint(2)}, {Cbor::Uint(3), Cbor::Uint(4)}}), "a201020304"},
      {Cbor::Map({{a, Cbor::Uint(1)}, {Cbor::Text("b"), Cbor::Array({Cbor::Uint(2), Cbor::Uint(3)})}}),
       "a26161016162820203"},
      {Cbor::Array({a, Cbor::Map({{Cbor::Text("b"), Cbor::Text("c")}})}), "826161a161626163"},
      {Cbor::Map({{a, Cbor::Text("A")},
                  {Cbor::Text("b"), Cbor::Text("B")},
                  {Cbor::Text("c"), Cbor::Text("C")},
                  {Cbor::Text("d"), Cbor::Text("D")},
                  {Cbor::Text("e"), Cbor::Text("E")}}),
       "a56161614161626142616361436164614461656145"},
  };
}

TEST(CborTest, EncodesRfc8949Examples) {
  for (const Vector& v : RfcVectors()) {
    EXPECT_EQ(absl::BytesToHexString(EncodeCbor(v.value)), v.hex) << CborDiagnostic(v.value);
  }
}

TEST(CborTest, DecodesRfc8949Examples) {
  for (const Vector& v : RfcVectors()) {
    absl::StatusOr<Cbor> decoded = DecodeCbor(Hex(v.hex));
    ASSERT_TRUE(decoded.ok()) << v.hex << ": " << decoded.status();
    EXPECT_EQ(*decoded, v.value) << v.hex << " decoded to " << CborDiagnostic(*decoded);
  }
}

TEST(CborTest, DecodesNonPreferredFloatsAndIndefiniteLengths) {
  struct Case {
    const char* hex;
    Cbor want;
  };
  const std::vector<Case> cases = {
      {"fa7f800000", Cbor::Float(std::numeric_limits<double>::infinity())},
      {"fb7ff0000000000000", Cbor::Float(std::numeric_limits<double>::infinity())},
      {"5f42010243030405ff", Cbor::Bytes(Hex("0102030405"))},
      {"7f657374726561646d696e67ff", Cbor::Text("streaming")},
      {"9fff", Cbor::Array()},
      {"9f018202039f0405ffff",
       Cbor::Array({Cbor::Uint(1), Cbor::Array({Cbor::Uint(2), Cbor::Uint(3)}), Cbor::Array({Cbor::Uint(4), Cbor::Uint(5)})})},
      {"83018202039f0405ff",
       Cbor::Array({Cbor::Uint(1), Cbor::Array({Cbor::Uint(2), Cbor::Uint(3)}), Cbor::Array({Cbor::Uint(4), Cbor::Uint(5)})})},
      {"bf61610161629f0203ffff",
       Cbor::Map({{Cbor::Text("a"), Cbor::Uint(1)}, {Cbor::Text("b"), Cbor::Array({Cbor::Uint(2), Cbor::Uint(3)})}})},
      {"bf6346756ef563416d7421ff", Cbor::Map({{Cbor::Text("Fun"), Cbor::Bool(true)}, {Cbor::Text("Amt"), Cbor::Int(-2)}})},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Cbor> decoded = DecodeCbor(Hex(c.hex));
    ASSERT_TRUE(decoded.ok()) << c.hex << ": " << decoded.status();
    EXPECT_EQ(*decoded, c.want) << c.hex;
  }
}

TEST(CborTest, RejectsMalformedInput) {
  for (const char* hex : {"", "18", "1a0000", "62c3", "8301", "a1", "a16161", "5f4101", "9f01", "ff", "1c",
                          "f8", "0000", "81818181818181818181818181818181818181818181818181818181818181818181"
                                        "8181818181818181818181818181818181818181818181818181818181818181818100",
                          "9b0000000100000000", "bb00000000ffffffff"}) {
    EXPECT_FALSE(DecodeCbor(Hex(hex)).ok()) << hex;
  }
}

TEST(CborTest, FindsMapValuesByTextKeyAndIntegerLabel) {
  Cbor map = Cbor::Map({{Cbor::Int(1), Cbor::Int(-7)}, {Cbor::Int(33), Cbor::Bytes("cert")}});
  map.Set("url", Cbor::Text("self#jumbf=c2pa.assertions/x"));
  ASSERT_NE(map.FindInt(1), nullptr);
  int64_t alg = 0;
  EXPECT_TRUE(map.FindInt(1)->AsInt64(alg));
  EXPECT_EQ(alg, -7);
  EXPECT_EQ(map.FindInt(33)->str(), "cert");
  EXPECT_EQ(map.Find("url")->str(), "self#jumbf=c2pa.assertions/x");
  EXPECT_EQ(map.Find("missing"), nullptr);
  EXPECT_EQ(Cbor::Text("x").Find("url"), nullptr);
}

TEST(CborTest, SameValueSameBytes) {
  const Cbor value = Cbor::Map().Set("b", Cbor::Uint(1)).Set("a", Cbor::Array({Cbor::Float(0.5), Cbor::Int(-300)}));
  const std::string first = EncodeCbor(value);
  absl::StatusOr<Cbor> decoded = DecodeCbor(first);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(EncodeCbor(*decoded), first);
}

}  // namespace
}  // namespace clipforge::generation::c2pa
