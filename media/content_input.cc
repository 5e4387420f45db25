#include "media/content_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "media/av_handles.h"

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/mem.h>
}

namespace clipforge::media {
namespace {

constexpr int kIoBufferSize = 64 * 1024;
// av_probe_input_buffer2 reads up to this much before settling on a format.
constexpr unsigned kMaxProbeBytes = 1 << 20;
// Scores at or below this are FFmpeg's "misdetection possible" (random
// bytes can look like a few MP3 frames): such files are unrecognised.
constexpr int kMinProbeScore = AVPROBE_SCORE_RETRY;

int ReadFile(void* opaque, uint8_t* buffer, int size) {
  const int fd = *static_cast<int*>(opaque);
  while (true) {
    const ssize_t n = read(fd, buffer, static_cast<size_t>(size));
    if (n > 0) return static_cast<int>(n);
    if (n == 0) return AVERROR_EOF;
    if (errno != EINTR) return AVERROR(errno);
  }
}

int64_t SeekFile(void* opaque, int64_t offset, int whence) {
  const int fd = *static_cast<int*>(opaque);
  if (whence & AVSEEK_SIZE) {
    struct stat st {};
    return fstat(fd, &st) == 0 ? static_cast<int64_t>(st.st_size) : AVERROR(errno);
  }
  const off_t at = lseek(fd, static_cast<off_t>(offset), whence & ~AVSEEK_FORCE);
  return at < 0 ? AVERROR(errno) : static_cast<int64_t>(at);
}

std::string AvText(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

}  // namespace

ContentInput::~ContentInput() {
  if (format_ != nullptr) avformat_close_input(&format_);  // leaves our AVIOContext alone
  if (io_ != nullptr) {
    av_freep(&io_->buffer);
    avio_context_free(&io_);
  }
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<std::unique_ptr<ContentInput>> ContentInput::Open(
    const std::string& path, const ContentInputOptions& options,
    absl::FunctionRef<absl::Status(const AVInputFormat&)> accept) {
  std::unique_ptr<ContentInput> in(new ContentInput());
  in->path_ = path;
  in->fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in->fd_ < 0) return AvStatus(AVERROR(errno), absl::StrCat("opening ", path));
  struct stat st {};
  if (fstat(in->fd_, &st) != 0) return AvStatus(AVERROR(errno), absl::StrCat("reading ", path));
  if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(absl::StrCat("media: ", path, " is not a regular file"));
  in->size_ = st.st_size;
  if (options.max_bytes > 0 && in->size_ > options.max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("media: file of ", in->size_, " bytes is over the limit of ", options.max_bytes));
  }
  if (in->size_ == 0) return absl::InvalidArgumentError("media: empty file");

  auto* buffer = static_cast<uint8_t*>(av_malloc(kIoBufferSize));
  if (buffer == nullptr) return absl::ResourceExhaustedError("media: out of memory for an input buffer");
  in->io_ = avio_alloc_context(buffer, kIoBufferSize, 0, &in->fd_, ReadFile, nullptr, SeekFile);
  if (in->io_ == nullptr) {
    av_free(buffer);
    return absl::ResourceExhaustedError("media: out of memory for an input");
  }

  // No file name: the content alone decides (no extension bonus, and the
  // image2 demuxer, which goes by extension, never matches).
  const AVInputFormat* format = nullptr;
  const int score = av_probe_input_buffer2(in->io_, &format, "", nullptr, 0, kMaxProbeBytes);
  if (score < 0 && score != AVERROR_INVALIDDATA) return AvStatus(score, absl::StrCat("reading ", path));
  if (score < 0 || format == nullptr || score <= kMinProbeScore) {
    return absl::InvalidArgumentError("media: unrecognised content (not a known audio or image format)");
  }
  CF_RETURN_IF_ERROR(accept(*format));

  in->format_ = avformat_alloc_context();
  if (in->format_ == nullptr) return absl::ResourceExhaustedError("media: out of memory for a demuxer");
  in->format_->pb = in->io_;
  AVDictionary* raw = nullptr;
  av_dict_set(&raw, "protocol_whitelist", "none", 0);  // no demuxer may open another file or URL
  DictPtr opts(raw);
  {
    AVDictionary* d = opts.release();
    // On failure avformat_open_input frees the context (not our AVIOContext).
    const int err = avformat_open_input(&in->format_, "", format, &d);
    opts.reset(d);
    if (err == AVERROR(ENOMEM)) return AvStatus(err, "opening the demuxer");
    if (err < 0) {
      return absl::InvalidArgumentError(absl::StrCat("media: not a readable ", format->name, " file: ", AvText(err)));
    }
  }
  if (options.find_stream_info) {
    if (int err = avformat_find_stream_info(in->format_, nullptr); err < 0) {
      return absl::InvalidArgumentError(absl::StrCat("media: unreadable ", format->name, " streams: ", AvText(err)));
    }
  }
  return in;
}

absl::Status ContentInput::Rewind() {
  if (int err = avformat_seek_file(format_, -1, INT64_MIN, 0, 0, AVSEEK_FLAG_BACKWARD); err >= 0) {
    return absl::OkStatus();
  }
  // Some demuxers cannot seek by time; the byte position of the first
  // packet is then the way back.
  if (int err = av_seek_frame(format_, -1, 0, AVSEEK_FLAG_BYTE); err < 0) {
    return AvStatus(err, absl::StrCat("rewinding ", path_));
  }
  return absl::OkStatus();
}

absl::StatusOr<CodecPtr> OpenDecoder(const AVStream& stream, int64_t max_pixels, bool strict) {
  const AVCodec* codec = avcodec_find_decoder(stream.codecpar->codec_id);
  if (codec == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("media: no decoder for ", avcodec_get_name(stream.codecpar->codec_id)));
  }
  CodecPtr decoder(avcodec_alloc_context3(codec));
  if (!decoder) return absl::ResourceExhaustedError("media: out of memory for a decoder");
  if (int err = avcodec_parameters_to_context(decoder.get(), stream.codecpar); err < 0) {
    return AvStatus(err, "decoder parameters");
  }
  decoder->pkt_timebase = stream.time_base;
  decoder->thread_count = 1;
  if (max_pixels > 0) decoder->max_pixels = max_pixels;
  if (strict) decoder->err_recognition = AV_EF_CRCCHECK | AV_EF_BITSTREAM | AV_EF_EXPLODE;
  if (int err = avcodec_open2(decoder.get(), codec, nullptr); err < 0) {
    return absl::InvalidArgumentError(absl::StrCat("media: cannot open the ", codec->name, " decoder: ", AvText(err)));
  }
  return decoder;
}

absl::StatusOr<FramePtr> DecodeFirstFrame(ContentInput& input, int stream_index, AVCodecContext& decoder,
                                          absl::FunctionRef<absl::Status(const AVPacket&)> check_packet) {
  PacketPtr packet(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  if (!packet || !frame) return absl::ResourceExhaustedError("media: out of memory for decoding");
  const auto not_decodable = [&](int err) {
    return absl::InvalidArgumentError(absl::StrCat("media: does not decode: ", AvText(err)));
  };
  bool flushed = false;
  while (true) {
    const int got = avcodec_receive_frame(&decoder, frame.get());
    if (got >= 0) return frame;
    if (got == AVERROR_EOF) return absl::InvalidArgumentError("media: does not decode: no frame in the file");
    if (got != AVERROR(EAGAIN)) return not_decodable(got);
    if (flushed) return absl::InvalidArgumentError("media: does not decode: no frame in the file");

    const int read = av_read_frame(input.context(), packet.get());
    if (read == AVERROR_EOF) {
      flushed = true;
      if (int err = avcodec_send_packet(&decoder, nullptr); err < 0 && err != AVERROR_EOF) return not_decodable(err);
      continue;
    }
    if (read < 0) return not_decodable(read);
    if (packet->stream_index != stream_index) {
      av_packet_unref(packet.get());
      continue;
    }
    absl::Status checked = check_packet(*packet);
    if (!checked.ok()) {
      av_packet_unref(packet.get());
      return checked;
    }
    const int sent = avcodec_send_packet(&decoder, packet.get());
    av_packet_unref(packet.get());
    if (sent < 0 && sent != AVERROR(EAGAIN)) return not_decodable(sent);
  }
}

}  // namespace clipforge::media
