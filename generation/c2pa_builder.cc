#include "generation/c2pa_builder.h"

#include <deque>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"
#include "generation/c2pa_bmff.h"
#include "generation/c2pa_bytes.h"
#include "generation/c2pa_cose.h"
#include "generation/c2pa_ingredient.h"
#include "generation/c2pa_jumbf.h"

namespace clipforge::generation::c2pa {
namespace {

constexpr absl::string_view kActionsLabel = "c2pa.actions.v2";
constexpr absl::string_view kIngredientLabel = "c2pa.ingredient.v3";
constexpr absl::string_view kBmffHashLabel = "c2pa.hash.bmff.v3";

JumbfBox CborAssertionBox(absl::string_view label, const Cbor& value) {
  JumbfBox box{.type = JumbfType("cbor"), .label = std::string(label)};
  box.contents.push_back(JumbfContent{.box_type = "cbor", .payload = EncodeCbor(value)});
  return box;
}

Cbor SoftwareAgent(const ClaimIdentity& identity) {
  return Cbor::Map().Set("name", Cbor::Text(identity.generator_name)).Set("version", Cbor::Text(identity.generator_version));
}

Cbor StatusList(const std::vector<ValidationStatus>& statuses) {
  std::vector<Cbor> items;
  for (const ValidationStatus& status : statuses) {
    Cbor item = Cbor::Map().Set("code", Cbor::Text(status.code));
    if (!status.url.empty()) item.Set("url", Cbor::Text(status.url));
    if (!status.explanation.empty()) item.Set("explanation", Cbor::Text(status.explanation));
    items.push_back(std::move(item));
  }
  return Cbor::Array(std::move(items));
}

Cbor BmffHashCbor(absl::string_view hash) {
  std::vector<Cbor> exclusions;
  for (const BmffExclusion& exclusion : DefaultBmffExclusions()) {
    Cbor entry = Cbor::Map().Set("xpath", Cbor::Text(exclusion.xpath));
    if (!exclusion.data.empty()) {
      std::vector<Cbor> data;
      for (const BmffExclusion::Data& d : exclusion.data) {
        data.push_back(Cbor::Map().Set("offset", Cbor::Uint(d.offset)).Set("value", Cbor::Bytes(d.value)));
      }
      entry.Set("data", Cbor::Array(std::move(data)));
    }
    exclusions.push_back(std::move(entry));
  }
  return Cbor::Map()
      .Set("exclusions", Cbor::Array(std::move(exclusions)))
      .Set("alg", Cbor::Text("sha256"))
      .Set("hash", Cbor::Bytes(hash))
      .Set("name", Cbor::Text("jumbf manifest"));
}

// The parent's active manifest and all its ancestors in its store, nearest
// first, breadth first over the ingredient links; empty when they are more
// than `limit` or a link leads to a manifest the store lacks. Signed
// manifests cannot be edited, so a lineage is carried whole or not at all:
// one cut short would leave a link to a missing manifest, which validators
// (c2pa-rs: ingredient.manifest.missing) count as invalid.
std::vector<const Manifest*> CompleteLineage(const ManifestStore& store, size_t limit) {
  std::vector<const Manifest*> kept;
  absl::flat_hash_set<std::string> seen;
  std::deque<const Manifest*> queue;
  if (store.active() != nullptr) queue.push_back(store.active());
  while (!queue.empty()) {
    const Manifest* manifest = queue.front();
    queue.pop_front();
    if (!seen.insert(manifest->label).second) continue;
    if (kept.size() == limit) return {};
    kept.push_back(manifest);
    for (const IngredientLink& link : IngredientLinks(*manifest)) {
      if (!link.manifest) continue;
      const Manifest* parent = store.Find(link.manifest_label);
      if (parent == nullptr) return {};
      queue.push_back(parent);
    }
  }
  return kept;
}

// The parent as a parentOf ingredient; `with_manifest` links its active
// manifest (carried in the store), else the link is named in words only.
Cbor IngredientCbor(const ParentIngredient& parent, bool with_manifest) {
  const Manifest& active = *parent.store->active();
  Cbor ingredient = Cbor::Map();
  ingredient.Set("dc:title", Cbor::Text(parent.title));
  ingredient.Set("dc:format", Cbor::Text("video/mp4"));
  ingredient.Set("relationship", Cbor::Text("parentOf"));
  if (!with_manifest) {
    ingredient.Set("description",
                   Cbor::Text(absl::StrCat("remix of ", ManifestUri(active.label), " (sha256 ",
                                           absl::BytesToHexString(base::Sha256(active.hashed_bytes)),
                                           "); its lineage is longer than this file carries")));
    return ingredient;
  }
  ingredient.Set("activeManifest", HashedUriCbor(HashedUri{.url = ManifestUri(active.label),
                                                           .hash = base::Sha256(active.hashed_bytes),
                                                           .alg = "sha256"}));
  ingredient.Set("claimSignature", HashedUriCbor(HashedUri{.url = SignatureUri(active.label),
                                                           .hash = base::Sha256(active.signature_hashed_bytes),
                                                           .alg = "sha256"}));
  Cbor results = Cbor::Map()
                     .Set("success", StatusList(parent.success))
                     .Set("informational", StatusList(parent.informational))
                     .Set("failure", StatusList(parent.failure));
  ingredient.Set("validationResults", Cbor::Map().Set("activeManifest", std::move(results)));
  return ingredient;
}

absl::Status CheckRequest(const ManifestRequest& request) {
  if (request.identity.manifest_uuid.empty() || request.identity.instance_uuid.empty()) {
    return absl::InvalidArgumentError("C2PA: the manifest and instance ids are required");
  }
  if (request.bmff_hash.size() != 32) return absl::InvalidArgumentError("C2PA: the BMFF hash must be 32 bytes");
  if (request.parent != nullptr && (request.parent->store == nullptr || request.parent->store->active() == nullptr)) {
    return absl::InvalidArgumentError("C2PA: the parent has no manifest");
  }
  if (request.max_ancestor_manifests == 0) return absl::InvalidArgumentError("C2PA: keep at least the parent's manifest");
  return absl::OkStatus();
}

}  // namespace

Cbor ClipCredentialsCbor(const ClipCredentials& clip) {
  return Cbor::Map()
      .Set("clip_id", Cbor::Text(clip.clip_id))
      .Set("job_id", Cbor::Text(clip.job_id))
      .Set("creator_user_id", Cbor::Text(clip.creator_user_id))
      .Set("prompt_sha256", Cbor::Text(clip.prompt_sha256_hex))
      .Set("renderer", Cbor::Map()
                           .Set("name", Cbor::Text(clip.renderer_name))
                           .Set("version", Cbor::Text(clip.renderer_version)))
      .Set("seed", Cbor::Uint(clip.seed));
}

absl::StatusOr<ClipCredentials> ClipCredentialsFrom(const Cbor& value) {
  if (!value.is(Cbor::Kind::kMap)) return absl::InvalidArgumentError("ClipForge assertion: not a map");
  ClipCredentials clip;
  auto text = [&](absl::string_view key) {
    const Cbor* v = value.Find(key);
    return v != nullptr ? v->TextOr() : std::string();
  };
  clip.clip_id = text("clip_id");
  clip.job_id = text("job_id");
  clip.creator_user_id = text("creator_user_id");
  clip.prompt_sha256_hex = text("prompt_sha256");
  if (const Cbor* renderer = value.Find("renderer")) {
    if (const Cbor* name = renderer->Find("name")) clip.renderer_name = name->TextOr();
    if (const Cbor* version = renderer->Find("version")) clip.renderer_version = version->TextOr();
  }
  if (const Cbor* seed = value.Find("seed"); seed != nullptr && seed->is(Cbor::Kind::kUint)) clip.seed = seed->uint();
  return clip;
}

absl::StatusOr<std::string> BuildManifestStore(const ManifestRequest& request, const Signer& signer) {
  if (absl::Status s = CheckRequest(request); !s.ok()) return s;
  const std::string label = absl::StrCat("urn:c2pa:", request.identity.manifest_uuid);

  JumbfBox assertion_store{.type = JumbfType("c2as"), .label = "c2pa.assertions"};
  std::vector<Cbor> created;
  auto add = [&](absl::string_view assertion_label, const Cbor& value) {
    JumbfBox box = CborAssertionBox(assertion_label, value);
    created.push_back(HashedUriCbor(
        HashedUri{.url = AssertionUri(assertion_label), .hash = base::Sha256(JumbfHashedBytes(box))}));
    assertion_store.children.push_back(std::move(box));
    return created.back();
  };

  Cbor action = Cbor::Map()
                    .Set("action", Cbor::Text("c2pa.created"))
                    .Set("digitalSourceType", Cbor::Text(kTrainedAlgorithmicMedia))
                    .Set("softwareAgent", SoftwareAgent(request.identity));
  std::vector<const Manifest*> lineage;
  if (request.parent != nullptr) {
    lineage = CompleteLineage(*request.parent->store, request.max_ancestor_manifests);
    const Cbor link = add(kIngredientLabel, IngredientCbor(*request.parent, !lineage.empty()));
    action.Set("parameters", Cbor::Map().Set("ingredients", Cbor::Array({link})));
  }
  add(kActionsLabel, Cbor::Map().Set("actions", Cbor::Array({std::move(action)})));
  add(kClipForgeAssertionLabel, ClipCredentialsCbor(request.clip));
  add(kBmffHashLabel, BmffHashCbor(request.bmff_hash));

  Cbor claim = Cbor::Map();
  claim.Set("instanceID", Cbor::Text(absl::StrCat("xmp:iid:", request.identity.instance_uuid)));
  claim.Set("claim_generator_info", SoftwareAgent(request.identity));
  claim.Set("signature", Cbor::Text(SignatureUri(label)));
  claim.Set("created_assertions", Cbor::Array(std::move(created)));
  if (!request.clip.title.empty()) claim.Set("dc:title", Cbor::Text(request.clip.title));
  claim.Set("alg", Cbor::Text("sha256"));
  const std::string claim_bytes = EncodeCbor(claim);

  absl::StatusOr<std::string> signature = SignCoseSign1(signer, claim_bytes);
  if (!signature.ok()) return signature.status();

  JumbfBox claim_box{.type = JumbfType("c2cl"), .label = "c2pa.claim.v2"};
  claim_box.contents.push_back(JumbfContent{.box_type = "cbor", .payload = claim_bytes});
  JumbfBox signature_box{.type = JumbfType("c2cs"), .label = "c2pa.signature"};
  signature_box.contents.push_back(JumbfContent{.box_type = "cbor", .payload = *std::move(signature)});
  JumbfBox manifest{.type = JumbfType("c2ma"), .label = label};
  manifest.children = {std::move(assertion_store), std::move(claim_box), std::move(signature_box)};

  // The store: the kept ancestors exactly as they were (their signatures
  // and the links to them cover their bytes), in the parent store's order,
  // then ours.
  std::string body = JumbfHashedBytes(JumbfBox{.type = JumbfType("c2pa"), .label = "c2pa"});
  if (!lineage.empty()) {
    const absl::flat_hash_set<const Manifest*> keep(lineage.begin(), lineage.end());
    for (const Manifest& ancestor : request.parent->store->manifests) {
      if (keep.contains(&ancestor)) body += WrapBox("jumb", ancestor.hashed_bytes);
    }
  }
  body += SerializeJumbf(manifest);
  return WrapBox("jumb", body);
}

absl::StatusOr<SignedMp4> SignMp4Bytes(absl::string_view mp4, ManifestRequest request, const Signer& signer) {
  request.bmff_hash = std::string(32, '\0');
  absl::StatusOr<std::string> sizing = BuildManifestStore(request, signer);
  if (!sizing.ok()) return sizing.status();
  absl::StatusOr<EmbeddedMp4> embedded = EmbedManifestStore(mp4, *sizing);
  if (!embedded.ok()) return embedded.status();

  StringByteSource source(embedded->bytes);
  absl::StatusOr<std::vector<BmffBox>> tree = ParseBmff(source);
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::string> hash = BmffHash(source, *tree, DefaultBmffExclusions(), /*with_offsets=*/true);
  if (!hash.ok()) return hash.status();
  request.bmff_hash = *std::move(hash);
  absl::StatusOr<std::string> store = BuildManifestStore(request, signer);
  if (!store.ok()) return store.status();
  // Same fields, same lengths: only a signer whose signatures vary in size
  // could change it.
  if (store->size() != sizing->size()) {
    return absl::InternalError("C2PA: the signed manifest store changed size between passes");
  }
  std::copy(store->begin(), store->end(), embedded->bytes.begin() + static_cast<std::ptrdiff_t>(embedded->store_offset));
  return SignedMp4{.bytes = std::move(embedded->bytes), .manifest_store = *std::move(store)};
}

}  // namespace clipforge::generation::c2pa
