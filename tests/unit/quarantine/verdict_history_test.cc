// The verdict history: counts per verdict and hour of UTC, pending counts seen before a flush,
// persistence across a restart, retention, failed flushes keeping their counts, concurrent
// recorders, and the background flusher with its last flush at stop.
#include "gateway/quarantine/verdict_history.h"

#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "tests/unit/quarantine/quarantine_fixture.h"

namespace portcullis::quarantine::testing {
namespace {

constexpr size_t kAccept = static_cast<size_t>(Action::Accept);
constexpr size_t kQuarantine = static_cast<size_t>(Action::Quarantine);
constexpr size_t kReject = static_cast<size_t>(Action::Reject);
constexpr size_t kDiscard = static_cast<size_t>(Action::Discard);

class VerdictHistoryTest : public QuarantineTest {
 protected:
  fs::path file() const { return root_ / "verdict_history.sqlite3"; }
  std::unique_ptr<VerdictHistory> openHistory(std::chrono::milliseconds retention = 240h) {
    auto opened = VerdictHistory::open(file(), retention);
    EXPECT_TRUE(opened) << opened.error;
    return opened ? std::move(*opened) : nullptr;
  }
  // An hour boundary well in the past, so "now" and retention are the test's to choose.
  static TimePoint hourStart() {
    return std::chrono::floor<std::chrono::hours>(Clock::now()) - 24h;
  }
};

TEST_F(VerdictHistoryTest, CountsEachVerdictPerHour) {
  auto h = openHistory();
  ASSERT_TRUE(h);
  TimePoint hour = hourStart();
  h->record(Action::Accept, hour);
  h->record(Action::Accept, hour + 59min + 59s);
  h->record(Action::Reject, hour + 30min);
  h->record(Action::Discard, hour + 1h);     // the next hour
  h->record(Action::Quarantine, hour - 1s);  // the hour before
  auto hours = h->hours(hour);
  ASSERT_TRUE(hours) << hours.error;
  ASSERT_EQ(hours->size(), 2u) << "the hour before `since` is left out";
  EXPECT_EQ((*hours)[0].hour, hour + 1h) << "newest first";
  EXPECT_EQ((*hours)[0].counts[kDiscard], 1u);
  EXPECT_EQ((*hours)[1].hour, hour);
  EXPECT_EQ((*hours)[1].counts[kAccept], 2u);
  EXPECT_EQ((*hours)[1].counts[kReject], 1u);
  EXPECT_EQ((*hours)[1].counts[kQuarantine], 0u);
  auto all = h->hours(hour - 1h);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].counts[kQuarantine], 1u);
}

TEST_F(VerdictHistoryTest, FlushedCountsSurviveARestartAndAddUp) {
  TimePoint hour = hourStart();
  {
    auto h = openHistory();
    ASSERT_TRUE(h);
    h->record(Action::Accept, hour);
    h->record(Action::Accept, hour);
    ASSERT_TRUE(h->flush(hour + 1h));
    h->record(Action::Accept, hour + 5min);
    ASSERT_TRUE(h->flush(hour + 1h));
    h->record(Action::Reject, hour + 6min);  // pending: seen together with the stored counts
    auto hours = h->hours(hour);
    ASSERT_TRUE(hours && hours->size() == 1u);
    EXPECT_EQ((*hours)[0].counts[kAccept], 3u);
    EXPECT_EQ((*hours)[0].counts[kReject], 1u);
    ASSERT_TRUE(h->flush(hour + 1h));
  }
  auto h = openHistory();
  ASSERT_TRUE(h);
  auto hours = h->hours(hour);
  ASSERT_TRUE(hours) << hours.error;
  ASSERT_EQ(hours->size(), 1u);
  EXPECT_EQ((*hours)[0].counts[kAccept], 3u);
  EXPECT_EQ((*hours)[0].counts[kReject], 1u);
}

TEST_F(VerdictHistoryTest, HoursPastTheRetentionAreDeletedAtAFlush) {
  TimePoint hour = hourStart();
  auto h = openHistory(48h);
  ASSERT_TRUE(h);
  h->record(Action::Accept, hour - 72h);
  h->record(Action::Accept, hour - 47h);
  h->record(Action::Tag, hour);
  ASSERT_TRUE(h->flush(hour));
  auto hours = h->hours(hour - 100h);
  ASSERT_TRUE(hours) << hours.error;
  ASSERT_EQ(hours->size(), 2u);
  EXPECT_EQ((*hours)[1].hour, hour - 47h);
  ASSERT_TRUE(h->flush(hour + 2h));
  hours = h->hours(hour - 100h);
  ASSERT_TRUE(hours);
  ASSERT_EQ(hours->size(), 1u) << "47 h + 2 h is past 48 h";
  EXPECT_EQ((*hours)[0].hour, hour);
}

TEST_F(VerdictHistoryTest, AFailedFlushKeepsTheCountsForTheNext) {
  TimePoint hour = hourStart();
  auto h = openHistory();
  ASSERT_TRUE(h);
  h->record(Action::Accept, hour);
  auto run = [this](const char* sql) {
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(file().c_str(), &other), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(other, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
  };
  run("ALTER TABLE verdict_hours RENAME TO elsewhere");
  EXPECT_FALSE(h->flush(hour));
  run("ALTER TABLE elsewhere RENAME TO verdict_hours");
  ASSERT_TRUE(h->flush(hour));
  auto hours = h->hours(hour);
  ASSERT_TRUE(hours && hours->size() == 1u);
  EXPECT_EQ((*hours)[0].counts[kAccept], 1u) << "counted once, after the failure";
  EXPECT_FALSE(VerdictHistory::open(root_ / "missing" / "x.sqlite3", 24h));
}

TEST_F(VerdictHistoryTest, TheFlusherReportsAFailedFlush) {
  auto h = openHistory();
  ASSERT_TRUE(h);
  auto run = [this](const char* sql) {
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(file().c_str(), &other), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(other, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
  };
  run("ALTER TABLE verdict_hours RENAME TO elsewhere");
  std::atomic<int> failures{0};
  h->record(Action::Accept);
  h->startFlushing(std::chrono::milliseconds(20), [&failures] { ++failures; });
  for (int i = 0; i < 500 && failures == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_GT(failures.load(), 0);
  run("ALTER TABLE elsewhere RENAME TO verdict_hours");
  h->stopFlushing();
}

TEST_F(VerdictHistoryTest, ConcurrentRecordersAndFlushesLoseNothing) {
  TimePoint hour = hourStart();
  auto h = openHistory();
  ASSERT_TRUE(h);
  constexpr int kThreads = 4, kEach = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, hour, t] {
      for (int i = 0; i < kEach; ++i) {
        h->record(t % 2 ? Action::Accept : Action::Reject, hour + std::chrono::seconds(i % 7200));
      }
    });
  }
  std::thread flusher([&h, hour] {
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(h->flush(hour + 3h));
  });
  for (auto& t : threads) t.join();
  flusher.join();
  ASSERT_TRUE(h->flush(hour + 3h));
  auto hours = h->hours(hour);
  ASSERT_TRUE(hours) << hours.error;
  ASSERT_EQ(hours->size(), 2u);
  uint64_t accepted = 0, rejected = 0;
  for (const auto& x : *hours) {
    accepted += x.counts[kAccept];
    rejected += x.counts[kReject];
  }
  EXPECT_EQ(accepted, uint64_t{kThreads / 2 * kEach});
  EXPECT_EQ(rejected, uint64_t{kThreads / 2 * kEach});
}

TEST_F(VerdictHistoryTest, TheFlusherWritesPeriodicallyAndOnceMoreAtStop) {
  auto h = openHistory();
  ASSERT_TRUE(h);
  auto reader = [this] {
    auto other = VerdictHistory::open(file(), 240h);
    EXPECT_TRUE(other) << other.error;
    auto hours = (*other)->hours(Clock::now() - 2h);
    uint64_t sum = 0;
    if (hours) {
      for (const auto& x : *hours) sum += x.counts[kAccept];
    }
    return sum;
  };
  h->startFlushing(std::chrono::milliseconds(20));
  h->record(Action::Accept);
  for (int i = 0; i < 500 && reader() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(reader(), 1u) << "written by the timer";
  h->record(Action::Accept);
  h->stopFlushing();
  EXPECT_EQ(reader(), 2u) << "written at stop";
}

}  // namespace
}  // namespace portcullis::quarantine::testing
