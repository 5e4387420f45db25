#include "users/account_rules.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/language_tag.h"
#include "base/validation.h"
#include "users/common_passwords.h"

namespace clipforge::users {
namespace {

// Names that would let an account pass for the service or its staff, or that
// collide with routes and words the clients treat specially.
constexpr absl::string_view kReservedHandles[] = {
    "abuse",     "account",    "accounts",  "admin",      "admins",        "administrator",
    "anonymous", "api",        "app",       "auth",       "billing",       "blog",
    "bot",       "ceo",        "contact",   "dev",        "developer",     "developers",
    "everyone",  "explore",    "feed",      "help",       "helpdesk",      "here",
    "home",      "hostmaster", "info",      "legal",      "login",         "logout",
    "me",        "mod",        "moderator", "moderators", "moderation",    "news",
    "nobody",    "noreply",    "no_reply",  "notifications", "null",       "official",
    "owner",     "payments",   "postmaster", "press",     "privacy",       "register",
    "root",      "safety",     "search",    "security",   "settings",      "signin",
    "signup",    "staff",      "status",    "support",    "sysadmin",      "system",
    "team",      "terms",      "tips",      "trust",      "trust_and_safety", "undefined",
    "user",      "users",      "verified",  "webmaster",  "www",
};
constexpr absl::string_view kReservedHandlePrefix = "clipforge";

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return base::FieldValidator().Check(false, field, reason).status();
}

// Decodes the next code point of valid UTF-8 (validated beforehand).
char32_t NextCodePoint(absl::string_view text, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t len = 1;
  char32_t cp = lead;
  if (lead >= 0xF0) {
    len = 4, cp = lead & 0x07;
  } else if (lead >= 0xE0) {
    len = 3, cp = lead & 0x0F;
  } else if (lead >= 0xC0) {
    len = 2, cp = lead & 0x1F;
  }
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
  i += len;
  return cp;
}

bool IsForbiddenInDisplayName(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||   // C0, DEL, C1 controls.
         (cp >= 0x202A && cp <= 0x202E) ||             // Bidi embeddings and overrides.
         (cp >= 0x2066 && cp <= 0x2069);               // Bidi isolates.
}

// RFC 5322 atext: what an unquoted local part may hold besides dots.
bool IsAtext(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != absl::string_view::npos;
}

bool HasBadDots(absl::string_view text) {
  return text.empty() || text.front() == '.' || text.back() == '.' ||
         absl::StrContains(text, "..");
}

}  // namespace

absl::StatusOr<std::string> NormalizeHandle(absl::string_view handle) {
  absl::ConsumePrefix(&handle, "@");
  if (handle.size() < kMinHandleChars || handle.size() > kMaxHandleChars) {
    return Invalid("handle", absl::StrCat("must be ", kMinHandleChars, "-", kMaxHandleChars,
                                          " characters"));
  }
  for (const char c : handle) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return Invalid("handle", "may only contain letters, digits and underscores");
    }
  }
  if (!absl::ascii_isalpha(static_cast<unsigned char>(handle.front()))) {
    return Invalid("handle", "must start with a letter");
  }
  std::string normalized = absl::AsciiStrToLower(handle);
  if (absl::StartsWith(normalized, kReservedHandlePrefix) ||
      std::find(std::begin(kReservedHandles), std::end(kReservedHandles), normalized) !=
          std::end(kReservedHandles)) {
    return Invalid("handle", "is reserved");
  }
  return normalized;
}

absl::StatusOr<std::string> NormalizeEmail(absl::string_view email) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(email);
  if (trimmed.size() < 3 || trimmed.size() > 254) {
    return Invalid("email", "must be 3-254 characters");
  }
  std::string normalized = absl::AsciiStrToLower(trimmed);
  const size_t at = normalized.find('@');
  if (at == std::string::npos || normalized.find('@', at + 1) != std::string::npos) {
    return Invalid("email", "must contain exactly one '@'");
  }
  const absl::string_view local = absl::string_view(normalized).substr(0, at);
  const absl::string_view domain = absl::string_view(normalized).substr(at + 1);
  if (local.empty() || local.size() > 64) {
    return Invalid("email", "the part before '@' must be 1-64 characters");
  }
  if (HasBadDots(local) ||
      !std::all_of(local.begin(), local.end(), [](char c) { return c == '.' || IsAtext(c); })) {
    return Invalid("email", "the part before '@' is not valid");
  }
  bool domain_ok = !HasBadDots(domain) && absl::StrContains(domain, '.');
  if (domain_ok) {
    for (const absl::string_view label : absl::StrSplit(domain, '.')) {
      domain_ok = domain_ok && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
                  std::all_of(label.begin(), label.end(), [](char c) {
                    return absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
                           (c >= 'a' && c <= 'z') || c == '-';
                  });
    }
  }
  if (!domain_ok) return Invalid("email", "the domain is not valid");
  return normalized;
}

absl::Status CheckPassword(absl::string_view password, absl::string_view handle,
                           absl::string_view email) {
  if (password.size() > kMaxPasswordBytes) {
    return Invalid("password", absl::StrCat("must be at most ", kMaxPasswordBytes, " bytes"));
  }
  const std::optional<size_t> chars = base::Utf8Length(password);
  if (!chars) return Invalid("password", "must be valid UTF-8");
  if (*chars < kMinPasswordChars) {
    return Invalid("password", absl::StrCat("must be at least ", kMinPasswordChars, " characters"));
  }
  if (*chars > kMaxPasswordChars) {
    return Invalid("password", absl::StrCat("must be at most ", kMaxPasswordChars, " characters"));
  }
  absl::string_view bare_handle = absl::StripAsciiWhitespace(handle);
  absl::ConsumePrefix(&bare_handle, "@");
  const absl::string_view bare_email = absl::StripAsciiWhitespace(email);
  const absl::string_view email_local = bare_email.substr(0, bare_email.find('@'));
  for (const absl::string_view personal : {handle, bare_handle, bare_email, email_local}) {
    if (!personal.empty() && absl::EqualsIgnoreCase(password, personal)) {
      return Invalid("password", "must not be your handle or email");
    }
  }
  if (IsCommonPassword(password)) return Invalid("password", "is too common");
  return absl::OkStatus();
}

absl::Status CheckDisplayName(absl::string_view display_name) {
  base::FieldValidator v;
  v.Text("display_name", display_name, {.min_chars = 1, .max_chars = kMaxDisplayNameChars});
  if (!v.ok()) return v.status();
  if (absl::StripAsciiWhitespace(display_name).size() != display_name.size()) {
    return Invalid("display_name", "must not start or end with spaces");
  }
  for (size_t i = 0; i < display_name.size();) {
    if (IsForbiddenInDisplayName(NextCodePoint(display_name, i))) {
      return Invalid("display_name", "must not contain control characters");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeDisplayName(absl::string_view display_name) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(display_name);
  if (absl::Status status = CheckDisplayName(trimmed); !status.ok()) return status;
  return std::string(trimmed);
}

absl::Status CheckBio(absl::string_view bio) {
  return base::FieldValidator().Text("bio", bio, {.min_chars = 0, .max_chars = kMaxBioChars}).status();
}

absl::Status CheckLanguages(absl::Span<const std::string> languages) {
  base::FieldValidator v;
  v.Count("languages", languages.size(), kMaxLanguages);
  if (!v.ok()) return v.status();
  std::vector<std::string> seen;
  for (size_t i = 0; i < languages.size(); ++i) {
    if (!base::IsLanguageTag(languages[i])) {
      return Invalid(absl::StrCat("languages[", i, "]"),
                     "must be a language tag such as 'en' or 'pt-BR'");
    }
    std::string lower = absl::AsciiStrToLower(languages[i]);
    if (std::find(seen.begin(), seen.end(), lower) != seen.end()) {
      return Invalid("languages", "must not list a language twice");
    }
    seen.push_back(std::move(lower));
  }
  return absl::OkStatus();
}

}  // namespace clipforge::users
