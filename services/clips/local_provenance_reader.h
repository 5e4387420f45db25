// ProvenanceReader over the blob store this process shares with generation:
// validates the video's C2PA manifest store as `clipforge verify` does
// (claim, COSE signature, assertion hashes, the BMFF hard binding over the
// whole file, ingredient links) and keeps what a client shows.
#pragma once

#include "generation/c2pa_validator.h"
#include "services/clips/provenance_reader.h"
#include "services/kit/blob_store.h"

namespace clipforge::clips_service {

// The summary of a validation report. `valid` is the signature and hard
// binding holding: no trust anchor is asked for, as the platform's own
// signing CA is on no public trust list.
v1::C2paSummary SummaryOf(const generation::c2pa::ValidationReport& report);

class LocalProvenanceReader final : public ProvenanceReader {
 public:
  // `blobs` is not owned.
  explicit LocalProvenanceReader(const kit::BlobStore& blobs) : blobs_(blobs) {}

  absl::StatusOr<v1::C2paSummary> Summarize(const v1::BlobRef& video) override;

 private:
  const kit::BlobStore& blobs_;
};

}  // namespace clipforge::clips_service
