#include "cli/data_chunk_file.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace clipforge::cli {

DataChunkFile::DataChunkFile(AtomicFile file, std::string what) : file_(std::move(file)), what_(std::move(what)) {
  crypto_hash_sha256_init(&hash_);
}

absl::Status DataChunkFile::Append(const v1::DataChunk& chunk) {
  if (final_seen_) return absl::DataLossError(absl::StrCat(what_, " went on after its final chunk"));
  if (chunk.offset() != written_) {
    return absl::DataLossError(absl::StrCat(what_, " skipped from byte ", written_, " to ", chunk.offset()));
  }
  const std::string& data = chunk.data();
  CF_RETURN_IF_ERROR(file_.Append(data));
  crypto_hash_sha256_update(&hash_, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  written_ += static_cast<int64_t>(data.size());
  if (content_type_.empty()) content_type_ = chunk.content_type();
  if (chunk.total_bytes() > 0) announced_total_ = chunk.total_bytes();
  if (chunk.final_chunk()) {
    final_seen_ = true;
    final_sha256_ = absl::AsciiStrToLower(chunk.sha256());
  }
  return absl::OkStatus();
}

absl::Status DataChunkFile::Commit(absl::string_view path, absl::string_view expected_sha256) {
  if (!final_seen_) return absl::DataLossError(absl::StrCat(what_, " ended early; nothing was written"));
  if (announced_total_ > 0 && announced_total_ != written_) {
    return absl::DataLossError(absl::StrCat(what_, " has ", written_, " bytes, the server said ", announced_total_,
                                            "; nothing was written"));
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&hash_, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  const bool matches_chunk = final_sha256_.empty() || final_sha256_ == hex;
  const bool matches_job = expected_sha256.empty() || absl::AsciiStrToLower(expected_sha256) == hex;
  if (!matches_chunk || !matches_job) {
    return absl::DataLossError(absl::StrCat(what_, "'s SHA-256 does not match; nothing was written"));
  }
  sha256_ = hex;
  return file_.Commit(path);
}

}  // namespace clipforge::cli
