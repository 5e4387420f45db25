// Language tags as ClipForge accepts them (profiles' languages, a clip's
// language).
#pragma once

#include "absl/strings/string_view.h"

namespace clipforge::base {

// A plausible BCP-47 language tag: 2-35 characters, subtags of 1-8 ASCII
// letters or digits joined by '-', the first of 2-3 letters ("en", "pt-BR",
// "zh-Hant-TW"). Plausible, not registered: no list of languages is kept.
bool IsLanguageTag(absl::string_view tag);

}  // namespace clipforge::base
