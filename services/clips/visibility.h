// Who sees which clip, applied on every read: remix/clip_access.h's rules
// over the store's records and its copy of follows and blocks.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "remix/clip_access.h"
#include "services/clips/records.h"
#include "services/clips/store_interface.h"
#include "services/kit/caller.h"

namespace clipforge::clips_service {

remix::ClipAccess AccessOf(const ClipRecord& clip);
remix::Viewer ViewerOf(const kit::Caller& caller, const Relation& relation);

// How the caller stands to the authors of `clips`, read in one query.
class Relations {
 public:
  Relations(ClipsTx& tx, const kit::Caller& caller, const std::vector<ClipRecord>& clips);
  const Relation& Of(const std::string& author_id) const;

 private:
  std::map<std::string, Relation> relations_;
};

// True when the caller may see the clip (a tombstone: only admins).
bool CanSee(const kit::Caller& caller, const ClipRecord& clip, const Relation& relation);
// True when the clip may show in a listing the caller reads: visible, and
// not unlisted unless it is the caller's own.
bool Listed(const kit::Caller& caller, const ClipRecord& clip, const Relation& relation);

// The clip, when the caller may see it; NOT_FOUND naming `field` when it
// does not exist or they may not (the same answer for both).
absl::StatusOr<ClipRecord> GetVisibleClip(ClipsTx& tx, const kit::Caller& caller, const std::string& clip_id,
                                          const std::string& field);

}  // namespace clipforge::clips_service
