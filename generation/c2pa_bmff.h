// ISO BMFF (MP4) for C2PA: the box tree, the C2PA 'uuid' box that carries a
// manifest store, the BMFF hard binding's hash (c2pa.hash.bmff, .v2, .v3:
// SHA-256 over the file minus the exclusions, with each top-level box's
// offset mixed in from v2 on, exactly as the reference implementation
// c2pa-rs computes it), and embedding a store into a file with the chunk
// offsets (stco/co64) moved along. No file I/O: bytes come through a
// ByteSource.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::generation::c2pa {

// The C2PA box's extended type d8fec3d6-1b0e-483c-9297-5828877ec481.
extern const absl::string_view kC2paBoxUuid;

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Exactly `length` bytes at `offset` into `out` (replacing it).
  virtual absl::Status Read(uint64_t offset, size_t length, std::string& out) const = 0;
};

// Bytes held in memory (not owned: `bytes` must outlive the source).
class StringByteSource final : public ByteSource {
 public:
  explicit StringByteSource(absl::string_view bytes) : bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  absl::Status Read(uint64_t offset, size_t length, std::string& out) const override;

 private:
  absl::string_view bytes_;
};

struct BmffBox {
  std::string type;       // 4 characters
  std::string user_type;  // 16 bytes for 'uuid' boxes
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t header_size = 0;
  std::optional<uint8_t> version;  // full boxes
  std::optional<uint32_t> flags;
  std::string path;  // "/moov/trak/mdia"
  std::vector<BmffBox> children;
};

struct BmffLimits {
  int max_depth = 12;
  size_t max_boxes = 200'000;
};

// The top-level boxes, with the children of the container boxes C2PA
// exclusions can name (moov, trak, mdia, minf, stbl, moof, traf, mfra,
// meta, ...).
absl::StatusOr<std::vector<BmffBox>> ParseBmff(const ByteSource& source, const BmffLimits& limits = {});

// One entry of a BMFF hash assertion's "exclusions".
struct BmffExclusion {
  struct Data {
    uint64_t offset = 0;
    std::string value;
  };
  struct Subset {
    uint64_t offset = 0;
    uint64_t length = 0;  // 0: to the end of the box
  };
  std::string xpath;
  std::optional<uint64_t> length;
  std::vector<Data> data;
  std::vector<Subset> subset;
  std::optional<uint8_t> version;
  std::optional<std::string> flags;  // 3 bytes
  std::optional<bool> exact;
};

// The exclusions c2pa-rs writes for MP4: the C2PA box itself, ftyp, mfra,
// free and skip.
std::vector<BmffExclusion> DefaultBmffExclusions();

// SHA-256 of `source` under `exclusions`; `with_offsets` for v2 and v3
// (each top-level box that is not excluded whole is preceded in the hash
// by its file offset as a big-endian 64-bit integer).
absl::StatusOr<std::string> BmffHash(const ByteSource& source, const std::vector<BmffBox>& tree,
                                     const std::vector<BmffExclusion>& exclusions, bool with_offsets);

// Where a C2PA manifest box lies in a file.
struct C2paBoxLocation {
  uint64_t box_offset = 0;
  uint64_t box_size = 0;
  uint64_t store_offset = 0;  // the JUMBF manifest store inside it
  uint64_t store_size = 0;
};

// The first top-level C2PA box whose purpose is "manifest"; nullopt when
// there is none.
absl::StatusOr<std::optional<C2paBoxLocation>> FindC2paManifestBox(const ByteSource& source,
                                                                   const std::vector<BmffBox>& tree);

// The C2PA box: FullBox 'uuid' (version 0, flags 0), purpose "manifest",
// a zero merkle offset, then the manifest store.
std::string C2paManifestBox(absl::string_view manifest_store);

struct EmbeddedMp4 {
  std::string bytes;
  uint64_t store_offset = 0;  // where the store lies in `bytes`
};

// `mp4` with any C2PA boxes removed and one holding `manifest_store`
// inserted right after 'ftyp' (where c2pa-rs puts it), the chunk offsets of
// every stco/co64 moved by what was inserted or removed before them.
// UNIMPLEMENTED for fragmented files (moof) and files whose items are
// located by absolute offsets (meta/iloc), whose offsets this does not move.
absl::StatusOr<EmbeddedMp4> EmbedManifestStore(absl::string_view mp4, absl::string_view manifest_store);

}  // namespace clipforge::generation::c2pa
