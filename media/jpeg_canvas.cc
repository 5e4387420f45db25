#include "media/jpeg_canvas.h"

#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace clipforge::media {

absl::StatusOr<std::unique_ptr<JpegCanvas>> JpegCanvas::Create(int width, int height) {
  if (width < 2 || height < 2 || width % 2 != 0 || height % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat("media: bad canvas size ", width, "x", height));
  }
  std::unique_ptr<JpegCanvas> canvas(new JpegCanvas());
  CF_ASSIGN_OR_RETURN(canvas->canvas_, AllocFrame(AV_PIX_FMT_YUVJ420P, width, height));
  AVFrame* f = canvas->canvas_.get();
  for (int y = 0; y < height; ++y) std::memset(f->data[0] + y * f->linesize[0], 0, width);
  for (int p = 1; p <= 2; ++p) {
    for (int y = 0; y < height / 2; ++y) std::memset(f->data[p] + y * f->linesize[p], 128, width / 2);
  }
  return canvas;
}

absl::Status JpegCanvas::Draw(const uint8_t* rgb, int src_width, int src_height, int src_stride, int x, int y,
                              int w, int h) {
  if (x < 0 || y < 0 || w < 2 || h < 2 || x % 2 || y % 2 || w % 2 || h % 2 || x + w > canvas_->width ||
      y + h > canvas_->height) {
    return absl::InvalidArgumentError(absl::StrCat("media: tile ", w, "x", h, " at ", x, ",", y, " is off the canvas"));
  }
  // Area averaging: previews are downscaled, often by 5x or more.
  sws_.reset(sws_getCachedContext(sws_.release(), src_width, src_height, AV_PIX_FMT_RGB24, w, h, AV_PIX_FMT_YUV420P,
                                  SWS_AREA, nullptr, nullptr, nullptr));
  if (!sws_) return absl::InternalError("media: no scaler for the preview");
  // JPEG (JFIF) is BT.601 at full range.
  const int* bt601 = sws_getCoefficients(SWS_CS_ITU601);
  sws_setColorspaceDetails(sws_.get(), bt601, 1, bt601, 1, 0, 1 << 16, 1 << 16);
  if (!tile_ || tile_->width != w || tile_->height != h) {
    CF_ASSIGN_OR_RETURN(tile_, AllocFrame(AV_PIX_FMT_YUV420P, w, h));
  }
  const uint8_t* src[1] = {rgb};
  const int src_strides[1] = {src_stride};
  sws_scale(sws_.get(), src, src_strides, 0, src_height, tile_->data, tile_->linesize);
  AVFrame* c = canvas_.get();
  for (int r = 0; r < h; ++r) {
    std::memcpy(c->data[0] + (y + r) * c->linesize[0] + x, tile_->data[0] + r * tile_->linesize[0], w);
  }
  for (int p = 1; p <= 2; ++p) {
    for (int r = 0; r < h / 2; ++r) {
      std::memcpy(c->data[p] + (y / 2 + r) * c->linesize[p] + x / 2, tile_->data[p] + r * tile_->linesize[p], w / 2);
    }
  }
  return absl::OkStatus();
}

absl::Status JpegCanvas::WriteJpeg(const std::string& path, int qscale) const {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (codec == nullptr) return absl::FailedPreconditionError("media: this libavcodec has no MJPEG encoder");
  CodecPtr enc(avcodec_alloc_context3(codec));
  PacketPtr packet(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  if (!enc || !packet || !frame) return absl::ResourceExhaustedError("media: out of memory for the JPEG encoder");
  enc->width = canvas_->width;
  enc->height = canvas_->height;
  enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
  enc->time_base = AVRational{1, 1};
  enc->flags |= AV_CODEC_FLAG_QSCALE;
  enc->global_quality = FF_QP2LAMBDA * qscale;
  if (int err = avcodec_open2(enc.get(), codec, nullptr); err < 0) return AvStatus(err, "opening the JPEG encoder");
  if (int err = av_frame_ref(frame.get(), canvas_.get()); err < 0) return AvStatus(err, "JPEG frame");
  frame->quality = enc->global_quality;
  frame->pts = 0;
  if (int err = avcodec_send_frame(enc.get(), frame.get()); err < 0) return AvStatus(err, "encoding a JPEG");
  if (int err = avcodec_send_frame(enc.get(), nullptr); err < 0) return AvStatus(err, "encoding a JPEG");
  if (int err = avcodec_receive_packet(enc.get(), packet.get()); err < 0) return AvStatus(err, "encoding a JPEG");

  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return AvStatus(AVERROR(errno), absl::StrCat("opening ", path));
  const bool written = std::fwrite(packet->data, 1, packet->size, file) == static_cast<size_t>(packet->size);
  const int write_errno = errno;
  if (std::fclose(file) != 0 || !written) {
    return AvStatus(AVERROR(written ? errno : write_errno), absl::StrCat("writing ", path));
  }
  return absl::OkStatus();
}

}  // namespace clipforge::media
