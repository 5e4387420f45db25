#include "generation/c2pa_cbor.h"

#include <cmath>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace clipforge::generation::c2pa {
namespace {

enum MajorType : uint8_t { kMtUint = 0, kMtNeg = 1, kMtBytes = 2, kMtText = 3, kMtArray = 4, kMtMap = 5, kMtTag = 6, kMtSimple = 7 };

void PutHead(std::string& out, uint8_t major, uint64_t arg) {
  const uint8_t mt = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out.push_back(static_cast<char>(mt | arg));
    return;
  }
  int bytes = 8;
  uint8_t ai = 27;
  if (arg <= 0xff) {
    bytes = 1, ai = 24;
  } else if (arg <= 0xffff) {
    bytes = 2, ai = 25;
  } else if (arg <= 0xffffffffULL) {
    bytes = 4, ai = 26;
  }
  out.push_back(static_cast<char>(mt | ai));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((arg >> (8 * i)) & 0xff));
}

double HalfToDouble(uint16_t half) {
  const int exp = (half >> 10) & 0x1f;
  const int mant = half & 0x3ff;
  double value;
  if (exp == 0) {
    value = std::ldexp(mant, -24);
  } else if (exp != 31) {
    value = std::ldexp(mant + 1024, exp - 25);
  } else {
    value = mant == 0 ? INFINITY : NAN;
  }
  return (half & 0x8000) ? -value : value;
}

// The half-precision bits of `value` when it converts exactly.
bool ExactHalf(double value, uint16_t& half) {
  if (std::isnan(value)) {
    half = 0x7e00;
    return true;
  }
  const uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  const double magnitude = std::fabs(value);
  if (std::isinf(value)) {
    half = sign | 0x7c00;
    return true;
  }
  if (magnitude == 0) {
    half = sign;
    return true;
  }
  int exp = 0;
  const double fraction = std::frexp(magnitude, &exp);  // magnitude = fraction * 2^exp, fraction in [0.5, 1)
  // Normal halves hold 2^-14 .. 65504 with 11 significant bits.
  if (exp - 1 >= -14 && exp - 1 <= 15) {
    const double mant = fraction * 2048.0;  // 11 bits
    if (mant != std::floor(mant)) return false;
    half = static_cast<uint16_t>(sign | ((exp - 1 + 15) << 10) | (static_cast<int>(mant) - 1024));
    return true;
  }
  // Subnormal halves: multiples of 2^-24 below 2^-14.
  const double units = std::ldexp(magnitude, 24);
  if (units >= 1024 || units != std::floor(units)) return false;
  half = static_cast<uint16_t>(sign | static_cast<int>(units));
  return true;
}

void PutFloat(std::string& out, double value) {
  uint16_t half = 0;
  if (ExactHalf(value, half)) {
    out.push_back(static_cast<char>(0xf9));
    out.push_back(static_cast<char>(half >> 8));
    out.push_back(static_cast<char>(half & 0xff));
    return;
  }
  const float single = static_cast<float>(value);
  if (static_cast<double>(single) == value) {
    uint32_t bits;
    std::memcpy(&bits, &single, sizeof bits);
    out.push_back(static_cast<char>(0xfa));
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    return;
  }
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  out.push_back(static_cast<char>(0xfb));
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void Encode(const Cbor& value, std::string& out) {
  switch (value.kind()) {
    case Cbor::Kind::kUint:
      PutHead(out, kMtUint, value.uint());
      return;
    case Cbor::Kind::kNegative:
      PutHead(out, kMtNeg, value.uint());
      return;
    case Cbor::Kind::kBytes:
      PutHead(out, kMtBytes, value.str().size());
      out += value.str();
      return;
    case Cbor::Kind::kText:
      PutHead(out, kMtText, value.str().size());
      out += value.str();
      return;
    case Cbor::Kind::kArray:
      PutHead(out, kMtArray, value.items().size());
      for (const Cbor& item : value.items()) Encode(item, out);
      return;
    case Cbor::Kind::kMap:
      PutHead(out, kMtMap, value.entries().size());
      for (const auto& [key, item] : value.entries()) {
        Encode(key, out);
        Encode(item, out);
      }
      return;
    case Cbor::Kind::kTag:
      PutHead(out, kMtTag, value.uint());
      Encode(value.items().front(), out);
      return;
    case Cbor::Kind::kBool:
      out.push_back(static_cast<char>(value.boolean() ? 0xf5 : 0xf4));
      return;
    case Cbor::Kind::kNull:
      out.push_back(static_cast<char>(0xf6));
      return;
    case Cbor::Kind::kUndefined:
      out.push_back(static_cast<char>(0xf7));
      return;
    case Cbor::Kind::kFloat:
      PutFloat(out, value.number());
      return;
  }
}

class Decoder {
 public:
  Decoder(absl::string_view in, const CborLimits& limits) : in_(in), limits_(limits) {}

  absl::StatusOr<Cbor> Item(int depth) {
    if (depth > limits_.max_depth) return Error("nesting too deep");
    if (pos_ >= in_.size()) return Error("truncated");
    const uint8_t initial = static_cast<uint8_t>(in_[pos_++]);
    const uint8_t major = initial >> 5;
    const uint8_t info = initial & 0x1f;
    if (major == kMtSimple) return Simple(info);
    if (info == 31) return Indefinite(major, depth);
    uint64_t arg = 0;
    if (absl::Status s = Argument(info, arg); !s.ok()) return s;
    switch (major) {
      case kMtUint:
        return Cbor::Uint(arg);
      case kMtNeg:
        return Cbor::Negative(arg);
      case kMtBytes:
      case kMtText: {
        if (arg > in_.size() - pos_) return Error("string past the end");
        const absl::string_view text = in_.substr(pos_, arg);
        pos_ += arg;
        return major == kMtBytes ? Cbor::Bytes(text) : Cbor::Text(text);
      }
      case kMtArray: {
        if (arg > in_.size() - pos_) return Error("array longer than the input");
        std::vector<Cbor> items;
        items.reserve(arg);
        for (uint64_t i = 0; i < arg; ++i) {
          absl::StatusOr<Cbor> item = Item(depth + 1);
          if (!item.ok()) return item.status();
          items.push_back(*std::move(item));
        }
        return Cbor::Array(std::move(items));
      }
      case kMtMap: {
        if (arg > (in_.size() - pos_) / 2) return Error("map longer than the input");
        std::vector<Cbor::Entry> entries;
        entries.reserve(arg);
        for (uint64_t i = 0; i < arg; ++i) {
          absl::StatusOr<Cbor> key = Item(depth + 1);
          if (!key.ok()) return key.status();
          absl::StatusOr<Cbor> item = Item(depth + 1);
          if (!item.ok()) return item.status();
          entries.emplace_back(*std::move(key), *std::move(item));
        }
        return Cbor::Map(std::move(entries));
      }
      default: {  // kMtTag
        absl::StatusOr<Cbor> item = Item(depth + 1);
        if (!item.ok()) return item.status();
        return Cbor::Tag(arg, *std::move(item));
      }
    }
  }

  size_t pos() const { return pos_; }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("CBOR: ", what, " at byte ", pos_));
  }

  absl::Status Argument(uint8_t info, uint64_t& arg) {
    if (info < 24) {
      arg = info;
      return absl::OkStatus();
    }
    if (info > 27) return Error("reserved additional information");
    const size_t bytes = size_t{1} << (info - 24);
    if (bytes > in_.size() - pos_) return Error("truncated head");
    arg = 0;
    for (size_t i = 0; i < bytes; ++i) arg = (arg << 8) | static_cast<uint8_t>(in_[pos_++]);
    return absl::OkStatus();
  }

  absl::StatusOr<Cbor> Simple(uint8_t info) {
    switch (info) {
      case 20:
        return Cbor::Bool(false);
      case 21:
        return Cbor::Bool(true);
      case 22:
        return Cbor::Null();
      case 23:
        return Cbor::Undefined();
      case 25:
      case 26:
      case 27: {
        uint64_t bits = 0;
        if (absl::Status s = Argument(info, bits); !s.ok()) return s;
        if (info == 25) return Cbor::Float(HalfToDouble(static_cast<uint16_t>(bits)));
        if (info == 26) {
          const uint32_t b32 = static_cast<uint32_t>(bits);
          float f;
          std::memcpy(&f, &b32, sizeof f);
          return Cbor::Float(f);
        }
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return Cbor::Float(d);
      }
      default:
        return Error("unsupported simple value");
    }
  }

  bool AtBreak() const { return pos_ < in_.size() && static_cast<uint8_t>(in_[pos_]) == 0xff; }

  absl::StatusOr<Cbor> Indefinite(uint8_t major, int depth) {
    switch (major) {
      case kMtBytes:
      case kMtText: {
        std::string joined;
        while (!AtBreak()) {
          if (pos_ >= in_.size()) return Error("unterminated string");
          absl::StatusOr<Cbor> chunk = Item(depth + 1);
          if (!chunk.ok()) return chunk.status();
          const Cbor::Kind want = major == kMtBytes ? Cbor::Kind::kBytes : Cbor::Kind::kText;
          if (chunk->kind() != want) return Error("bad chunk in an indefinite string");
          joined += chunk->str();
        }
        ++pos_;
        return major == kMtBytes ? Cbor::Bytes(joined) : Cbor::Text(joined);
      }
      case kMtArray: {
        std::vector<Cbor> items;
        while (!AtBreak()) {
          if (pos_ >= in_.size()) return Error("unterminated array");
          absl::StatusOr<Cbor> item = Item(depth + 1);
          if (!item.ok()) return item.status();
          items.push_back(*std::move(item));
        }
        ++pos_;
        return Cbor::Array(std::move(items));
      }
      case kMtMap: {
        std::vector<Cbor::Entry> entries;
        while (!AtBreak()) {
          if (pos_ >= in_.size()) return Error("unterminated map");
          absl::StatusOr<Cbor> key = Item(depth + 1);
          if (!key.ok()) return key.status();
          absl::StatusOr<Cbor> item = Item(depth + 1);
          if (!item.ok()) return item.status();
          entries.emplace_back(*std::move(key), *std::move(item));
        }
        ++pos_;
        return Cbor::Map(std::move(entries));
      }
      default:
        return Error("indefinite length on a type that has none");
    }
  }

  absl::string_view in_;
  const CborLimits& limits_;
  size_t pos_ = 0;
};

void Diagnose(const Cbor& value, std::string& out) {
  switch (value.kind()) {
    case Cbor::Kind::kUint:
      absl::StrAppend(&out, value.uint());
      return;
    case Cbor::Kind::kNegative:
      if (value.uint() == UINT64_MAX) {
        out += "-18446744073709551616";
      } else {
        absl::StrAppend(&out, "-", value.uint() + 1);
      }
      return;
    case Cbor::Kind::kBytes:
      absl::StrAppend(&out, "h'", absl::BytesToHexString(value.str()), "'");
      return;
    case Cbor::Kind::kText:
      absl::StrAppend(&out, "\"", absl::CEscape(value.str()), "\"");
      return;
    case Cbor::Kind::kArray: {
      out += "[";
      for (size_t i = 0; i < value.items().size(); ++i) {
        if (i > 0) out += ", ";
        Diagnose(value.items()[i], out);
      }
      out += "]";
      return;
    }
    case Cbor::Kind::kMap: {
      out += "{";
      for (size_t i = 0; i < value.entries().size(); ++i) {
        if (i > 0) out += ", ";
        Diagnose(value.entries()[i].first, out);
        out += ": ";
        Diagnose(value.entries()[i].second, out);
      }
      out += "}";
      return;
    }
    case Cbor::Kind::kTag:
      absl::StrAppend(&out, value.uint(), "(");
      Diagnose(value.items().front(), out);
      out += ")";
      return;
    case Cbor::Kind::kBool:
      out += value.boolean() ? "true" : "false";
      return;
    case Cbor::Kind::kNull:
      out += "null";
      return;
    case Cbor::Kind::kUndefined:
      out += "undefined";
      return;
    case Cbor::Kind::kFloat:
      if (std::isnan(value.number())) {
        out += "NaN";
      } else if (std::isinf(value.number())) {
        out += value.number() > 0 ? "Infinity" : "-Infinity";
      } else {
        absl::StrAppend(&out, absl::StrFormat("%.17g", value.number()));
      }
      return;
  }
}

}  // namespace

Cbor Cbor::Uint(uint64_t value) {
  Cbor c;
  c.kind_ = Kind::kUint;
  c.uint_ = value;
  return c;
}

Cbor Cbor::Int(int64_t value) {
  if (value >= 0) return Uint(static_cast<uint64_t>(value));
  return Negative(static_cast<uint64_t>(-(value + 1)));
}

Cbor Cbor::Negative(uint64_t magnitude) {
  Cbor c;
  c.kind_ = Kind::kNegative;
  c.uint_ = magnitude;
  return c;
}

Cbor Cbor::Bytes(absl::string_view bytes) {
  Cbor c;
  c.kind_ = Kind::kBytes;
  c.str_ = std::string(bytes);
  return c;
}

Cbor Cbor::Text(absl::string_view text) {
  Cbor c;
  c.kind_ = Kind::kText;
  c.str_ = std::string(text);
  return c;
}

Cbor Cbor::Array(std::vector<Cbor> items) {
  Cbor c;
  c.kind_ = Kind::kArray;
  c.items_ = std::move(items);
  return c;
}

Cbor Cbor::Map(std::vector<Entry> entries) {
  Cbor c;
  c.kind_ = Kind::kMap;
  c.entries_ = std::move(entries);
  return c;
}

Cbor Cbor::Tag(uint64_t tag, Cbor item) {
  Cbor c;
  c.kind_ = Kind::kTag;
  c.uint_ = tag;
  c.items_.push_back(std::move(item));
  return c;
}

Cbor Cbor::Bool(bool value) {
  Cbor c;
  c.kind_ = Kind::kBool;
  c.uint_ = value ? 1 : 0;
  return c;
}

Cbor Cbor::Null() { return Cbor(); }

Cbor Cbor::Undefined() {
  Cbor c;
  c.kind_ = Kind::kUndefined;
  return c;
}

Cbor Cbor::Float(double value) {
  Cbor c;
  c.kind_ = Kind::kFloat;
  c.number_ = value;
  return c;
}

Cbor& Cbor::Set(absl::string_view key, Cbor value) {
  entries_.emplace_back(Text(key), std::move(value));
  return *this;
}

const Cbor* Cbor::Find(absl::string_view key) const {
  if (kind_ != Kind::kMap) return nullptr;
  for (const auto& [k, v] : entries_) {
    if (k.kind_ == Kind::kText && k.str_ == key) return &v;
  }
  return nullptr;
}

const Cbor* Cbor::FindInt(int64_t label) const {
  if (kind_ != Kind::kMap) return nullptr;
  for (const auto& [k, v] : entries_) {
    int64_t got = 0;
    if (k.AsInt64(got) && got == label) return &v;
  }
  return nullptr;
}

bool Cbor::AsInt64(int64_t& out) const {
  if (kind_ == Kind::kUint && uint_ <= static_cast<uint64_t>(INT64_MAX)) {
    out = static_cast<int64_t>(uint_);
    return true;
  }
  if (kind_ == Kind::kNegative && uint_ <= static_cast<uint64_t>(INT64_MAX)) {
    out = -1 - static_cast<int64_t>(uint_);
    return true;
  }
  return false;
}

std::string Cbor::TextOr(absl::string_view fallback) const {
  return kind_ == Kind::kText ? str_ : std::string(fallback);
}

bool operator==(const Cbor& a, const Cbor& b) {
  if (a.kind_ != b.kind_) return false;
  if (a.kind_ == Cbor::Kind::kFloat) {
    return (std::isnan(a.number_) && std::isnan(b.number_)) || a.number_ == b.number_;
  }
  return a.uint_ == b.uint_ && a.str_ == b.str_ && a.items_ == b.items_ && a.entries_ == b.entries_;
}

std::string EncodeCbor(const Cbor& value) {
  std::string out;
  Encode(value, out);
  return out;
}

absl::StatusOr<Cbor> DecodeCborPrefix(absl::string_view bytes, size_t& consumed, const CborLimits& limits) {
  Decoder decoder(bytes, limits);
  absl::StatusOr<Cbor> value = decoder.Item(0);
  if (!value.ok()) return value.status();
  consumed = decoder.pos();
  return value;
}

absl::StatusOr<Cbor> DecodeCbor(absl::string_view bytes, const CborLimits& limits) {
  size_t consumed = 0;
  absl::StatusOr<Cbor> value = DecodeCborPrefix(bytes, consumed, limits);
  if (!value.ok()) return value.status();
  if (consumed != bytes.size()) {
    return absl::InvalidArgumentError(absl::StrCat("CBOR: ", bytes.size() - consumed, " bytes after the item"));
  }
  return value;
}

std::string CborDiagnostic(const Cbor& value) {
  std::string out;
  Diagnose(value, out);
  return out;
}

}  // namespace clipforge::generation::c2pa
