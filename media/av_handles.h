// Owning handles for the FFmpeg objects the encoding pipeline uses, and
// FFmpeg error codes as absl::Status.
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

namespace clipforge::media {

struct AvCodecFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct AvFrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct AvPacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct AvDictFree {
  void operator()(AVDictionary* d) const { av_dict_free(&d); }
};
struct SwsFree {
  void operator()(SwsContext* c) const { sws_freeContext(c); }
};
// An output context with its file (if opened); closing it without the
// trailer leaves an incomplete file, which the caller deletes.
struct AvOutputFree {
  void operator()(AVFormatContext* c) const {
    if (c->pb != nullptr) avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
using CodecPtr = std::unique_ptr<AVCodecContext, AvCodecFree>;
using FramePtr = std::unique_ptr<AVFrame, AvFrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, AvPacketFree>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;
using DictPtr = std::unique_ptr<AVDictionary, AvDictFree>;
using OutputPtr = std::unique_ptr<AVFormatContext, AvOutputFree>;

// "media: <what>: <FFmpeg's message>", with the code mapped: missing paths
// NOT_FOUND, permissions PERMISSION_DENIED, full disk or memory
// RESOURCE_EXHAUSTED, anything else INTERNAL.
absl::Status AvStatus(int code, absl::string_view what);

// A frame of `format` with its buffers allocated.
absl::StatusOr<FramePtr> AllocFrame(AVPixelFormat format, int width, int height);

}  // namespace clipforge::media
