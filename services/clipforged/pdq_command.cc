// clipforged pdq FILE...: the PDQ hashes of stills and videos, for operators
// building hash banks and for comparison with Meta's reference hasher.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "media/pdq_file.h"
#include "services/clipforged/commands.h"
#include "services/clipforged/flags.h"

namespace clipforge::clipforged {
namespace {

// Splits flags ("--x", "--x=v") from file names; "--" ends the flags, so a
// file named "--odd" can still be hashed.
void SplitArgs(const std::vector<std::string>& args, std::vector<std::string>& flags,
               std::vector<std::string>& files) {
  bool flags_done = false;
  for (const std::string& arg : args) {
    if (!flags_done && arg == "--") {
      flags_done = true;
    } else if (!flags_done && absl::StartsWith(arg, "--")) {
      flags.push_back(arg);
    } else {
      files.push_back(arg);
    }
  }
}

}  // namespace

int Pdq(const std::vector<std::string>& args) {
  const std::vector<kit::SettingSpec> specs = {
      {"frames", "false",
       "one line per sampled frame of a video: SECONDS HASH QUALITY (default: the first frame only)"},
      {"interval", "1s", "with --frames: one frame per interval, plus the first and the last"},
      {"every-frame", "false", "with --frames: every decoded frame instead of one per interval"},
  };
  std::vector<std::string> flag_args;
  std::vector<std::string> files;
  SplitArgs(args, flag_args, files);
  auto settings = LoadOrExplain("pdq FILE...", specs, flag_args);
  if (!settings.ok()) return ExitCodeFor(settings.status());
  const absl::StatusOr<bool> per_frame = settings->GetBool("frames");
  const absl::StatusOr<bool> every_frame = settings->GetBool("every-frame");
  const absl::StatusOr<absl::Duration> interval = settings->GetDuration("interval");
  for (const absl::Status& s : {per_frame.status(), every_frame.status(), interval.status()}) {
    if (!s.ok()) return Fail(absl::StrCat("pdq: ", s.message()));
  }
  if (*interval < absl::Milliseconds(10)) return Fail("pdq: --interval must be at least 10ms");
  if (files.empty()) return Fail("pdq: name at least one image or video file");

  media::PdqFileOptions options;
  options.per_frame = *per_frame;
  options.frames.every_frame = *every_frame;
  options.frames.interval_seconds = absl::ToDoubleSeconds(*interval);
  // One file prints exactly "HASH QUALITY", the two fields a hash-bank CSV
  // and Meta's reference hasher use; several files name theirs at the end of
  // each line.
  const bool name_files = files.size() > 1;
  int failures = 0;
  for (const std::string& file : files) {
    absl::StatusOr<std::vector<std::string>> lines = media::PdqOfFile(file, options);
    if (!lines.ok()) {
      std::fprintf(stderr, "clipforged: pdq: %s: %s\n", file.c_str(), std::string(lines.status().message()).c_str());
      ++failures;
      continue;
    }
    for (const std::string& line : *lines) {
      if (name_files) {
        std::printf("%s %s\n", line.c_str(), file.c_str());
      } else {
        std::printf("%s\n", line.c_str());
      }
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace clipforge::clipforged
