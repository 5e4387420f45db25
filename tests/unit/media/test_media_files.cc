#include "tests/unit/media/test_media_files.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include "absl/strings/str_cat.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
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
using CodecPtr = std::unique_ptr<AVCodecContext, FreeCodec>;
using FramePtr = std::unique_ptr<AVFrame, FreeFrame>;
using PacketPtr = std::unique_ptr<AVPacket, FreePacket>;

absl::Status Fail(const std::string& what, int err = 0) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  if (err != 0) av_strerror(err, text, sizeof text);
  return absl::InternalError(absl::StrCat("test media: ", what, err != 0 ? ": " : "", text));
}

void Le(std::string& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// One picture through `encoder_name` (whose packet is a whole file), from
// RGBA converted to `format`.
absl::Status WriteStill(const std::string& path, const char* encoder_name, AVPixelFormat format, int width,
                        int height, const Rgba& rgba) {
  const AVCodec* codec = avcodec_find_encoder_by_name(encoder_name);
  if (codec == nullptr) return Fail(absl::StrCat("no ", encoder_name, " encoder"));
  CodecPtr enc(avcodec_alloc_context3(codec));
  enc->width = width;
  enc->height = height;
  enc->pix_fmt = format;
  enc->time_base = AVRational{1, 25};
  enc->color_range = AVCOL_RANGE_JPEG;
  enc->global_quality = FF_QP2LAMBDA * 3;
  enc->flags |= AV_CODEC_FLAG_QSCALE;
  if (int err = avcodec_open2(enc.get(), codec, nullptr); err < 0) return Fail("open encoder", err);
  FramePtr frame(av_frame_alloc());
  frame->format = format;
  frame->width = width;
  frame->height = height;
  if (int err = av_frame_get_buffer(frame.get(), 0); err < 0) return Fail("frame buffer", err);
  std::unique_ptr<SwsContext, FreeSws> sws(sws_getContext(width, height, AV_PIX_FMT_RGBA, width, height, format,
                                                          SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws) return Fail("no converter");
  const uint8_t* src[1] = {rgba.data()};
  const int stride[1] = {width * 4};
  sws_scale(sws.get(), src, stride, 0, height, frame->data, frame->linesize);
  frame->pts = 0;
  PacketPtr packet(av_packet_alloc());
  if (int err = avcodec_send_frame(enc.get(), frame.get()); err < 0) return Fail("send frame", err);
  if (int err = avcodec_send_frame(enc.get(), nullptr); err < 0) return Fail("flush", err);
  if (int err = avcodec_receive_packet(enc.get(), packet.get()); err < 0) return Fail("encode", err);
  return WriteBytes(path, std::string(reinterpret_cast<const char*>(packet->data), packet->size));
}

}  // namespace

absl::Status WriteSineWav(const std::string& path, double seconds, int sample_rate, int channels, double hz) {
  const auto samples = static_cast<uint32_t>(std::lround(seconds * sample_rate));
  const uint32_t data_bytes = samples * channels * 2;
  std::string out = "RIFF";
  Le(out, 36 + data_bytes, 4);
  out += "WAVEfmt ";
  Le(out, 16, 4);
  Le(out, 1, 2);  // PCM
  Le(out, channels, 2);
  Le(out, sample_rate, 4);
  Le(out, sample_rate * channels * 2, 4);
  Le(out, channels * 2, 2);
  Le(out, 16, 2);
  out += "data";
  Le(out, data_bytes, 4);
  for (uint32_t i = 0; i < samples; ++i) {
    const auto v = static_cast<int16_t>(std::lround(12000 * std::sin(2 * M_PI * hz * i / sample_rate)));
    for (int c = 0; c < channels; ++c) Le(out, static_cast<uint16_t>(v), 2);
  }
  return WriteBytes(path, out);
}

absl::Status WriteSineAudio(const std::string& path, const std::string& container, const std::string& encoder,
                            double seconds, int sample_rate, double hz) {
  AVFormatContext* raw = nullptr;
  if (int err = avformat_alloc_output_context2(&raw, nullptr, container.c_str(), path.c_str()); err < 0) {
    return Fail("output context", err);
  }
  std::unique_ptr<AVFormatContext, FreeOutput> output(raw);
  const AVCodec* codec = avcodec_find_encoder_by_name(encoder.c_str());
  if (codec == nullptr) return Fail(absl::StrCat("no ", encoder, " encoder"));
  CodecPtr enc(avcodec_alloc_context3(codec));
  enc->sample_rate = sample_rate;
  const AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
  av_channel_layout_copy(&enc->ch_layout, &stereo);
  // The first sample format the encoder takes, in the planar or packed
  // float or 16-bit forms this writes.
  enc->sample_fmt = codec->sample_fmts != nullptr ? codec->sample_fmts[0] : AV_SAMPLE_FMT_S16;
  enc->bit_rate = 128000;
  enc->time_base = AVRational{1, sample_rate};
  if (output->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (int err = avcodec_open2(enc.get(), codec, nullptr); err < 0) return Fail("open encoder", err);
  AVStream* stream = avformat_new_stream(output.get(), nullptr);
  stream->time_base = enc->time_base;
  if (int err = avcodec_parameters_from_context(stream->codecpar, enc.get()); err < 0) return Fail("params", err);
  if (int err = avio_open(&output->pb, path.c_str(), AVIO_FLAG_WRITE); err < 0) return Fail("open file", err);
  if (int err = avformat_write_header(output.get(), nullptr); err < 0) return Fail("header", err);

  PacketPtr packet(av_packet_alloc());
  const auto drain = [&]() -> absl::Status {
    while (true) {
      const int got = avcodec_receive_packet(enc.get(), packet.get());
      if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return absl::OkStatus();
      if (got < 0) return Fail("encode", got);
      av_packet_rescale_ts(packet.get(), enc->time_base, stream->time_base);
      packet->stream_index = stream->index;
      if (int err = av_interleaved_write_frame(output.get(), packet.get()); err < 0) return Fail("write", err);
    }
  };
  const int64_t total = std::llround(seconds * sample_rate);
  const int frame_size = enc->frame_size > 0 ? enc->frame_size : 1024;
  FramePtr frame(av_frame_alloc());
  for (int64_t at = 0; at < total; at += frame_size) {
    av_frame_unref(frame.get());
    frame->format = enc->sample_fmt;
    frame->sample_rate = sample_rate;
    av_channel_layout_copy(&frame->ch_layout, &stereo);
    frame->nb_samples = static_cast<int>(std::min<int64_t>(frame_size, total - at));
    if (int err = av_frame_get_buffer(frame.get(), 0); err < 0) return Fail("audio buffer", err);
    const bool planar = av_sample_fmt_is_planar(enc->sample_fmt) != 0;
    for (int i = 0; i < frame->nb_samples; ++i) {
      const double v = 0.4 * std::sin(2 * M_PI * hz * static_cast<double>(at + i) / sample_rate);
      for (int c = 0; c < 2; ++c) {
        uint8_t* base = planar ? frame->data[c] : frame->data[0];
        const int index = planar ? i : i * 2 + c;
        switch (enc->sample_fmt) {
          case AV_SAMPLE_FMT_FLT:
          case AV_SAMPLE_FMT_FLTP:
            reinterpret_cast<float*>(base)[index] = static_cast<float>(v);
            break;
          case AV_SAMPLE_FMT_S16:
          case AV_SAMPLE_FMT_S16P:
            reinterpret_cast<int16_t*>(base)[index] = static_cast<int16_t>(v * 32767);
            break;
          case AV_SAMPLE_FMT_S32:
          case AV_SAMPLE_FMT_S32P:
            reinterpret_cast<int32_t*>(base)[index] = static_cast<int32_t>(v * 2147483647.0);
            break;
          default:
            return Fail("unexpected sample format");
        }
      }
    }
    frame->pts = at;
    if (int err = avcodec_send_frame(enc.get(), frame.get()); err < 0) return Fail("send frame", err);
    if (absl::Status s = drain(); !s.ok()) return s;
  }
  if (int err = avcodec_send_frame(enc.get(), nullptr); err < 0) return Fail("flush", err);
  if (absl::Status s = drain(); !s.ok()) return s;
  if (int err = av_write_trailer(output.get()); err < 0) return Fail("trailer", err);
  return absl::OkStatus();
}

Rgba SolidRgba(int width, int height, uint8_t r, uint8_t g, uint8_t b, uint8_t a) {
  Rgba pixels(static_cast<size_t>(width) * height * 4);
  for (size_t i = 0; i < pixels.size(); i += 4) {
    pixels[i] = r;
    pixels[i + 1] = g;
    pixels[i + 2] = b;
    pixels[i + 3] = a;
  }
  return pixels;
}

absl::Status WriteRgbaPng(const std::string& path, int width, int height, const Rgba& rgba) {
  return WriteStill(path, "png", AV_PIX_FMT_RGBA, width, height, rgba);
}

absl::Status WriteRgbaWebp(const std::string& path, int width, int height, const Rgba& rgba) {
  return WriteStill(path, "libwebp", AV_PIX_FMT_YUVA420P, width, height, rgba);
}

absl::Status WriteJpeg(const std::string& path, int width, int height, const Rgba& rgba) {
  return WriteStill(path, "mjpeg", AV_PIX_FMT_YUVJ420P, width, height, rgba);
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

absl::Status WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  return out ? absl::OkStatus() : Fail("write " + path);
}

}  // namespace clipforge::test_media
