// SendTips' bookkeeping (SendTipsFlow) without gRPC: a tip is outstanding
// from when it is read until its outcome's write completes, and the 257th
// outstanding one ends the stream RESOURCE_EXHAUSTED, while a client that
// takes its outcomes may send any number; at most max_running tips of a
// stream run at once; one write at a time, the rest queued in order; the
// stream ends OK only after the client half-closed and the last outcome is
// written; a cancellation (or a write the client does not take) ends it
// CANCELLED, after the write in flight, dropping what is owed; and the
// reactor is deleted exactly once, by OnDone or by the last task to exit.
#include "services/tipping/send_tips_reactor.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::tipping_service {
namespace send_tips_flow_test {
namespace {

using Steps = SendTipsFlow::Steps;
using ::testing::SizeIs;

SendTipInput TipNumbered(int i) { return SendTipInput{.tip_id = absl::StrCat("tip-", i), .amount = 100'000}; }

v1::SendTipsResponse OutcomeNumbered(int i) {
  v1::SendTipsResponse outcome;
  outcome.set_request_id(absl::StrCat("tip-", i));
  return outcome;
}

TEST(SendTipsFlowTest, The257thTipAwaitingItsOutcomeEndsTheStream) {
  SendTipsFlow flow(/*max_outstanding=*/256, /*max_running=*/16);
  int started = 0;
  for (int i = 0; i < 256; ++i) {
    const Steps steps = flow.Received(TipNumbered(i));
    EXPECT_TRUE(steps.read) << i;
    EXPECT_FALSE(steps.finish.has_value()) << i;
    started += static_cast<int>(steps.run.size());
  }
  EXPECT_EQ(started, 16);
  EXPECT_EQ(flow.waiting(), 240);
  EXPECT_EQ(flow.outstanding(), 256);

  const Steps over = flow.Received(TipNumbered(256));
  EXPECT_FALSE(over.read);
  EXPECT_THAT(over.run, SizeIs(0));
  ASSERT_TRUE(over.finish.has_value());
  EXPECT_EQ(over.finish->code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(base::ReasonOf(*over.finish), kTooManyOutstandingTipsReason);
  EXPECT_TRUE(flow.ending());
  // What waited never runs; the running tips' outcomes are dropped; a read
  // completing late changes nothing.
  EXPECT_EQ(flow.waiting(), 0);
  EXPECT_THAT(flow.Received(TipNumbered(257)).run, SizeIs(0));
  for (int i = 0; i < 16; ++i) {
    const Steps steps = flow.Outcome(OutcomeNumbered(i));
    EXPECT_EQ(steps.write, nullptr);
    EXPECT_THAT(steps.run, SizeIs(0));
    EXPECT_FALSE(steps.finish.has_value());
  }
  // OnDone came while the tasks were still exiting: the last one deletes.
  EXPECT_FALSE(flow.Done());
  for (int i = 0; i < 15; ++i) EXPECT_FALSE(flow.TaskExited());
  EXPECT_TRUE(flow.TaskExited());
}

TEST(SendTipsFlowTest, AClientThatTakesItsOutcomesMaySendAnyNumber) {
  SendTipsFlow flow(/*max_outstanding=*/256, /*max_running=*/16);
  for (int i = 0; i < 1000; ++i) {
    Steps steps = flow.Received(TipNumbered(i));
    ASSERT_FALSE(steps.finish.has_value()) << i;
    ASSERT_THAT(steps.run, SizeIs(1));
    steps = flow.Outcome(OutcomeNumbered(i));
    ASSERT_NE(steps.write, nullptr);
    EXPECT_EQ(steps.write->request_id(), absl::StrCat("tip-", i));
    EXPECT_FALSE(flow.TaskExited());
    steps = flow.WriteDone(true);
    EXPECT_EQ(steps.write, nullptr);
    EXPECT_FALSE(steps.finish.has_value());
  }
  EXPECT_EQ(flow.outstanding(), 0);
  const Steps end = flow.HalfClosed();
  ASSERT_TRUE(end.finish.has_value());
  EXPECT_TRUE(end.finish->ok());
  EXPECT_TRUE(flow.Done());
}

TEST(SendTipsFlowTest, ATipIsOutstandingUntilItsOutcomeIsWritten) {
  SendTipsFlow flow(/*max_outstanding=*/2, /*max_running=*/16);
  flow.Received(TipNumbered(0));
  flow.Received(TipNumbered(1));
  // The outcome is known and being written: still outstanding.
  ASSERT_NE(flow.Outcome(OutcomeNumbered(0)).write, nullptr);
  EXPECT_EQ(flow.outstanding(), 2);
  flow.WriteDone(true);
  EXPECT_EQ(flow.outstanding(), 1);
  EXPECT_FALSE(flow.Received(TipNumbered(2)).finish.has_value());
  const Steps over = flow.Received(TipNumbered(3));
  ASSERT_TRUE(over.finish.has_value());
  EXPECT_EQ(over.finish->code(), absl::StatusCode::kResourceExhausted);
}

TEST(SendTipsFlowTest, AtMostMaxRunningTipsRunAndTheRestWaitInOrder) {
  SendTipsFlow flow(/*max_outstanding=*/256, /*max_running=*/2);
  EXPECT_THAT(flow.Received(TipNumbered(0)).run, SizeIs(1));
  EXPECT_THAT(flow.Received(TipNumbered(1)).run, SizeIs(1));
  for (int i = 2; i < 5; ++i) {
    const Steps steps = flow.Received(TipNumbered(i));
    EXPECT_THAT(steps.run, SizeIs(0));
    EXPECT_TRUE(steps.read);
  }
  EXPECT_EQ(flow.running(), 2);
  EXPECT_EQ(flow.waiting(), 3);
  // An outcome frees a place: the oldest waiting tip starts.
  const Steps steps = flow.Outcome(OutcomeNumbered(1));
  ASSERT_THAT(steps.run, SizeIs(1));
  EXPECT_EQ(steps.run[0].tip_id, "tip-2");
  EXPECT_EQ(flow.running(), 2);
  EXPECT_EQ(flow.tasks(), 3);  // tip-1's task has not exited yet
  EXPECT_FALSE(flow.TaskExited());
  EXPECT_EQ(flow.tasks(), 2);
}

TEST(SendTipsFlowTest, OneWriteAtATimeTheOthersQueueInOrder) {
  SendTipsFlow flow(/*max_outstanding=*/256, /*max_running=*/16);
  for (int i = 0; i < 3; ++i) flow.Received(TipNumbered(i));
  const Steps first = flow.Outcome(OutcomeNumbered(2));
  ASSERT_NE(first.write, nullptr);
  EXPECT_EQ(first.write->request_id(), "tip-2");
  EXPECT_EQ(flow.Outcome(OutcomeNumbered(0)).write, nullptr);
  EXPECT_EQ(flow.Outcome(OutcomeNumbered(1)).write, nullptr);
  // The message being written is not touched until its write is done.
  EXPECT_EQ(flow.writing().request_id(), "tip-2");
  Steps next = flow.WriteDone(true);
  ASSERT_NE(next.write, nullptr);
  EXPECT_EQ(next.write->request_id(), "tip-0");
  next = flow.WriteDone(true);
  ASSERT_NE(next.write, nullptr);
  EXPECT_EQ(next.write->request_id(), "tip-1");
  EXPECT_EQ(flow.WriteDone(true).write, nullptr);
}

TEST(SendTipsFlowTest, AHalfClosedStreamEndsOkAfterItsLastOutcomeIsWritten) {
  SendTipsFlow flow(/*max_outstanding=*/256, /*max_running=*/16);
  flow.Received(TipNumbered(0));
  // A tip that did not parse is answered at once, and counts the same.
  v1::SendTipsResponse refused = OutcomeNumbered(1);
  refused.set_code(3);
  const Steps answered = flow.Answered(refused);
  ASSERT_NE(answered.write, nullptr);
  EXPECT_TRUE(answered.read);
  EXPECT_EQ(flow.outstanding(), 2);

  EXPECT_FALSE(flow.HalfClosed().finish.has_value());
  EXPECT_FALSE(flow.WriteDone(true).finish.has_value());
  ASSERT_NE(flow.Outcome(OutcomeNumbered(0)).write, nullptr);
  EXPECT_FALSE(flow.TaskExited());
  const Steps end = flow.WriteDone(true);
  ASSERT_TRUE(end.finish.has_value());
  EXPECT_TRUE(end.finish->ok());
  EXPECT_TRUE(flow.Done());

  // With nothing outstanding, a half-close ends the stream at once.
  SendTipsFlow empty(256, 16);
  const Steps at_once = empty.HalfClosed();
  ASSERT_TRUE(at_once.finish.has_value());
  EXPECT_TRUE(at_once.finish->ok());
}

TEST(SendTipsFlowTest, ACancelledStreamEndsAfterTheWriteInFlightAndDropsTheRest) {
  SendTipsFlow flow(/*max_outstanding=*/256, /*max_running=*/2);
  for (int i = 0; i < 4; ++i) flow.Received(TipNumbered(i));
  ASSERT_NE(flow.Outcome(OutcomeNumbered(0)).write, nullptr);
  EXPECT_FALSE(flow.TaskExited());

  // The write in flight has to complete before Finish.
  const Steps cancelled = flow.Cancelled();
  EXPECT_FALSE(cancelled.finish.has_value());
  EXPECT_EQ(flow.waiting(), 0);
  // tip-1 was running (tip-2 started in tip-0's place): its outcome is
  // dropped and nothing else starts.
  const Steps dropped = flow.Outcome(OutcomeNumbered(1));
  EXPECT_EQ(dropped.write, nullptr);
  EXPECT_THAT(dropped.run, SizeIs(0));
  const Steps end = flow.WriteDone(false);
  ASSERT_TRUE(end.finish.has_value());
  EXPECT_EQ(end.finish->code(), absl::StatusCode::kCancelled);
  // Nothing finishes twice.
  EXPECT_FALSE(flow.Cancelled().finish.has_value());
  EXPECT_FALSE(flow.HalfClosed().finish.has_value());

  EXPECT_FALSE(flow.TaskExited());  // tip-1
  EXPECT_FALSE(flow.Done());        // tip-2 still runs
  EXPECT_THAT(flow.Outcome(OutcomeNumbered(2)).run, SizeIs(0));
  EXPECT_TRUE(flow.TaskExited());
}

TEST(SendTipsFlowTest, AWriteTheClientDoesNotTakeEndsTheStreamCancelled) {
  SendTipsFlow flow(/*max_outstanding=*/256, /*max_running=*/16);
  flow.Received(TipNumbered(0));
  flow.Received(TipNumbered(1));
  ASSERT_NE(flow.Outcome(OutcomeNumbered(0)).write, nullptr);
  EXPECT_EQ(flow.Outcome(OutcomeNumbered(1)).write, nullptr);
  const Steps end = flow.WriteDone(false);
  ASSERT_TRUE(end.finish.has_value());
  EXPECT_EQ(end.finish->code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(end.write, nullptr);
  EXPECT_FALSE(flow.TaskExited());
  EXPECT_FALSE(flow.TaskExited());
  EXPECT_TRUE(flow.Done());
}

TEST(SendTipsFlowTest, AStreamRefusedAtTheStartFinishesOnce) {
  SendTipsFlow flow(/*max_outstanding=*/256, /*max_running=*/16);
  const Steps refused = flow.End(absl::UnauthenticatedError("no token"));
  ASSERT_TRUE(refused.finish.has_value());
  EXPECT_EQ(refused.finish->code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(flow.End(absl::InternalError("again")).finish.has_value());
  EXPECT_FALSE(flow.Cancelled().finish.has_value());
  EXPECT_TRUE(flow.Done());
}

}  // namespace
}  // namespace send_tips_flow_test
}  // namespace clipforge::tipping_service
