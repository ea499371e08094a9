#include "gateway/quarantine/quarantine_index.h"

#include <sqlite3.h>

#include "gateway/spool/queue_file.h"

namespace portcullis::quarantine {

namespace {

constexpr int kSchemaVersion = 3;
constexpr int kBusyTimeoutMs = 10'000;  // the CLI and the gateway share the file

constexpr const char* kSchema = R"sql(
CREATE TABLE entries(id TEXT PRIMARY KEY, arrival INTEGER NOT NULL, client TEXT NOT NULL,
  sender TEXT NOT NULL, subject TEXT NOT NULL, score REAL NOT NULL, reason TEXT NOT NULL,
  size INTEGER NOT NULL);
CREATE INDEX entries_arrival ON entries(arrival);
CREATE TABLE recipients(id TEXT NOT NULL, position INTEGER NOT NULL, address TEXT NOT NULL,
  PRIMARY KEY(id, position));
CREATE INDEX recipients_address ON recipients(address COLLATE NOCASE);
CREATE TABLE symbols(id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL,
  score REAL NOT NULL, detail TEXT NOT NULL DEFAULT '', PRIMARY KEY(id, position));
CREATE INDEX symbols_name ON symbols(name COLLATE NOCASE);
CREATE INDEX entries_sender ON entries(sender COLLATE NOCASE);
PRAGMA user_version = 3;
)sql";

// Version 1 lacked the search indexes of the web console; its rows are kept.
constexpr const char* kUpgradeFrom1 = R"sql(
BEGIN IMMEDIATE;
CREATE INDEX IF NOT EXISTS symbols_name ON symbols(name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS entries_sender ON entries(sender COLLATE NOCASE);
PRAGMA user_version = 2;
COMMIT;
)sql";

// Version 2 lacked the symbols' details; its rows are kept with empty details.
constexpr const char* kUpgradeFrom2 = R"sql(
BEGIN IMMEDIATE;
ALTER TABLE symbols ADD COLUMN detail TEXT NOT NULL DEFAULT '';
PRAGMA user_version = 3;
COMMIT;
)sql";

// A LIKE pattern matching `text` anywhere, with LIKE's wildcards in it taken literally (escaped
// with a backslash); empty for an empty `text` (no criterion).
std::string containsPattern(std::string_view text) {
  if (text.empty()) return {};
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepared() const { return rc_ == SQLITE_OK; }
  void bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void bind(int index, double value) { sqlite3_bind_double(stmt_, index, value); }
  void bindNull(int index) { sqlite3_bind_null(stmt_, index); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int column) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, sqlite3_column_bytes(stmt_, column)) : std::string();
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

TimePoint fromMicros(int64_t micros) {
  TimePoint t{};
  spool::fromUnixMicros(micros, t);
  return t;
}

}  // namespace

spool::Result<std::unique_ptr<QuarantineIndex>> QuarantineIndex::open(
    const std::filesystem::path& file) {
  using R = spool::Result<std::unique_ptr<QuarantineIndex>>;
  std::unique_ptr<QuarantineIndex> index(new QuarantineIndex);
  int rc =
      sqlite3_open_v2(file.c_str(), &index->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  auto fail = [&](const std::string& what) {
    return R::failure("index " + file.string() + ": " + what + ": " + index->lastError());
  };
  if (rc != SQLITE_OK) return fail("cannot open");
  sqlite3_busy_timeout(index->db_, kBusyTimeoutMs);
  if (auto s = index->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); !s) {
    return fail("not a usable database");
  }
  Statement check(index->db_, "PRAGMA quick_check");
  if (!check.prepared() || check.step() != SQLITE_ROW || check.text(0) != "ok") {
    return fail("damaged");
  }
  Statement version(index->db_, "PRAGMA user_version");
  if (!version.prepared() || version.step() != SQLITE_ROW) return fail("unreadable");
  int64_t found = version.integer(0);
  if (found == 0) {
    Statement tables(index->db_, "SELECT count(*) FROM sqlite_master");
    if (!tables.prepared() || tables.step() != SQLITE_ROW) return fail("unreadable");
    if (tables.integer(0) != 0) return R::failure("index " + file.string() + ": unknown schema");
    if (auto s = index->exec(kSchema); !s) return fail("cannot create the schema");
    index->created_ = true;
  } else if (found == 1 || found == 2) {
    if (found == 1 && !index->exec(kUpgradeFrom1)) {
      index->exec("ROLLBACK");
      return fail("cannot upgrade the schema");
    }
    if (auto s = index->exec(kUpgradeFrom2); !s) {
      index->exec("ROLLBACK");
      return fail("cannot upgrade the schema");
    }
  } else if (found != kSchemaVersion) {
    return R::failure("index " + file.string() + ": schema version " + std::to_string(found) +
                      ", expected " + std::to_string(kSchemaVersion));
  }
  return R::success(std::move(index));
}

spool::Status QuarantineIndex::destroy(const std::filesystem::path& file) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    std::filesystem::path path = file.string() + suffix;
    std::filesystem::remove(path, ec);
    if (ec) return spool::Status::failure("cannot remove " + path.string() + ": " + ec.message());
  }
  return spool::Status::success();
}

QuarantineIndex::~QuarantineIndex() {
  sqlite3_close_v2(db_);
}

std::string QuarantineIndex::lastError() const {
  return db_ ? sqlite3_errmsg(db_) : "out of memory";
}

spool::Status QuarantineIndex::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message ? message : lastError();
    sqlite3_free(message);
    return spool::Status::failure(error);
  }
  return spool::Status::success();
}

spool::Status QuarantineIndex::put(const Entry& entry) {
  std::lock_guard lock(mutex_);
  auto fail = [&](std::string_view what) {
    std::string error = "index: " + std::string(what) + " " + entry.id + ": " + lastError();
    exec("ROLLBACK");
    return spool::Status::failure(error);
  };
  if (auto s = exec("BEGIN IMMEDIATE"); !s) return spool::Status::failure("index: " + s.error);
  for (const char* sql :
       {"DELETE FROM recipients WHERE id = ?1", "DELETE FROM symbols WHERE id = ?1"}) {
    Statement clear(db_, sql);
    if (!clear.prepared()) return fail("cannot replace");
    clear.bind(1, entry.id);
    if (clear.step() != SQLITE_DONE) return fail("cannot replace");
  }
  Statement row(db_,
                "INSERT OR REPLACE INTO entries(id, arrival, client, sender, subject, score, "
                "reason, size) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!row.prepared()) return fail("cannot insert");
  row.bind(1, entry.id);
  row.bind(2, spool::toUnixMicros(entry.arrival));
  row.bind(3, entry.client);
  row.bind(4, entry.sender);
  row.bind(5, entry.details.subject);
  row.bind(6, entry.details.score);
  row.bind(7, entry.details.reason);
  row.bind(8, static_cast<int64_t>(entry.size));
  if (row.step() != SQLITE_DONE) return fail("cannot insert");
  Statement rcpt(db_, "INSERT INTO recipients(id, position, address) VALUES (?1, ?2, ?3)");
  if (!rcpt.prepared()) return fail("cannot insert recipients of");
  for (size_t i = 0; i < entry.recipients.size(); ++i) {
    rcpt.reset();
    rcpt.bind(1, entry.id);
    rcpt.bind(2, static_cast<int64_t>(i));
    rcpt.bind(3, entry.recipients[i]);
    if (rcpt.step() != SQLITE_DONE) return fail("cannot insert recipients of");
  }
  Statement symbol(db_,
                   "INSERT INTO symbols(id, position, name, score, detail) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!symbol.prepared()) return fail("cannot insert symbols of");
  for (size_t i = 0; i < entry.details.symbols.size(); ++i) {
    symbol.reset();
    symbol.bind(1, entry.id);
    symbol.bind(2, static_cast<int64_t>(i));
    symbol.bind(3, entry.details.symbols[i].name);
    symbol.bind(4, entry.details.symbols[i].score);
    symbol.bind(5, entry.details.symbols[i].detail);
    if (symbol.step() != SQLITE_DONE) return fail("cannot insert symbols of");
  }
  if (auto s = exec("COMMIT"); !s) return fail("cannot commit");
  return spool::Status::success();
}

spool::Status QuarantineIndex::erase(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (auto s = exec("BEGIN IMMEDIATE"); !s) return spool::Status::failure("index: " + s.error);
  for (const char* sql :
       {"DELETE FROM entries WHERE id = ?1", "DELETE FROM recipients WHERE id = ?1",
        "DELETE FROM symbols WHERE id = ?1"}) {
    Statement erase(db_, sql);
    if (!erase.prepared() || (erase.bind(1, id), erase.step()) != SQLITE_DONE) {
      std::string error = "index: cannot remove " + id + ": " + lastError();
      exec("ROLLBACK");
      return spool::Status::failure(error);
    }
  }
  if (auto s = exec("COMMIT"); !s) return spool::Status::failure("index: " + s.error);
  return spool::Status::success();
}

spool::Result<std::vector<Entry>> QuarantineIndex::list(const Filter& filter) {
  using R = spool::Result<std::vector<Entry>>;
  std::lock_guard lock(mutex_);
  Statement rows(db_,
                 "SELECT id, arrival, client, sender, subject, score, reason, size FROM entries "
                 "WHERE (?1 IS NULL OR arrival >= ?1) AND (?2 IS NULL OR arrival < ?2) "
                 "AND (?3 = '' OR sender = ?3 COLLATE NOCASE) "
                 "AND (?4 = '' OR sender LIKE ?4 ESCAPE '\\') "
                 "AND (?5 = '' OR id IN (SELECT id FROM recipients "
                 "                       WHERE address = ?5 COLLATE NOCASE)) "
                 "AND (?6 = '' OR id IN (SELECT id FROM recipients "
                 "                       WHERE address LIKE ?6 ESCAPE '\\')) "
                 "AND (?7 = '' OR subject LIKE ?7 ESCAPE '\\') "
                 "AND (?8 = '' OR id IN (SELECT id FROM symbols WHERE name = ?8 COLLATE NOCASE)) "
                 "ORDER BY arrival DESC, id DESC LIMIT ?9 OFFSET ?10");
  Statement rcpts(db_, "SELECT address FROM recipients WHERE id = ?1 ORDER BY position");
  Statement symbols(db_, "SELECT name, score, detail FROM symbols WHERE id = ?1 ORDER BY position");
  if (!rows.prepared() || !rcpts.prepared() || !symbols.prepared()) {
    return R::failure("index: " + lastError());
  }
  auto bindTime = [&rows](int index, const std::optional<TimePoint>& t) {
    if (t)
      rows.bind(index, spool::toUnixMicros(*t));
    else
      rows.bindNull(index);
  };
  bindTime(1, filter.since);
  bindTime(2, filter.until);
  bool partial = filter.partial_addresses;
  // Empty strings, never null pointers: sqlite3_bind_text binds NULL for those.
  rows.bind(3, partial ? std::string() : filter.sender);
  rows.bind(4, partial ? containsPattern(filter.sender) : std::string());
  rows.bind(5, partial ? std::string() : filter.rcpt);
  rows.bind(6, partial ? containsPattern(filter.rcpt) : std::string());
  rows.bind(7, containsPattern(filter.subject));
  rows.bind(8, filter.symbol);
  rows.bind(9, filter.limit == 0 ? int64_t{-1} : static_cast<int64_t>(filter.limit));
  rows.bind(10, static_cast<int64_t>(filter.offset));
  std::vector<Entry> entries;
  int rc;
  while ((rc = rows.step()) == SQLITE_ROW) {
    Entry e;
    e.id = rows.text(0);
    e.arrival = fromMicros(rows.integer(1));
    e.client = rows.text(2);
    e.sender = rows.text(3);
    e.details.subject = rows.text(4);
    e.details.score = rows.real(5);
    e.details.reason = rows.text(6);
    e.size = static_cast<uint64_t>(rows.integer(7));
    rcpts.reset();
    rcpts.bind(1, e.id);
    while (rcpts.step() == SQLITE_ROW) e.recipients.push_back(rcpts.text(0));
    symbols.reset();
    symbols.bind(1, e.id);
    while (symbols.step() == SQLITE_ROW) {
      e.details.symbols.push_back({symbols.text(0), symbols.real(1), symbols.text(2)});
    }
    entries.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return R::failure("index: " + lastError());
  return R::success(std::move(entries));
}

spool::Result<std::vector<std::string>> QuarantineIndex::ids() {
  using R = spool::Result<std::vector<std::string>>;
  std::lock_guard lock(mutex_);
  Statement rows(db_, "SELECT id FROM entries");
  if (!rows.prepared()) return R::failure("index: " + lastError());
  std::vector<std::string> out;
  int rc;
  while ((rc = rows.step()) == SQLITE_ROW) out.push_back(rows.text(0));
  if (rc != SQLITE_DONE) return R::failure("index: " + lastError());
  return R::success(std::move(out));
}

spool::Result<std::vector<std::string>> QuarantineIndex::arrivedBefore(TimePoint cutoff) {
  using R = spool::Result<std::vector<std::string>>;
  std::lock_guard lock(mutex_);
  Statement rows(db_, "SELECT id FROM entries WHERE arrival < ?1 ORDER BY arrival");
  if (!rows.prepared()) return R::failure("index: " + lastError());
  rows.bind(1, spool::toUnixMicros(cutoff));
  std::vector<std::string> out;
  int rc;
  while ((rc = rows.step()) == SQLITE_ROW) out.push_back(rows.text(0));
  if (rc != SQLITE_DONE) return R::failure("index: " + lastError());
  return R::success(std::move(out));
}

spool::Result<Usage> QuarantineIndex::usage() {
  using R = spool::Result<Usage>;
  std::lock_guard lock(mutex_);
  Statement row(db_, "SELECT count(*), coalesce(sum(size), 0) FROM entries");
  if (!row.prepared() || row.step() != SQLITE_ROW) return R::failure("index: " + lastError());
  return R::success(
      Usage{static_cast<uint64_t>(row.integer(0)), static_cast<uint64_t>(row.integer(1))});
}

spool::Result<std::vector<HourCount>> QuarantineIndex::hourlyCounts(TimePoint since) {
  using R = spool::Result<std::vector<HourCount>>;
  constexpr int64_t kMicrosPerHour = 3'600'000'000;
  std::lock_guard lock(mutex_);
  Statement rows(db_,
                 "SELECT arrival / ?2 AS hour, count(*) FROM entries WHERE arrival >= ?1 "
                 "GROUP BY hour ORDER BY hour DESC");
  if (!rows.prepared()) return R::failure("index: " + lastError());
  rows.bind(1, spool::toUnixMicros(since));
  rows.bind(2, kMicrosPerHour);
  std::vector<HourCount> out;
  int rc;
  while ((rc = rows.step()) == SQLITE_ROW) {
    out.push_back(
        {fromMicros(rows.integer(0) * kMicrosPerHour), static_cast<uint64_t>(rows.integer(1))});
  }
  if (rc != SQLITE_DONE) return R::failure("index: " + lastError());
  return R::success(std::move(out));
}

}  // namespace portcullis::quarantine
