#include "services/generation/media_upload.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "media/upload_probe.h"
#include "services/kit/idempotency.h"
#include "services/kit/proto_time.h"

namespace clipforge::generation_service {
namespace {

media::UploadKindLimits LimitsOf(v1::UploadKind kind) {
  switch (kind) {
    case v1::UPLOAD_KIND_SOUNDTRACK: return media::SoundtrackUpload();
    case v1::UPLOAD_KIND_STICKER: return media::StickerUpload();
    default: return media::AvatarUpload();
  }
}

absl::Status ValidateHeader(const v1::UploadHeader& h) {
  base::FieldValidator v;
  v.Uuid("header.request_id", h.request_id());
  const int64_t max = MaxUploadBytes(h.kind());
  v.Check(max > 0, "header.kind", "must be soundtrack, sticker or avatar");
  if (max > 0) {
    const media::UploadKindLimits limits = LimitsOf(h.kind());
    v.Check(std::find(limits.mime_types.begin(), limits.mime_types.end(), h.content_type()) !=
                limits.mime_types.end(),
            "header.content_type", "not a type this kind accepts");
    v.IntRange("header.size_bytes", h.size_bytes(), 1, max);
  }
  v.Check(h.sha256().empty() || kit::IsBlobName(h.sha256()), "header.sha256", "64 lowercase hex digits");
  v.Check(h.file_name().size() <= 255, "header.file_name", "at most 255 characters");
  return v.status();
}

}  // namespace

int64_t MaxUploadBytes(v1::UploadKind kind) {
  // generation.proto's limits per kind.
  switch (kind) {
    case v1::UPLOAD_KIND_SOUNDTRACK: return int64_t{20} << 20;
    case v1::UPLOAD_KIND_STICKER: return int64_t{2} << 20;
    case v1::UPLOAD_KIND_AVATAR: return int64_t{5} << 20;
    default: return 0;
  }
}

MediaUpload::MediaUpload(grpc::CallbackServerContext* ctx, const GenerationServiceDeps& deps,
                         v1::UploadMediaResponse* response)
    : StreamedUpload(ctx, deps.runner, deps.executor), d_(deps), response_(response) {
  Begin();
}

absl::StatusOr<std::unique_ptr<kit::BlobWriter>> MediaUpload::Admit(const v1::UploadHeader& header) {
  CF_ASSIGN_OR_RETURN(caller_, d_.auth.Authenticate(*ctx()));
  CF_RETURN_IF_ERROR(ValidateHeader(header));
  UserUploadRecord planned{.kind = header.kind()};
  planned.blob.set_sha256(header.sha256());
  planned.blob.set_size_bytes(header.size_bytes());
  CF_RETURN_IF_ERROR(
      d_.jobs.CheckUploadRoom(caller_, kit::IdempotencyKeyFor(caller_.user_id, header.request_id(), header), planned));
  return d_.blobs.NewWriter();
}

absl::Status MediaUpload::Complete(const v1::UploadHeader& header, kit::BlobWriter& writer) {
  // Probed before it is named: a file that does not decode as what it
  // claims never enters the store.
  absl::StatusOr<media::ProbedMedia> probed = media::ProbeUpload(writer.path(), LimitsOf(header.kind()));
  if (!probed.ok()) return absl::InvalidArgumentError(absl::StrCat("data: ", probed.status().message()));
  if (probed->mime_type != header.content_type()) {
    return absl::InvalidArgumentError(
        absl::StrCat("header.content_type: the data is ", probed->mime_type, ", not ", header.content_type()));
  }
  CF_ASSIGN_OR_RETURN(const std::string name, writer.Commit(header.sha256()));
  if (header.kind() == v1::UPLOAD_KIND_STICKER || header.kind() == v1::UPLOAD_KIND_AVATAR) {
    CF_RETURN_IF_ERROR(ScreenImage(header, name));
  }
  const absl::Time now = d_.clock.Now();
  UserUploadRecord upload{.kind = header.kind(), .create_time = now, .expire_time = now + kUploadRetention};
  upload.blob.set_sha256(name);
  upload.blob.set_content_type(header.content_type());
  upload.blob.set_size_bytes(header.size_bytes());
  const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller_.user_id, header.request_id(), header);
  if (absl::Status recorded = d_.jobs.RecordUpload(caller_, key, upload); !recorded.ok()) {
    // Refused (the quota, raced by the caller's other uploads) or failed:
    // bytes this upload put in the store are no one's, so they go. Bytes
    // the store held already are someone else's and stay.
    if (writer.stored_new()) d_.blobs.Remove(name).IgnoreError();
    return recorded;
  }
  *response_->mutable_blob() = upload.blob;
  response_->set_kind(header.kind());
  *response_->mutable_expire_time() = kit::ToTimestamp(upload.expire_time);
  return absl::OkStatus();
}

absl::Status MediaUpload::ScreenImage(const v1::UploadHeader& header, const std::string& name) {
  v1::BlobRef image;
  image.set_sha256(name);
  image.set_content_type(header.content_type());
  CF_ASSIGN_OR_RETURN(const Verdict verdict, d_.checks.CheckImage(caller_.user_id, image));
  if (verdict.decision != v1::MODERATION_DECISION_BLOCK) return absl::OkStatus();
  // Known harmful media stays nowhere: no one may keep a blocked blob, so
  // the shared file goes too (a case about the uploader is open).
  CF_RETURN_IF_ERROR(d_.blobs.Remove(name));
  // Others may have uploaded the same bytes before the bank knew them.
  CF_RETURN_IF_ERROR(d_.jobs.ForgetBlockedUpload(name));
  return BlockedByPolicy("data", "UPLOAD_BLOCKED", verdict);
}

}  // namespace clipforge::generation_service
