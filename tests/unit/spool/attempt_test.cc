#include "gateway/spool/attempt.h"

#include <gtest/gtest.h>

#include "test_entries.h"

namespace portcullis::spool {
namespace {

using namespace std::chrono_literals;
using testing::fullMeta;

BackoffSettings exact() {
  BackoffSettings s;
  s.jitter = 0;
  return s;
}

RecipientOutcome ok() {
  return {250, "2.0.0", "Ok: queued"};
}
RecipientOutcome unknown() {
  return {550, "5.1.1", "No such user\nhere"};
}
RecipientOutcome later() {
  return {451, "4.3.0", "Try again later"};
}

TEST(Attempt, RecordsEachReplyAndSchedulesTheRest) {
  auto meta = fullMeta();  // bob, carol, dave
  TimePoint now = meta.arrival + 1s;
  auto plan = planAfterAttempt(exact(), meta, initialDeliveryState(meta),
                               {ok(), unknown(), later()}, "mx.internal", now, 0.0);
  EXPECT_FALSE(plan.remove_entry);
  EXPECT_FALSE(plan.expired);
  EXPECT_EQ(plan.retry_at, now + 5min);
  EXPECT_EQ(plan.state.next_attempt, now + 5min);
  EXPECT_EQ(plan.state.attempts, 1u);
  const auto& r = plan.state.recipients;
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].status, RecipientStatus::Delivered);
  EXPECT_EQ(r[1].status, RecipientStatus::Failed);
  EXPECT_EQ(r[1].reply, "550 5.1.1 No such user here");
  EXPECT_EQ(r[1].remote_mta, "mx.internal");
  EXPECT_TRUE(r[1].notified);
  EXPECT_EQ(r[2].status, RecipientStatus::Delayed);
  ASSERT_EQ(plan.failed.size(), 1u);
  EXPECT_EQ(plan.failed[0].recipient.address, "carol@example.net");
  EXPECT_TRUE(plan.delayed.empty());
}

TEST(Attempt, AllDoneRemovesTheEntry) {
  auto meta = fullMeta();
  auto state = initialDeliveryState(meta);
  state.recipients[1] = {RecipientStatus::Failed, "550 5.1.1 x", "mx", meta.arrival, true};
  auto plan = planAfterAttempt(exact(), meta, state, {ok(), std::nullopt, ok()}, "mx",
                               meta.arrival + 10min, 0.0);
  EXPECT_TRUE(plan.remove_entry);
  EXPECT_TRUE(plan.failed.empty()) << "carol was notified on an earlier attempt";
}

TEST(Attempt, DelayNoticeOnceAfterTheWarningTime) {
  auto meta = fullMeta();
  auto state = initialDeliveryState(meta);
  state.attempts = 9;
  TimePoint now = meta.arrival + 4h + 1min;
  auto plan = planAfterAttempt(exact(), meta, state, {later(), later(), later()}, "mx", now, 0.0);
  EXPECT_EQ(plan.delayed.size(), 3u);
  EXPECT_TRUE(plan.state.delay_notice_sent);
  auto next =
      planAfterAttempt(exact(), meta, plan.state, {later(), later(), later()}, "mx", now + 1h, 0.0);
  EXPECT_TRUE(next.delayed.empty());
}

TEST(Attempt, ExpiryBouncesWhatIsLeft) {
  auto meta = fullMeta();
  auto state = initialDeliveryState(meta);
  state.recipients[0].status = RecipientStatus::Delivered;
  TimePoint now = meta.arrival + 120h;
  auto plan =
      planAfterAttempt(exact(), meta, state, {std::nullopt, later(), later()}, "mx", now, 0.0);
  EXPECT_TRUE(plan.remove_entry);
  EXPECT_TRUE(plan.expired);
  ASSERT_EQ(plan.failed.size(), 2u);
  EXPECT_EQ(plan.failed[0].status, "4.4.7");
  EXPECT_EQ(plan.failed[0].reply, "451 4.3.0 Try again later");
  EXPECT_EQ(plan.state.recipients[0].status, RecipientStatus::Delivered);
  EXPECT_EQ(plan.state.recipients[2].status, RecipientStatus::Failed);
}

}  // namespace
}  // namespace portcullis::spool
