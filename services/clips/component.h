// The clips service with what it owns (its pool, store, events, logic, the
// view-mark sweeper and the bus consumers) and its flags: one wiring used
// by `clipforged serve` and the test server alike.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "services/clips/clip_logic.h"
#include "services/clips/comment_logic.h"
#include "services/clips/event_logic.h"
#include "services/clips/events.h"
#include "services/clips/graph_logic.h"
#include "services/clips/job_source.h"
#include "services/clips/provenance_reader.h"
#include "services/clips/service.h"
#include "services/clips/store.h"
#include "services/kit/consumer_group.h"
#include "services/kit/grpc_server.h"
#include "services/kit/nats_client.h"
#include "services/kit/periodic.h"
#include "services/kit/pg_pool.h"
#include "services/kit/service_deps.h"
#include "services/kit/settings.h"
#include "services/kit/signed_url.h"

namespace clipforge::clips_service {

struct ClipsConfig {
  ClipRules clips;
  GraphRules graph;
  // How often view marks older than the view window are forgotten.
  absl::Duration view_sweep_interval = absl::Minutes(1);
};

class ClipsComponent {
 public:
  // The flags only the clips service reads (`clipforged serve --help`).
  static std::vector<kit::SettingSpec> Flags();
  static absl::StatusOr<ClipsConfig> ConfigFrom(const kit::Settings& settings);

  // `jobs`, `text_filter` (titles, captions, comments), `provenance` (the
  // videos' C2PA manifests), `media_urls` and `deps` must outlive the
  // component. `nats` (may
  // be null: then handles, follows, blocks and moderators' removals arrive
  // only where a process with it applies them) brings other services'
  // events. INVALID_ARGUMENT when the database URL is missing.
  static absl::StatusOr<std::unique_ptr<ClipsComponent>> Create(const kit::ServiceDatabase& database,
                                                                const ClipsConfig& config, kit::ServiceDeps deps,
                                                                JobSource& jobs, TextFilter& text_filter,
                                                                ProvenanceReader& provenance,
                                                                const kit::MediaUrls& media_urls,
                                                                kit::NatsClient* nats);
  ~ClipsComponent();

  std::vector<kit::HostedService> hosted();
  ClipLogic& clips() { return clips_; }
  CommentLogic& comments() { return comments_; }
  GraphLogic& graph() { return graph_; }

 private:
  ClipsComponent(const kit::ServiceDatabase& database, const ClipsConfig& config, kit::ServiceDeps deps,
                 JobSource& jobs, TextFilter& text_filter, ProvenanceReader& provenance,
                 const kit::MediaUrls& media_urls);
  void SweepViewMarks();

  kit::Logger& logger_;
  kit::PgPool pool_;
  PgClipsStore store_;
  ClipsEvents events_;
  ClipLogic clips_;
  CommentLogic comments_;
  GraphLogic graph_;
  EventLogic event_logic_;
  ClipsServiceImpl service_;
  // Last: they stop before what they call goes.
  kit::Periodic sweeper_;
  kit::ConsumerGroup consumers_;
};

}  // namespace clipforge::clips_service
