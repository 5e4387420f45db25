#include "tests/unit/media/mp4_inspect.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace clipforge::test_media {
namespace {

// True when a top-level "moov" box comes before the first "mdat".
bool MoovBeforeMdat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  size_t at = 0;
  while (at + 8 <= bytes.size()) {
    const auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(bytes[at + i])); };
    uint64_t size = byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
    const std::string type = bytes.substr(at + 4, 4);
    if (type == "moov") return true;
    if (type == "mdat") return false;
    if (size == 1 && at + 16 <= bytes.size()) {
      size = 0;
      for (int i = 8; i < 16; ++i) size = size << 8 | byte(i);
    }
    if (size < 8) return false;
    at += size;
  }
  return false;
}

}  // namespace

Mp4Info InspectMp4(const std::string& path) {
  Mp4Info info;
  AVFormatContext* input = nullptr;
  if (avformat_open_input(&input, path.c_str(), nullptr, nullptr) < 0) return info;
  if (avformat_find_stream_info(input, nullptr) >= 0) {
    info.opened = true;
    info.format = input->iformat->name;
    info.duration = static_cast<double>(input->duration) / AV_TIME_BASE;
    std::vector<double> first(input->nb_streams, std::numeric_limits<double>::infinity());
    std::vector<double> last(input->nb_streams, -std::numeric_limits<double>::infinity());
    for (unsigned i = 0; i < input->nb_streams; ++i) {
      const AVStream* s = input->streams[i];
      StreamInfo stream;
      stream.type = av_get_media_type_string(s->codecpar->codec_type);
      stream.codec = avcodec_get_name(s->codecpar->codec_id);
      stream.profile = s->codecpar->profile;
      stream.width = s->codecpar->width;
      stream.height = s->codecpar->height;
      stream.sample_rate = s->codecpar->sample_rate;
      stream.channels = s->codecpar->ch_layout.nb_channels;
      stream.bit_rate = s->codecpar->bit_rate;
      stream.duration = s->duration > 0 ? s->duration * av_q2d(s->time_base) : 0;
      info.streams.push_back(stream);
    }
    AVPacket* packet = av_packet_alloc();
    while (av_read_frame(input, packet) >= 0) {
      const unsigned i = static_cast<unsigned>(packet->stream_index);
      const double tb = av_q2d(input->streams[i]->time_base);
      first[i] = std::min(first[i], packet->pts * tb);
      last[i] = std::max(last[i], (packet->pts + packet->duration) * tb);
      ++info.streams[i].packets;
      av_packet_unref(packet);
    }
    av_packet_free(&packet);
    for (unsigned i = 0; i < input->nb_streams; ++i) {
      if (info.streams[i].packets > 0) info.streams[i].packet_duration = last[i] - first[i];
    }
  }
  avformat_close_input(&input);
  info.faststart = MoovBeforeMdat(path);
  return info;
}

std::vector<double> AudioRms(const std::string& path, double window_seconds) {
  std::vector<double> rms;
  AVFormatContext* input = nullptr;
  if (avformat_open_input(&input, path.c_str(), nullptr, nullptr) < 0) return rms;
  const AVCodec* codec = nullptr;
  const int stream = avformat_find_stream_info(input, nullptr) >= 0
                         ? av_find_best_stream(input, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0)
                         : -1;
  AVCodecContext* decoder = stream >= 0 ? avcodec_alloc_context3(codec) : nullptr;
  if (decoder != nullptr && avcodec_parameters_to_context(decoder, input->streams[stream]->codecpar) >= 0 &&
      avcodec_open2(decoder, codec, nullptr) >= 0 && decoder->sample_fmt == AV_SAMPLE_FMT_FLTP) {
    const int window = static_cast<int>(window_seconds * decoder->sample_rate);
    double sum = 0;
    int64_t count = 0;
    AVPacket* packet = av_packet_alloc();
    AVFrame* frame = av_frame_alloc();
    const auto take = [&] {
      while (avcodec_receive_frame(decoder, frame) >= 0) {
        for (int i = 0; i < frame->nb_samples; ++i) {
          for (int c = 0; c < frame->ch_layout.nb_channels; ++c) {
            const double v = reinterpret_cast<const float*>(frame->extended_data[c])[i];
            sum += v * v;
          }
          if (++count == window) {
            rms.push_back(std::sqrt(sum / (static_cast<double>(window) * frame->ch_layout.nb_channels)));
            sum = 0;
            count = 0;
          }
        }
      }
    };
    while (av_read_frame(input, packet) >= 0) {
      if (packet->stream_index == stream) avcodec_send_packet(decoder, packet);
      av_packet_unref(packet);
      take();
    }
    avcodec_send_packet(decoder, nullptr);
    take();
    av_frame_free(&frame);
    av_packet_free(&packet);
  }
  avcodec_free_context(&decoder);
  avformat_close_input(&input);
  return rms;
}

std::vector<uint64_t> VideoPacketChecksums(const std::string& path) {
  std::vector<uint64_t> sums;
  AVFormatContext* input = nullptr;
  if (avformat_open_input(&input, path.c_str(), nullptr, nullptr) < 0) return sums;
  const int stream = avformat_find_stream_info(input, nullptr) >= 0
                         ? av_find_best_stream(input, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0)
                         : -1;
  AVPacket* packet = av_packet_alloc();
  while (stream >= 0 && av_read_frame(input, packet) >= 0) {
    if (packet->stream_index == stream) {
      uint64_t h = 1469598103934665603ULL;  // FNV-1a
      for (int i = 0; i < packet->size; ++i) h = (h ^ packet->data[i]) * 1099511628211ULL;
      sums.push_back(h);
    }
    av_packet_unref(packet);
  }
  av_packet_free(&packet);
  avformat_close_input(&input);
  return sums;
}

}  // namespace clipforge::test_media
