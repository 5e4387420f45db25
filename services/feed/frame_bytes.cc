#include "services/feed/frame_bytes.h"

namespace clipforge::feed_service {

std::optional<feed::FrameHash> FrameHashFromBytes(absl::string_view bytes) {
  if (bytes.size() != kFrameHashBytes) return std::nullopt;
  feed::FrameHash hash;
  for (size_t i = 0; i < kFrameHashBytes; ++i) {
    hash.words[i / 8] |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * (7 - i % 8));
  }
  return hash;
}

std::string FrameHashBytes(const feed::FrameHash& hash) {
  std::string bytes(kFrameHashBytes, '\0');
  for (size_t i = 0; i < kFrameHashBytes; ++i) {
    bytes[i] = static_cast<char>((hash.words[i / 8] >> (8 * (7 - i % 8))) & 0xff);
  }
  return bytes;
}

std::string FramesToBytes(absl::Span<const feed::FrameHash> frames) {
  std::string bytes;
  bytes.reserve(frames.size() * kFrameHashBytes);
  for (const feed::FrameHash& frame : frames) bytes += FrameHashBytes(frame);
  return bytes;
}

std::vector<feed::FrameHash> FramesFromBytes(absl::string_view bytes) {
  std::vector<feed::FrameHash> frames;
  frames.reserve(bytes.size() / kFrameHashBytes);
  for (size_t at = 0; at + kFrameHashBytes <= bytes.size(); at += kFrameHashBytes) {
    frames.push_back(*FrameHashFromBytes(bytes.substr(at, kFrameHashBytes)));
  }
  return frames;
}

}  // namespace clipforge::feed_service
