#include "services/users/request_parsing.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "users/account_rules.h"
#include "users/age.h"

namespace clipforge::users {
namespace {

// The fields UpdateMyProfile can change: a mask names each at most once.
constexpr size_t kUpdatableProfileFields = 4;

// Joins the messages of failed checks: "handle: ...; password: ..." (the
// first few, then how many more).
absl::Status Collect(absl::Span<const absl::Status> checks) {
  std::vector<std::string> messages;
  for (const absl::Status& s : checks) {
    if (!s.ok()) messages.emplace_back(s.message());
  }
  return base::InvalidArgumentFromViolations(messages);
}

// "display_name: ..." -> "profile.display_name: ..." for fields inside
// UpdateMyProfileRequest.profile.
absl::Status InProfile(const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("profile.", status.message()));
}

bool IsLowerHexSha256(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

absl::Status CheckRequestId(const std::string& request_id) {
  base::FieldValidator v;
  v.Uuid("request_id", request_id);
  return v.status();
}

absl::StatusOr<Registration> ParseRegistration(const v1::RegisterRequest& request) {
  absl::StatusOr<std::string> handle = NormalizeHandle(request.handle());
  absl::StatusOr<std::string> email = NormalizeEmail(request.email());
  absl::StatusOr<std::string> display_name = NormalizeDisplayName(request.display_name());
  std::vector<std::string> languages(request.languages().begin(), request.languages().end());
  // Optional: empty is an adult's sign-up.
  absl::StatusOr<std::optional<absl::CivilDay>> birth_date = std::optional<absl::CivilDay>();
  if (!request.birth_date().empty()) birth_date = ParseBirthDate(request.birth_date());
  base::FieldValidator v;
  v.Text("consent_policy_version", request.consent_policy_version(), {.max_chars = 32});
  CF_RETURN_IF_ERROR(Collect({CheckRequestId(request.request_id()), handle.status(), email.status(),
                              CheckPassword(request.password(), handle.value_or(""), email.value_or("")),
                              display_name.status(), CheckLanguages(languages),
                              birth_date.status(), v.status()}));
  return Registration{.request_id = request.request_id(),
                      .handle = *std::move(handle),
                      .email = *std::move(email),
                      .password = request.password(),
                      .display_name = *std::move(display_name),
                      .languages = std::move(languages),
                      .analytics_opt_in = request.analytics_opt_in(),
                      .consent_policy_version = request.consent_policy_version(),
                      .birth_date = *birth_date};
}

absl::StatusOr<LoginAttempt> ParseLogin(const v1::LoginRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id())
      .Text("handle_or_email", request.handle_or_email(), {.min_chars = 1, .max_chars = 254})
      .Text("password", request.password(), {.min_chars = 1, .max_chars = 128, .allow_control = true})
      .Text("device_name", request.device_name(), {.max_chars = 64});
  CF_RETURN_IF_ERROR(v.status());
  return LoginAttempt{request.request_id(), LoginKey(request.handle_or_email()), request.password(),
                      request.device_name()};
}

absl::StatusOr<ProfileChange> ParseProfileChange(const v1::UpdateMyProfileRequest& request) {
  std::vector<absl::Status> checks = {CheckRequestId(request.request_id())};
  const auto& paths = request.update_mask().paths();
  if (paths.empty()) checks.push_back(absl::InvalidArgumentError("update_mask: name at least one field"));
  if (static_cast<size_t>(paths.size()) > kUpdatableProfileFields) {
    // More paths than fields: some repeat or are unknown. Refused before
    // looking at any, so the work and the answer stay small.
    checks.push_back(absl::InvalidArgumentError(
        absl::StrCat("update_mask: at most ", kUpdatableProfileFields, " paths (each field once)")));
    return Collect(checks);
  }
  const v1::Profile& p = request.profile();
  ProfileChange change;
  for (int i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    if (std::find(paths.begin(), paths.begin() + i, path) != paths.begin() + i) {
      checks.push_back(
          absl::InvalidArgumentError(absl::StrCat("update_mask: '", path.substr(0, 64), "' is named twice")));
      continue;
    }
    if (path == "display_name") {
      absl::StatusOr<std::string> name = NormalizeDisplayName(p.display_name());
      checks.push_back(InProfile(name.status()));
      if (name.ok()) change.display_name = *std::move(name);
    } else if (path == "bio") {
      checks.push_back(InProfile(CheckBio(p.bio())));
      change.bio = p.bio();
    } else if (path == "languages") {
      std::vector<std::string> languages(p.languages().begin(), p.languages().end());
      checks.push_back(InProfile(CheckLanguages(languages)));
      change.languages = std::move(languages);
    } else if (path == "avatar") {
      if (p.has_avatar() && !IsLowerHexSha256(p.avatar().sha256())) {
        checks.push_back(absl::InvalidArgumentError("profile.avatar.sha256: must be 64 lowercase hex digits"));
      }
      change.avatar_blob_id = p.has_avatar() ? p.avatar().sha256() : "";
    } else {
      checks.push_back(
          absl::InvalidArgumentError(absl::StrCat("update_mask: '", path.substr(0, 64), "' cannot be updated")));
    }
  }
  CF_RETURN_IF_ERROR(Collect(checks));
  return change;
}

absl::StatusOr<UserLookup> ParseUserLookup(const v1::GetPublicProfileRequest& request) {
  switch (request.lookup_case()) {
    case v1::GetPublicProfileRequest::kUserId: {
      base::FieldValidator v;
      v.Uuid("user_id", request.user_id());
      CF_RETURN_IF_ERROR(v.status());
      return UserLookup{request.user_id(), ""};
    }
    case v1::GetPublicProfileRequest::kHandle: {
      CF_ASSIGN_OR_RETURN(std::string handle, NormalizeHandle(request.handle()));
      return UserLookup{"", std::move(handle)};
    }
    default:
      return absl::InvalidArgumentError("lookup: set user_id or handle");
  }
}

}  // namespace clipforge::users
