#include "feed/lsh_index.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/splitmix.h"

namespace clipforge::feed {

PromptLshIndex::PromptLshIndex(size_t bucket_cap) : bucket_cap_(bucket_cap == 0 ? 1 : bucket_cap) {}

PromptLshIndex::BandKey PromptLshIndex::KeyOf(const MinHashSignature& signature, size_t band) {
  uint64_t key = band;
  for (size_t row = 0; row < kLshRowsPerBand; ++row) {
    key = base::SplitMix64Finalizer(key ^ signature[band * kLshRowsPerBand + row]);
  }
  return key;
}

bool PromptLshIndex::Before(uint32_t a, uint32_t b) const {
  const Entry& x = entries_[a];
  const Entry& y = entries_[b];
  if (x.published_at != y.published_at) return x.published_at < y.published_at;
  return x.clip_id < y.clip_id;
}

absl::Status PromptLshIndex::Insert(absl::string_view clip_id, absl::string_view creator_id, absl::Time published_at,
                                    const MinHashSignature& signature) {
  if (slot_by_id_.contains(clip_id)) return absl::AlreadyExistsError(absl::StrCat("clip ", clip_id, " is indexed"));
  Entry entry{.clip_id = std::string(clip_id),
              .creator_id = std::string(creator_id),
              .published_at = published_at,
              .signature = signature};
  uint32_t slot = 0;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    entries_[slot] = std::move(entry);
  } else {
    if (entries_.size() >= std::numeric_limits<uint32_t>::max()) {
      return absl::ResourceExhaustedError("the prompt index holds 2^32 - 1 clips");
    }
    slot = static_cast<uint32_t>(entries_.size());
    entries_.push_back(std::move(entry));
  }
  slot_by_id_.emplace(std::string(clip_id), slot);

  const auto before = [this](uint32_t a, uint32_t b) { return Before(a, b); };
  for (size_t band = 0; band < kLshBands; ++band) {
    Bucket& bucket = bands_[band][KeyOf(signature, band)];
    const auto at = std::upper_bound(bucket.begin(), bucket.end(), slot, before);
    // A full bucket keeps its earliest clips: a later one stays out.
    if (bucket.size() >= bucket_cap_ && at == bucket.end()) continue;
    bucket.insert(at, slot);
    if (bucket.size() > bucket_cap_) bucket.pop_back();
  }
  return absl::OkStatus();
}

bool PromptLshIndex::Remove(absl::string_view clip_id) {
  const auto found = slot_by_id_.find(clip_id);
  if (found == slot_by_id_.end()) return false;
  const uint32_t slot = found->second;
  for (size_t band = 0; band < kLshBands; ++band) {
    const auto bucket = bands_[band].find(KeyOf(entries_[slot].signature, band));
    if (bucket == bands_[band].end()) continue;
    Bucket& slots = bucket->second;
    slots.erase(std::remove(slots.begin(), slots.end(), slot), slots.end());
    if (slots.empty()) bands_[band].erase(bucket);
  }
  slot_by_id_.erase(found);
  entries_[slot] = Entry{};
  free_slots_.push_back(slot);
  return true;
}

std::vector<uint32_t> PromptLshIndex::CandidateSlots(const MinHashSignature& signature) const {
  std::vector<uint32_t> slots;
  for (size_t band = 0; band < kLshBands; ++band) {
    const auto bucket = bands_[band].find(KeyOf(signature, band));
    if (bucket != bands_[band].end()) slots.insert(slots.end(), bucket->second.begin(), bucket->second.end());
  }
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  std::sort(slots.begin(), slots.end(), [this](uint32_t a, uint32_t b) { return Before(a, b); });
  return slots;
}

std::vector<std::string> PromptLshIndex::Candidates(const MinHashSignature& signature) const {
  std::vector<std::string> ids;
  for (const uint32_t slot : CandidateSlots(signature)) ids.push_back(entries_[slot].clip_id);
  return ids;
}

std::vector<PromptMatch> PromptLshIndex::NearDuplicates(const MinHashSignature& signature, absl::string_view creator_id,
                                                        double threshold, absl::Time published_before,
                                                        absl::Time published_after) const {
  std::vector<PromptMatch> matches;
  for (const uint32_t slot : CandidateSlots(signature)) {
    const Entry& entry = entries_[slot];
    if (entry.creator_id == creator_id || entry.published_at >= published_before ||
        entry.published_at <= published_after) {
      continue;
    }
    const double similarity = EstimateJaccard(signature, entry.signature);
    if (similarity < threshold) continue;
    matches.push_back(PromptMatch{.clip_id = entry.clip_id,
                                  .creator_id = entry.creator_id,
                                  .published_at = entry.published_at,
                                  .similarity = similarity});
  }
  return matches;
}

}  // namespace clipforge::feed
