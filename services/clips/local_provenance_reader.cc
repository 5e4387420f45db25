#include "services/clips/local_provenance_reader.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "media/provenance_mp4.h"

namespace clipforge::clips_service {
namespace {

// The proto's bound on each text field: a manifest is the file's word, not
// ours, and a hostile one may carry anything.
constexpr size_t kMaxSummaryText = 256;

std::string Bounded(const std::string& text) { return text.substr(0, kMaxSummaryText); }

}  // namespace

v1::C2paSummary SummaryOf(const generation::c2pa::ValidationReport& report) {
  v1::C2paSummary summary;
  summary.set_present(report.manifest_found);
  const generation::c2pa::ManifestReport* active = report.active();
  if (!report.manifest_found || active == nullptr) return summary;
  summary.set_valid(report.valid);
  summary.set_manifest_label(Bounded(report.active_label));
  summary.set_claim_generator(Bounded(active->claim_generator));
  summary.set_digital_source_type(Bounded(active->digital_source_type));
  summary.set_signer(Bounded(active->signer.common_name));
  for (const generation::c2pa::IngredientLink& ingredient : active->ingredients) {
    if (ingredient.relationship == "parentOf") {
      summary.set_parent_manifest_label(Bounded(ingredient.manifest_label));
      break;
    }
  }
  // sign_time stays unset: a claim carries no signing time unless a time
  // stamp authority countersigned it, and ClipForge's manifests have none.
  return summary;
}

absl::StatusOr<v1::C2paSummary> LocalProvenanceReader::Summarize(const v1::BlobRef& video) {
  const absl::StatusOr<kit::BlobFile> file = blobs_.Open(video.sha256());
  if (absl::IsNotFound(file.status())) {
    return base::WithReason(absl::FailedPreconditionError("job_id: the job's video is not in the blob store"),
                            "VIDEO_MISSING");
  }
  if (!file.ok()) return file.status();
  // `file` stays open while the verifier reads its path.
  absl::StatusOr<media::VerifyReport> report = media::VerifyMp4File(file->path(), /*trust_anchor_pems=*/{});
  // Not an MP4 at all: a video without credentials, which clients show as
  // such (the media filter passed it; provenance does not gate publishing).
  if (!report.ok()) return v1::C2paSummary{};
  return SummaryOf(*report);
}

}  // namespace clipforge::clips_service
