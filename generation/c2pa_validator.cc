#include "generation/c2pa_validator.h"

#include <deque>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/sha256.h"
#include "generation/c2pa_cose.h"

namespace clipforge::generation::c2pa {
namespace {

// A manifest store larger than this is refused rather than read.
constexpr uint64_t kMaxStoreBytes = uint64_t{256} << 20;

class Statuses {
 public:
  explicit Statuses(ManifestReport& report) : report_(report) {}
  void Success(absl::string_view code, std::string url, std::string explanation) {
    report_.success.push_back(ValidationStatus{std::string(code), std::move(url), std::move(explanation)});
  }
  void Info(absl::string_view code, std::string url, std::string explanation) {
    report_.informational.push_back(ValidationStatus{std::string(code), std::move(url), std::move(explanation)});
  }
  void Failure(absl::string_view code, std::string url, std::string explanation) {
    report_.failure.push_back(ValidationStatus{std::string(code), std::move(url), std::move(explanation)});
  }

 private:
  ManifestReport& report_;
};

std::string AbsoluteAssertionUri(absl::string_view manifest, absl::string_view label) {
  return absl::StrCat("self#jumbf=/c2pa/", manifest, "/c2pa.assertions/", label);
}

bool CheckClaimShape(const Manifest& manifest, ManifestReport& report, Statuses& out) {
  const Cbor& claim = manifest.claim;
  auto has = [&](absl::string_view key, Cbor::Kind kind) {
    const Cbor* v = claim.Find(key);
    return v != nullptr && v->is(kind);
  };
  std::vector<std::string> missing;
  if (!has("signature", Cbor::Kind::kText)) missing.push_back("signature");
  if (!has("instanceID", Cbor::Kind::kText)) missing.push_back("instanceID");
  if (manifest.claim_version >= 2) {
    if (!has("created_assertions", Cbor::Kind::kArray)) missing.push_back("created_assertions");
    if (!has("claim_generator_info", Cbor::Kind::kMap)) missing.push_back("claim_generator_info");
  } else {
    if (!has("assertions", Cbor::Kind::kArray)) missing.push_back("assertions");
    if (!has("claim_generator", Cbor::Kind::kText)) missing.push_back("claim_generator");
  }
  if (const Cbor* info = claim.Find("claim_generator_info")) {
    const Cbor* first = info->is(Cbor::Kind::kArray) && !info->items().empty() ? &info->items().front() : info;
    if (const Cbor* name = first->Find("name")) {
      report.claim_generator = name->TextOr();
      if (const Cbor* version = first->Find("version"); version != nullptr && version->is(Cbor::Kind::kText)) {
        absl::StrAppend(&report.claim_generator, " ", version->str());
      }
    }
  }
  if (report.claim_generator.empty()) report.claim_generator = claim.Find("claim_generator") != nullptr
                                                                   ? claim.Find("claim_generator")->TextOr()
                                                                   : "";
  if (const Cbor* title = claim.Find("dc:title")) report.title = title->TextOr();
  if (missing.empty()) return true;
  std::string names;
  for (const std::string& m : missing) absl::StrAppend(&names, names.empty() ? "" : ", ", m);
  out.Failure("claim.malformed", ManifestUri(manifest.label), absl::StrCat("the claim lacks ", names));
  return false;
}

void CheckSignature(const Manifest& manifest, const SignatureVerifier& verifier, ManifestReport& report,
                    Statuses& out) {
  const std::string url = SignatureUri(manifest.label);
  if (manifest.signature_bytes.empty()) {
    out.Failure("claimSignature.missing", url, "no signature box");
    return;
  }
  absl::StatusOr<CoseSign1> cose = ParseCoseSign1(manifest.signature_bytes);
  if (!cose.ok()) {
    out.Failure("claimSignature.mismatch", url, std::string(cose.status().message()));
    return;
  }
  absl::StatusOr<CoseAlg> alg = cose->Alg();
  if (!alg.ok()) {
    out.Failure("algorithm.unsupported", url, std::string(alg.status().message()));
    return;
  }
  report.alg = std::string(CoseAlgName(*alg));
  const std::vector<std::string> chain = cose->X5Chain();
  if (chain.empty()) {
    out.Failure("signingCredential.invalid", url, "no x5chain certificate");
    return;
  }
  const std::string& payload = cose->payload ? *cose->payload : manifest.claim_bytes;
  if (payload != manifest.claim_bytes) {
    out.Failure("claimSignature.mismatch", url, "the signed payload is not the claim");
    return;
  }
  absl::StatusOr<ChainCheck> check = verifier.CheckChain(chain);
  if (!check.ok()) {
    out.Failure("signingCredential.invalid", url, std::string(check.status().message()));
    return;
  }
  report.signer = check->identity;
  if (const absl::Status s =
          verifier.VerifySignature(*alg, CoseSigStructure(cose->protected_bytes, payload), cose->signature, chain[0]);
      s.ok()) {
    report.signature_valid = true;
    out.Success("claimSignature.validated", url, "claim signature valid");
  } else {
    out.Failure(s.code() == absl::StatusCode::kUnimplemented ? "algorithm.unsupported" : "claimSignature.mismatch",
                url, std::string(s.message()));
  }
  if (check->inside_validity) {
    out.Success("claimSignature.insideValidity", url, "signing certificate valid now (no time-stamp)");
  } else {
    out.Failure("claimSignature.outsideValidity", url, "signing certificate not valid now (no time-stamp)");
  }
  if (!check->profile_ok) out.Failure("signingCredential.invalid", url, check->profile_problem);
  if (check->trusted) {
    report.trusted = true;
    out.Success("signingCredential.trusted", url, check->trust_detail);
  } else {
    out.Failure("signingCredential.untrusted", url, check->trust_detail);
  }
}

void CheckHashedUris(const Manifest& manifest, Statuses& out) {
  std::vector<const Cbor*> lists;
  for (const char* key : {"assertions", "created_assertions", "gathered_assertions"}) {
    if (const Cbor* list = manifest.claim.Find(key); list != nullptr && list->is(Cbor::Kind::kArray)) {
      lists.push_back(list);
    }
  }
  const std::string claim_alg = manifest.claim.Find("alg") != nullptr ? manifest.claim.Find("alg")->TextOr() : "";
  for (const Cbor* list : lists) {
    for (const Cbor& item : list->items()) {
      absl::StatusOr<HashedUri> uri = HashedUriFrom(item);
      if (!uri.ok()) {
        out.Failure("claim.malformed", ManifestUri(manifest.label), std::string(uri.status().message()));
        continue;
      }
      absl::StatusOr<JumbfUri> target = ParseJumbfUri(uri->url);
      std::string label;
      if (target.ok() && (target->manifest.empty() || target->manifest == manifest.label)) {
        absl::string_view path = target->path;
        if (absl::ConsumePrefix(&path, "c2pa.assertions/")) label = std::string(path);
      }
      const std::string where = AbsoluteAssertionUri(manifest.label, label.empty() ? uri->url : label);
      const Assertion* assertion = label.empty() ? nullptr : manifest.FindAssertion(label);
      if (assertion == nullptr) {
        out.Failure("assertion.missing", where, absl::StrCat("no assertion for ", uri->url));
        continue;
      }
      const std::string alg = !uri->alg.empty() ? uri->alg : (!claim_alg.empty() ? claim_alg : "sha256");
      if (alg != "sha256") {
        out.Failure("algorithm.unsupported", where, absl::StrCat("hash algorithm ", alg));
        continue;
      }
      if (base::Sha256(assertion->hashed_bytes) == uri->hash) {
        out.Success("assertion.hashedURI.match", where, absl::StrCat("hashed uri matched: ", uri->url));
      } else {
        out.Failure("assertion.hashedURI.mismatch", where, absl::StrCat("hash does not match: ", uri->url));
      }
    }
  }
}

absl::StatusOr<std::vector<BmffExclusion>> ExclusionsFrom(const Cbor& value) {
  std::vector<BmffExclusion> out;
  const Cbor* list = value.Find("exclusions");
  if (list == nullptr) return out;
  if (!list->is(Cbor::Kind::kArray)) return absl::InvalidArgumentError("exclusions is not an array");
  for (const Cbor& item : list->items()) {
    const Cbor* xpath = item.Find("xpath");
    if (xpath == nullptr || !xpath->is(Cbor::Kind::kText)) return absl::InvalidArgumentError("an exclusion lacks xpath");
    BmffExclusion exclusion{.xpath = xpath->str()};
    if (const Cbor* length = item.Find("length"); length != nullptr && length->is(Cbor::Kind::kUint)) {
      exclusion.length = length->uint();
    }
    if (const Cbor* version = item.Find("version"); version != nullptr && version->is(Cbor::Kind::kUint)) {
      exclusion.version = static_cast<uint8_t>(version->uint());
    }
    if (const Cbor* flags = item.Find("flags"); flags != nullptr && flags->is(Cbor::Kind::kBytes)) {
      exclusion.flags = flags->str();
    }
    if (const Cbor* exact = item.Find("exact"); exact != nullptr && exact->is(Cbor::Kind::kBool)) {
      exclusion.exact = exact->boolean();
    }
    if (const Cbor* data = item.Find("data"); data != nullptr && data->is(Cbor::Kind::kArray)) {
      for (const Cbor& d : data->items()) {
        const Cbor* offset = d.Find("offset");
        const Cbor* bytes = d.Find("value");
        if (offset == nullptr || !offset->is(Cbor::Kind::kUint) || bytes == nullptr || !bytes->is(Cbor::Kind::kBytes)) {
          return absl::InvalidArgumentError("a data exclusion needs offset and value");
        }
        exclusion.data.push_back(BmffExclusion::Data{.offset = offset->uint(), .value = bytes->str()});
      }
    }
    if (const Cbor* subset = item.Find("subset"); subset != nullptr && subset->is(Cbor::Kind::kArray)) {
      for (const Cbor& s : subset->items()) {
        const Cbor* offset = s.Find("offset");
        const Cbor* length = s.Find("length");
        if (offset == nullptr || !offset->is(Cbor::Kind::kUint) || length == nullptr ||
            !length->is(Cbor::Kind::kUint)) {
          return absl::InvalidArgumentError("a subset needs offset and length");
        }
        exclusion.subset.push_back(BmffExclusion::Subset{.offset = offset->uint(), .length = length->uint()});
      }
    }
    out.push_back(std::move(exclusion));
  }
  return out;
}

void CheckHardBinding(const Manifest& manifest, const ByteSource* asset, const std::vector<BmffBox>* tree,
                      Statuses& out) {
  const Assertion* binding = nullptr;
  for (const Assertion& assertion : manifest.assertions) {
    const std::string base = assertion.BaseLabel();
    if (base == "c2pa.hash.bmff" || base == "c2pa.hash.bmff.v2" || base == "c2pa.hash.bmff.v3" ||
        base == "c2pa.hash.data" || base == "c2pa.hash.boxes" || base == "c2pa.hash.collection.data") {
      binding = &assertion;
      break;
    }
  }
  const std::string url = binding != nullptr ? AbsoluteAssertionUri(manifest.label, binding->label) : "";
  if (binding == nullptr) {
    out.Failure("claim.hardBindings.missing", ManifestUri(manifest.label), "no hard binding assertion");
    return;
  }
  const std::string base = binding->BaseLabel();
  if (!absl::StartsWith(base, "c2pa.hash.bmff")) {
    out.Failure("assertion.hardBinding.unsupported", url, absl::StrCat(base, " cannot bind an MP4"));
    return;
  }
  if (asset == nullptr || tree == nullptr) {
    out.Info("assertion.bmffHash.skipped", url, "the asset was not given");
    return;
  }
  const Cbor& value = binding->value;
  const Cbor* expected = value.Find("hash");
  if (value.Find("merkle") != nullptr && (expected == nullptr || !expected->is(Cbor::Kind::kBytes))) {
    out.Failure("assertion.bmffHash.mismatch", url, "Merkle-tree (fragmented) BMFF hashes are not supported");
    return;
  }
  if (expected == nullptr || !expected->is(Cbor::Kind::kBytes)) {
    out.Failure("assertion.bmffHash.malformed", url, "no hash");
    return;
  }
  const Cbor* alg = value.Find("alg");
  if (alg != nullptr && alg->TextOr("sha256") != "sha256") {
    out.Failure("algorithm.unsupported", url, absl::StrCat("hash algorithm ", alg->TextOr()));
    return;
  }
  absl::StatusOr<std::vector<BmffExclusion>> exclusions = ExclusionsFrom(value);
  if (!exclusions.ok()) {
    out.Failure("assertion.bmffHash.malformed", url, std::string(exclusions.status().message()));
    return;
  }
  absl::StatusOr<std::string> hash = BmffHash(*asset, *tree, *exclusions, /*with_offsets=*/base != "c2pa.hash.bmff");
  if (!hash.ok()) {
    out.Failure("assertion.bmffHash.mismatch", url, std::string(hash.status().message()));
  } else if (*hash == expected->str()) {
    out.Success("assertion.bmffHash.match", url, "BMFF hash valid");
  } else {
    out.Failure("assertion.bmffHash.mismatch", url, "the file's BMFF hash does not match (changed after signing)");
  }
}

void ReadContents(const Manifest& manifest, ManifestReport& report) {
  for (const Assertion& assertion : manifest.assertions) {
    report.assertion_labels.push_back(assertion.label);
    const std::string base = assertion.BaseLabel();
    if (base == "c2pa.actions" || base == "c2pa.actions.v2") {
      const Cbor* actions = assertion.value.Find("actions");
      if (actions == nullptr || !actions->is(Cbor::Kind::kArray)) continue;
      for (const Cbor& action : actions->items()) {
        const Cbor* name = action.Find("action");
        if (name == nullptr) continue;
        report.actions.push_back(name->TextOr());
        const Cbor* source = action.Find("digitalSourceType");
        if (report.digital_source_type.empty() && source != nullptr && name->TextOr() == "c2pa.created") {
          report.digital_source_type = source->TextOr();
        }
      }
    } else if (base == kClipForgeAssertionLabel) {
      absl::StatusOr<ClipCredentials> clip = ClipCredentialsFrom(assertion.value);
      if (clip.ok()) report.clipforge = *std::move(clip);
    }
  }
  report.ingredients = IngredientLinks(manifest);
}

// Checks each ingredient's links into the store; returns the manifests
// they reach.
std::vector<const Manifest*> CheckIngredients(const ManifestStore& store, const Manifest& manifest,
                                              const ManifestReport& report, Statuses& out) {
  std::vector<const Manifest*> reached;
  for (const IngredientLink& link : report.ingredients) {
    if (!link.manifest) continue;  // an ingredient without credentials
    const std::string where = AbsoluteAssertionUri(manifest.label, link.assertion_label);
    const Manifest* target = link.manifest_label.empty() ? nullptr : store.Find(link.manifest_label);
    if (target == nullptr) {
      out.Failure("ingredient.manifest.missing", where,
                  absl::StrCat("the store does not hold ", link.manifest->url, " (cut from the lineage?)"));
      continue;
    }
    if (base::Sha256(target->hashed_bytes) == link.manifest->hash) {
      out.Success("ingredient.manifest.validated", ManifestUri(target->label), "ingredient hash matched");
      reached.push_back(target);
    } else {
      out.Failure("ingredient.manifest.mismatch", ManifestUri(target->label), "the ingredient's manifest changed");
    }
    if (link.claim_signature) {
      if (base::Sha256(target->signature_hashed_bytes) == link.claim_signature->hash) {
        out.Success("ingredient.claimSignature.validated", SignatureUri(target->label), "ingredient signature matched");
      } else {
        out.Failure("ingredient.claimSignature.mismatch", SignatureUri(target->label),
                    "the ingredient's signature changed");
      }
    }
  }
  return reached;
}

bool OnlyUntrusted(const std::vector<ValidationStatus>& failures) {
  for (const ValidationStatus& status : failures) {
    if (status.code != "signingCredential.untrusted") return false;
  }
  return true;
}

}  // namespace

std::string ValidationReport::State() const {
  if (!manifest_found) return "NoManifest";
  if (trusted) return "Trusted";
  return valid ? "Valid" : "Invalid";
}

ValidationReport ValidateManifestStore(const ManifestStore& store, const ByteSource* asset,
                                       const std::vector<BmffBox>* tree, const SignatureVerifier& verifier,
                                       const ValidationOptions& options) {
  ValidationReport result;
  result.manifest_found = store.active() != nullptr;
  if (!result.manifest_found) return result;
  result.active_label = store.active()->label;
  absl::flat_hash_set<const Manifest*> seen;
  std::deque<std::pair<const Manifest*, int>> queue{{store.active(), 0}};
  while (!queue.empty()) {
    const auto [manifest, depth] = queue.front();
    queue.pop_front();
    if (!seen.insert(manifest).second) continue;
    ManifestReport report{.label = manifest->label, .depth = depth, .claim_version = manifest->claim_version};
    Statuses out(report);
    CheckClaimShape(*manifest, report, out);
    CheckSignature(*manifest, verifier, report, out);
    CheckHashedUris(*manifest, out);
    ReadContents(*manifest, report);
    if (depth == 0) CheckHardBinding(*manifest, asset, tree, out);
    for (const Manifest* next : CheckIngredients(store, *manifest, report, out)) {
      if (depth + 1 <= options.max_ingredient_depth) queue.emplace_back(next, depth + 1);
    }
    result.manifests.push_back(std::move(report));
  }
  const ManifestReport& active = result.manifests.front();
  result.valid = OnlyUntrusted(active.failure);
  result.trusted = result.valid && active.trusted;
  return result;
}

absl::StatusOr<std::string> ReadMp4ManifestStore(const ByteSource& source) {
  absl::StatusOr<std::vector<BmffBox>> tree = ParseBmff(source);
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::optional<C2paBoxLocation>> where = FindC2paManifestBox(source, *tree);
  if (!where.ok()) return where.status();
  if (!where->has_value()) return absl::NotFoundError("no C2PA manifest store in the file");
  if ((*where)->store_size > kMaxStoreBytes) return absl::ResourceExhaustedError("the C2PA manifest store is too large");
  std::string store;
  if (absl::Status s = source.Read((*where)->store_offset, (*where)->store_size, store); !s.ok()) return s;
  return store;
}

absl::StatusOr<ValidationReport> ValidateMp4(const ByteSource& source, const SignatureVerifier& verifier,
                                             const ValidationOptions& options) {
  absl::StatusOr<std::vector<BmffBox>> tree = ParseBmff(source);
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::string> bytes = ReadMp4ManifestStore(source);
  if (absl::IsNotFound(bytes.status())) return ValidationReport{};
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<ManifestStore> store = ParseManifestStore(*bytes);
  if (!store.ok()) {
    // A store that cannot be read is there but proves nothing.
    ValidationReport report{.manifest_found = true};
    ManifestReport broken;
    broken.failure.push_back(ValidationStatus{"manifest.malformed", "self#jumbf=/c2pa",
                                              std::string(store.status().message())});
    report.manifests.push_back(std::move(broken));
    return report;
  }
  return ValidateManifestStore(*store, &source, &*tree, verifier, options);
}

}  // namespace clipforge::generation::c2pa
