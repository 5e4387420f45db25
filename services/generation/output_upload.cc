#include "services/generation/output_upload.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/generation/request_parsing.h"

namespace clipforge::generation_service {
namespace {

constexpr size_t kMaxChunkBytes = 1 << 20;

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
    : ctx_(ctx), d_(deps), response_(response) {
  StartRead(&message_);
}

void OutputUpload::Fail(const absl::Status& status) { Finish(d_.runner.ClientStatus(*ctx_, status)); }

void OutputUpload::OnReadDone(bool ok) {
  if (!ok) {
    // The client half-closed (or went away: then Finish is moot).
    if (!have_header_) return Fail(absl::InvalidArgumentError("header: the first message must be the header"));
    const absl::Status submitted = d_.executor.Submit([this] { Commit(); });
    if (!submitted.ok()) Fail(submitted);
    return;
  }
  if (!have_header_) {
    if (!message_.has_header()) return Fail(absl::InvalidArgumentError("header: the first message must be the header"));
    header_ = message_.header();
    have_header_ = true;
    const absl::Status submitted = d_.executor.Submit([this] { Admit(); });
    if (!submitted.ok()) Fail(submitted);
    return;
  }
  if (message_.part_case() != v1::UploadOutputRequest::kData) {
    return Fail(absl::InvalidArgumentError("data: every message after the header carries data"));
  }
  const std::string& data = message_.data();
  if (data.empty() || data.size() > kMaxChunkBytes) return Fail(absl::InvalidArgumentError("data: 1 byte to 1 MiB"));
  if (writer_->size() + static_cast<int64_t>(data.size()) > header_.size_bytes()) {
    return Fail(absl::InvalidArgumentError("data: more bytes than header.size_bytes"));
  }
  const absl::Status appended = writer_->Append(data);
  if (!appended.ok()) return Fail(appended);
  StartRead(&message_);
}

void OutputUpload::Admit() {
  const absl::Status status = [&]() -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateHeader(header_));
    CF_ASSIGN_OR_RETURN(worker_, AuthenticateWorker(*ctx_, d_.credentials, ""));
    CF_RETURN_IF_ERROR(d_.logic.Leased(worker_, header_.job_id(), header_.lease_epoch()).status());
    CF_ASSIGN_OR_RETURN(writer_, d_.blobs.NewWriter());
    return absl::OkStatus();
  }();
  if (!status.ok()) return Fail(status);
  StartRead(&message_);
}

void OutputUpload::Commit() {
  const absl::Status status = [&]() -> absl::Status {
    if (writer_->size() != header_.size_bytes()) {
      return absl::InvalidArgumentError(absl::StrCat("data: ", writer_->size(), " bytes arrived, header.size_bytes is ",
                                                     header_.size_bytes()));
    }
    CF_ASSIGN_OR_RETURN(const std::string name, writer_->Commit(header_.sha256()));
    UploadRecord upload{.job_id = header_.job_id(), .lease_epoch = header_.lease_epoch(), .variant = header_.variant()};
    upload.blob.set_sha256(name);
    upload.blob.set_content_type(header_.content_type());
    upload.blob.set_size_bytes(header_.size_bytes());
    CF_RETURN_IF_ERROR(d_.logic.RecordUpload(worker_, upload));
    *response_->mutable_blob() = upload.blob;
    return absl::OkStatus();
  }();
  Finish(d_.runner.ClientStatus(*ctx_, status));
}

}  // namespace clipforge::generation_service
