#include "media/provenance_mp4.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "base/uuid.h"
#include "media/provenance_ca.h"
#include "media/provenance_verifier.h"

#ifndef CF_VERSION
#define CF_VERSION "0.0.0"
#endif

namespace clipforge::media {
namespace {

namespace c2pa = generation::c2pa;

// Files larger than this are not signed (generated clips are far smaller;
// the whole file is edited in memory).
constexpr std::streamoff kMaxSignBytes = std::streamoff{2} << 30;

// Reads ranges of a file as the validator asks for them, so that verifying
// a large video never holds it all.
class FileByteSource final : public c2pa::ByteSource {
 public:
  static absl::StatusOr<std::unique_ptr<FileByteSource>> Open(const std::string& path) {
    auto source = std::unique_ptr<FileByteSource>(new FileByteSource());
    source->in_.open(path, std::ios::binary | std::ios::ate);
    if (!source->in_) return absl::NotFoundError(absl::StrCat("cannot read ", path));
    source->size_ = static_cast<uint64_t>(source->in_.tellg());
    return source;
  }
  uint64_t size() const override { return size_; }
  absl::Status Read(uint64_t offset, size_t length, std::string& out) const override {
    if (offset > size_ || length > size_ - offset) return absl::OutOfRangeError("read past the end of the file");
    out.resize(length);
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    if (!in_.read(out.data(), static_cast<std::streamsize>(length))) return absl::DataLossError("short read");
    return absl::OkStatus();
  }

 private:
  FileByteSource() = default;
  mutable std::ifstream in_;
  uint64_t size_ = 0;
};

std::string RandomUuidV4() {
  base::SecureRandom random;
  base::UuidBytes bytes;
  random.Fill(bytes.data(), bytes.size());
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
  return base::FormatUuid(bytes);
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  const std::streamoff size = in.tellg();
  if (size > kMaxSignBytes) return absl::InvalidArgumentError(absl::StrCat(path, " is too large to sign"));
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) return absl::DataLossError(absl::StrCat("short read of ", path));
  return bytes;
}

// The parent as an ingredient, with how its manifest validates now against
// our own CA (a parent from elsewhere shows as untrusted).
absl::Status DescribeParent(const c2pa::ManifestStore& store, const ProvenanceSigner& signer,
                            c2pa::ParentIngredient& parent) {
  std::vector<std::string> anchors;
  if (!signer.ca_pem().empty()) anchors.push_back(signer.ca_pem());
  absl::StatusOr<std::unique_ptr<ProvenanceVerifier>> verifier = ProvenanceVerifier::Create(anchors, absl::Now());
  if (!verifier.ok()) return verifier.status();
  const c2pa::ValidationReport report = c2pa::ValidateManifestStore(store, nullptr, nullptr, **verifier);
  const c2pa::ManifestReport& active = *report.active();
  parent.store = &store;
  parent.title = !active.title.empty() ? active.title : "parent.mp4";
  parent.success = active.success;
  parent.informational = active.informational;
  parent.failure = active.failure;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> SignMp4File(const std::string& in_path, const std::string& out_path,
                                        const ClipCredentials& fields,
                                        const std::optional<std::string>& parent_manifest_store,
                                        const ProvenanceSigner& signer) {
  absl::StatusOr<std::string> mp4 = ReadWholeFile(in_path);
  if (!mp4.ok()) return mp4.status();
  c2pa::ManifestRequest request;
  request.clip = fields;
  request.identity = c2pa::ClaimIdentity{.manifest_uuid = RandomUuidV4(),
                                         .instance_uuid = RandomUuidV4(),
                                         .generator_name = "ClipForge",
                                         .generator_version = CF_VERSION};
  c2pa::ManifestStore parent_store;
  c2pa::ParentIngredient parent;
  if (parent_manifest_store) {
    absl::StatusOr<c2pa::ManifestStore> parsed = c2pa::ParseManifestStore(*parent_manifest_store);
    if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("parent: ", parsed.status().message()));
    parent_store = *std::move(parsed);
    if (absl::Status s = DescribeParent(parent_store, signer, parent); !s.ok()) return s;
    request.parent = &parent;
  }
  absl::StatusOr<c2pa::SignedMp4> signed_mp4 = c2pa::SignMp4Bytes(*mp4, request, signer);
  if (!signed_mp4.ok()) return signed_mp4.status();
  if (absl::Status s = WriteFileAtomically(out_path, signed_mp4->bytes, 0644); !s.ok()) return s;
  return std::move(signed_mp4->manifest_store);
}

absl::StatusOr<VerifyReport> VerifyMp4File(const std::string& path, const std::vector<std::string>& trust_anchor_pems,
                                           absl::Time now) {
  absl::StatusOr<std::unique_ptr<ProvenanceVerifier>> verifier = ProvenanceVerifier::Create(trust_anchor_pems, now);
  if (!verifier.ok()) return verifier.status();
  absl::StatusOr<std::unique_ptr<FileByteSource>> source = FileByteSource::Open(path);
  if (!source.ok()) return source.status();
  return c2pa::ValidateMp4(**source, **verifier);
}

}  // namespace clipforge::media
