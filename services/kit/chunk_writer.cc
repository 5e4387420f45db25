#include "services/kit/chunk_writer.h"

#include <algorithm>

#include "base/sha256.h"

namespace clipforge::kit {

void ChunkWriter::Send(std::string data, std::string content_type) {
  data_ = std::move(data);
  content_type_ = std::move(content_type);
  sha256_hex_ = base::Sha256Hex(data_);
  WriteNext();
}

void ChunkWriter::WriteNext() {
  const size_t length = std::min(chunk_bytes_, data_.size() - offset_);
  chunk_.Clear();
  chunk_.set_data(data_.substr(offset_, length));
  chunk_.set_offset(static_cast<int64_t>(offset_));
  chunk_.set_total_bytes(static_cast<int64_t>(data_.size()));
  chunk_.set_content_type(content_type_);
  offset_ += length;
  if (offset_ >= data_.size()) {
    chunk_.set_final_chunk(true);
    chunk_.set_sha256(sha256_hex_);
  }
  timeout_.WriteStarted();  // Before the write, which may complete at once.
  StartWrite(&chunk_);
}

void ChunkWriter::OnWriteDone(bool ok) {
  timeout_.WriteDone();
  if (!ok) {
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
  } else if (offset_ >= data_.size()) {
    Finish(grpc::Status::OK);
  } else {
    WriteNext();
  }
}

}  // namespace clipforge::kit
