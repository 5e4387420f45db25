// Streams one byte string to a client as clipforge.v1.DataChunk messages:
// one write in flight at a time, offsets and total size on every chunk, the
// SHA-256 of the whole on the last. Deletes itself when the call is done.
#pragma once

#include <string>

#include <grpcpp/support/server_callback.h>

#include "absl/time/time.h"
#include "clipforge/v1/common.pb.h"
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

}  // namespace clipforge::kit
