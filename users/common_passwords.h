// Passwords too common to accept, whatever their length.
#pragma once

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace clipforge::users {

// True, ignoring ASCII case, for a password on the built-in list of the most
// common breached passwords of 10+ characters, and for the patterns those
// lists are full of: one character repeated ("aaaaaaaaaa"), a run of
// consecutive digits or letters up or down, wrapping around ("2345678901",
// "abcdefghijk", "9876543210"), and a unit of 2-4 characters repeated
// ("abababababab", "123123123123"). Also true for the empty string.
bool IsCommonPassword(absl::string_view password);

// The built-in list (lowercase, each at least 10 characters), for tests.
absl::Span<const absl::string_view> CommonPasswordList();

}  // namespace clipforge::users
