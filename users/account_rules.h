// What a valid account looks like: handles, emails, passwords and profile
// fields. Every error is INVALID_ARGUMENT and its message starts with the
// field name ("handle: is reserved"), as base::FieldValidator writes them.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace clipforge::users {

inline constexpr size_t kMinHandleChars = 3;
inline constexpr size_t kMaxHandleChars = 30;
inline constexpr size_t kMinPasswordChars = 10;
inline constexpr size_t kMaxPasswordChars = 128;
inline constexpr size_t kMaxPasswordBytes = 512;
inline constexpr size_t kMaxDisplayNameChars = 50;
inline constexpr size_t kMaxBioChars = 500;
inline constexpr size_t kMaxLanguages = 8;

// The stored, unique form of a handle: one leading '@' stripped, 3-30 ASCII
// letters, digits or underscores starting with a letter, lowercased; not a
// reserved name (admin, support, ...) and not starting with "clipforge".
absl::StatusOr<std::string> NormalizeHandle(absl::string_view handle);

// The stored, unique form of an email: ASCII whitespace trimmed, lowercased,
// 3-254 characters, exactly one '@', a local part of 1-64 characters from
// RFC 5322's atext and dots, a domain of dot-separated labels of [a-z0-9-]
// (at least two labels, none empty, none starting or ending with '-').
absl::StatusOr<std::string> NormalizeEmail(absl::string_view email);

// A new password: valid UTF-8, 10-128 code points, at most 512 bytes, not a
// common password (common_passwords.h), and not (case-insensitively) the
// handle, the email or the email's local part. Pass the handle and email as
// the user typed them or normalized; both work.
absl::Status CheckPassword(absl::string_view password, absl::string_view handle,
                           absl::string_view email);

// A display name as stored: 1-50 code points of valid UTF-8, no leading or
// trailing whitespace, no control characters (tab and newline included) and
// no bidirectional overrides (U+202A-U+202E, U+2066-U+2069).
absl::Status CheckDisplayName(absl::string_view display_name);
// Trims ASCII whitespace, then CheckDisplayName.
absl::StatusOr<std::string> NormalizeDisplayName(absl::string_view display_name);

// 0-500 code points of valid UTF-8; newlines and tabs allowed, other control
// characters not.
absl::Status CheckBio(absl::string_view bio);

// At most 8 language tags, no duplicates (case-insensitive), each a plausible
// BCP 47 tag: 2-35 characters, subtags of 1-8 ASCII letters or digits
// separated by '-', the first of 2-3 letters ("en", "pt-BR", "zh-Hant-TW").
absl::Status CheckLanguages(absl::Span<const std::string> languages);

}  // namespace clipforge::users
