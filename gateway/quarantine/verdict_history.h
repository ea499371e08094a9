// The history of verdicts of every message (accept, tag, quarantine, reject, tempfail, discard),
// counted per hour of UTC, for the web console. record() is what the SMTP and milter front ends
// call for each verdict: O(1), it never touches the disk and holds a lock only for an increment,
// so it never blocks an I/O thread. The counts are kept in SQLite (<quarantine dir>/
// verdict_history.sqlite3, synchronous=FULL) by flush(), which a background thread runs every
// flush interval and once more when the flusher stops; a crash loses at most one interval's
// counts. Hours older than the retention are deleted at each flush. Thread safe.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/core/action.h"
#include "gateway/spool/queue_entry.h"
#include "gateway/spool/result.h"

struct sqlite3;

namespace portcullis::quarantine {

inline constexpr const char* kVerdictHistoryFile = "verdict_history.sqlite3";
inline constexpr size_t kVerdictKinds = 6;  // the values of portcullis::Action

// The counts of one hour, indexed by static_cast<size_t>(Action).
struct VerdictHour {
  spool::TimePoint hour;  // the start of the hour (UTC)
  std::array<uint64_t, kVerdictKinds> counts{};
};

class VerdictHistory {
 public:
  static spool::Result<std::unique_ptr<VerdictHistory>> open(const std::filesystem::path& file,
                                                             std::chrono::milliseconds retention);
  ~VerdictHistory();  // stops the flusher (with a last flush)
  VerdictHistory(const VerdictHistory&) = delete;
  VerdictHistory& operator=(const VerdictHistory&) = delete;

  // Counts one verdict in the hour of `when`.
  void record(Action action, spool::TimePoint when = spool::Clock::now());
  // Adds the pending counts to the database and deletes hours older than the retention before
  // `now`. On failure the counts stay pending for the next flush.
  spool::Status flush(spool::TimePoint now = spool::Clock::now());
  // Hours at or after `since` with any verdict, newest first, stored and pending counts summed.
  spool::Result<std::vector<VerdictHour>> hours(spool::TimePoint since);

  // Runs flush() every `interval` on a thread of its own until stopFlushing(), which flushes once
  // more (shutdown). A failed flush is logged and reported to `failed` (may be empty); its counts
  // wait for the next one.
  void startFlushing(std::chrono::milliseconds interval, std::function<void()> failed = {});
  void stopFlushing();

 private:
  using Counts = std::array<uint64_t, kVerdictKinds>;
  explicit VerdictHistory(std::chrono::milliseconds retention) : retention_(retention) {}
  void flushLogged();  // the flusher's flush: errors go to the log and to flush_failed_
  spool::Status writeLocked(const std::map<int64_t, Counts>& pending, spool::TimePoint now);

  const std::chrono::milliseconds retention_;
  std::mutex pending_mutex_;           // only for record()'s increment and flush()'s swap
  std::map<int64_t, Counts> pending_;  // hour number since the epoch -> counts (one or two hours)
  std::mutex db_mutex_;
  sqlite3* db_ = nullptr;

  std::mutex flusher_mutex_;
  std::condition_variable flusher_wake_;
  bool stopping_ = false;
  std::thread flusher_;
  std::function<void()> flush_failed_;  // set before the flusher starts
};

}  // namespace portcullis::quarantine
