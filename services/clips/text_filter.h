// What the clips logic asks moderation about text people write on clips
// (titles, captions, comments): may it be shown. LocalTextFilter
// (local_text_filter.h) asks the moderation service in the same process;
// the unit tests answer from a word list.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/moderation.pb.h"

namespace clipforge::clips_service {

struct TextVerdict {
  bool blocked = false;
  std::vector<v1::ModerationCategory> categories;  // What was found, when blocked.
};

class TextFilter {
 public:
  virtual ~TextFilter() = default;
  // `surface`: where the text shows (title, caption, comment), which the
  // policy's rules may treat differently.
  virtual absl::StatusOr<TextVerdict> Check(const std::string& text, v1::TextSurface surface) = 0;
};

}  // namespace clipforge::clips_service
