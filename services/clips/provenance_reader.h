// What the clips service reads from a clip's video when it is published:
// the C2PA Content Credentials the file carries and whether they validate.
// LocalProvenanceReader (local_provenance_reader.h) reads the blob store;
// the unit tests use a fake.
#pragma once

#include "absl/status/statusor.h"
#include "clipforge/v1/clips.pb.h"
#include "clipforge/v1/common.pb.h"

namespace clipforge::clips_service {

class ProvenanceReader {
 public:
  virtual ~ProvenanceReader() = default;
  // The summary of the manifest in `video` (`present` false when the file
  // carries none). FAILED_PRECONDITION "VIDEO_MISSING" when the blob store
  // does not hold the video.
  virtual absl::StatusOr<v1::C2paSummary> Summarize(const v1::BlobRef& video) = 0;
};

}  // namespace clipforge::clips_service
