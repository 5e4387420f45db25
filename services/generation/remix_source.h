// Where generation learns about the clip a remix starts from: its spec (the
// starting point for the fields the new job leaves unset) and its C2PA
// manifest store (the new clip's manifest names it as an ingredient, so
// lineage travels with the file). The clips service answers; in one
// process, clips_service::LocalRemixSource.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/generation.pb.h"
#include "services/kit/caller.h"

namespace clipforge::generation_service {

struct RemixParent {
  std::string clip_id;
  v1::JobSpec spec;
  v1::BlobRef provenance;  // Empty when the parent has none.
};

class RemixSource {
 public:
  virtual ~RemixSource() = default;
  // The clip as `caller` may fork it: NOT_FOUND when they may not see it
  // (or it was removed), FAILED_PRECONDITION "FORKING_DISABLED" when its
  // author turned forks off.
  virtual absl::StatusOr<RemixParent> ForkableParent(const kit::Caller& caller, const std::string& clip_id) = 0;
};

}  // namespace clipforge::generation_service
