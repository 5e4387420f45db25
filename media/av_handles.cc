#include "media/av_handles.h"

#include <cerrno>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace clipforge::media {

absl::Status AvStatus(int code, absl::string_view what) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  const std::string message = absl::StrCat("media: ", what, ": ", text);
  if (code == AVERROR(ENOENT) || code == AVERROR(ENOTDIR)) return absl::NotFoundError(message);
  if (code == AVERROR(EACCES) || code == AVERROR(EPERM) || code == AVERROR(EROFS)) {
    return absl::PermissionDeniedError(message);
  }
  if (code == AVERROR(ENOSPC) || code == AVERROR(ENOMEM) || code == AVERROR(EDQUOT)) {
    return absl::ResourceExhaustedError(message);
  }
  return absl::InternalError(message);
}

absl::StatusOr<FramePtr> AllocFrame(AVPixelFormat format, int width, int height) {
  FramePtr frame(av_frame_alloc());
  if (!frame) return absl::ResourceExhaustedError("media: out of memory for a frame");
  frame->format = format;
  frame->width = width;
  frame->height = height;
  if (int err = av_frame_get_buffer(frame.get(), 0); err < 0) return AvStatus(err, "frame buffer");
  return frame;
}

}  // namespace clipforge::media
