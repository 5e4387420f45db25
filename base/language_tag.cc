#include "base/language_tag.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace clipforge::base {

bool IsLanguageTag(absl::string_view tag) {
  if (tag.size() < 2 || tag.size() > 35) return false;
  bool first = true;
  for (const absl::string_view subtag : absl::StrSplit(tag, '-')) {
    if (subtag.empty() || subtag.size() > 8) return false;
    for (const char c : subtag) {
      const auto u = static_cast<unsigned char>(c);
      if (first ? !absl::ascii_isalpha(u) : !absl::ascii_isalnum(u)) return false;
    }
    if (first && (subtag.size() < 2 || subtag.size() > 3)) return false;
    first = false;
  }
  return true;
}

}  // namespace clipforge::base
