#include "cli/job_spec_flags.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "cli/commands.h"
#include "cli/effect_words.h"
#include "cli/errors.h"
#include "cli/job_views.h"

namespace clipforge::cli {
namespace {

// No screen is wider or taller than this; anything more is a typo.
constexpr int kMaxFrameSide = 16'384;

bool IsSide(absl::string_view text) {
  int side = 0;
  return !text.empty() && std::all_of(text.begin(), text.end(), absl::ascii_isdigit) &&
         absl::SimpleAtoi(text, &side) && side > 0 && side <= kMaxFrameSide;
}

}  // namespace

bool IsFrameSize(absl::string_view text) {
  const std::vector<absl::string_view> sides = absl::StrSplit(text, 'x');
  return sides.size() == 2 && IsSide(sides[0]) && IsSide(sides[1]);
}

absl::StatusOr<v1::JobSpec> JobSpecFromFlags(const Invocation& inv) {
  v1::JobSpec spec;
  const std::string prompt = inv.Operand(0);
  const std::optional<size_t> chars = base::Utf8Length(prompt);
  if (!chars || *chars == 0 || *chars > kMaxPromptChars) {
    return UsageError(absl::StrCat("the prompt must be 1-", kMaxPromptChars, " characters of UTF-8 text"));
  }
  spec.set_prompt(prompt);

  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> seconds,
                      inv.IntFlag("seconds", kMinClipSeconds, kMaxClipSeconds));
  if (seconds) spec.set_seconds(*seconds);
  if (const std::optional<std::string> size = inv.Get("size")) {
    if (!IsFrameSize(*size)) {
      return UsageError(absl::StrCat("--size must be WIDTHxHEIGHT, e.g. 720x1280 or 1920x1080 (not '", *size, "')"));
    }
    spec.set_size(*size);
  }
  CF_ASSIGN_OR_RETURN(const std::optional<int64_t> seed,
                      inv.Int64Flag("seed", 0, std::numeric_limits<int64_t>::max()));
  if (seed) spec.set_seed(*seed);
  CF_ASSIGN_OR_RETURN(const auto quality, EnumFlag<v1::GenerationQuality>(inv, "quality", kQualityPrefix));
  if (quality) spec.set_quality(*quality);
  if (const std::optional<std::string> remix_of = inv.Get("remix-of")) {
    if (remix_of->empty()) return UsageError("--remix-of needs the id of the clip to remix");
    spec.set_remix_of_clip_id(*remix_of);
  }

  const std::vector<std::string> effects = inv.GetAll("effect");
  if (effects.size() > kMaxEffects) {
    return UsageError(absl::StrCat("at most ", kMaxEffects, " effects (--effect given ", effects.size(), " times)"));
  }
  for (const std::string& word : effects) {
    CF_ASSIGN_OR_RETURN(*spec.add_effects(), ParseEffect(word));
  }
  return spec;
}

}  // namespace clipforge::cli
