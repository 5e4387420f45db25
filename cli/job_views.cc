#include "cli/job_views.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/effect_words.h"
#include "cli/enum_words.h"
#include "cli/time_format.h"
#include "cli/views.h"

namespace clipforge::cli {
namespace {

constexpr int32_t kDefaultClipSeconds = 4;
constexpr absl::string_view kDefaultFrameSize = "720x1280";

void AddTime(Record& record, absl::string_view key, const google::protobuf::Timestamp& time,
             Show show = Show::kAlways) {
  const std::string text = FormatProtoTime(time);
  if (!text.empty()) record.Str(key, text, show);
}

void AddBlob(Record& record, absl::string_view name, const v1::BlobRef& blob, Show show) {
  if (blob.sha256().empty()) return;
  record.Str(absl::StrCat(name, "_sha256"), blob.sha256(), show)
      .Int(absl::StrCat(name, "_bytes"), blob.size_bytes(), show);
}

void AddOutputs(Record& record, const v1::JobOutputs& outputs) {
  AddBlob(record, "video", outputs.video(), Show::kAlways);
  if (outputs.width() > 0 && outputs.height() > 0) {
    record.Str("frame", absl::StrCat(outputs.width(), "x", outputs.height()));
  }
  if (outputs.has_duration()) {
    record.Str("duration", absl::FormatDuration(absl::Seconds(outputs.duration().seconds()) +
                                                absl::Nanoseconds(outputs.duration().nanos())));
  }
  if (!outputs.renderer().empty()) record.Str("renderer", outputs.renderer());
  AddBlob(record, "thumbnail", outputs.thumbnail(), Show::kJsonOnly);
  AddBlob(record, "spritesheet", outputs.spritesheet(), Show::kJsonOnly);
  AddBlob(record, "provenance", outputs.provenance(), Show::kJsonOnly);
}

}  // namespace

std::string JobStatusWord(v1::JobStatus status) { return EnumWord(status, kJobStatusPrefix); }

std::string FailureCodeWord(v1::GenerationFailureCode code) { return EnumWord(code, kFailureCodePrefix); }

int32_t ClipSeconds(const v1::JobSpec& spec) { return spec.seconds() > 0 ? spec.seconds() : kDefaultClipSeconds; }

std::string FrameSize(const v1::JobSpec& spec) {
  return spec.size().empty() ? std::string(kDefaultFrameSize) : spec.size();
}

Record JobRow(const v1::GenerationJob& job) {
  Record row;
  row.Str("job_id", job.job_id())
      .Str("status", JobStatusWord(job.status()))
      .Int("progress", job.progress_percent())
      .Int("seconds", ClipSeconds(job.spec()))
      .Str("size", FrameSize(job.spec()))
      .Str("created", FormatProtoTime(job.create_time()))
      .Str("prompt", job.spec().prompt(), Show::kJsonOnly);
  return row;
}

Record JobRecord(const v1::GenerationJob& job) {
  const v1::JobSpec& spec = job.spec();
  Record record;
  record.Str("job_id", job.job_id())
      .Str("status", JobStatusWord(job.status()))
      .Int("progress", job.progress_percent());
  if (!job.stage().empty()) record.Str("stage", job.stage());
  if (job.status() == v1::JOB_STATUS_QUEUED) record.Int("jobs_ahead", job.queue_position());
  if (job.status() == v1::JOB_STATUS_FAILED || job.has_failure()) {
    record.Str("failure", FailureCodeWord(job.failure().code())).Str("failure_message", job.failure().message());
  }
  record.Str("prompt", spec.prompt()).Int("seconds", ClipSeconds(spec)).Str("size", FrameSize(spec));
  if (spec.has_seed()) record.Int("seed", spec.seed());
  record.Str("quality", EnumWord(spec.quality() == v1::GENERATION_QUALITY_UNSPECIFIED ? v1::GENERATION_QUALITY_DRAFT
                                                                                        : spec.quality(),
                                 kQualityPrefix));
  if (!spec.remix_of_clip_id().empty()) record.Str("remix_of", spec.remix_of_clip_id());
  if (spec.effects_size() > 0) {
    std::vector<std::string> effects;
    for (const v1::Effect& effect : spec.effects()) effects.push_back(EffectWord(effect));
    record.List("effects", std::move(effects));
  }
  if (spec.has_soundtrack()) record.Str("soundtrack_sha256", spec.soundtrack().sha256());
  if (!spec.model().empty()) record.Str("model", spec.model());
  record.Str("tier", TierName(job.tier()));
  if (!job.party_id().empty()) record.Str("party_id", job.party_id());
  if (job.has_outputs()) AddOutputs(record, job.outputs());
  AddTime(record, "created", job.create_time());
  AddTime(record, "started", job.start_time());
  AddTime(record, "finished", job.finish_time());
  AddTime(record, "updated", job.update_time(), Show::kJsonOnly);
  AddTime(record, "expires", job.expire_time());
  record.Str("user_id", job.user_id(), Show::kJsonOnly);
  return record;
}

}  // namespace clipforge::cli
