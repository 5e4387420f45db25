#include "services/clips/local_remix_source.h"

#include "base/status_macros.h"

namespace clipforge::clips_service {

absl::StatusOr<generation_service::RemixParent> LocalRemixSource::ForkableParent(const kit::Caller& caller,
                                                                                 const std::string& clip_id) {
  ClipLogic* clips = clips_.load();
  if (clips == nullptr) {
    return absl::FailedPreconditionError(
        "spec.remix_of_clip_id: remixing needs the clips service, which this server does not run");
  }
  CF_ASSIGN_OR_RETURN(const ClipRecord clip, clips->ForkableClip(caller, clip_id, "spec.remix_of_clip_id"));
  return generation_service::RemixParent{
      .clip_id = clip.clip_id, .spec = clip.spec, .provenance = clip.media.provenance()};
}

}  // namespace clipforge::clips_service
