#include "services/moderation/audit_logic.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/moderation/access.h"

namespace clipforge::moderation_service {

absl::Status AppendAudit(ModerationTx& tx, const kit::Caller& caller, const AuditNote& note, absl::Time now) {
  if (note.details_json.size() > kMaxAuditDetailsBytes) {
    return absl::InternalError(absl::StrCat("audit details of ", note.action, " over ", kMaxAuditDetailsBytes, " bytes"));
  }
  const AuditHead head = tx.LockAuditHead();
  AuditEntryRecord entry;
  entry.fields = {.sequence = head.sequence + 1,
                  .actor_kind = v1::ACTOR_KIND_USER,
                  .actor_id = caller.user_id,
                  .actor_roles = caller.roles.bits(),
                  .action = std::string(note.action),
                  .target_kind = note.target_kind,
                  .target_id = std::string(note.target_id),
                  .object_id = std::string(note.object_id),
                  .details_json = note.details_json,
                  .create_micros = absl::ToUnixMicros(now)};
  entry.prev_hash = head.hash;
  entry.entry_hash = moderation::ChainHash(head.hash, entry.fields);
  tx.AppendAuditEntry(entry);
  return absl::OkStatus();
}

absl::StatusOr<AuditPage> AuditLogic::List(const kit::Caller& caller, const AuditFilter& filter, int limit) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "read the audit log"));
  AuditPage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    page.entries = tx.ListAudit(filter, limit + 1);  // One more: is there a next page?
    return absl::OkStatus();
  }));
  if (static_cast<int>(page.entries.size()) > limit) {
    page.entries.resize(static_cast<size_t>(limit));
    page.next_sequence = page.entries.back().fields.sequence + 1;
  }
  return page;
}

absl::StatusOr<ChainReport> AuditLogic::Verify(const kit::Caller& caller, int64_t first, int64_t last) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "verify the audit log"));
  CF_ASSIGN_OR_RETURN(const AuditHead head, store_.ReadAuditHead());
  if (first == 0) first = 1;
  if (last == 0) last = head.sequence;
  if (first < 1 || last < first - 1 || last > head.sequence) {
    return absl::InvalidArgumentError(absl::StrCat("start_sequence, end_sequence: not a range of 1..", head.sequence));
  }
  if (last - first + 1 > kMaxVerifiedEntries) {
    return absl::InvalidArgumentError(absl::StrCat("end_sequence: at most ", kMaxVerifiedEntries, " entries per call"));
  }
  std::string prev = moderation::GenesisHash();
  if (first > 1) {
    CF_RETURN_IF_ERROR(store_.ScanAudit(first - 1, first - 1, [&](const AuditEntryRecord& e) { prev = e.entry_hash; }));
  }
  moderation::AuditVerifier verifier(prev, first);
  CF_RETURN_IF_ERROR(store_.ScanAudit(first, last, [&](const AuditEntryRecord& e) {
    verifier.Add(e.fields, e.prev_hash, e.entry_hash);
  }));
  ChainReport report{.valid = verifier.valid(),
                     .checked = verifier.checked(),
                     .first_invalid = verifier.first_invalid(),
                     .last_sequence = verifier.last_sequence(),
                     .last_hash = verifier.last_hash()};
  // Entries missing at the end of the range are a break too.
  if (report.valid && verifier.checked() < last - first + 1) {
    report.valid = false;
    report.first_invalid = first + verifier.checked();
  }
  return report;
}

}  // namespace clipforge::moderation_service
