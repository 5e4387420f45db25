#include "moderation/normalizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "base/validation.h"

namespace clipforge::moderation {
namespace {

enum class Kind : uint8_t {
  kLetter,
  kDigit,
  kLeet,      // "@", "$", "!": letters inside words, separators elsewhere.
  kJoinSep,   // Whitespace, dashes, "_", ".", "*", ...: may join spelled-out words.
  kSep,       // Any other punctuation or symbol.
};

enum class Script : uint8_t { kOther, kLatin, kCyrillicGreek, kUnspaced };

// One character of the cluster-normalized text: its bytes are
// bytes[out, out + len) of the workspace.
struct Unit {
  uint32_t src;  // Where its grapheme cluster starts in the input.
  uint32_t out;
  uint16_t len;
  Kind kind;
  Script script;
  char ascii;      // For ASCII units: the (lowercased) byte; else 0.
  char homoglyph;  // The Latin look-alike of a Cyrillic or Greek letter, or 0.
};

// Cyrillic and Greek letters (case-folded) and the Latin letters they look
// like.
constexpr std::array<std::pair<char32_t, char>, 43> kHomoglyphs = {{
    {U'α', 'a'}, {U'β', 'b'}, {U'γ', 'y'}, {U'ε', 'e'}, {U'ζ', 'z'}, {U'η', 'n'},
    {U'ι', 'i'}, {U'κ', 'k'}, {U'μ', 'u'}, {U'ν', 'v'}, {U'ο', 'o'}, {U'ρ', 'p'},
    {U'σ', 'o'}, {U'τ', 't'}, {U'υ', 'u'}, {U'χ', 'x'}, {U'ω', 'w'}, {U'а', 'a'},
    {U'в', 'b'}, {U'г', 'r'}, {U'е', 'e'}, {U'к', 'k'}, {U'м', 'm'}, {U'н', 'h'},
    {U'о', 'o'}, {U'п', 'n'}, {U'р', 'p'}, {U'с', 'c'}, {U'т', 't'}, {U'у', 'y'},
    {U'х', 'x'}, {U'ь', 'b'}, {U'ё', 'e'}, {U'ѕ', 's'}, {U'і', 'i'}, {U'ї', 'i'},
    {U'ј', 'j'}, {U'ү', 'y'}, {U'һ', 'h'}, {U'ӏ', 'l'}, {U'ԁ', 'd'}, {U'ԛ', 'q'},
    {U'ԝ', 'w'},
}};
static_assert(std::is_sorted(kHomoglyphs.begin(), kHomoglyphs.end()));

char HomoglyphOf(char32_t c) {
  const auto it = std::lower_bound(kHomoglyphs.begin(), kHomoglyphs.end(), c,
                                   [](const auto& entry, char32_t key) { return entry.first < key; });
  return it != kHomoglyphs.end() && it->first == c ? it->second : 0;
}

Script ScriptOf(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? Script::kLatin : Script::kOther;
  if ((c >= 0xC0 && c <= 0x2AF) || (c >= 0x1D00 && c <= 0x1DBF) || (c >= 0x1E00 && c <= 0x1EFF) ||
      (c >= 0x2C60 && c <= 0x2C7F) || (c >= 0xA720 && c <= 0xA7FF) || (c >= 0xAB30 && c <= 0xAB6F)) {
    return Script::kLatin;
  }
  if ((c >= 0x370 && c <= 0x52F) || (c >= 0x1C80 && c <= 0x1C8F) || (c >= 0x1F00 && c <= 0x1FFF) ||
      (c >= 0x2DE0 && c <= 0x2DFF) || (c >= 0xA640 && c <= 0xA69F)) {
    return Script::kCyrillicGreek;
  }
  return IsUnspacedScript(c) ? Script::kUnspaced : Script::kOther;
}

// The class of each ASCII byte after lowercasing; 0xFF: dropped (controls).
struct AsciiTable {
  std::array<uint8_t, 128> kind{};
  std::array<char, 128> lower{};
  constexpr AsciiTable() {
    for (int c = 0; c < 128; ++c) {
      lower[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      Kind k = Kind::kSep;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) k = Kind::kLetter;
      else if (c >= '0' && c <= '9') k = Kind::kDigit;
      else if (c == '@' || c == '$' || c == '!') k = Kind::kLeet;
      else if (c == ' ' || (c >= 9 && c <= 13) || c == '.' || c == '-' || c == '_' || c == '*') {
        k = Kind::kJoinSep;
      }
      kind[c] = static_cast<uint8_t>(k);
      if (c < 32 && !(c >= 9 && c <= 13)) kind[c] = 0xFF;
      if (c == 127) kind[c] = 0xFF;
    }
  }
};
constexpr AsciiTable kAscii;

char LeetOf(char c) {
  switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '@': return 'a';
    case '$': return 's';
    case '!': return 'i';
    default: return 0;
  }
}

bool IsWordKind(Kind k) { return k == Kind::kLetter || k == Kind::kDigit; }

// Per-thread buffers, so that normalizing allocates nothing once warm.
struct Workspace {
  std::vector<Unit> units;
  std::string bytes;
  std::vector<utf8proc_int32_t> cluster;
};

Workspace& ThreadWorkspace() {
  thread_local Workspace workspace;
  return workspace;
}

constexpr utf8proc_option_t kDecomposeOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_STABLE);
constexpr utf8proc_option_t kComposeOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE);

// Normalizes the grapheme cluster input[begin, end) and appends its units.
void AppendCluster(std::string_view input, size_t begin, size_t end, Workspace& ws) {
  auto& buf = ws.cluster;
  if (buf.size() < 64) buf.resize(64);
  const auto* data = reinterpret_cast<const utf8proc_uint8_t*>(input.data() + begin);
  const auto size = static_cast<utf8proc_ssize_t>(end - begin);
  utf8proc_ssize_t n = utf8proc_decompose(data, size, buf.data(), static_cast<utf8proc_ssize_t>(buf.size()),
                                          kDecomposeOptions);
  if (n > static_cast<utf8proc_ssize_t>(buf.size())) {
    buf.resize(static_cast<size_t>(n));
    n = utf8proc_decompose(data, size, buf.data(), n, kDecomposeOptions);
  }
  if (n <= 0) return;  // Ignorable only (or, impossibly, invalid: validated before).
  n = utf8proc_normalize_utf32(buf.data(), n, kComposeOptions);
  const auto src = static_cast<uint32_t>(begin);
  size_t base = static_cast<size_t>(-1);  // Index of this cluster's last letter or digit unit.
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    const utf8proc_int32_t c = buf[i];
    const utf8proc_property_t* prop = utf8proc_get_property(c);
    Kind kind = Kind::kSep;
    switch (prop->category) {
      case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
      case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        if (c == 0x0640) continue;  // Arabic tatweel.
        kind = Kind::kLetter;
        break;
      case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        kind = Kind::kDigit;
        break;
      case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: {
        // A mark on nothing, or not right after its letter: dropped.
        if (base == static_cast<size_t>(-1) || base + 1 != ws.units.size()) continue;
        Unit& owner = ws.units[base];
        if (owner.script == Script::kLatin && prop->category != UTF8PROC_CATEGORY_MC) continue;
        utf8proc_uint8_t encoded[4];
        const auto len = utf8proc_encode_char(c, encoded);
        ws.bytes.append(reinterpret_cast<const char*>(encoded), static_cast<size_t>(len));
        owner.len = static_cast<uint16_t>(owner.len + len);
        owner.ascii = 0;
        owner.homoglyph = 0;  // A marked letter is no longer a plain look-alike.
        continue;
      }
      case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
      case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PC:
        kind = Kind::kJoinSep;
        break;
      case UTF8PROC_CATEGORY_CC:
        if (!((c >= 9 && c <= 13) || c == 0x85)) continue;
        kind = Kind::kJoinSep;
        break;
      case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS: case UTF8PROC_CATEGORY_CO:
      case UTF8PROC_CATEGORY_CN:
        continue;
      default:
        if (c < 0x80) {
          kind = static_cast<Kind>(kAscii.kind[c]);
        } else if (c == 0xB7 || c == 0x2022 || c == 0x2027 || c == 0x30FB || c == 0x2219) {
          kind = Kind::kJoinSep;
        }
        break;
    }
    utf8proc_uint8_t encoded[4];
    const auto len = utf8proc_encode_char(c, encoded);
    Unit unit{.src = src,
              .out = static_cast<uint32_t>(ws.bytes.size()),
              .len = static_cast<uint16_t>(len),
              .kind = kind,
              .script = kind == Kind::kLetter ? ScriptOf(static_cast<char32_t>(c)) : Script::kOther,
              .ascii = c < 0x80 ? static_cast<char>(c) : '\0',
              .homoglyph = 0};
    if (unit.script == Script::kCyrillicGreek) unit.homoglyph = HomoglyphOf(static_cast<char32_t>(c));
    ws.bytes.append(reinterpret_cast<const char*>(encoded), static_cast<size_t>(len));
    if (IsWordKind(kind)) base = ws.units.size();
    ws.units.push_back(unit);
  }
}

// Steps 2-4: fills ws.units and ws.bytes.
absl::Status Segment(std::string_view input, Workspace& ws) {
  ws.units.clear();
  ws.bytes.clear();
  const size_t n = input.size();
  ws.units.reserve(n);
  ws.bytes.reserve(n);
  const auto* p = reinterpret_cast<const unsigned char*>(input.data());
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80 && (i + 1 == n || p[i + 1] < 0x80)) {
      const uint8_t kind = kAscii.kind[p[i]];
      if (kind != 0xFF) {
        const char c = kAscii.lower[p[i]];
        ws.units.push_back(Unit{.src = static_cast<uint32_t>(i),
                                .out = static_cast<uint32_t>(ws.bytes.size()),
                                .len = 1,
                                .kind = static_cast<Kind>(kind),
                                .script = kind == static_cast<uint8_t>(Kind::kLetter) ? Script::kLatin
                                                                                      : Script::kOther,
                                .ascii = c,
                                .homoglyph = 0});
        ws.bytes.push_back(c);
      }
      ++i;
      continue;
    }
    // A grapheme cluster that starts here and contains non-ASCII.
    const size_t begin = i;
    utf8proc_int32_t state = 0;
    utf8proc_int32_t prev = -1;
    while (i < n) {
      char32_t c;
      const size_t len = base::DecodeUtf8(absl::string_view(input.data(), n), i, c);
      if (len == 0) {
        return absl::InvalidArgumentError(absl::StrCat("not valid UTF-8 at byte ", i));
      }
      const auto cp = static_cast<utf8proc_int32_t>(c);
      if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state)) break;
      prev = cp;
      i += len;
    }
    AppendCluster(input, begin, i, ws);
  }
  return absl::OkStatus();
}

// Steps 5-9 over the units of the input (see the views below).
template <typename Units>
void Assemble(const Units& units, std::string_view utf8, Normalized& out) {
  const size_t count = units.size();
  // Steps 5-6: words as unit ranges; spelled-out words merged.
  struct Word {
    uint32_t begin, end;  // Unit range (may include joining separators when merged).
    bool single;          // One letter or digit.
    bool letter;
    bool joinable_before;  // Only joining separators since the previous word.
    uint32_t sep_begin, sep_end;  // Input bytes between the previous word and this one.
  };
  thread_local std::vector<Word> words;
  words.clear();
  bool joinable = true;  // Separators seen since the last word are all joining ones.
  size_t i = 0;
  while (i < count) {
    const Kind k = units[i].kind;
    if (!IsWordKind(k) && k != Kind::kLeet) {
      joinable = joinable && k == Kind::kJoinSep;
      ++i;
      continue;
    }
    size_t j = i;
    bool has_word_char = false, has_letter = false;
    while (j < count && (IsWordKind(units[j].kind) || units[j].kind == Kind::kLeet)) {
      has_word_char = has_word_char || IsWordKind(units[j].kind);
      has_letter = has_letter || units[j].kind == Kind::kLetter;
      ++j;
    }
    size_t b = i, e = j;
    while (b < e && units[b].ascii == '!') ++b;
    while (e > b && units[e - 1].ascii == '!') --e;
    if (!has_word_char) {
      joinable = false;
      i = j;
      continue;
    }
    words.push_back(Word{.begin = static_cast<uint32_t>(b),
                         .end = static_cast<uint32_t>(e),
                         .single = e - b == 1,
                         .letter = has_letter,
                         .joinable_before = joinable && b == i,
                         .sep_begin = words.empty() ? 0 : units[words.back().end].src,
                         .sep_end = units[b].src});
    joinable = e == j;
    i = j;
  }

  // The output is never longer than the units' bytes: each unit gives at
  // most its own bytes, and each space stands for at least one separator.
  // Written through raw pointers, then cut to size.
  out.text.resize(units.byte_count());
  out.to_original.resize(units.byte_count() + 1);
  char* const text = out.text.data();
  uint32_t* const map = out.to_original.data();
  const char* const bytes = units.bytes();
  size_t k = 0;  // Bytes written.
  size_t prev_end_unit = 0;  // The unit after the last emitted word.
  for (size_t w = 0; w < words.size();) {
    size_t last = w;
    if (words[w].single) {
      bool letter = words[w].letter;
      // The chain goes on while the separator is the same text as the first one: "k.i.l.l. y.o.u"
      // is two words.
      const auto separator = [&](size_t k) {
        return utf8.substr(words[k].sep_begin, words[k].sep_end - words[k].sep_begin);
      };
      while (last + 1 < words.size() && words[last + 1].single && words[last + 1].joinable_before &&
             (last == w || separator(last + 1) == separator(w + 1))) {
        ++last;
        letter = letter || words[last].letter;
      }
      if (last - w + 1 < 3 || !letter) last = w;
    }
    const size_t ub = words[w].begin, ue = words[last].end;
    // Step 7: look-alikes.
    int latin = 0, cyrillic_greek = 0;
    for (size_t u = ub; u < ue; ++u) {
      if (units[u].kind != Kind::kLetter) continue;
      latin += units[u].script == Script::kLatin;
      cyrillic_greek += units[u].script == Script::kCyrillicGreek;
    }
    const bool map_lookalikes = cyrillic_greek > 0 && latin >= cyrillic_greek;
    const bool leet = latin > 0;
    const bool glued = words[w].joinable_before && prev_end_unit > 0 &&
                       units[prev_end_unit - 1].script == Script::kUnspaced &&
                       units[ub].script == Script::kUnspaced;
    if (k > 0 && !glued) {
      text[k] = ' ';
      map[k++] = units[prev_end_unit].src;
    }
    for (size_t u = ub; u < ue; ++u) {
      const Unit& unit = units[u];
      if (unit.kind == Kind::kJoinSep || unit.kind == Kind::kSep) continue;  // Inside a spelled-out word.
      char replacement = 0;
      if (unit.kind == Kind::kLeet) {
        if (!leet) continue;
        replacement = LeetOf(unit.ascii);
      } else if (leet && unit.kind == Kind::kDigit && unit.ascii != 0) {
        replacement = LeetOf(unit.ascii);
      } else if (map_lookalikes && unit.homoglyph != 0) {
        replacement = unit.homoglyph;
      }
      if (replacement == 0) replacement = unit.ascii;
      if (replacement != 0) {
        text[k] = replacement;
        map[k++] = unit.src;
      } else {
        for (uint32_t b = 0; b < unit.len; ++b) {
          text[k] = bytes[unit.out + b];
          map[k++] = unit.src;
        }
      }
    }
    prev_end_unit = ue;
    w = last + 1;
  }
  out.text.resize(k);
  out.to_original.resize(k + 1);
  out.to_original[k] = static_cast<uint32_t>(utf8.size());
  out.tail_begin = prev_end_unit < count ? units[prev_end_unit].src : static_cast<uint32_t>(utf8.size());
}

// The general units: built by Segment.
class WorkspaceUnits {
 public:
  explicit WorkspaceUnits(const Workspace& ws) : ws_(ws) {}
  size_t size() const { return ws_.units.size(); }
  const Unit& operator[](size_t i) const { return ws_.units[i]; }
  const char* bytes() const { return ws_.bytes.data(); }
  size_t byte_count() const { return ws_.bytes.size(); }

 private:
  const Workspace& ws_;
};

// The units of printable ASCII text (and whitespace): one per byte, read
// straight from the input, with the same values Segment would give them.
class AsciiUnits {
 public:
  explicit AsciiUnits(std::string_view text) : p_(reinterpret_cast<const unsigned char*>(text.data())), n_(text.size()) {}
  size_t size() const { return n_; }
  Unit operator[](size_t i) const {
    const auto kind = static_cast<Kind>(kAscii.kind[p_[i]]);
    return Unit{.src = static_cast<uint32_t>(i),
                .out = static_cast<uint32_t>(i),
                .len = 1,
                .kind = kind,
                .script = kind == Kind::kLetter ? Script::kLatin : Script::kOther,
                .ascii = kAscii.lower[p_[i]],
                .homoglyph = 0};
  }
  const char* bytes() const { return reinterpret_cast<const char*>(p_); }
  size_t byte_count() const { return n_; }

 private:
  const unsigned char* p_;
  size_t n_;
};

// True when every byte is printable ASCII or ASCII whitespace.
bool IsPlainAscii(std::string_view text) {
  unsigned bad = 0;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    bad |= (b >= 0x7F) | (b < 0x20 && (b < 9 || b > 13));
  }
  return bad == 0;
}

}  // namespace

bool IsUnspacedScript(char32_t c) {
  return (c >= 0x2E80 && c <= 0x2FFF) || (c >= 0x3005 && c <= 0x3007) || (c >= 0x3021 && c <= 0x3029) ||
         (c >= 0x3038 && c <= 0x303C) || (c >= 0x3040 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x323AF) ||
         (c >= 0x0E00 && c <= 0x0EFF) || (c >= 0x1000 && c <= 0x109F) || (c >= 0x1780 && c <= 0x17FF);
}

std::pair<size_t, size_t> Normalized::OriginalSpan(size_t begin, size_t end) const {
  if (begin >= end) return {to_original[begin], to_original[begin]};
  const uint32_t last = to_original[end - 1];
  size_t j = end;
  while (j < text.size() && to_original[j] == last) ++j;
  return {to_original[begin], j < text.size() ? to_original[j] : tail_begin};
}

absl::Status NormalizeInto(std::string_view utf8, Normalized& out) {
  out.text.clear();
  out.to_original.clear();
  out.tail_begin = 0;
  if (utf8.size() > UINT32_MAX / 2) return absl::InvalidArgumentError("text too long to normalize");
  if (IsPlainAscii(utf8)) {
    Assemble(AsciiUnits(utf8), utf8, out);
    return absl::OkStatus();
  }
  Workspace& ws = ThreadWorkspace();
  if (absl::Status status = Segment(utf8, ws); !status.ok()) return status;
  Assemble(WorkspaceUnits(ws), utf8, out);
  return absl::OkStatus();
}

absl::StatusOr<Normalized> Normalize(std::string_view utf8) {
  Normalized out;
  if (absl::Status status = NormalizeInto(utf8, out); !status.ok()) return status;
  return out;
}

}  // namespace clipforge::moderation
