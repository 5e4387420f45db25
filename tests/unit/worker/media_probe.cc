#include "tests/unit/worker/media_probe.h"

#include <fstream>
#include <sstream>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace clipforge::worker::testing {

VideoProbe ProbeVideo(const std::string& path) {
  VideoProbe probe;
  AVFormatContext* input = nullptr;
  if (avformat_open_input(&input, path.c_str(), nullptr, nullptr) < 0) return probe;
  if (avformat_find_stream_info(input, nullptr) >= 0 && input->nb_streams == 1) {
    probe.opened = true;
    const AVStream* stream = input->streams[0];
    probe.codec = avcodec_get_name(stream->codecpar->codec_id);
    probe.width = stream->codecpar->width;
    probe.height = stream->codecpar->height;
    probe.duration_seconds = static_cast<double>(input->duration) / AV_TIME_BASE;
    AVPacket* packet = av_packet_alloc();
    while (av_read_frame(input, packet) >= 0) {
      ++probe.packets;
      av_packet_unref(packet);
    }
    av_packet_free(&packet);
  }
  avformat_close_input(&input);
  return probe;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool IsJpeg(const std::string& bytes) { return bytes.size() > 3 && bytes.compare(0, 3, "\xFF\xD8\xFF") == 0; }

}  // namespace clipforge::worker::testing
