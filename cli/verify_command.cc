// verify FILE [--trust CA.pem]: the C2PA Content Credentials of any MP4,
// read offline (no server, no session): the active manifest and its
// lineage, who signed each, and the verdict as the C2PA reference
// implementation words it (Trusted, Valid, Invalid). Exit 1 when the file
// has no manifest or it is invalid; an untrusted signer alone is not a
// failure, since our CA is on no public trust list.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "media/provenance_ca.h"
#include "media/provenance_mp4.h"

namespace clipforge::cli {
namespace {

namespace c2pa = generation::c2pa;

std::vector<std::string> StatusLines(const std::vector<c2pa::ValidationStatus>& statuses) {
  std::vector<std::string> lines;
  for (const c2pa::ValidationStatus& s : statuses) {
    lines.push_back(s.explanation.empty() ? s.code : absl::StrCat(s.code, " (", s.explanation, ")"));
  }
  return lines;
}

Record ManifestRow(const c2pa::ManifestReport& m) {
  Record row;
  row.Int("depth", m.depth)
      .Str("manifest", m.label)
      .Str("signer", m.signer.subject)
      .Str("issuer", m.signer.issuer, Show::kJsonOnly)
      .Str("alg", m.alg)
      .Int("claim_version", m.claim_version, Show::kJsonOnly)
      .Str("generator", m.claim_generator)
      .Str("title", m.title)
      .Bool("signature_valid", m.signature_valid)
      .Bool("trusted", m.trusted)
      .List("failures", StatusLines(m.failure))
      .List("assertions", m.assertion_labels, Show::kJsonOnly)
      .List("actions", m.actions, Show::kJsonOnly)
      .Str("digital_source_type", m.digital_source_type, Show::kJsonOnly);
  std::vector<std::string> ingredients;
  for (const c2pa::IngredientLink& link : m.ingredients) {
    ingredients.push_back(absl::StrCat(link.relationship, " ", link.title,
                                       link.manifest_label.empty() ? "" : absl::StrCat(" -> ", link.manifest_label)));
  }
  row.List("ingredients", std::move(ingredients), Show::kJsonOnly);
  return row;
}

}  // namespace

absl::Status RunVerify(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  const std::string path = inv.Operand(0);
  std::vector<std::string> anchors;
  if (const std::optional<std::string> trust = inv.Get("trust")) {
    absl::StatusOr<std::string> pem = media::ReadSmallFile(*trust);
    if (!pem.ok()) return UsageError(absl::StrCat("--trust: cannot read ", *trust));
    anchors.push_back(*std::move(pem));
  }
  absl::StatusOr<media::VerifyReport> report = media::VerifyMp4File(path, anchors, ctx.clock().Now());
  if (absl::IsNotFound(report.status())) return UsageError(absl::StrCat("cannot read ", path));
  if (absl::IsInvalidArgument(report.status())) {
    return UsageError(absl::StrCat(path, ": ", report.status().message()));
  }
  if (!report.ok()) return report.status();

  Record record;
  record.Str("file", path).Str("verdict", report->State());
  if (!report->manifest_found) {
    ctx.out().Result(record);
    return WithExitCode(absl::NotFoundError(absl::StrCat(path, " carries no C2PA manifest")), kExitFailure);
  }
  const c2pa::ManifestReport& active = *report->active();
  record.Str("active_manifest", report->active_label)
      .Str("signer", active.signer.subject)
      .Str("issuer", active.signer.issuer)
      .Str("alg", active.alg)
      .Str("generator", active.claim_generator)
      .Bool("trusted", report->trusted);
  if (!active.digital_source_type.empty()) record.Str("digital_source_type", active.digital_source_type);
  if (active.clipforge) {
    const c2pa::ClipCredentials& clip = *active.clipforge;
    record.Str("clip_id", clip.clip_id)
        .Str("job_id", clip.job_id)
        .Str("creator_user_id", clip.creator_user_id)
        .Str("prompt_sha256", clip.prompt_sha256_hex)
        .Str("renderer", absl::StrCat(clip.renderer_name, " ", clip.renderer_version))
        .Str("seed", absl::StrCat(clip.seed));
  }
  record.List("failures", StatusLines(active.failure));
  record.List("successes", StatusLines(active.success), Show::kJsonOnly);
  std::vector<Record> chain;
  for (const c2pa::ManifestReport& m : report->manifests) chain.push_back(ManifestRow(m));
  record.Table("manifests", std::move(chain));
  ctx.out().Result(record);
  if (!report->valid) {
    return WithExitCode(absl::DataLossError(absl::StrCat(path, ": the Content Credentials are invalid: ",
                                                         absl::StrJoin(StatusLines(active.failure), "; "))),
                        kExitFailure);
  }
  return absl::OkStatus();
}

}  // namespace clipforge::cli
