#include "generation/c2pa_bmff.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"
#include "generation/c2pa_bytes.h"

namespace clipforge::generation::c2pa {

const absl::string_view kC2paBoxUuid("\xd8\xfe\xc3\xd6\x1b\x0e\x48\x3c\x92\x97\x58\x28\x87\x7e\xc4\x81", 16);

namespace {

constexpr absl::string_view kManifestPurpose = "manifest";
constexpr size_t kHashChunk = size_t{1} << 20;

// Boxes whose children C2PA exclusions may name.
bool IsContainer(absl::string_view type) {
  static const auto* const kContainers = new absl::flat_hash_set<std::string>{
      "moov", "trak", "edts", "mdia", "minf", "dinf", "stbl", "mvex", "moof", "traf",
      "mfra", "udta", "meta", "iprp", "ipco", "sinf", "schi", "tref", "meco"};
  return kContainers->contains(type);
}

// Boxes that start with version and flags (ISO/IEC 14496-12), as far as
// exclusions can test them.
bool IsFullBox(absl::string_view type) {
  static const auto* const kFullBoxes = new absl::flat_hash_set<std::string>{
      "meta", "mvhd", "tkhd", "mdhd", "hdlr", "vmhd", "smhd", "dref", "stsd", "stts", "ctts", "stss",
      "stsc", "stsz", "stco", "co64", "elst", "mehd", "trex", "mfhd", "tfhd", "trun", "tfdt", "tfra",
      "mfro", "iloc", "iinf", "pitm", "ipma", "saiz", "saio", "sidx", "sgpd", "sbgp", "pssh"};
  return kFullBoxes->contains(type);
}

struct ParseContext {
  const ByteSource& source;
  const BmffLimits& limits;
  size_t boxes = 0;
  std::string scratch;
};

absl::Status Malformed(absl::string_view what) { return absl::InvalidArgumentError(absl::StrCat("MP4: ", what)); }

// QuickTime writes 'meta' as a plain box, ISO BMFF as a full box: a child
// header right after the box header means the QuickTime form (the test
// c2pa-rs makes).
absl::StatusOr<bool> MetaIsFullBox(ParseContext& ctx, uint64_t body, uint64_t box_size, uint64_t end) {
  if (end - body < 8) return true;
  if (absl::Status s = ctx.source.Read(body, 8, ctx.scratch); !s.ok()) return s;
  const uint64_t child_size = GetU32(ctx.scratch);
  const bool printable = std::all_of(ctx.scratch.begin() + 4, ctx.scratch.end(),
                                     [](char c) { return c >= 0x20 && c <= 0x7e; });
  return !(child_size > 0 && child_size <= box_size && printable);
}

absl::Status ParseLevel(ParseContext& ctx, uint64_t start, uint64_t end, absl::string_view parent_path, int depth,
                        std::vector<BmffBox>& out) {
  if (depth > ctx.limits.max_depth) return Malformed("boxes nested too deep");
  uint64_t pos = start;
  while (pos < end) {
    // A few stray bytes at the end are not a box (and stay in the hash).
    if (end - pos < 8) break;
    if (++ctx.boxes > ctx.limits.max_boxes) return Malformed("too many boxes");
    if (absl::Status s = ctx.source.Read(pos, 8, ctx.scratch); !s.ok()) return s;
    BmffBox box;
    box.type = ctx.scratch.substr(4, 4);
    box.offset = pos;
    box.header_size = 8;
    uint64_t size = GetU32(ctx.scratch);
    if (size == 1) {
      if (end - pos < 16) return Malformed("truncated largesize");
      if (absl::Status s = ctx.source.Read(pos + 8, 8, ctx.scratch); !s.ok()) return s;
      size = GetU64(ctx.scratch);
      box.header_size = 16;
    } else if (size == 0) {
      size = end - pos;
    }
    if (size < box.header_size || size > end - pos) {
      return Malformed(absl::StrCat("box '", box.type, "' at ", pos, " has an impossible size ", size));
    }
    box.size = size;
    box.path = absl::StrCat(parent_path, "/", box.type);
    uint64_t body = pos + box.header_size;
    if (box.type == "uuid") {
      if (size - box.header_size < 16) return Malformed("truncated uuid box");
      if (absl::Status s = ctx.source.Read(body, 16, box.user_type); !s.ok()) return s;
      body += 16;
    }
    bool full = IsFullBox(box.type) || (box.type == "uuid" && box.user_type == kC2paBoxUuid);
    if (box.type == "meta") {
      absl::StatusOr<bool> meta_full = MetaIsFullBox(ctx, body, size, pos + size);
      if (!meta_full.ok()) return meta_full.status();
      full = *meta_full;
    }
    if (full && pos + size - body >= 4) {
      if (absl::Status s = ctx.source.Read(body, 4, ctx.scratch); !s.ok()) return s;
      box.version = static_cast<uint8_t>(ctx.scratch[0]);
      box.flags = GetU32(ctx.scratch) & 0xffffff;
      body += 4;
    }
    if (IsContainer(box.type)) {
      if (absl::Status s = ParseLevel(ctx, body, pos + size, box.path, depth + 1, box.children); !s.ok()) return s;
    }
    out.push_back(std::move(box));
    pos += size;
  }
  return absl::OkStatus();
}

void IndexByPath(const std::vector<BmffBox>& boxes, std::map<std::string, std::vector<const BmffBox*>>& index) {
  for (const BmffBox& box : boxes) {
    index[box.path].push_back(&box);
    IndexByPath(box.children, index);
  }
}

struct Span {
  uint64_t start = 0;
  uint64_t length = 0;
};

// What the hash takes, in order: file bytes, or a top-level box offset.
struct HashStep {
  bool offset_marker = false;
  uint64_t start = 0;
  uint64_t end = 0;  // inclusive
};

absl::StatusOr<bool> DataMatches(const ByteSource& source, const BmffBox& box, const BmffExclusion& exclusion,
                                 std::string& scratch) {
  for (const BmffExclusion::Data& data : exclusion.data) {
    if (data.offset > box.size || data.value.size() > box.size - data.offset) return false;
    if (absl::Status s = source.Read(box.offset + data.offset, data.value.size(), scratch); !s.ok()) return s;
    if (scratch != data.value) return false;
  }
  return true;
}

bool FlagsMatch(const BmffBox& box, const BmffExclusion& exclusion) {
  if (!exclusion.flags || !box.flags) return true;
  uint32_t wanted = 0;
  if (exclusion.flags->size() >= 3) {
    wanted = (uint32_t{static_cast<uint8_t>((*exclusion.flags)[0])} << 16) |
             (uint32_t{static_cast<uint8_t>((*exclusion.flags)[1])} << 8) |
             uint32_t{static_cast<uint8_t>((*exclusion.flags)[2])};
  }
  // c2pa-rs compares the flags as the first three bytes of a 32-bit value.
  wanted <<= 8;
  const uint32_t have = *box.flags;
  if (exclusion.exact.value_or(true)) return wanted == have;
  return (wanted | have) == wanted;
}

// The hash plan of c2pa-rs (bmff_to_jumbf_exclusions + build_hash_ranges).
absl::StatusOr<std::vector<HashStep>> PlanHash(const ByteSource& source, const std::vector<BmffBox>& tree,
                                               const std::vector<BmffExclusion>& exclusions, bool with_offsets) {
  std::map<std::string, std::vector<const BmffBox*>> by_path;
  IndexByPath(tree, by_path);
  std::vector<uint64_t> markers;
  for (const BmffBox& box : tree) markers.push_back(box.offset);
  std::vector<Span> excluded;
  std::string scratch;
  for (const BmffExclusion& exclusion : exclusions) {
    auto found = by_path.find(exclusion.xpath);
    if (found == by_path.end()) continue;
    for (const BmffBox* box : found->second) {
      if (exclusion.length && *exclusion.length != box->size) continue;
      if (exclusion.version && box->version && *exclusion.version != *box->version) continue;
      if (!FlagsMatch(*box, exclusion)) continue;
      absl::StatusOr<bool> data_ok = DataMatches(source, *box, exclusion, scratch);
      if (!data_ok.ok()) return data_ok.status();
      if (!*data_ok) continue;
      if (!exclusion.subset.empty()) {
        for (const BmffExclusion::Subset& subset : exclusion.subset) {
          if (subset.offset > box->size) continue;
          const uint64_t rest = box->size - subset.offset;
          excluded.push_back(Span{.start = box->offset + subset.offset,
                                  .length = subset.length == 0 ? rest : std::min(subset.length, rest)});
        }
      } else {
        excluded.push_back(Span{.start = box->offset, .length = box->size});
        // A top-level box excluded whole contributes no offset either.
        auto marker = std::find(markers.begin(), markers.end(), box->offset);
        if (marker != markers.end()) markers.erase(marker);
      }
    }
  }
  const uint64_t file_size = source.size();
  std::vector<HashStep> steps;
  if (file_size == 0) return steps;

  // The included ranges: the whole file minus the union of the exclusions.
  std::sort(excluded.begin(), excluded.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  std::vector<HashStep> included;
  uint64_t cursor = 0;
  for (const Span& span : excluded) {
    if (span.length == 0) continue;
    if (span.start > file_size || span.length > file_size - span.start) {
      return Malformed("an exclusion runs past the end of the file");
    }
    if (span.start > cursor) included.push_back(HashStep{.start = cursor, .end = span.start - 1});
    cursor = std::max(cursor, span.start + span.length);
  }
  if (cursor < file_size) included.push_back(HashStep{.start = cursor, .end = file_size - 1});
  if (!with_offsets || markers.empty()) return included;

  std::sort(markers.begin(), markers.end());
  // Each included range is split at the offsets inside it, the offset
  // going first; offsets inside no range but between the first and the last
  // still count (a box whose start a subset excluded).
  for (const HashStep& range : included) {
    HashStep current = range;
    for (uint64_t marker : markers) {
      if (marker < current.start || marker > current.end) continue;
      if (marker == current.start) {
        steps.push_back(HashStep{.offset_marker = true, .start = marker, .end = marker});
      } else {
        steps.push_back(HashStep{.start = current.start, .end = marker - 1});
        steps.push_back(HashStep{.offset_marker = true, .start = marker, .end = marker});
        current.start = marker;
      }
    }
    steps.push_back(current);
  }
  const uint64_t first = steps.empty() ? 0 : steps.front().start;
  const uint64_t last = steps.empty() ? file_size - 1 : steps.back().end;
  for (uint64_t marker : markers) {
    const bool inside = std::any_of(included.begin(), included.end(), [&](const HashStep& r) {
      return marker >= r.start && marker <= r.end;
    });
    if (!inside && marker > first && marker < last) {
      steps.push_back(HashStep{.offset_marker = true, .start = marker, .end = marker});
    }
  }
  std::stable_sort(steps.begin(), steps.end(), [](const HashStep& a, const HashStep& b) { return a.start < b.start; });
  return steps;
}

// New offset of old file offset `x` after the edit EmbedManifestStore makes.
struct OffsetShift {
  uint64_t insert_at = 0;
  uint64_t inserted = 0;
  std::vector<Span> removed;

  absl::StatusOr<uint64_t> Map(uint64_t x) const {
    int64_t delta = x >= insert_at ? static_cast<int64_t>(inserted) : 0;
    for (const Span& span : removed) {
      if (x >= span.start && x < span.start + span.length) return Malformed("a chunk offset points into a C2PA box");
      if (x >= span.start + span.length) delta -= static_cast<int64_t>(span.length);
    }
    return static_cast<uint64_t>(static_cast<int64_t>(x) + delta);
  }
};

absl::Status PatchChunkOffsets(const BmffBox& box, const OffsetShift& shift, uint64_t new_box_offset,
                               std::string& file) {
  const bool wide = box.type == "co64";
  const uint64_t entries_at = new_box_offset + box.header_size + 4;
  const uint64_t box_end = new_box_offset + box.size;
  if (entries_at + 4 > box_end) return Malformed(absl::StrCat(box.type, " too short"));
  const uint32_t count = GetU32(absl::string_view(file).substr(entries_at, 4));
  const uint64_t width = wide ? 8 : 4;
  if (count > (box_end - entries_at - 4) / width) return Malformed(absl::StrCat(box.type, " entry count too large"));
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t at = entries_at + 4 + i * width;
    const absl::string_view field = absl::string_view(file).substr(at, width);
    const uint64_t old_offset = wide ? GetU64(field) : GetU32(field);
    absl::StatusOr<uint64_t> moved = shift.Map(old_offset);
    if (!moved.ok()) return moved.status();
    std::string encoded;
    if (wide) {
      PutU64(encoded, *moved);
    } else {
      if (*moved > UINT32_MAX) return absl::UnimplementedError("MP4: a 32-bit chunk offset would overflow");
      PutU32(encoded, static_cast<uint32_t>(*moved));
    }
    std::copy(encoded.begin(), encoded.end(), file.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return absl::OkStatus();
}

void CollectChunkOffsetBoxes(const BmffBox& box, std::vector<const BmffBox*>& out) {
  if (box.path == "/moov/trak/mdia/minf/stbl/stco" || box.path == "/moov/trak/mdia/minf/stbl/co64") {
    out.push_back(&box);
  }
  for (const BmffBox& child : box.children) CollectChunkOffsetBoxes(child, out);
}

bool IsC2paBox(const BmffBox& box) { return box.type == "uuid" && box.user_type == kC2paBoxUuid; }

}  // namespace

absl::Status StringByteSource::Read(uint64_t offset, size_t length, std::string& out) const {
  if (offset > bytes_.size() || length > bytes_.size() - offset) {
    return absl::OutOfRangeError(absl::StrCat("read of ", length, " bytes at ", offset, " past the end"));
  }
  out.assign(bytes_.data() + offset, length);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BmffBox>> ParseBmff(const ByteSource& source, const BmffLimits& limits) {
  ParseContext ctx{.source = source, .limits = limits};
  std::vector<BmffBox> tree;
  if (absl::Status s = ParseLevel(ctx, 0, source.size(), "", 0, tree); !s.ok()) return s;
  if (tree.empty()) return Malformed("no boxes");
  return tree;
}

std::vector<BmffExclusion> DefaultBmffExclusions() {
  std::vector<BmffExclusion> exclusions;
  BmffExclusion c2pa{.xpath = "/uuid"};
  c2pa.data.push_back(BmffExclusion::Data{.offset = 8, .value = std::string(kC2paBoxUuid)});
  exclusions.push_back(std::move(c2pa));
  for (const char* xpath : {"/ftyp", "/mfra", "/free", "/skip"}) exclusions.push_back(BmffExclusion{.xpath = xpath});
  return exclusions;
}

absl::StatusOr<std::string> BmffHash(const ByteSource& source, const std::vector<BmffBox>& tree,
                                     const std::vector<BmffExclusion>& exclusions, bool with_offsets) {
  absl::StatusOr<std::vector<HashStep>> steps = PlanHash(source, tree, exclusions, with_offsets);
  if (!steps.ok()) return steps.status();
  base::Sha256Hasher hash;
  std::string chunk;
  for (const HashStep& step : *steps) {
    if (step.offset_marker) {
      std::string offset;
      PutU64(offset, step.start);
      hash.Update(offset);
      continue;
    }
    for (uint64_t at = step.start; at <= step.end;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kHashChunk, step.end - at + 1));
      if (absl::Status s = source.Read(at, n, chunk); !s.ok()) return s;
      hash.Update(chunk);
      at += n;
    }
  }
  return hash.Finish();
}

absl::StatusOr<std::optional<C2paBoxLocation>> FindC2paManifestBox(const ByteSource& source,
                                                                   const std::vector<BmffBox>& tree) {
  std::string head;
  for (const BmffBox& box : tree) {
    if (!IsC2paBox(box)) continue;
    // header, extended type, version and flags, then the purpose string.
    const uint64_t purpose_at = box.offset + box.header_size + 16 + 4;
    const uint64_t box_end = box.offset + box.size;
    if (purpose_at >= box_end) return Malformed("truncated C2PA box");
    const size_t window = static_cast<size_t>(std::min<uint64_t>(box_end - purpose_at, 64));
    if (absl::Status s = source.Read(purpose_at, window, head); !s.ok()) return s;
    const size_t nul = head.find('\0');
    if (nul == std::string::npos) return Malformed("C2PA box purpose is not terminated");
    if (head.substr(0, nul) != kManifestPurpose) continue;  // e.g. "merkle", "original"
    const uint64_t store_at = purpose_at + nul + 1 + 8;  // purpose, NUL, merkle offset
    if (store_at > box_end) return Malformed("truncated C2PA box");
    return C2paBoxLocation{.box_offset = box.offset,
                           .box_size = box.size,
                           .store_offset = store_at,
                           .store_size = box_end - store_at};
  }
  return std::optional<C2paBoxLocation>();
}

std::string C2paManifestBox(absl::string_view manifest_store) {
  std::string body(kC2paBoxUuid);
  PutU32(body, 0);  // version 0, flags 0
  Append(body, kManifestPurpose);
  body.push_back('\0');
  PutU64(body, 0);  // no merkle box
  Append(body, manifest_store);
  return WrapBox("uuid", body);
}

absl::StatusOr<EmbeddedMp4> EmbedManifestStore(absl::string_view mp4, absl::string_view manifest_store) {
  StringByteSource source(mp4);
  absl::StatusOr<std::vector<BmffBox>> tree = ParseBmff(source);
  if (!tree.ok()) return tree.status();
  if (tree->front().type != "ftyp") return Malformed("the file does not start with 'ftyp'");
  for (const BmffBox& box : *tree) {
    if (box.type == "moof") return absl::UnimplementedError("MP4: fragmented files are not supported");
    if (box.type == "meta") {
      for (const BmffBox& child : box.children) {
        if (child.type == "iloc") return absl::UnimplementedError("MP4: items located by 'iloc' are not supported");
      }
    }
  }
  const std::string c2pa_box = C2paManifestBox(manifest_store);
  OffsetShift shift{.insert_at = tree->front().size, .inserted = c2pa_box.size()};
  EmbeddedMp4 out;
  out.bytes.reserve(mp4.size() + c2pa_box.size());
  std::vector<std::pair<const BmffBox*, uint64_t>> new_offsets;  // top-level box -> its new offset
  for (const BmffBox& box : *tree) {
    if (IsC2paBox(box)) {
      shift.removed.push_back(Span{.start = box.offset, .length = box.size});
      continue;
    }
    new_offsets.emplace_back(&box, out.bytes.size());
    Append(out.bytes, mp4.substr(box.offset, box.size));
    if (&box == &tree->front()) {
      out.store_offset = out.bytes.size() + (c2pa_box.size() - manifest_store.size());
      out.bytes += c2pa_box;
    }
  }
  // Bytes after the last box (too few to be one) stay at the end.
  const BmffBox& last = tree->back();
  if (last.offset + last.size < mp4.size()) Append(out.bytes, mp4.substr(last.offset + last.size));

  for (const auto& [top, new_top] : new_offsets) {
    std::vector<const BmffBox*> tables;
    CollectChunkOffsetBoxes(*top, tables);
    for (const BmffBox* table : tables) {
      const uint64_t new_table_offset = new_top + (table->offset - top->offset);
      if (absl::Status s = PatchChunkOffsets(*table, shift, new_table_offset, out.bytes); !s.ok()) return s;
    }
  }
  return out;
}

}  // namespace clipforge::generation::c2pa
