#include "cli/job_progress.h"

#include <gtest/gtest.h>

#include <string>

#include "cli/content_download.h"
#include "cli/output.h"
#include "cli/test_util.h"

namespace clipforge::cli {
namespace {

v1::GenerationJob State(v1::JobStatus status, int percent = 0, std::string stage = "", int ahead = 0) {
  v1::GenerationJob job;
  job.set_job_id("job-1");
  job.set_status(status);
  job.set_progress_percent(percent);
  job.set_stage(std::move(stage));
  job.set_queue_position(ahead);
  return job;
}

TEST(JobProgressTest, StateLines) {
  EXPECT_EQ(JobStateLine(State(v1::JOB_STATUS_QUEUED)), "queued");
  EXPECT_EQ(JobStateLine(State(v1::JOB_STATUS_QUEUED, 0, "", 1)), "queued (1 job ahead)");
  EXPECT_EQ(JobStateLine(State(v1::JOB_STATUS_QUEUED, 0, "", 3)), "queued (3 jobs ahead)");
  EXPECT_EQ(JobStateLine(State(v1::JOB_STATUS_IN_PROGRESS, 45, "rendering")), "in-progress 45% rendering");
  EXPECT_EQ(JobStateLine(State(v1::JOB_STATUS_IN_PROGRESS, 5)), "in-progress 5%");
  EXPECT_EQ(JobStateLine(State(v1::JOB_STATUS_PENDING_REVIEW)), "pending-review");
  EXPECT_EQ(JobStateLine(State(v1::JOB_STATUS_COMPLETED, 100)), "completed");
}

TEST(JobProgressTest, Bars) {
  EXPECT_EQ(JobProgressBar(State(v1::JOB_STATUS_IN_PROGRESS, 45, "rendering")),
            "[#########...........]  45% rendering");
  EXPECT_EQ(JobProgressBar(State(v1::JOB_STATUS_IN_PROGRESS, 7)), "[#...................]   7% in-progress");
  EXPECT_EQ(JobProgressBar(State(v1::JOB_STATUS_QUEUED, 0, "", 2)), "[....................]   0% queued (2 jobs ahead)");
  EXPECT_EQ(JobProgressBar(State(v1::JOB_STATUS_COMPLETED, 99)), "[####################] 100% completed");
  // A server out of range does not break the bar.
  EXPECT_EQ(JobProgressBar(State(v1::JOB_STATUS_IN_PROGRESS, 140, "x")), "[####################] 100% x");
  EXPECT_EQ(JobProgressBar(State(v1::JOB_STATUS_IN_PROGRESS, -3, "x")), "[....................]   0% x");
}

TEST(JobProgressTest, WithoutATerminalOnlyChangesWorthALineArePrinted) {
  testing::Capture out, err;
  {
    Output output(/*json=*/false, out.file(), err.file(), /*err_is_terminal=*/false);
    JobProgress progress(output);
    progress.Show(State(v1::JOB_STATUS_QUEUED, 0, "", 2));
    progress.Show(State(v1::JOB_STATUS_QUEUED, 0, "", 1));  // the queue moving is not a line
    for (int percent = 0; percent <= 99; percent += 3) {
      progress.Show(State(v1::JOB_STATUS_IN_PROGRESS, percent, percent < 60 ? "rendering" : "encoding"));
    }
    progress.Show(State(v1::JOB_STATUS_COMPLETED, 100));
  }
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "queued (2 jobs ahead)\n"
            "in-progress 0% rendering\n"
            "in-progress 12% rendering\n"
            "in-progress 21% rendering\n"
            "in-progress 30% rendering\n"
            "in-progress 42% rendering\n"
            "in-progress 51% rendering\n"
            "in-progress 60% encoding\n"
            "in-progress 72% encoding\n"
            "in-progress 81% encoding\n"
            "in-progress 90% encoding\n"
            "completed\n");
}

TEST(JobProgressTest, OnATerminalOneLineIsRedrawnAndLaterOutputStartsBelowIt) {
  testing::Capture out, err;
  Output output(/*json=*/false, out.file(), err.file(), /*err_is_terminal=*/true);
  JobProgress progress(output);
  progress.Show(State(v1::JOB_STATUS_QUEUED, 0, "", 12));
  progress.Show(State(v1::JOB_STATUS_IN_PROGRESS, 50, "rendering"));
  output.Note("a note");
  progress.Show(State(v1::JOB_STATUS_COMPLETED, 100));
  Record record;
  record.Str("path", "job-1.mp4");
  output.Result(record);
  // The second line is shorter: blanks cover the rest of the first.
  EXPECT_EQ(err.str(), "\r[....................]   0% queued (12 jobs ahead)"
                       "\r[##########..........]  50% rendering" +
                           std::string(13, ' ') +
                           "\na note\n"
                           "\r[####################] 100% completed"
                           "\n");
  EXPECT_EQ(out.str(), "path: job-1.mp4\n");
}

TEST(JobProgressTest, JsonOutputHasNoProgress) {
  testing::Capture out, err;
  Output output(/*json=*/true, out.file(), err.file(), /*err_is_terminal=*/true);
  JobProgress(output).Show(State(v1::JOB_STATUS_IN_PROGRESS, 50, "rendering"));
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(out.str(), "");
}

TEST(ContentPathTest, DefaultPathsStayInTheCurrentDirectory) {
  EXPECT_EQ(DefaultContentPath("0190a1b2-c3d4", v1::CONTENT_VARIANT_VIDEO), "0190a1b2-c3d4.mp4");
  EXPECT_EQ(DefaultContentPath("job-1", v1::CONTENT_VARIANT_THUMBNAIL), "job-1.jpg");
  EXPECT_EQ(DefaultContentPath("job-1", v1::CONTENT_VARIANT_SPRITESHEET), "job-1.spritesheet.jpg");
  EXPECT_EQ(DefaultContentPath("job-1", v1::CONTENT_VARIANT_PROVENANCE), "job-1.c2pa");
  EXPECT_EQ(DefaultContentPath("../../etc/x", v1::CONTENT_VARIANT_VIDEO), "______etc_x.mp4");
}

}  // namespace
}  // namespace clipforge::cli
