#include "media/upload_probe.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"
#include "media/content_input.h"
#include "media/image_header.h"

namespace clipforge::media {
namespace {

struct KnownFormat {
  absl::string_view demuxer;  // libavformat's name for it
  absl::string_view mime;
  absl::string_view label;    // in "must be ..." messages
  MediaKind kind;
};

// The demuxers of the accepted types, and a few others only so that a
// refusal can say what the file was.
constexpr KnownFormat kKnownFormats[] = {
    {"mp3", "audio/mpeg", "MP3", MediaKind::kAudio},
    {"mov,mp4,m4a,3gp,3g2,mj2", "audio/mp4", "M4A", MediaKind::kAudio},
    {"aac", "audio/aac", "AAC", MediaKind::kAudio},
    {"ogg", "audio/ogg", "Ogg", MediaKind::kAudio},
    {"wav", "audio/wav", "WAV", MediaKind::kAudio},
    {"png_pipe", "image/png", "PNG", MediaKind::kImage},
    {"apng", "image/png", "PNG", MediaKind::kImage},
    {"webp_pipe", "image/webp", "WebP", MediaKind::kImage},
    {"jpeg_pipe", "image/jpeg", "JPEG", MediaKind::kImage},
    {"gif", "image/gif", "GIF", MediaKind::kImage},
    {"bmp_pipe", "image/bmp", "BMP", MediaKind::kImage},
    {"tiff_pipe", "image/tiff", "TIFF", MediaKind::kImage},
    {"svg_pipe", "image/svg+xml", "SVG", MediaKind::kImage},
    {"flac", "audio/flac", "FLAC", MediaKind::kAudio},
    {"matroska,webm", "video/webm", "WebM", MediaKind::kAudio},
};

const KnownFormat* FindByDemuxer(absl::string_view demuxer) {
  for (const KnownFormat& f : kKnownFormats) {
    if (f.demuxer == demuxer) return &f;
  }
  return nullptr;
}

absl::string_view LabelOf(absl::string_view mime) {
  for (const KnownFormat& f : kKnownFormats) {
    if (f.mime == mime) return f.label;
  }
  return mime;
}

// "PNG or WebP", "MP3, M4A, AAC, Ogg or WAV".
std::string Accepted(const UploadKindLimits& limits) {
  std::vector<std::string> labels;
  for (const std::string& mime : limits.mime_types) {
    const std::string label(LabelOf(mime));
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  }
  std::string text;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) text += i + 1 == labels.size() ? " or " : ", ";
    text += labels[i];
  }
  return text;
}

absl::string_view KindWord(MediaKind kind) { return kind == MediaKind::kAudio ? "audio" : "image"; }

absl::Status NotDecodable(const UploadKindLimits& limits, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("not a decodable ", KindWord(limits.kind), " file: ", why));
}

// "media: does not decode: x" -> "does not decode: x": the uploader's message
// has no internal prefix.
absl::string_view WithoutPrefix(absl::string_view message) {
  constexpr absl::string_view kPrefix = "media: ";
  if (message.substr(0, kPrefix.size()) == kPrefix) message.remove_prefix(kPrefix.size());
  return message;
}

absl::Status ProbeAudio(ContentInput& input, const UploadKindLimits& limits, ProbedMedia& probed) {
  AVFormatContext* ctx = input.context();
  const int stream = av_find_best_stream(ctx, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (stream < 0) return NotDecodable(limits, "no audio stream");
  auto decoder = OpenDecoder(*ctx->streams[stream], 0, /*strict=*/false);
  if (!decoder.ok()) return NotDecodable(limits, WithoutPrefix(decoder.status().message()));
  auto frame = DecodeFirstFrame(input, stream, **decoder, [](const AVPacket&) { return absl::OkStatus(); });
  if (!frame.ok()) {
    if (frame.status().code() != absl::StatusCode::kInvalidArgument) return frame.status();
    return NotDecodable(limits, WithoutPrefix(frame.status().message()));
  }
  const AVStream& s = *ctx->streams[stream];
  if (ctx->duration > 0 && ctx->duration != AV_NOPTS_VALUE) {
    probed.duration = absl::Microseconds(av_rescale(ctx->duration, 1'000'000, AV_TIME_BASE));
  } else if (s.duration > 0 && s.duration != AV_NOPTS_VALUE) {
    probed.duration = absl::Microseconds(av_rescale_q(s.duration, s.time_base, AVRational{1, 1'000'000}));
  } else {
    return NotDecodable(limits, "its length is unknown");
  }
  if (probed.duration > limits.max_duration) {
    return absl::InvalidArgumentError(absl::StrFormat("%s is %.1f s long, over %.0f s", limits.name,
                                                      absl::ToDoubleSeconds(probed.duration),
                                                      absl::ToDoubleSeconds(limits.max_duration)));
  }
  return absl::OkStatus();
}

absl::Status ProbeImage(ContentInput& input, const UploadKindLimits& limits, ProbedMedia& probed) {
  AVFormatContext* ctx = input.context();
  const int stream = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream < 0) return NotDecodable(limits, "no picture");
  const auto too_large = [&](int w, int h) {
    return absl::InvalidArgumentError(
        absl::StrCat(limits.name, " is ", w, "x", h, ", over ", limits.max_width, "x", limits.max_height));
  };
  auto decoder =
      OpenDecoder(*ctx->streams[stream], int64_t{limits.max_width} * limits.max_height, /*strict=*/true);
  if (!decoder.ok()) return NotDecodable(limits, WithoutPrefix(decoder.status().message()));
  bool refused_size = false;
  const auto check_header = [&](const AVPacket& packet) {
    const std::optional<ImageSize> size = ImageSizeFromHeader(packet.data, static_cast<size_t>(packet.size));
    if (size && (size->width > limits.max_width || size->height > limits.max_height)) {
      refused_size = true;
      return too_large(size->width, size->height);
    }
    return absl::OkStatus();
  };
  auto frame = DecodeFirstFrame(input, stream, **decoder, check_header);
  if (!frame.ok()) {
    if (refused_size || frame.status().code() != absl::StatusCode::kInvalidArgument) return frame.status();
    return NotDecodable(limits, WithoutPrefix(frame.status().message()));
  }
  probed.width = (*frame)->width;
  probed.height = (*frame)->height;
  if (probed.width > limits.max_width || probed.height > limits.max_height) {
    return too_large(probed.width, probed.height);
  }
  return absl::OkStatus();
}

}  // namespace

UploadKindLimits SoundtrackUpload() {
  return UploadKindLimits{.name = "soundtrack",
                          .kind = MediaKind::kAudio,
                          .mime_types = {"audio/mpeg", "audio/mp4", "audio/aac", "audio/ogg", "audio/wav"},
                          .max_bytes = int64_t{64} << 20,
                          .max_duration = absl::Seconds(120)};
}

UploadKindLimits StickerUpload() {
  return UploadKindLimits{.name = "sticker",
                          .kind = MediaKind::kImage,
                          .mime_types = {"image/png", "image/webp"},
                          .max_bytes = int64_t{4} << 20,
                          .max_width = 1024,
                          .max_height = 1024};
}

UploadKindLimits AvatarUpload() {
  return UploadKindLimits{.name = "avatar",
                          .kind = MediaKind::kImage,
                          .mime_types = {"image/jpeg", "image/png", "image/webp"},
                          .max_bytes = int64_t{16} << 20,
                          .max_width = 4096,
                          .max_height = 4096};
}

absl::StatusOr<ProbedMedia> ProbeUpload(const std::string& path, const UploadKindLimits& limits) {
  ProbedMedia probed;
  probed.kind = limits.kind;
  std::error_code ec;
  if (const auto bytes = std::filesystem::file_size(path, ec); !ec && limits.max_bytes > 0 &&
                                                               static_cast<int64_t>(bytes) > limits.max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(limits.name, " is too large: ", bytes, " bytes, over ", limits.max_bytes));
  }
  bool refused_type = false;
  const auto accept = [&](const AVInputFormat& format) {
    const KnownFormat* known = FindByDemuxer(format.name);
    if (known != nullptr && known->kind == limits.kind &&
        std::find(limits.mime_types.begin(), limits.mime_types.end(), known->mime) != limits.mime_types.end()) {
      probed.mime_type = std::string(known->mime);
      return absl::OkStatus();
    }
    const std::string got = known != nullptr                ? std::string(known->mime)
                            : format.long_name != nullptr ? format.long_name
                                                          : format.name;
    refused_type = true;
    return absl::InvalidArgumentError(absl::StrCat(limits.name, " must be ", Accepted(limits), ", got ", got));
  };
  auto input = ContentInput::Open(
      path, ContentInputOptions{.max_bytes = limits.max_bytes, .find_stream_info = limits.kind == MediaKind::kAudio},
      accept);
  if (!input.ok()) {
    // A refused type is already worded for the uploader; the rest (unknown
    // content, a demuxer failing on it) say that the file does not decode.
    if (refused_type || input.status().code() != absl::StatusCode::kInvalidArgument) return input.status();
    return NotDecodable(limits, WithoutPrefix(input.status().message()));
  }
  if (limits.kind == MediaKind::kAudio) {
    CF_RETURN_IF_ERROR(ProbeAudio(**input, limits, probed));
  } else {
    CF_RETURN_IF_ERROR(ProbeImage(**input, limits, probed));
  }
  return probed;
}

}  // namespace clipforge::media
