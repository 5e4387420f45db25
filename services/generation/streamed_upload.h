// The shape both upload RPCs share (UploadOutput from workers, UploadMedia
// from users): a client stream whose first message is a header and every
// later one 1 byte to 1 MiB of data. The header is admitted on the executor
// (credentials, limits, a blob writer) before any data is read; data goes
// straight to the writer, never past the header's size_bytes; when the
// client half-closes, the upload is completed on the executor. Subclasses
// say what admitting and completing mean.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/support/server_callback.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "services/kit/blob_store.h"
#include "services/kit/call_runner.h"
#include "services/kit/executor.h"

namespace clipforge::generation_service {

template <typename Request, typename Header>
class StreamedUpload : public grpc::ServerReadReactor<Request> {
 public:
  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client half-closed (or went away: then Finish is moot).
      if (!have_header_) return Fail(absl::InvalidArgumentError("header: the first message must be the header"));
      return OnExecutor([this]() -> absl::Status {
        if (writer_->size() != header_.size_bytes()) {
          return absl::InvalidArgumentError(absl::StrCat("data: ", writer_->size(),
                                                         " bytes arrived, header.size_bytes is ", header_.size_bytes()));
        }
        return Complete(header_, *writer_);
      });
    }
    if (!have_header_) {
      if (!message_.has_header()) return Fail(absl::InvalidArgumentError("header: the first message must be the header"));
      header_ = message_.header();
      have_header_ = true;
      return OnExecutor([this]() -> absl::Status {
        absl::StatusOr<std::unique_ptr<kit::BlobWriter>> writer = Admit(header_);
        if (!writer.ok()) return writer.status();
        writer_ = *std::move(writer);
        this->StartRead(&message_);
        return absl::OkStatus();
      }, /*finish_on_ok=*/false);
    }
    if (message_.part_case() != Request::kData) {
      return Fail(absl::InvalidArgumentError("data: every message after the header carries data"));
    }
    const std::string& data = message_.data();
    if (data.empty() || data.size() > kMaxChunkBytes) return Fail(absl::InvalidArgumentError("data: 1 byte to 1 MiB"));
    if (writer_->size() + static_cast<int64_t>(data.size()) > header_.size_bytes()) {
      return Fail(absl::InvalidArgumentError("data: more bytes than header.size_bytes"));
    }
    const absl::Status appended = writer_->Append(data);
    if (!appended.ok()) return Fail(appended);
    this->StartRead(&message_);
  }
  void OnDone() override { delete this; }

 protected:
  static constexpr size_t kMaxChunkBytes = 1 << 20;

  // None of the arguments is owned.
  StreamedUpload(grpc::CallbackServerContext* ctx, kit::CallRunner& runner, kit::BlockingExecutor& executor)
      : ctx_(ctx), runner_(runner), executor_(executor) {}
  // Starts reading: the last thing a subclass's constructor does (a read may
  // complete on another thread at once, so the object must be whole).
  void Begin() { this->StartRead(&message_); }

  // On the executor, before any data is read: check the header (and who is
  // calling) and open the writer the data goes to.
  virtual absl::StatusOr<std::unique_ptr<kit::BlobWriter>> Admit(const Header& header) = 0;
  // On the executor, once exactly header.size_bytes() bytes arrived: name
  // and record the blob and fill the response.
  virtual absl::Status Complete(const Header& header, kit::BlobWriter& writer) = 0;

  grpc::CallbackServerContext* ctx() const { return ctx_; }

 private:
  void Fail(const absl::Status& status) { this->Finish(runner_.ClientStatus(*ctx_, status)); }

  // Runs `step` on the executor; finishes the call with its status unless
  // it succeeded and `finish_on_ok` is false (the stream goes on).
  template <typename Step>
  void OnExecutor(Step step, bool finish_on_ok = true) {
    const absl::Status submitted = executor_.Submit([this, step = std::move(step), finish_on_ok]() mutable {
      const absl::Status status = step();
      if (!status.ok() || finish_on_ok) Fail(status);
    });
    if (!submitted.ok()) Fail(submitted);
  }

  grpc::CallbackServerContext* const ctx_;
  kit::CallRunner& runner_;
  kit::BlockingExecutor& executor_;
  Request message_;
  Header header_;
  bool have_header_ = false;
  std::unique_ptr<kit::BlobWriter> writer_;
};

}  // namespace clipforge::generation_service
