#include "services/generation/output_upload.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/generation/request_parsing.h"

namespace clipforge::generation_service {
namespace {

const char* ContentTypeOf(v1::ContentVariant variant) {
  switch (variant) {
    case v1::CONTENT_VARIANT_VIDEO: return "video/mp4";
    case v1::CONTENT_VARIANT_THUMBNAIL:
    case v1::CONTENT_VARIANT_SPRITESHEET: return "image/jpeg";
    case v1::CONTENT_VARIANT_PROVENANCE: return "application/c2pa";
    default: return "";
  }
}

absl::Status ValidateHeader(const v1::UploadOutputHeader& h) {
  base::FieldValidator v;
  v.Uuid("header.request_id", h.request_id());
  const int64_t max = MaxOutputBytes(h.variant());
  v.Check(max > 0, "header.variant", "must be video, thumbnail, spritesheet or provenance");
  v.Check(max == 0 || h.content_type() == ContentTypeOf(h.variant()), "header.content_type",
          "must match the variant (video/mp4, image/jpeg or application/c2pa)");
  if (max > 0) v.IntRange("header.size_bytes", h.size_bytes(), 1, max);
  v.Check(kit::IsBlobName(h.sha256()), "header.sha256", "64 lowercase hex digits");
  CF_RETURN_IF_ERROR(v.status());
  return ValidateLeaseRef(h.job_id(), h.lease_epoch());
}

}  // namespace

int64_t MaxOutputBytes(v1::ContentVariant variant) {
  switch (variant) {
    case v1::CONTENT_VARIANT_VIDEO: return int64_t{512} << 20;
    case v1::CONTENT_VARIANT_THUMBNAIL:
    case v1::CONTENT_VARIANT_SPRITESHEET: return int64_t{16} << 20;
    case v1::CONTENT_VARIANT_PROVENANCE: return int64_t{4} << 20;
    default: return 0;
  }
}

OutputUpload::OutputUpload(grpc::CallbackServerContext* ctx, const WorkerServiceDeps& deps,
                           v1::UploadOutputResponse* response)
    : StreamedUpload(ctx, deps.runner, deps.executor), d_(deps), response_(response) {
  Begin();
}

absl::StatusOr<std::unique_ptr<kit::BlobWriter>> OutputUpload::Admit(const v1::UploadOutputHeader& header) {
  CF_RETURN_IF_ERROR(ValidateHeader(header));
  CF_ASSIGN_OR_RETURN(worker_, AuthenticateWorker(*ctx(), d_.credentials, ""));
  CF_RETURN_IF_ERROR(d_.logic.Leased(worker_, header.job_id(), header.lease_epoch()).status());
  return d_.blobs.NewWriter();
}

absl::Status OutputUpload::Complete(const v1::UploadOutputHeader& header, kit::BlobWriter& writer) {
  CF_ASSIGN_OR_RETURN(const std::string name, writer.Commit(header.sha256()));
  UploadRecord upload{.job_id = header.job_id(), .lease_epoch = header.lease_epoch(), .variant = header.variant()};
  upload.blob.set_sha256(name);
  upload.blob.set_content_type(header.content_type());
  upload.blob.set_size_bytes(header.size_bytes());
  CF_RETURN_IF_ERROR(d_.logic.RecordUpload(worker_, upload));
  *response_->mutable_blob() = upload.blob;
  return absl::OkStatus();
}

}  // namespace clipforge::generation_service
