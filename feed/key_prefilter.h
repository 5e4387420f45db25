// A yes-or-maybe filter in front of a request's small string-keyed maps
// (the viewer's feedback settings and theme weights, scoring.h). Scoring
// looks up every candidate's clip, creator and themes in them, and almost
// every lookup misses; hashing a 36-byte id for each was a fifth of
// scoring 10,000 candidates. A key's slot takes two 8-byte loads and a
// multiplication, and a clear slot means "not in the map" for certain;
// a set one sends the lookup on to the map, so answers never change.
//
// 4,096 slots: with n keys a miss goes on to the map with probability
// about n / 4,096 (1.2% for a viewer with 50 settings). A UUID's first 8
// characters (its time) and last 8 (random) both go into the slot, so ids
// minted in the same second still spread.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace clipforge::feed {

class KeyPrefilter {
 public:
  void Add(absl::string_view key) {
    const uint32_t slot = Slot(key);
    words_[slot / 64] |= uint64_t{1} << (slot % 64);
  }

  // A filter that lets every key through.
  static KeyPrefilter AllKeys() {
    KeyPrefilter filter;
    filter.words_.fill(~uint64_t{0});
    return filter;
  }

  // False: `key` was never added. True: it may have been.
  bool MightContain(absl::string_view key) const {
    const uint32_t slot = Slot(key);
    return (words_[slot / 64] >> (slot % 64)) & 1;
  }

 private:
  static constexpr int kSlotBits = 12;  // 4,096 slots

  static uint32_t Slot(absl::string_view key) {
    uint64_t head = 0, tail = 0;
    if (key.size() >= 8) {
      std::memcpy(&head, key.data(), 8);
      std::memcpy(&tail, key.data() + key.size() - 8, 8);
    } else {
      std::memcpy(&head, key.data(), key.size());
    }
    const uint64_t mixed = (head * 0x9e3779b97f4a7c15u) ^ (tail * 0xc2b2ae3d27d4eb4fu) ^ key.size();
    return static_cast<uint32_t>((mixed * 0xff51afd7ed558ccdu) >> (64 - kSlotBits));
  }

  std::array<uint64_t, (1 << kSlotBits) / 64> words_{};
};

}  // namespace clipforge::feed
