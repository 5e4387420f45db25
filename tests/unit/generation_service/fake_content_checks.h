// A ContentChecks that answers from tables: a verdict for prompts that
// contain a substring, a verdict per video (by its SHA-256), ALLOW
// otherwise. It counts the checks, and a test may run a hook inside a video
// check (what happens elsewhere while the media filter is slow).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "services/generation/content_checks.h"

namespace clipforge::generation_service::testing {

class FakeContentChecks final : public ContentChecks {
 public:
  // Prompts containing `substring` get `verdict` (the first match wins).
  void SetPromptVerdict(std::string substring, Verdict verdict) {
    prompt_verdicts_.emplace_back(std::move(substring), std::move(verdict));
  }
  void SetVideoVerdict(const std::string& sha256, Verdict verdict) { video_verdicts_[sha256] = std::move(verdict); }
  // Every check fails with `status` (OK: they answer again).
  void SetFailure(absl::Status status) { failure_ = std::move(status); }
  // Runs inside each CheckVideo, before it answers.
  void SetVideoHook(std::function<void()> hook) { video_hook_ = std::move(hook); }

  absl::StatusOr<Verdict> CheckPrompt(const CheckOnBehalf& who, const std::string& prompt) override {
    ++prompt_checks_;
    last_prompt_user_ = who.user_id;
    if (!failure_.ok()) return failure_;
    for (const auto& [substring, verdict] : prompt_verdicts_) {
      if (prompt.find(substring) != std::string::npos) return verdict;
    }
    return Verdict{};
  }
  absl::Status RequestPromptReview(const std::string& job_id, const std::string& user_id, const std::string& prompt,
                                   const Verdict& verdict) override {
    (void)user_id;
    (void)prompt;
    (void)verdict;
    reviews_requested_.push_back(job_id);
    return review_failure_;
  }
  // RequestPromptReview fails with `status` (OK: it answers again).
  void SetReviewFailure(absl::Status status) { review_failure_ = std::move(status); }
  const std::vector<std::string>& reviews_requested() const { return reviews_requested_; }

  absl::StatusOr<Verdict> CheckVideo(const std::string& job_id, const std::string& user_id,
                                     const v1::BlobRef& video) override {
    (void)job_id;
    (void)user_id;
    ++video_checks_;
    checked_videos_.push_back(video.sha256());
    if (video_hook_) video_hook_();
    if (!failure_.ok()) return failure_;
    const auto it = video_verdicts_.find(video.sha256());
    return it == video_verdicts_.end() ? Verdict{} : it->second;
  }

  // Uploaded images are not the logic's concern (the adapter screens them):
  // the fake allows every one.
  absl::StatusOr<Verdict> CheckImage(const std::string& user_id, const v1::BlobRef& image) override {
    (void)user_id;
    (void)image;
    return Verdict{};
  }

  int prompt_checks() const { return prompt_checks_; }
  int video_checks() const { return video_checks_; }
  const std::vector<std::string>& checked_videos() const { return checked_videos_; }
  const std::string& last_prompt_user() const { return last_prompt_user_; }

 private:
  std::vector<std::pair<std::string, Verdict>> prompt_verdicts_;
  std::map<std::string, Verdict> video_verdicts_;
  absl::Status failure_;
  std::function<void()> video_hook_;
  int prompt_checks_ = 0;
  int video_checks_ = 0;
  std::vector<std::string> checked_videos_;
  std::string last_prompt_user_;
  std::vector<std::string> reviews_requested_;
  absl::Status review_failure_;
};

}  // namespace clipforge::generation_service::testing
