#include "services/moderation/bank_request_parsing.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/validation.h"
#include "services/kit/blob_store.h"
#include "services/kit/token_fields.h"
#include "services/moderation/bank_convert.h"

namespace clipforge::moderation_service {
namespace {

constexpr int kMaxImportEntries = 10'000;
constexpr int kMaxPdqDistance = 64;
constexpr int64_t kMaxBlobBytes = int64_t{1} << 40;

constexpr base::TextRule kNameRule{.min_chars = 1, .max_chars = 64};
constexpr base::TextRule kDescriptionRule{.min_chars = 0, .max_chars = 500};
constexpr base::TextRule kSourceRule{.min_chars = 0, .max_chars = 100};
constexpr base::TextRule kReasonRule{.min_chars = 1, .max_chars = 500};

// What CheckVideo decodes (the frame reader probes the bytes themselves;
// this refuses what we never accept).
constexpr absl::string_view kMediaTypes[] = {"video/mp4", "image/jpeg", "image/png", "image/webp"};

bool Mark(bool& flag) {
  if (flag) return false;
  flag = true;
  return true;
}

void CheckDecision(base::FieldValidator& v, v1::ModerationDecision decision) {
  v.Check(decision == v1::MODERATION_DECISION_REVIEW || decision == v1::MODERATION_DECISION_BLOCK, "bank.decision",
          "REVIEW or BLOCK");
}

void CheckDistance(base::FieldValidator& v, int32_t distance) {
  v.IntRange("bank.max_distance", distance, 0, kMaxPdqDistance);
}

}  // namespace

absl::StatusOr<HashBankRecord> ParseNewBank(const v1::CreateHashBankRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  const v1::HashBank& b = request.bank();
  v.Text("bank.name", b.name(), kNameRule);
  v.Text("bank.description", b.description(), kDescriptionRule);
  v.Check(v1::ModerationCategory_IsValid(b.category()) && b.category() != v1::MODERATION_CATEGORY_UNSPECIFIED,
          "bank.category", "required");
  CheckDecision(v, b.decision());
  v.Check(b.hash_type() == v1::HASH_TYPE_PDQ, "bank.hash_type", "required: PDQ");
  CheckDistance(v, b.max_distance());
  v.Text("bank.source", b.source(), kSourceRule);
  CF_RETURN_IF_ERROR(v.status());
  return BankFromProto(b);  // The logic sets the output-only fields.
}

absl::StatusOr<BankUpdate> ParseBankUpdate(const v1::UpdateHashBankRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  v.Uuid("bank.bank_id", request.bank().bank_id());
  v.Check(request.update_mask().paths_size() > 0, "update_mask", "required");
  const v1::HashBank& b = request.bank();
  BankUpdate update{.bank_id = b.bank_id(), .values = BankFromProto(b)};
  BankMask& m = update.mask;
  for (const std::string& path : request.update_mask().paths()) {
    bool fresh = true;
    if (path == "name") {
      fresh = Mark(m.name);
      v.Text("bank.name", b.name(), kNameRule);
    } else if (path == "description") {
      fresh = Mark(m.description);
      v.Text("bank.description", b.description(), kDescriptionRule);
    } else if (path == "decision") {
      fresh = Mark(m.decision);
      CheckDecision(v, b.decision());
    } else if (path == "max_distance") {
      fresh = Mark(m.max_distance);
      CheckDistance(v, b.max_distance());
    } else if (path == "source") {
      fresh = Mark(m.source);
      v.Text("bank.source", b.source(), kSourceRule);
    } else if (path == "enabled") {
      fresh = Mark(m.enabled);
    } else {
      v.Check(false, "update_mask", absl::StrCat("\"", absl::CHexEscape(path.substr(0, 40)), "\" cannot be changed"));
    }
    v.Check(fresh, "update_mask", absl::StrCat("\"", absl::CHexEscape(path.substr(0, 40)), "\" named twice"));
  }
  CF_RETURN_IF_ERROR(v.status());
  return update;
}

absl::StatusOr<BankListing> ParseBankListing(const v1::ListHashBanksRequest& request) {
  base::FieldValidator v;
  BankListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 50, 100);
  CF_RETURN_IF_ERROR(v.status());
  if (request.page_token().empty()) return listing;
  const std::optional<std::vector<std::string>> fields =
      kit::DecodeTokenFields(request.page_token(), "b1", 1, kit::kMaxPageTokenBytes);
  const bool hex = fields && !(*fields)[0].empty() && (*fields)[0].size() % 2 == 0 &&
                   (*fields)[0].find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!hex) return absl::InvalidArgumentError("page_token: malformed");
  listing.after_name = absl::HexStringToBytes((*fields)[0]);
  return listing;
}

std::string BankPageToken(const std::string& after_name) {
  // Names may hold '|': the field goes in hex.
  return kit::EncodeTokenFields("b1", {absl::BytesToHexString(after_name)});
}

absl::StatusOr<std::vector<BankEntryInput>> ParseImport(const v1::ImportHashesRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("bank_id", request.bank_id());
  v.Check(request.entries_size() >= 1 && request.entries_size() <= kMaxImportEntries, "entries",
          absl::StrCat("1 to ", kMaxImportEntries, " hashes per call"));
  CF_RETURN_IF_ERROR(v.status());
  std::vector<BankEntryInput> entries;
  entries.reserve(static_cast<size_t>(request.entries_size()));
  for (const v1::HashEntryInput& entry : request.entries()) entries.push_back({entry.hash(), entry.external_id()});
  return entries;
}

absl::StatusOr<AllowListRecord> ParseNewAllowed(const v1::AddAllowListEntryRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  const v1::AllowListEntry& e = request.entry();
  v.Uuid("entry.bank_id", e.bank_id(), /*required=*/false);
  v.Check(e.hash().size() == 32, "entry.hash", "a PDQ hash is 32 bytes");
  v.Text("entry.reason", e.reason(), kReasonRule);
  CF_RETURN_IF_ERROR(v.status());
  return AllowListRecord{.bank_id = e.bank_id(), .hash = e.hash(), .reason = e.reason()};
}

absl::StatusOr<AllowListing> ParseAllowListing(const v1::ListAllowListEntriesRequest& request) {
  base::FieldValidator v;
  v.Uuid("bank_id", request.bank_id(), /*required=*/false);
  AllowListing listing{.bank_id = request.bank_id()};
  listing.page_size = v.PageSize("page_size", request.page_size(), 100, 500);
  CF_RETURN_IF_ERROR(v.status());
  if (request.page_token().empty()) return listing;
  const std::optional<std::vector<std::string>> fields =
      kit::DecodeTokenFields(request.page_token(), "l1", 3, kit::kMaxPageTokenBytes);
  int64_t micros = 0;
  if (!fields || !absl::SimpleAtoi((*fields)[1], &micros) || micros <= 0 || !base::IsCanonicalUuid((*fields)[2])) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  if ((*fields)[0] != request.bank_id()) return absl::InvalidArgumentError("page_token: was issued for another bank");
  listing.before = AllowListCursor{absl::FromUnixMicros(micros), (*fields)[2]};
  return listing;
}

std::string AllowListPageToken(const std::string& bank_id, const AllowListCursor& next) {
  return kit::EncodeTokenFields("l1", {bank_id, absl::StrCat(absl::ToUnixMicros(next.create_time)), next.entry_id});
}

absl::StatusOr<VideoCheckInput> ParseCheckVideo(const v1::CheckVideoRequest& request) {
  base::FieldValidator v;
  v.Check(kit::IsBlobName(request.blob().sha256()), "blob.sha256", "64 lowercase hex digits");
  bool known_type = false;
  for (absl::string_view type : kMediaTypes) known_type = known_type || request.blob().content_type() == type;
  v.Check(known_type, "blob.content_type", "video/mp4, image/jpeg, image/png or image/webp");
  v.IntRange("blob.size_bytes", request.blob().size_bytes(), 0, kMaxBlobBytes);
  VideoCheckInput input{.sha256 = request.blob().sha256()};
  if (request.has_subject()) {
    const v1::ContentRef& subject = request.subject();
    v.Check(v1::ContentKind_IsValid(subject.kind()) && subject.kind() != v1::CONTENT_KIND_UNSPECIFIED,
            "subject.kind", "required with a subject");
    v.Uuid("subject.id", subject.id());
    input.subject = TargetRef{subject.kind(), subject.id()};
  }
  CF_RETURN_IF_ERROR(v.status());
  return input;
}

}  // namespace clipforge::moderation_service
