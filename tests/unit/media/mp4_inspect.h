// What libavformat reads back from an MP4 the media code wrote: its streams
// (codec, size or sample rate, length, packet count) and whether its index
// (moov) comes before the media data (faststart).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace clipforge::test_media {

struct StreamInfo {
  std::string type;   // "video" or "audio"
  std::string codec;  // "h264", "aac"
  int profile = -1;
  int width = 0, height = 0;
  int sample_rate = 0, channels = 0;
  int64_t bit_rate = 0;
  double duration = 0;         // the stream's own, in seconds
  double packet_duration = 0;  // the packets' span: the last end minus the first start
  int packets = 0;
};

struct Mp4Info {
  bool opened = false;
  std::string format;  // libavformat's demuxer name
  double duration = 0;
  std::vector<StreamInfo> streams;
  bool faststart = false;  // moov before mdat at the top level
};

Mp4Info InspectMp4(const std::string& path);

// The loudness (RMS of all channels) of each `window_seconds` of the file's
// first audio stream, decoded with libavcodec; empty when it has none.
std::vector<double> AudioRms(const std::string& path, double window_seconds);

// A checksum of each packet of the file's first video stream, in order:
// equal lists mean the video was copied, not encoded again.
std::vector<uint64_t> VideoPacketChecksums(const std::string& path);

}  // namespace clipforge::test_media
