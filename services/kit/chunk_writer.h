// Streams one byte string to a client as clipforge.v1.DataChunk messages:
// one write in flight at a time, offsets and total size on every chunk, the
// SHA-256 of the whole on the last. Deletes itself when the call is done.
#pragma once

#include <string>

#include <grpcpp/support/server_callback.h>

#include "clipforge/v1/common.pb.h"

namespace clipforge::kit {

class ChunkWriter final : public grpc::ServerWriteReactor<v1::DataChunk> {
 public:
  explicit ChunkWriter(size_t chunk_bytes) : chunk_bytes_(chunk_bytes) {}

  // Starts streaming `data`. Call exactly one of Send or Fail, once, from
  // any thread.
  void Send(std::string data, std::string content_type);
  void Fail(const grpc::Status& status) { Finish(status); }

  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  void WriteNext();

  const size_t chunk_bytes_;
  std::string data_;
  std::string content_type_;
  std::string sha256_hex_;
  size_t offset_ = 0;
  v1::DataChunk chunk_;
};

}  // namespace clipforge::kit
