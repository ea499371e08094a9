// The searchable index of the quarantine, in SQLite (<quarantine dir>/index.sqlite3, WAL mode so
// the CLI reads while the gateway writes). It is a cache of the store: every row is written after
// the message is durably stored, and the whole index can be rebuilt from the store, so it is
// opened with synchronous=NORMAL. open() refuses a file that is not a healthy index of this
// schema (garbage, damaged, another version); the caller then deletes it and rebuilds.
// Thread safe: one connection behind a mutex.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/quarantine/quarantine_entry.h"
#include "gateway/spool/result.h"

struct sqlite3;

namespace portcullis::quarantine {

class QuarantineIndex {
 public:
  static spool::Result<std::unique_ptr<QuarantineIndex>> open(const std::filesystem::path& file);
  // Deletes the database with its -wal and -shm files.
  static spool::Status destroy(const std::filesystem::path& file);
  ~QuarantineIndex();
  QuarantineIndex(const QuarantineIndex&) = delete;
  QuarantineIndex& operator=(const QuarantineIndex&) = delete;

  // True when open() created the schema (a new or empty file): the caller fills it from the store.
  bool created() const { return created_; }

  // Inserts or replaces the entry.
  spool::Status put(const Entry& entry);
  spool::Status erase(const std::string& id);
  spool::Result<std::vector<Entry>> list(const Filter& filter);
  spool::Result<std::vector<std::string>> ids();
  spool::Result<std::vector<std::string>> arrivedBefore(TimePoint cutoff);
  spool::Result<Usage> usage();
  // Entries per hour of arrival, for the hours at or after `since` that have any; newest first.
  spool::Result<std::vector<HourCount>> hourlyCounts(TimePoint since);

 private:
  QuarantineIndex() = default;
  spool::Status exec(const char* sql);
  std::string lastError() const;

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  bool created_ = false;
};

}  // namespace portcullis::quarantine
