// JobSpec effects as `clipforge generate --effect` spells them, one
// KIND:VALUE word each: `text:HELLO` (a text overlay), `grade:warm` (a
// colour grade: warm, cool, mono, vintage or vivid), `speed:2.0` (a playback
// speed factor), `sticker:FILE` (a .png or .webp image over the clip,
// uploaded before the job is created). `clipforge job` prints effects the
// same way.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clipforge/v1/generation.pb.h"

namespace clipforge::cli {

// The limits generation.proto sets on what a word can say; checked here so
// that a mistake costs no quota and no call.
inline constexpr size_t kMaxEffects = 8;
inline constexpr size_t kMaxOverlayTextChars = 100;
inline constexpr float kMinSpeed = 0.25F;
inline constexpr float kMaxSpeed = 4.0F;

// One word into an effect; a UsageError naming the word and what it may be
// otherwise. A `sticker:FILE` word gives a sticker without its image, which
// the caller uploads (StickerPath) and names.
absl::StatusOr<v1::Effect> ParseEffect(absl::string_view word);

// The FILE of a `sticker:FILE` word; empty for every other word.
std::string StickerPath(absl::string_view word);

// The word ParseEffect reads back into `effect` (the text, grade or speed
// only; positions and timing are not shown); `sticker:SHA256` for a
// sticker, which has no word to give it.
std::string EffectWord(const v1::Effect& effect);

}  // namespace clipforge::cli
