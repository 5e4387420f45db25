// Proto enum values as the words people type and read: MODERATION_ACTION_
// AGE_RESTRICT is "age-restrict" once its enum's prefix is dropped.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <google/protobuf/generated_enum_reflection.h>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "cli/errors.h"

namespace clipforge::cli {

// A shorter word for a value whose name reads long on a command line: "job"
// for CONTENT_KIND_GENERATION_JOB, "suspend" for MODERATION_ACTION_SUSPEND_
// ACCOUNT. It is the word printed; the long one is still accepted, so that
// what one command prints another accepts either way.
struct ShortWord {
  int value;
  absl::string_view word;
};

// The words of every value of E but the zero "unspecified" one.
template <typename E>
std::vector<std::string> EnumWords(absl::string_view prefix, std::span<const ShortWord> short_words = {});

// "age-restrict" for MODERATION_ACTION_AGE_RESTRICT with prefix
// "MODERATION_ACTION_"; the number for a value this client does not know.
template <typename E>
std::string EnumWord(E value, absl::string_view prefix, std::span<const ShortWord> short_words = {}) {
  for (const ShortWord& short_word : short_words) {
    if (short_word.value == static_cast<int>(value)) return std::string(short_word.word);
  }
  const google::protobuf::EnumValueDescriptor* v =
      google::protobuf::GetEnumDescriptor<E>()->FindValueByNumber(static_cast<int>(value));
  if (v == nullptr) return absl::StrCat(static_cast<int>(value));
  absl::string_view name = v->name();
  absl::ConsumePrefix(&name, prefix);
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", "-"}});
}

// The value whose word is `text` (case and '-'/'_' ignored); a UsageError
// naming `what` (a flag "--category" or an operand "CATEGORY") and the
// choices otherwise. The zero value is never a choice.
template <typename E>
absl::StatusOr<E> ParseEnumWord(absl::string_view what, absl::string_view text, absl::string_view prefix,
                                std::span<const ShortWord> short_words = {}) {
  const std::string word = absl::AsciiStrToLower(absl::StrReplaceAll(text, {{"_", "-"}}));
  for (const ShortWord& short_word : short_words) {
    if (short_word.word == word) return static_cast<E>(short_word.value);
  }
  const std::string name = absl::StrCat(prefix, absl::AsciiStrToUpper(absl::StrReplaceAll(text, {{"-", "_"}})));
  const google::protobuf::EnumValueDescriptor* v =
      google::protobuf::GetEnumDescriptor<E>()->FindValueByName(name);
  if (v == nullptr || v->number() == 0) {
    return UsageError(
        absl::StrCat(what, " must be one of: ", absl::StrJoin(EnumWords<E>(prefix, short_words), ", ")));
  }
  return static_cast<E>(v->number());
}

template <typename E>
std::vector<std::string> EnumWords(absl::string_view prefix, std::span<const ShortWord> short_words) {
  const google::protobuf::EnumDescriptor* d = google::protobuf::GetEnumDescriptor<E>();
  std::vector<std::string> words;
  for (int i = 0; i < d->value_count(); ++i) {
    if (d->value(i)->number() != 0) {
      words.push_back(EnumWord(static_cast<E>(d->value(i)->number()), prefix, short_words));
    }
  }
  return words;
}

}  // namespace clipforge::cli
