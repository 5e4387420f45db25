#include "media/still_image.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"
#include "media/content_input.h"
#include "media/image_header.h"

namespace clipforge::media {
namespace {

constexpr int64_t kMaxStickerBytes = 16 << 20;

bool IsStickerFormat(absl::string_view demuxer) {
  return demuxer == "png_pipe" || demuxer == "apng" || demuxer == "webp_pipe";
}

}  // namespace

absl::StatusOr<FramePtr> DecodeStickerRgba(const std::string& path, int max_side) {
  CF_ASSIGN_OR_RETURN(
      std::unique_ptr<ContentInput> input,
      ContentInput::Open(path, ContentInputOptions{.max_bytes = kMaxStickerBytes, .find_stream_info = false},
                         [&](const AVInputFormat& format) {
                           if (IsStickerFormat(format.name)) return absl::OkStatus();
                           return absl::InvalidArgumentError(
                               absl::StrCat("media: sticker ", path, " must be PNG or WebP, got ", format.name));
                         }));
  AVFormatContext* ctx = input->context();
  const int stream = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream < 0) return absl::InvalidArgumentError(absl::StrCat("media: sticker ", path, " has no picture"));
  CF_ASSIGN_OR_RETURN(CodecPtr decoder,
                      OpenDecoder(*ctx->streams[stream], int64_t{max_side} * max_side, /*strict=*/false));
  const auto check_size = [&](const AVPacket& packet) {
    const std::optional<ImageSize> size = ImageSizeFromHeader(packet.data, static_cast<size_t>(packet.size));
    if (size && (size->width > max_side || size->height > max_side)) {
      return absl::InvalidArgumentError(absl::StrCat("media: sticker ", path, " is ", size->width, "x",
                                                     size->height, ", over ", max_side, "x", max_side));
    }
    return absl::OkStatus();
  };
  auto decoded = DecodeFirstFrame(*input, stream, *decoder, check_size);
  if (!decoded.ok()) {
    return absl::Status(decoded.status().code(), absl::StrCat(decoded.status().message(), " (sticker ", path, ")"));
  }
  const AVFrame& picture = **decoded;
  if (picture.width > max_side || picture.height > max_side) {
    return absl::InvalidArgumentError(absl::StrCat("media: sticker ", path, " is over ", max_side, "x", max_side));
  }

  CF_ASSIGN_OR_RETURN(FramePtr rgba, AllocFrame(AV_PIX_FMT_RGBA, picture.width, picture.height));
  SwsPtr sws(sws_getContext(picture.width, picture.height, static_cast<AVPixelFormat>(picture.format), picture.width,
                            picture.height, AV_PIX_FMT_RGBA, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws) return absl::InternalError(absl::StrCat("media: cannot convert sticker ", path, " to RGBA"));
  sws_scale(sws.get(), picture.data, picture.linesize, 0, picture.height, rgba->data, rgba->linesize);
  return rgba;
}

}  // namespace clipforge::media
