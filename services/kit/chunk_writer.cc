#include "services/kit/chunk_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/sha256.h"

namespace clipforge::kit {
namespace {

// Reads exactly `size` bytes at `offset` (pread: the descriptor's own
// position is left alone). False on an error or a short file.
bool ReadFully(int fd, char* out, size_t size, int64_t offset) {
  size_t done = 0;
  while (done < size) {
    const ssize_t got = pread(fd, out + done, size - done, static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

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

void FileChunkWriter::Send(BlobFile file, int64_t offset, int64_t length, std::string content_type,
                           std::string sha256) {
  total_ = file.size();
  if (offset < 0 || offset > total_ || length < 0) {
    Finish(grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "offset: past the end of the content"));
    return;
  }
  file_.emplace(std::move(file));
  position_ = offset;
  end_ = length == 0 ? total_ : std::min(total_, offset + length);
  // The digest names the whole blob: it is sent only with the whole blob.
  if (offset == 0 && end_ == total_) sha256_ = std::move(sha256);
  content_type_ = std::move(content_type);
  WriteNext();
}

void FileChunkWriter::WriteNext() {
  const int64_t length = std::min(static_cast<int64_t>(chunk_bytes_), end_ - position_);
  chunk_.Clear();
  std::string* data = chunk_.mutable_data();
  data->resize(static_cast<size_t>(length));
  if (!ReadFully(file_->fd(), data->data(), static_cast<size_t>(length), position_)) {
    Finish(grpc::Status(grpc::StatusCode::INTERNAL, "the content could not be read"));
    return;
  }
  chunk_.set_offset(position_);
  chunk_.set_total_bytes(total_);
  chunk_.set_content_type(content_type_);
  position_ += length;
  if (position_ >= end_) {
    chunk_.set_final_chunk(true);
    chunk_.set_sha256(sha256_);
  }
  timeout_.WriteStarted();
  StartWrite(&chunk_);
}

void FileChunkWriter::OnWriteDone(bool ok) {
  timeout_.WriteDone();
  if (!ok) {
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
  } else if (position_ >= end_) {
    Finish(grpc::Status::OK);
  } else {
    WriteNext();
  }
}

}  // namespace clipforge::kit
