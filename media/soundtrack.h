// A soundtrack under a finished clip: the audio file decoded, resampled to
// 48 kHz stereo, looped or cut to the video's exact length, encoded as AAC-LC
// (FFmpeg's native "aac" encoder, 128 kb/s) and muxed as a second stream
// beside the H.264, in a new faststart MP4.
//
// A remux step after media::EncodeClip rather than a part of it: the video
// packets are copied as they are (no second encode, no quality loss, a
// fraction of the time), so the soundtrack can be added, changed or
// removed on a fork of a clip without rendering or encoding it again, and
// EncodeClip keeps one job (frames to H.264) and its byte-exact output.
// Content credentials (media/provenance_mp4.h) are signed over the final
// file, so sign after this step.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace clipforge::media {

struct SoundtrackResult {
  absl::Duration duration;   // of the audio stream, which is the video's (to the sample)
  int restarts = 0;          // times the soundtrack started over (0: it was long enough and was cut)
  int64_t bytes = 0;         // the output file's size
};

// Writes `out_path`: the video stream of the MP4 at `video_path`, unchanged,
// with the audio of `audio_path` (any format libavformat recognises by its
// content, its first audio stream) as an AAC stream exactly as long as the
// video. An audio stream already in the video is dropped. `out_path` may
// be `video_path`: it is replaced only on success, atomically.
//
// Errors: INVALID_ARGUMENT when `audio_path` has no decodable audio ("not a
// decodable audio file: ...") or `video_path` is not an MP4 with a video
// stream of known length; NOT_FOUND / PERMISSION_DENIED for files that
// cannot be read or written; FAILED_PRECONDITION when libavcodec has no
// "aac" encoder; INTERNAL for other FFmpeg failures.
absl::StatusOr<SoundtrackResult> AddSoundtrack(const std::string& video_path, const std::string& audio_path,
                                               const std::string& out_path);

}  // namespace clipforge::media
