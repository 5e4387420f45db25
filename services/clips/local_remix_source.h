// generation_service::RemixSource answered by the clips service hosted in
// the same process. Generation is built before clips (clips reads its
// jobs), so this is made first and bound to the clips logic once that
// exists; until then a remix is FAILED_PRECONDITION.
#pragma once

#include <atomic>

#include "services/clips/clip_logic.h"
#include "services/generation/remix_source.h"

namespace clipforge::clips_service {

class LocalRemixSource final : public generation_service::RemixSource {
 public:
  // `clips` must outlive its use here; bind before serving.
  void Bind(ClipLogic* clips) { clips_.store(clips); }

  absl::StatusOr<generation_service::RemixParent> ForkableParent(const kit::Caller& caller,
                                                                 const std::string& clip_id) override;

 private:
  std::atomic<ClipLogic*> clips_{nullptr};
};

}  // namespace clipforge::clips_service
