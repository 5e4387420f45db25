// Validation and conversion of the hash bank, allow-list and CheckVideo
// requests into the logic's values: every bad field named in one
// INVALID_ARGUMENT.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clipforge/v1/moderation.pb.h"
#include "services/moderation/bank_logic.h"
#include "services/moderation/case_records.h"

namespace clipforge::moderation_service {

absl::StatusOr<HashBankRecord> ParseNewBank(const v1::CreateHashBankRequest& request);

struct BankUpdate {
  std::string bank_id;
  HashBankRecord values;
  BankMask mask;
};
absl::StatusOr<BankUpdate> ParseBankUpdate(const v1::UpdateHashBankRequest& request);

struct BankListing {
  std::string after_name;
  int32_t page_size = 50;
};
absl::StatusOr<BankListing> ParseBankListing(const v1::ListHashBanksRequest& request);
std::string BankPageToken(const std::string& after_name);

// request_id, bank_id and 1-10,000 entries; the entries themselves are
// judged one by one by the import (a bad one is reported, not fatal).
absl::StatusOr<std::vector<BankEntryInput>> ParseImport(const v1::ImportHashesRequest& request);

absl::StatusOr<AllowListRecord> ParseNewAllowed(const v1::AddAllowListEntryRequest& request);

struct AllowListing {
  std::string bank_id;
  std::optional<AllowListCursor> before;
  int32_t page_size = 100;
};
absl::StatusOr<AllowListing> ParseAllowListing(const v1::ListAllowListEntriesRequest& request);
std::string AllowListPageToken(const std::string& bank_id, const AllowListCursor& next);

struct VideoCheckInput {
  std::string sha256;
  std::optional<TargetRef> subject;
};
// blob.sha256 a blob name; content_type a video or image type we decode;
// subject, when set, a kind and a UUID.
absl::StatusOr<VideoCheckInput> ParseCheckVideo(const v1::CheckVideoRequest& request);

}  // namespace clipforge::moderation_service
