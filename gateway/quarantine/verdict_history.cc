#include "gateway/quarantine/verdict_history.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <string>

namespace portcullis::quarantine {

namespace {

constexpr int kHistoryBusyTimeoutMs = 10'000;
constexpr int64_t kSecondsPerHour = 3600;

constexpr const char* kHistorySchema = R"sql(
CREATE TABLE IF NOT EXISTS verdict_hours(hour INTEGER NOT NULL, action INTEGER NOT NULL,
  count INTEGER NOT NULL, PRIMARY KEY(hour, action));
)sql";

int64_t hourOf(spool::TimePoint t) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return seconds >= 0 ? seconds / kSecondsPerHour
                      : (seconds - kSecondsPerHour + 1) / kSecondsPerHour;
}

spool::TimePoint startOf(int64_t hour) {
  return spool::TimePoint(std::chrono::duration_cast<spool::Clock::duration>(
      std::chrono::seconds(hour * kSecondsPerHour)));
}

std::string errorOf(sqlite3* db) {
  return db ? sqlite3_errmsg(db) : "out of memory";
}

bool exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

}  // namespace

spool::Result<std::unique_ptr<VerdictHistory>> VerdictHistory::open(
    const std::filesystem::path& file, std::chrono::milliseconds retention) {
  using R = spool::Result<std::unique_ptr<VerdictHistory>>;
  std::unique_ptr<VerdictHistory> history(new VerdictHistory(retention));
  int rc =
      sqlite3_open_v2(file.c_str(), &history->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(history->db_, kHistoryBusyTimeoutMs);
    if (exec(history->db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") &&
        exec(history->db_, kHistorySchema)) {
      return R::success(std::move(history));
    }
  }
  return R::failure("verdict history " + file.string() + ": " + errorOf(history->db_));
}

VerdictHistory::~VerdictHistory() {
  stopFlushing();
  sqlite3_close_v2(db_);
}

void VerdictHistory::record(Action action, spool::TimePoint when) {
  auto kind = static_cast<size_t>(action);
  if (kind >= kVerdictKinds) return;
  int64_t hour = hourOf(when);
  std::lock_guard lock(pending_mutex_);
  ++pending_[hour][kind];
}

spool::Status VerdictHistory::flush(spool::TimePoint now) {
  std::map<int64_t, Counts> pending;
  {
    std::lock_guard lock(pending_mutex_);
    pending.swap(pending_);
  }
  std::lock_guard lock(db_mutex_);
  auto status = writeLocked(pending, now);
  if (!status) {
    std::lock_guard again(pending_mutex_);
    for (const auto& [hour, counts] : pending) {
      for (size_t i = 0; i < kVerdictKinds; ++i) pending_[hour][i] += counts[i];
    }
  }
  return status;
}

spool::Status VerdictHistory::writeLocked(const std::map<int64_t, Counts>& pending,
                                          spool::TimePoint now) {
  auto fail = [this](std::string_view what) {
    std::string error = "verdict history: " + std::string(what) + ": " + errorOf(db_);
    exec(db_, "ROLLBACK");
    return spool::Status::failure(error);
  };
  if (!exec(db_, "BEGIN IMMEDIATE")) return fail("cannot begin");
  sqlite3_stmt* add = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO verdict_hours(hour, action, count) VALUES (?1, ?2, ?3) "
                         "ON CONFLICT(hour, action) DO UPDATE SET count = count + excluded.count",
                         -1, &add, nullptr) != SQLITE_OK) {
    return fail("cannot prepare");
  }
  bool ok = true;
  for (const auto& [hour, counts] : pending) {
    for (size_t i = 0; i < kVerdictKinds && ok; ++i) {
      if (counts[i] == 0) continue;
      sqlite3_reset(add);
      sqlite3_bind_int64(add, 1, hour);
      sqlite3_bind_int64(add, 2, static_cast<int64_t>(i));
      sqlite3_bind_int64(add, 3, static_cast<int64_t>(counts[i]));
      ok = sqlite3_step(add) == SQLITE_DONE;
    }
  }
  sqlite3_finalize(add);
  if (!ok) return fail("cannot write");
  sqlite3_stmt* prune = nullptr;
  if (sqlite3_prepare_v2(db_, "DELETE FROM verdict_hours WHERE hour < ?1", -1, &prune, nullptr) !=
      SQLITE_OK) {
    return fail("cannot prepare");
  }
  sqlite3_bind_int64(prune, 1, hourOf(now - retention_));
  ok = sqlite3_step(prune) == SQLITE_DONE;
  sqlite3_finalize(prune);
  if (!ok) return fail("cannot remove old hours");
  if (!exec(db_, "COMMIT")) return fail("cannot commit");
  return spool::Status::success();
}

spool::Result<std::vector<VerdictHour>> VerdictHistory::hours(spool::TimePoint since) {
  using R = spool::Result<std::vector<VerdictHour>>;
  int64_t first = hourOf(since);
  std::map<int64_t, Counts> merged;
  {
    std::lock_guard lock(db_mutex_);
    sqlite3_stmt* rows = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT hour, action, count FROM verdict_hours WHERE hour >= ?1",
                           -1, &rows, nullptr) != SQLITE_OK) {
      return R::failure("verdict history: " + errorOf(db_));
    }
    sqlite3_bind_int64(rows, 1, first);
    int rc;
    while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
      auto kind = static_cast<size_t>(sqlite3_column_int64(rows, 1));
      if (kind >= kVerdictKinds) continue;
      merged[sqlite3_column_int64(rows, 0)][kind] +=
          static_cast<uint64_t>(sqlite3_column_int64(rows, 2));
    }
    sqlite3_finalize(rows);
    if (rc != SQLITE_DONE) return R::failure("verdict history: " + errorOf(db_));
  }
  {
    std::lock_guard lock(pending_mutex_);
    for (const auto& [hour, counts] : pending_) {
      if (hour < first) continue;
      for (size_t i = 0; i < kVerdictKinds; ++i) merged[hour][i] += counts[i];
    }
  }
  std::vector<VerdictHour> out;
  for (auto it = merged.rbegin(); it != merged.rend(); ++it) {
    out.push_back({startOf(it->first), it->second});
  }
  return R::success(std::move(out));
}

void VerdictHistory::startFlushing(std::chrono::milliseconds interval,
                                   std::function<void()> failed) {
  std::lock_guard lock(flusher_mutex_);
  if (flusher_.joinable()) return;
  stopping_ = false;
  flush_failed_ = std::move(failed);
  flusher_ = std::thread([this, interval] {
    std::unique_lock lock(flusher_mutex_);
    while (!flusher_wake_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      flushLogged();
      lock.lock();
    }
  });
}

void VerdictHistory::stopFlushing() {
  {
    std::lock_guard lock(flusher_mutex_);
    if (!flusher_.joinable()) return;
    stopping_ = true;
  }
  flusher_wake_.notify_all();
  flusher_.join();
  flushLogged();
}

void VerdictHistory::flushLogged() {
  if (auto status = flush(); !status) {
    spdlog::error("{}", status.error);
    if (flush_failed_) flush_failed_();
  }
}

}  // namespace portcullis::quarantine
