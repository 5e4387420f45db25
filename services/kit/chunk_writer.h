// Streams one byte string to a client as clipforge.v1.DataChunk messages:
// one write in flight at a time, offsets and total size on every chunk, the
// SHA-256 of the whole on the last. Deletes itself when the call is done.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <grpcpp/support/server_callback.h>

#include "absl/time/time.h"
#include "clipforge/v1/common.pb.h"
#include "services/kit/blob_store.h"
#include "services/kit/write_timeout.h"

namespace clipforge::kit {

struct ChunkStreamOptions {
  size_t chunk_bytes = 64 * 1024;
  // A chunk the client has not taken this long after it was written ends
  // the call (see WriteTimeout).
  absl::Duration write_timeout = absl::Seconds(30);
};

class ChunkWriter final : public grpc::ServerWriteReactor<v1::DataChunk> {
 public:
  ChunkWriter(grpc::CallbackServerContext* ctx, const ChunkStreamOptions& options)
      : chunk_bytes_(options.chunk_bytes), timeout_(ctx, options.write_timeout) {}

  // Starts streaming `data`. Call exactly one of Send or Fail, once, from
  // any thread.
  void Send(std::string data, std::string content_type);
  void Fail(const grpc::Status& status) { Finish(status); }

  void OnWriteDone(bool ok) override;
  void OnDone() override {
    timeout_.CallDone();
    delete this;
  }

 private:
  void WriteNext();

  const size_t chunk_bytes_;
  WriteTimeout timeout_;
  std::string data_;
  std::string content_type_;
  std::string sha256_hex_;
  size_t offset_ = 0;
  v1::DataChunk chunk_;
};

// Streams a byte range of a blob as DataChunk messages, reading one chunk
// at a time, so a large video never sits in memory. Offsets and
// total_bytes are the blob's; `sha256` (its name) goes on the last chunk
// when the whole blob is sent. Deletes itself when the call is done.
class FileChunkWriter final : public grpc::ServerWriteReactor<v1::DataChunk> {
 public:
  FileChunkWriter(grpc::CallbackServerContext* ctx, const ChunkStreamOptions& options)
      : chunk_bytes_(options.chunk_bytes), timeout_(ctx, options.write_timeout) {}

  // Starts streaming bytes [offset, offset + length) of `file` (`length`
  // 0: to the end), which is kept open until the call is done;
  // OUT_OF_RANGE past the end. Call exactly one of Send or Fail, once, from
  // any thread.
  void Send(BlobFile file, int64_t offset, int64_t length, std::string content_type, std::string sha256);
  void Fail(const grpc::Status& status) { Finish(status); }

  void OnWriteDone(bool ok) override;
  void OnDone() override {
    timeout_.CallDone();
    delete this;
  }

 private:
  void WriteNext();

  const size_t chunk_bytes_;
  WriteTimeout timeout_;
  std::optional<BlobFile> file_;
  std::string content_type_;
  std::string sha256_;
  int64_t total_ = 0;
  int64_t position_ = 0;
  int64_t end_ = 0;
  v1::DataChunk chunk_;
};

}  // namespace clipforge::kit
