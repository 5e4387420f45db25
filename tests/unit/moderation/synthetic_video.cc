#include "tests/unit/moderation/synthetic_video.h"

#include <cstring>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

namespace clipforge::test_media {
namespace {

struct FreeCodec {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FreeFrame {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct FreePacket {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FreeOutput {
  void operator()(AVFormatContext* c) const {
    if (c->pb != nullptr) avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
struct FreeSws {
  void operator()(SwsContext* c) const { sws_freeContext(c); }
};

absl::Status Fail(const std::string& what, int err = 0) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  if (err != 0) av_strerror(err, text, sizeof text);
  return absl::InternalError(absl::StrCat("synthetic media: ", what, err != 0 ? ": " : "", text));
}

}  // namespace

absl::Status WriteVideo(const std::string& path, int width, int height, int fps, int frames, const DrawFrame& draw,
                        int b_frames) {
  AVFormatContext* raw = nullptr;
  if (int err = avformat_alloc_output_context2(&raw, nullptr, nullptr, path.c_str()); err < 0) {
    return Fail("output context", err);
  }
  std::unique_ptr<AVFormatContext, FreeOutput> output(raw);
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
  if (codec == nullptr) return Fail("no MPEG-4 encoder");
  std::unique_ptr<AVCodecContext, FreeCodec> encoder(avcodec_alloc_context3(codec));
  encoder->width = width;
  encoder->height = height;
  encoder->pix_fmt = AV_PIX_FMT_YUV420P;
  encoder->time_base = AVRational{1, fps};
  encoder->framerate = AVRational{fps, 1};
  encoder->gop_size = 10;
  encoder->max_b_frames = b_frames;
  encoder->bit_rate = 2'000'000;
  if (output->oformat->flags & AVFMT_GLOBALHEADER) encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (int err = avcodec_open2(encoder.get(), codec, nullptr); err < 0) return Fail("open encoder", err);
  AVStream* stream = avformat_new_stream(output.get(), nullptr);
  if (stream == nullptr) return Fail("new stream");
  stream->time_base = encoder->time_base;
  if (int err = avcodec_parameters_from_context(stream->codecpar, encoder.get()); err < 0) {
    return Fail("stream parameters", err);
  }
  if (int err = avio_open(&output->pb, path.c_str(), AVIO_FLAG_WRITE); err < 0) return Fail("open file", err);
  if (int err = avformat_write_header(output.get(), nullptr); err < 0) return Fail("header", err);

  std::unique_ptr<SwsContext, FreeSws> sws(sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height,
                                                          AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  std::unique_ptr<AVFrame, FreeFrame> frame(av_frame_alloc());
  frame->format = AV_PIX_FMT_YUV420P;
  frame->width = width;
  frame->height = height;
  if (int err = av_frame_get_buffer(frame.get(), 0); err < 0) return Fail("frame buffer", err);
  std::unique_ptr<AVPacket, FreePacket> packet(av_packet_alloc());

  const auto drain = [&]() -> absl::Status {
    while (true) {
      const int got = avcodec_receive_packet(encoder.get(), packet.get());
      if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return absl::OkStatus();
      if (got < 0) return Fail("encode", got);
      av_packet_rescale_ts(packet.get(), encoder->time_base, stream->time_base);
      packet->stream_index = stream->index;
      if (int err = av_interleaved_write_frame(output.get(), packet.get()); err < 0) return Fail("write", err);
    }
  };
  std::vector<uint8_t> rgb(static_cast<size_t>(width) * height * 3);
  for (int i = 0; i < frames; ++i) {
    draw(i, rgb);
    if (int err = av_frame_make_writable(frame.get()); err < 0) return Fail("writable", err);
    const uint8_t* planes[1] = {rgb.data()};
    const int strides[1] = {width * 3};
    sws_scale(sws.get(), planes, strides, 0, height, frame->data, frame->linesize);
    frame->pts = i;
    if (int err = avcodec_send_frame(encoder.get(), frame.get()); err < 0) return Fail("send frame", err);
    if (absl::Status s = drain(); !s.ok()) return s;
  }
  if (int err = avcodec_send_frame(encoder.get(), nullptr); err < 0) return Fail("flush", err);
  if (absl::Status s = drain(); !s.ok()) return s;
  if (int err = av_write_trailer(output.get()); err < 0) return Fail("trailer", err);
  return absl::OkStatus();
}

absl::Status WritePng(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
  if (codec == nullptr) return Fail("no PNG encoder");
  std::unique_ptr<AVCodecContext, FreeCodec> encoder(avcodec_alloc_context3(codec));
  encoder->width = width;
  encoder->height = height;
  encoder->pix_fmt = AV_PIX_FMT_RGB24;
  encoder->time_base = AVRational{1, 1};
  if (int err = avcodec_open2(encoder.get(), codec, nullptr); err < 0) return Fail("open encoder", err);
  std::unique_ptr<AVFrame, FreeFrame> frame(av_frame_alloc());
  frame->format = AV_PIX_FMT_RGB24;
  frame->width = width;
  frame->height = height;
  if (int err = av_frame_get_buffer(frame.get(), 0); err < 0) return Fail("frame buffer", err);
  for (int r = 0; r < height; ++r) {
    std::memcpy(frame->data[0] + r * frame->linesize[0], &rgb[static_cast<size_t>(r) * width * 3], width * 3);
  }
  std::unique_ptr<AVPacket, FreePacket> packet(av_packet_alloc());
  if (int err = avcodec_send_frame(encoder.get(), frame.get()); err < 0) return Fail("send frame", err);
  if (int err = avcodec_receive_packet(encoder.get(), packet.get()); err < 0) return Fail("encode", err);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(packet->data), packet->size);
  return out ? absl::OkStatus() : Fail("write " + path);
}

}  // namespace clipforge::test_media
