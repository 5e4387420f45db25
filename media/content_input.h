// A media file opened with libavformat by what its bytes are, never by its
// name: uploads arrive with whatever name the client chose, and a demuxer
// picked by extension (or a playlist demuxer that opens further URLs) is
// how hostile files reach code they should not. The container is detected
// from the content (av_probe_input_buffer2 on our own AVIOContext, no file
// name given), the caller accepts or refuses the detected demuxer before it
// runs, and nested opens are refused (protocol whitelist "none").
//
// Used by the upload probe, the sticker decoder and the soundtrack reader.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "media/av_handles.h"

namespace clipforge::media {

struct ContentInputOptions {
  int64_t max_bytes = 0;  // larger files are INVALID_ARGUMENT; 0: no limit
  // avformat_find_stream_info (decodes a little to fill in parameters and
  // durations). Images skip it: it would decode a whole picture before its
  // size could be checked.
  bool find_stream_info = true;
};

class ContentInput {
 public:
  // Opens `path`, detects its container from its bytes and calls `accept`
  // with the demuxer found; only when that returns OK is the demuxer run.
  //
  // Errors: NOT_FOUND / PERMISSION_DENIED for the file; INVALID_ARGUMENT
  // when it is not a regular file, is over max_bytes, or its content is not
  // recognised with confidence ("unrecognised content"), or the demuxer
  // fails on it; whatever `accept` returns.
  static absl::StatusOr<std::unique_ptr<ContentInput>> Open(
      const std::string& path, const ContentInputOptions& options,
      absl::FunctionRef<absl::Status(const AVInputFormat&)> accept);

  ContentInput(const ContentInput&) = delete;
  ContentInput& operator=(const ContentInput&) = delete;
  ~ContentInput();

  AVFormatContext* context() const { return format_; }
  int64_t file_size() const { return size_; }

  // Seeks back to the first packet (for looping a soundtrack).
  absl::Status Rewind();

 private:
  ContentInput() = default;

  std::string path_;
  int fd_ = -1;
  int64_t size_ = 0;
  AVIOContext* io_ = nullptr;
  AVFormatContext* format_ = nullptr;
};

// The decoder of `stream`, opened single-threaded. `max_pixels` (when > 0)
// bounds the pictures it may allocate; `strict` makes it fail on damage it
// would otherwise conceal (CRC errors, truncated data).
absl::StatusOr<CodecPtr> OpenDecoder(const AVStream& stream, int64_t max_pixels, bool strict);

// Reads packets of `stream_index` from `input` and decodes until the first
// frame comes out (flushing the decoder at the end of the file); each
// packet goes through `check_packet` before the decoder sees it (to refuse
// a picture by its header before it is allocated). INVALID_ARGUMENT
// ("does not decode: ...") when no frame comes out.
absl::StatusOr<FramePtr> DecodeFirstFrame(ContentInput& input, int stream_index, AVCodecContext& decoder,
                                          absl::FunctionRef<absl::Status(const AVPacket&)> check_packet);

}  // namespace clipforge::media
