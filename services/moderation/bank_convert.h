// Conversions between hash bank, allow-list and import records and the
// API's messages (also the idempotency records of their changes).
#pragma once

#include "clipforge/v1/moderation.pb.h"
#include "services/moderation/active_banks.h"
#include "services/moderation/bank_logic.h"

namespace clipforge::moderation_service {

void FillBank(const HashBankRecord& bank, v1::HashBank* out);
// Every field, output-only ones included (idempotency replays).
HashBankRecord BankFromProto(const v1::HashBank& bank);

void FillAllowListEntry(const AllowListRecord& entry, v1::AllowListEntry* out);
AllowListRecord AllowListEntryFromProto(const v1::AllowListEntry& entry);

void FillImport(const ImportOutcome& outcome, v1::ImportHashesResponse* out);
ImportOutcome ImportFromProto(const v1::ImportHashesResponse& response);

void FillMediaCheck(const MediaCheck& check, v1::CheckVideoResponse* out);

}  // namespace clipforge::moderation_service
