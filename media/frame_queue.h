// A blocking hand-off of frames between the render thread and the encoding
// thread of the pipeline (clip_encoder.cc). Unbounded: the bound is the
// number of frames the pipeline allocates and circulates.
#pragma once

#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace clipforge::media {

class FrameQueue {
 public:
  // False (and the frame not queued) once the queue is closed or aborted.
  bool Push(AVFrame* frame) {
    absl::MutexLock lock(&mu_);
    if (closed_ || aborted_) return false;
    items_.push_back(frame);
    return true;
  }

  // The oldest frame, waiting for one; nullptr once the queue is aborted,
  // or closed and empty.
  AVFrame* Pop() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &FrameQueue::Poppable));
    if (aborted_ || items_.empty()) return nullptr;
    AVFrame* frame = items_.front();
    items_.pop_front();
    return frame;
  }

  // No more pushes; what is queued can still be popped.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

  // No more pushes or pops: wakes every waiter with nullptr.
  void Abort() {
    absl::MutexLock lock(&mu_);
    aborted_ = true;
  }

 private:
  bool Poppable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return aborted_ || closed_ || !items_.empty(); }

  absl::Mutex mu_;
  std::deque<AVFrame*> items_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool aborted_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace clipforge::media
