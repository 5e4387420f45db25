#include "services/moderation/bank_convert.h"

#include <google/protobuf/util/time_util.h>

#include "services/kit/proto_time.h"

namespace clipforge::moderation_service {

// Frames and matches a response shows at most (the proto's limits).
constexpr int kMaxFramesShown = 64;

void FillBank(const HashBankRecord& b, v1::HashBank* out) {
  out->set_bank_id(b.bank_id);
  out->set_name(b.name);
  out->set_description(b.description);
  out->set_category(b.category);
  out->set_decision(b.decision);
  out->set_hash_type(b.hash_type);
  out->set_max_distance(b.max_distance);
  out->set_source(b.source);
  out->set_enabled(b.enabled);
  out->set_entry_count(b.entry_count);
  out->set_version(b.version);
  *out->mutable_create_time() = kit::ToTimestamp(b.create_time);
  *out->mutable_update_time() = kit::ToTimestamp(b.update_time);
}

HashBankRecord BankFromProto(const v1::HashBank& b) {
  return {.bank_id = b.bank_id(),
          .name = b.name(),
          .description = b.description(),
          .category = b.category(),
          .decision = b.decision(),
          .hash_type = b.hash_type(),
          .max_distance = b.max_distance(),
          .source = b.source(),
          .enabled = b.enabled(),
          .entry_count = b.entry_count(),
          .version = b.version(),
          .create_time = kit::FromTimestamp(b.create_time()),
          .update_time = kit::FromTimestamp(b.update_time())};
}

void FillAllowListEntry(const AllowListRecord& e, v1::AllowListEntry* out) {
  out->set_entry_id(e.entry_id);
  out->set_bank_id(e.bank_id);
  out->set_hash(e.hash);
  out->set_reason(e.reason);
  out->set_create_user_id(e.create_user_id);
  *out->mutable_create_time() = kit::ToTimestamp(e.create_time);
}

AllowListRecord AllowListEntryFromProto(const v1::AllowListEntry& e) {
  return {.entry_id = e.entry_id(),
          .bank_id = e.bank_id(),
          .hash = e.hash(),
          .reason = e.reason(),
          .create_user_id = e.create_user_id(),
          .create_time = kit::FromTimestamp(e.create_time())};
}

void FillImport(const ImportOutcome& o, v1::ImportHashesResponse* out) {
  out->set_added_count(o.added);
  out->set_duplicate_count(o.duplicates);
  out->set_rejected_count(o.rejected);
  for (const EntryRejection& r : o.rejections) {
    v1::FieldViolation* v = out->add_rejections();
    v->set_field("entries[" + std::to_string(r.index) + "].hash");
    if (r.reason == "TOO_LONG") v->set_field("entries[" + std::to_string(r.index) + "].external_id");
    v->set_reason(r.reason);
    v->set_description(r.description);
  }
}

ImportOutcome ImportFromProto(const v1::ImportHashesResponse& r) {
  ImportOutcome o{.added = r.added_count(), .duplicates = r.duplicate_count(), .rejected = r.rejected_count()};
  for (const v1::FieldViolation& v : r.rejections()) {
    // "entries[i].field": the index back.
    const size_t open = v.field().find('[');
    const int32_t index = open == std::string::npos ? 0 : std::atoi(v.field().c_str() + open + 1);
    o.rejections.push_back({index, v.reason(), v.description()});
  }
  return o;
}

void FillMediaCheck(const MediaCheck& check, v1::CheckVideoResponse* out) {
  out->set_decision(check.decision);
  for (v1::ModerationCategory category : check.categories) out->add_categories(category);
  for (const FrameHits& frame : check.frames) {
    if (out->frames_size() == kMaxFramesShown) break;
    v1::FrameMatch* match = out->add_frames();
    match->set_frame_index(frame.frame.frame_index);
    *match->mutable_offset() =
        google::protobuf::util::TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(frame.frame.offset));
    match->set_hash(PdqBytes(frame.frame.hash));
    match->set_quality(frame.frame.quality);
    for (const BankHit& hit : frame.hits) {
      v1::BankMatch* bank = match->add_matches();
      bank->set_bank_id(hit.bank_id);
      bank->set_entry_id(hit.entry_id);
      bank->set_category(hit.category);
      bank->set_distance(hit.distance);
      bank->set_max_distance(hit.max_distance);
    }
  }
  out->set_frames_checked(check.frames_checked);
  out->set_banks_version(check.banks_version);
}

}  // namespace clipforge::moderation_service
