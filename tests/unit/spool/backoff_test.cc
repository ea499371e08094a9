#include "gateway/spool/backoff.h"

#include <gtest/gtest.h>

namespace portcullis::spool {
namespace {

using namespace std::chrono_literals;
using Kind = BackoffDecision::Kind;

BackoffSettings exactBackoff() {
  BackoffSettings s;
  s.jitter = 0;
  return s;
}

TEST(Backoff, DefaultsAreTheDocumentedOnes) {
  BackoffSettings s;
  EXPECT_EQ(s.retry_min, 5min);
  EXPECT_EQ(s.retry_max, 1h);
  EXPECT_EQ(s.delay_warning, 4h);
  EXPECT_EQ(s.max_lifetime, std::chrono::hours(24 * 5));
}

TEST(Backoff, DelayDoublesFromTheMinimumUpToTheCap) {
  struct Row {
    uint32_t failed_attempts;
    std::chrono::milliseconds delay;
  };
  for (Row row : {Row{0, 5min}, Row{1, 5min}, Row{2, 10min}, Row{3, 20min}, Row{4, 40min},
                  Row{5, 60min}, Row{6, 60min}, Row{1000, 60min}, Row{UINT32_MAX, 60min}}) {
    EXPECT_EQ(retryDelay(exactBackoff(), row.failed_attempts, 0.5), row.delay)
        << "after " << row.failed_attempts << " failures";
  }
}

TEST(Backoff, JitterOnlyShortensWithinItsFraction) {
  BackoffSettings s;
  s.jitter = 0.5;
  EXPECT_EQ(retryDelay(s, 1, 0.0), 5min);
  EXPECT_EQ(retryDelay(s, 1, 0.5), std::chrono::milliseconds(225'000));
  EXPECT_GT(retryDelay(s, 6, 0.999999), 30min);
  s.jitter = 0.2;
  BackoffJitter a(42), b(42);
  for (int i = 0; i < 100; ++i) {
    double unit = a.next();
    EXPECT_EQ(unit, b.next()) << "same seed, same sequence";
    ASSERT_GE(unit, 0.0);
    ASSERT_LT(unit, 1.0);
    auto delay = retryDelay(s, 3, unit);
    EXPECT_LE(delay, 20min);
    EXPECT_GT(delay, 16min - 1ms);
  }
}

TEST(Backoff, DecisionTable) {
  BackoffSettings s = exactBackoff();
  const TimePoint t0 = TimePoint(std::chrono::seconds(1'800'000'000));
  struct Row {
    const char* what;
    std::chrono::milliseconds age;  // now - arrival
    uint32_t failed_attempts;
    bool notice_sent;
    Kind kind;
    std::chrono::milliseconds retry_in;  // retry_at - now
    bool notice;
  };
  const Row rows[] = {
      {"first failure", 0ms, 1, false, Kind::Retry, 5min, false},
      {"second failure", 5min, 2, false, Kind::Retry, 10min, false},
      {"just before the warning", 4h - 1ms, 8, false, Kind::Retry, 1h, false},
      {"warning time reached", 4h, 9, false, Kind::Retry, 1h, true},
      {"warning already sent", 5h, 10, true, Kind::Retry, 1h, false},
      {"warning missed by a restart", 30h, 11, false, Kind::Retry, 1h, true},
      {"last retry lands exactly on expiry", 120h - 10min, 50, true, Kind::Retry, 10min, false},
      {"expired", 120h, 51, true, Kind::Bounce, 0ms, false},
      {"long expired", 300h, 52, false, Kind::Bounce, 0ms, false},
  };
  for (const Row& row : rows) {
    TimePoint now = t0 + row.age;
    auto d = decideAfterTemporaryFailure(s, t0, row.failed_attempts, row.notice_sent, now, 0.0);
    EXPECT_EQ(d.kind, row.kind) << row.what;
    if (row.kind == Kind::Retry) {
      EXPECT_EQ(d.retry_at - now, row.retry_in) << row.what;
      EXPECT_LE(d.retry_at, expiresAt(s, t0)) << row.what;
    }
    EXPECT_EQ(d.send_delay_notice, row.notice) << row.what;
  }
}

TEST(Backoff, ZeroWarningTimeDisablesDelayNotices) {
  BackoffSettings s = exactBackoff();
  s.delay_warning = 0ms;
  TimePoint t0{};
  auto d = decideAfterTemporaryFailure(s, t0, 20, false, t0 + 50h, 0.0);
  EXPECT_EQ(d.kind, Kind::Retry);
  EXPECT_FALSE(d.send_delay_notice);
}

}  // namespace
}  // namespace portcullis::spool
