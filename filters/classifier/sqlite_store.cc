#include "filters/classifier/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "filters/classifier/token_table.h"

namespace portcullis::classifier {
namespace {

constexpr std::int32_t kApplicationId = 0x50435442;  // "PCTB": a Portcullis classifier store
constexpr int kSchemaVersion = 1;
constexpr int kBucketBits = 12;  // 4096 buckets: a few hundred tokens each in a big store
constexpr std::size_t kBuckets = std::size_t{1} << kBucketBits;
constexpr std::size_t kRecordBytes = 20;   // hash, spam, ham, hour
constexpr double kExpireToFraction = 0.9;  // learning beyond the cap expires to 90%

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE buckets(id INTEGER PRIMARY KEY, records BLOB NOT NULL);
CREATE TABLE journal(seq INTEGER PRIMARY KEY, spam_delta INTEGER NOT NULL,
                     ham_delta INTEGER NOT NULL, hour INTEGER NOT NULL, tokens BLOB NOT NULL);
CREATE TABLE digests(digest TEXT PRIMARY KEY, class INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta VALUES('spam_messages', 0), ('ham_messages', 0), ('last_expiry', 0),
                       ('generation', 0);
)sql";

std::size_t bucketOf(TokenHash hash) {
  return static_cast<std::size_t>(hash >> (64 - kBucketBits));
}

void putLittleEndian(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

std::uint64_t getLittleEndian(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

std::int64_t systemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t steadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct SqliteStore::Impl {
  std::filesystem::path path;
  SqliteStoreOptions options;
  sqlite3* db = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> statements;  // keyed by the SQL literal

  // Lock order: db_mutex, then table_mutex. Writers hold db_mutex for the whole SQLite transaction
  // and take table_mutex exclusively only to change memory, so lookups wait for microseconds of
  // memory updates, never for SQLite. The table, totals and expiry time change only under both.
  std::mutex db_mutex;  // the connection, its statements and the journal bookkeeping below
  mutable std::shared_mutex table_mutex;
  TokenTable table;
  std::uint64_t spam_messages = 0;
  std::uint64_t ham_messages = 0;
  std::int64_t last_expiry = 0;
  std::int64_t generation = 0;       // the checkpoint the buckets in memory come from
  std::int64_t journal_seq = 0;      // the last journal row applied
  std::uint64_t journal_tokens = 0;  // tokens in the journal rows applied
  std::int64_t data_version = -1;
  std::unique_ptr<std::atomic<bool>[]> dirty { new std::atomic<bool>[ kBuckets ] };
  std::atomic<std::int64_t> next_refresh_ms{0};
  std::atomic<std::uint64_t> bytes_on_disk{0};

  ~Impl() {
    for (auto& [sql, statement] : statements) sqlite3_finalize(statement);
    if (db) sqlite3_close(db);
  }

  std::int64_t now() const { return options.clock ? options.clock() : systemNow(); }
  std::uint32_t hour() const {
    return static_cast<std::uint32_t>(std::max<std::int64_t>(now(), 0) / 3600);
  }

  std::string fail(std::string_view what) const {
    return "classifier store " + path.string() + ": " + std::string(what) +
           (db ? std::string(": ") + sqlite3_errmsg(db) : std::string());
  }

  // A cached prepared statement, reset and unbound; nullptr on error.
  sqlite3_stmt* prepare(const char* sql) {
    auto it = statements.find(sql);
    if (it != statements.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) !=
        SQLITE_OK) {
      sqlite3_finalize(statement);
      return nullptr;
    }
    statements.emplace(sql, statement);
    return statement;
  }

  bool exec(const char* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  }

  // Runs a statement that returns at most one integer; nullopt on error.
  std::optional<std::int64_t> queryInt(const char* sql, std::int64_t fallback = 0) {
    sqlite3_stmt* s = prepare(sql);
    if (!s) return std::nullopt;
    const int rc = sqlite3_step(s);
    std::optional<std::int64_t> out;
    if (rc == SQLITE_ROW)
      out = sqlite3_column_int64(s, 0);
    else if (rc == SQLITE_DONE)
      out = fallback;
    sqlite3_reset(s);
    return out;
  }

  bool setMeta(const char* key, std::int64_t value) {
    sqlite3_stmt* s = prepare("UPDATE meta SET value = ?2 WHERE key = ?1");
    if (!s) return false;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, value);
    const bool ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok;
  }

  std::optional<std::int64_t> meta(const char* key) {
    sqlite3_stmt* s = prepare("SELECT value FROM meta WHERE key = ?1");
    if (!s) return std::nullopt;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    std::optional<std::int64_t> out;
    if (sqlite3_step(s) == SQLITE_ROW) out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return out;
  }

  Status readTotals() {
    const auto spam = meta("spam_messages"), ham = meta("ham_messages"),
               expiry = meta("last_expiry"), gen = meta("generation");
    if (!spam || !ham || !expiry || !gen) return Status::failure(fail("reading the totals"));
    spam_messages = static_cast<std::uint64_t>(std::max<std::int64_t>(*spam, 0));
    ham_messages = static_cast<std::uint64_t>(std::max<std::int64_t>(*ham, 0));
    last_expiry = *expiry;
    return Status::success();
  }

  void applyTokens(const unsigned char* blob, std::size_t bytes, int spam_delta, int ham_delta,
                   std::uint32_t at_hour) {
    for (std::size_t off = 0; off + 8 <= bytes; off += 8) {
      const TokenHash h = getLittleEndian(blob + off, 8);
      table.apply(h, spam_delta, ham_delta, at_hour);
      dirty[bucketOf(h)].store(true, std::memory_order_relaxed);
    }
    journal_tokens += bytes / 8;
  }

  // Applies the journal rows after `journal_seq`.
  Status replayJournal() {
    sqlite3_stmt* s = prepare(
        "SELECT seq, spam_delta, ham_delta, hour, tokens FROM journal WHERE seq > ?1 ORDER BY seq");
    if (!s) return Status::failure(fail("reading the journal"));
    sqlite3_bind_int64(s, 1, journal_seq);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(s, 4));
      const auto bytes = static_cast<std::size_t>(sqlite3_column_bytes(s, 4));
      const std::int64_t spam_delta = sqlite3_column_int64(s, 1);
      const std::int64_t ham_delta = sqlite3_column_int64(s, 2);
      if (bytes % 8 != 0 || spam_delta < -1 || spam_delta > 1 || ham_delta < -1 || ham_delta > 1) {
        sqlite3_reset(s);
        return Status::failure("classifier store " + path.string() + ": damaged journal row " +
                               std::to_string(sqlite3_column_int64(s, 0)));
      }
      applyTokens(blob, bytes, static_cast<int>(spam_delta), static_cast<int>(ham_delta),
                  static_cast<std::uint32_t>(sqlite3_column_int64(s, 3)));
      journal_seq = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return Status::failure(fail("reading the journal"));
    return Status::success();
  }

  // Loads everything: the buckets, then the journal. Call inside a transaction.
  Status loadAll() {
    table.clear();
    for (std::size_t b = 0; b < kBuckets; ++b) dirty[b].store(false, std::memory_order_relaxed);
    journal_seq = 0;
    journal_tokens = 0;
    const auto gen = meta("generation");
    if (!gen) return Status::failure(fail("reading the store"));
    generation = *gen;
    sqlite3_stmt* s = prepare("SELECT id, records FROM buckets");
    if (!s) return Status::failure(fail("reading the tokens"));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const std::int64_t id = sqlite3_column_int64(s, 0);
      const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(s, 1));
      const auto bytes = static_cast<std::size_t>(sqlite3_column_bytes(s, 1));
      if (id < 0 || static_cast<std::size_t>(id) >= kBuckets || bytes % kRecordBytes != 0) {
        sqlite3_reset(s);
        return Status::failure("classifier store " + path.string() + ": damaged token bucket " +
                               std::to_string(id));
      }
      for (std::size_t off = 0; off < bytes; off += kRecordBytes) {
        TokenEntry e;
        e.hash = getLittleEndian(blob + off, 8);
        e.spam = static_cast<std::uint32_t>(getLittleEndian(blob + off + 8, 4));
        e.ham = static_cast<std::uint32_t>(getLittleEndian(blob + off + 12, 4));
        e.hour = static_cast<std::uint32_t>(getLittleEndian(blob + off + 16, 4));
        if (bucketOf(e.hash) != static_cast<std::size_t>(id)) {
          sqlite3_reset(s);
          return Status::failure("classifier store " + path.string() + ": damaged token bucket " +
                                 std::to_string(id));
        }
        table.put(e);
      }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return Status::failure(fail("reading the tokens"));
    if (Status st = replayJournal(); !st) return st;
    return readTotals();
  }

  // Brings memory up to date with what other connections committed. Call inside a transaction,
  // holding db_mutex (loadAll, replayJournal and readTotals need table_mutex held exclusively).
  Status refresh() {
    const auto version = queryInt("PRAGMA data_version");
    if (!version) return Status::failure(fail("reading the data version"));
    if (*version == data_version) return Status::success();
    const auto gen = meta("generation");
    if (!gen) return Status::failure(fail("reading the store"));
    std::unique_lock table_lock(table_mutex);
    Status st = *gen == generation ? replayJournal() : loadAll();
    if (st) st = readTotals();
    if (st) data_version = *version;
    return st;
  }

  // Lookups refresh at most once per interval, and not while a writer works (it refreshes
  // itself); a failed refresh serves what memory holds.
  void maybeRefresh() {
    const std::int64_t now_ms = steadyMillis();
    if (now_ms < next_refresh_ms.load(std::memory_order_relaxed)) return;
    std::unique_lock lock(db_mutex, std::try_to_lock);
    if (!lock.owns_lock() || now_ms < next_refresh_ms.load(std::memory_order_relaxed)) return;
    next_refresh_ms.store(now_ms + options.refresh_interval.count(), std::memory_order_relaxed);
    if (!exec("BEGIN")) return;
    refresh();
    exec("COMMIT");
  }

  // Runs `body` in a write transaction (after a refresh); commits when it succeeds.
  template <class Body>
  auto writeTransaction(Body body) -> decltype(body()) {
    using R = decltype(body());
    if (!exec("BEGIN IMMEDIATE")) return R::failure(fail("starting a transaction"));
    if (Status st = refresh(); !st) {
      exec("ROLLBACK");
      return R::failure(st.error);
    }
    R result = body();
    if (!result.ok()) {
      exec("ROLLBACK");
      return result;
    }
    if (!exec("COMMIT")) {
      const std::string error = fail("committing");
      exec("ROLLBACK");
      return R::failure(error);
    }
    measureBytes();
    return result;
  }

  // Rewrites the dirty buckets and empties the journal. Call inside a write transaction. The
  // buckets are copied under a shared lock (lookups go on) and written without it; on failure
  // they are marked dirty again.
  Status writeCheckpoint() {
    std::vector<std::string> blobs(kBuckets);
    std::vector<bool> write(kBuckets);
    std::shared_lock table_lock(table_mutex);
    for (std::size_t b = 0; b < kBuckets; ++b)
      write[b] = dirty[b].exchange(false, std::memory_order_relaxed);
    table.forEach([&](const TokenEntry& e) {
      const std::size_t b = bucketOf(e.hash);
      if (!write[b]) return;
      std::string& blob = blobs[b];
      putLittleEndian(blob, e.hash, 8);
      putLittleEndian(blob, e.spam, 4);
      putLittleEndian(blob, e.ham, 4);
      putLittleEndian(blob,
                      std::atomic_ref<std::uint32_t>(const_cast<std::uint32_t&>(e.hour))
                          .load(std::memory_order_relaxed),
                      4);
    });
    table_lock.unlock();
    Status written = writeBuckets(blobs, write);
    if (!written)
      for (std::size_t b = 0; b < kBuckets; ++b)
        if (write[b]) dirty[b].store(true, std::memory_order_relaxed);
    return written;
  }

  Status writeBuckets(const std::vector<std::string>& blobs, const std::vector<bool>& write) {
    sqlite3_stmt* put = prepare("INSERT OR REPLACE INTO buckets(id, records) VALUES(?1, ?2)");
    sqlite3_stmt* drop = prepare("DELETE FROM buckets WHERE id = ?1");
    if (!put || !drop) return Status::failure(fail("writing the tokens"));
    for (std::size_t b = 0; b < kBuckets; ++b) {
      if (!write[b]) continue;
      sqlite3_stmt* s = blobs[b].empty() ? drop : put;
      sqlite3_reset(s);
      sqlite3_bind_int64(s, 1, static_cast<std::int64_t>(b));
      if (!blobs[b].empty())
        sqlite3_bind_blob(s, 2, blobs[b].data(), static_cast<int>(blobs[b].size()), SQLITE_STATIC);
      const int rc = sqlite3_step(s);
      sqlite3_reset(s);
      if (rc != SQLITE_DONE) return Status::failure(fail("writing the tokens"));
    }
    if (!exec("DELETE FROM journal") || !setMeta("generation", generation + 1))
      return Status::failure(fail("emptying the journal"));
    return Status::success();
  }

  // After a checkpoint committed.
  void checkpointCommitted() {
    ++generation;
    journal_seq = 0;
    journal_tokens = 0;
  }

  // A checkpoint whose commit failed after writeCheckpoint() cleared the dirty marks: mark every
  // bucket, so that the next checkpoint writes whatever this one did not.
  void markAllDirty() {
    for (std::size_t b = 0; b < kBuckets; ++b) dirty[b].store(true, std::memory_order_relaxed);
  }

  Status checkpoint() {
    Status st = writeTransaction([&] { return writeCheckpoint(); });
    if (st)
      checkpointCommitted();
    else
      markAllDirty();
    return st;
  }

  Status expire(std::uint64_t max_tokens) {
    const std::int64_t now_seconds = now();
    std::vector<std::pair<std::uint32_t, TokenHash>> doomed;
    Status st = writeTransaction([&]() -> Status {
      std::unique_lock table_lock(table_mutex);
      if (table.size() > max_tokens) {
        std::vector<std::pair<std::uint32_t, TokenHash>> by_age;
        by_age.reserve(table.size());
        table.forEach([&](const TokenEntry& e) { by_age.emplace_back(e.hour, e.hash); });
        const std::size_t drop = by_age.size() - max_tokens;
        std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop),
                         by_age.end());
        by_age.resize(drop);
        for (const auto& [hour, hash] : by_age) {
          table.remove(hash);
          dirty[bucketOf(hash)].store(true, std::memory_order_relaxed);
        }
        doomed = std::move(by_age);
      }
      table_lock.unlock();
      if (Status written = writeCheckpoint(); !written) return written;
      if (!setMeta("last_expiry", now_seconds)) return Status::failure(fail("recording expiry"));
      return Status::success();
    });
    if (st) {
      checkpointCommitted();
      std::unique_lock table_lock(table_mutex);
      last_expiry = now_seconds;
      return st;
    }
    markAllDirty();
    // The memory table lost tokens the file still has: read the file again.
    if (!doomed.empty() && exec("BEGIN")) {
      std::unique_lock table_lock(table_mutex);
      loadAll();
      exec("COMMIT");
    }
    return st;
  }

  Result<LearnOutcome> change(const MessageDigest& digest, std::optional<MessageClass> cls,
                              std::span<const TokenHash> tokens) {
    int spam_delta = 0, ham_delta = 0;
    const std::uint32_t at_hour = hour();
    std::int64_t seq = 0;
    auto result = writeTransaction([&]() -> Result<LearnOutcome> {
      sqlite3_stmt* find = prepare("SELECT class FROM digests WHERE digest = ?1");
      if (!find) return Result<LearnOutcome>::failure(fail("reading the digests"));
      sqlite3_bind_text(find, 1, digest.hex.data(), static_cast<int>(digest.hex.size()),
                        SQLITE_STATIC);
      std::optional<MessageClass> learnt;
      const int rc = sqlite3_step(find);
      if (rc == SQLITE_ROW)
        learnt = sqlite3_column_int(find, 0) == 1 ? MessageClass::Spam : MessageClass::Ham;
      sqlite3_reset(find);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return Result<LearnOutcome>::failure(fail("reading the digests"));

      LearnOutcome outcome;
      if (cls) {
        if (learnt == cls) return Result<LearnOutcome>::success(LearnOutcome::AlreadyLearned);
        outcome = learnt ? LearnOutcome::Relearned : LearnOutcome::Learned;
        (*cls == MessageClass::Spam ? spam_delta : ham_delta) = 1;
        if (learnt) (*learnt == MessageClass::Spam ? spam_delta : ham_delta) = -1;
        sqlite3_stmt* put = prepare("INSERT OR REPLACE INTO digests(digest, class) VALUES(?1, ?2)");
        if (!put) return Result<LearnOutcome>::failure(fail("writing the digest"));
        sqlite3_bind_text(put, 1, digest.hex.data(), static_cast<int>(digest.hex.size()),
                          SQLITE_STATIC);
        sqlite3_bind_int(put, 2, *cls == MessageClass::Spam ? 1 : 0);
        const bool ok = sqlite3_step(put) == SQLITE_DONE;
        sqlite3_reset(put);
        if (!ok) return Result<LearnOutcome>::failure(fail("writing the digest"));
      } else {
        if (!learnt) return Result<LearnOutcome>::success(LearnOutcome::NotLearned);
        outcome = LearnOutcome::Forgotten;
        (*learnt == MessageClass::Spam ? spam_delta : ham_delta) = -1;
        sqlite3_stmt* drop = prepare("DELETE FROM digests WHERE digest = ?1");
        if (!drop) return Result<LearnOutcome>::failure(fail("removing the digest"));
        sqlite3_bind_text(drop, 1, digest.hex.data(), static_cast<int>(digest.hex.size()),
                          SQLITE_STATIC);
        const bool ok = sqlite3_step(drop) == SQLITE_DONE;
        sqlite3_reset(drop);
        if (!ok) return Result<LearnOutcome>::failure(fail("removing the digest"));
      }

      std::string blob;
      blob.reserve(tokens.size() * 8);
      for (TokenHash h : tokens) putLittleEndian(blob, h, 8);
      sqlite3_stmt* journal = prepare(
          "INSERT INTO journal(spam_delta, ham_delta, hour, tokens) VALUES(?1, ?2, ?3, ?4)");
      if (!journal) return Result<LearnOutcome>::failure(fail("writing the journal"));
      sqlite3_bind_int(journal, 1, spam_delta);
      sqlite3_bind_int(journal, 2, ham_delta);
      sqlite3_bind_int64(journal, 3, at_hour);
      sqlite3_bind_blob(journal, 4, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
      const bool ok = sqlite3_step(journal) == SQLITE_DONE;
      sqlite3_reset(journal);
      if (!ok) return Result<LearnOutcome>::failure(fail("writing the journal"));
      seq = sqlite3_last_insert_rowid(db);

      auto adjust = [](std::uint64_t n, int delta) -> std::int64_t {
        return delta < 0 && n == 0 ? 0 : static_cast<std::int64_t>(n) + delta;
      };
      if (!setMeta("spam_messages", adjust(spam_messages, spam_delta)) ||
          !setMeta("ham_messages", adjust(ham_messages, ham_delta)))
        return Result<LearnOutcome>::failure(fail("writing the totals"));
      return Result<LearnOutcome>::success(outcome);
    });
    if (!result.ok() || (spam_delta == 0 && ham_delta == 0)) return result;

    // Committed: the memory table follows.
    std::unique_lock table_lock(table_mutex);
    for (TokenHash h : tokens) {
      table.apply(h, spam_delta, ham_delta, at_hour);
      dirty[bucketOf(h)].store(true, std::memory_order_relaxed);
    }
    journal_tokens += tokens.size();
    journal_seq = seq;
    spam_messages = spam_delta < 0 && spam_messages == 0 ? 0 : spam_messages + spam_delta;
    ham_messages = ham_delta < 0 && ham_messages == 0 ? 0 : ham_messages + ham_delta;
    // Our own commit changes no data_version; the next refresh sees only other writers.
    table_lock.unlock();

    if (journal_tokens >= std::max<std::uint64_t>(options.checkpoint_tokens, table.size()))
      checkpoint();  // a failure leaves the journal longer; the next learn tries again
    if (options.max_tokens && table.size() > options.max_tokens)
      expire(
          static_cast<std::uint64_t>(static_cast<double>(options.max_tokens) * kExpireToFraction));
    return result;
  }

  // The file and its WAL; measured after each write, so lookups need no system call.
  void measureBytes() {
    std::error_code ec;
    std::uint64_t total = 0;
    for (const char* suffix : {"", "-wal"}) {
      const auto size = std::filesystem::file_size(path.string() + suffix, ec);
      if (!ec) total += size;
    }
    bytes_on_disk.store(total, std::memory_order_relaxed);
  }

  StoreTotals currentTotals() const {
    StoreTotals t;
    t.spam_messages = spam_messages;
    t.ham_messages = ham_messages;
    t.tokens = table.size();
    t.last_expiry = last_expiry;
    t.bytes = bytes_on_disk.load(std::memory_order_relaxed);
    return t;
  }

  bool anyDirty() const {
    for (std::size_t b = 0; b < kBuckets; ++b)
      if (dirty[b].load(std::memory_order_relaxed)) return true;
    return false;
  }
};

Result<std::shared_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& path,
                                                       SqliteStoreOptions options) {
  using R = Result<std::shared_ptr<SqliteStore>>;
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = std::move(options);
  for (std::size_t b = 0; b < kBuckets; ++b) impl->dirty[b].store(false);
  if (sqlite3_open_v2(path.c_str(), &impl->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return R::failure(impl->fail("cannot open"));
  sqlite3_busy_timeout(impl->db, static_cast<int>(impl->options.busy_timeout.count()));

  // Read-only questions first: a file that is not ours is never written to.
  const auto application_id = impl->queryInt("PRAGMA application_id");
  if (!application_id) return R::failure(impl->fail("not a classifier store"));
  const auto objects = impl->queryInt("SELECT count(*) FROM sqlite_master");
  const auto version = impl->queryInt("PRAGMA user_version");
  if (!objects || !version) return R::failure(impl->fail("not a classifier store"));
  const bool fresh = *objects == 0 && *application_id == 0;
  if (!fresh && *application_id != kApplicationId)
    return R::failure("classifier store " + path.string() +
                      ": not a Portcullis classifier store (another program's database)");
  if (!fresh && *version != kSchemaVersion)
    return R::failure("classifier store " + path.string() + ": schema version " +
                      std::to_string(*version) + ", this version reads " +
                      std::to_string(kSchemaVersion));

  if (!impl->exec("PRAGMA journal_mode=WAL") || !impl->exec("PRAGMA synchronous=NORMAL"))
    return R::failure(impl->fail("setting up the journal"));
  if (fresh) {
    if (!impl->exec("BEGIN IMMEDIATE")) return R::failure(impl->fail("creating the store"));
    // Another process may have created it meanwhile.
    const auto again = impl->queryInt("SELECT count(*) FROM sqlite_master");
    if (again && *again == 0) {
      const std::string pragmas = "PRAGMA application_id=" + std::to_string(kApplicationId) +
                                  "; PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";";
      if (!impl->exec(kSchema) || !impl->exec(pragmas.c_str())) {
        const std::string error = impl->fail("creating the store");
        impl->exec("ROLLBACK");
        return R::failure(error);
      }
    }
    if (!impl->exec("COMMIT")) return R::failure(impl->fail("creating the store"));
  }
  if (!impl->exec("BEGIN")) return R::failure(impl->fail("reading the store"));
  Status loaded = impl->refresh();
  impl->exec("COMMIT");
  if (!loaded) return R::failure(loaded.error);
  impl->measureBytes();
  return R::success(std::shared_ptr<SqliteStore>(new SqliteStore(std::move(impl))));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() {
  std::lock_guard lock(impl_->db_mutex);
  if (impl_->anyDirty()) impl_->checkpoint();  // keeps the tokens' hours; best effort
}

Result<StoreTotals> SqliteStore::lookup(std::span<const TokenHash> tokens,
                                        std::span<TokenCounts> counts) {
  impl_->maybeRefresh();
  std::shared_lock lock(impl_->table_mutex);
  const std::uint32_t hour = impl_->hour();
  for (std::size_t i = 0; i < tokens.size() && i < counts.size(); ++i) {
    const TokenEntry* e = impl_->table.find(tokens[i]);
    if (!e) {
      counts[i] = {};
      continue;
    }
    counts[i] = {e->spam, e->ham};
    if (impl_->table.touch(*e, hour))
      impl_->dirty[bucketOf(tokens[i])].store(true, std::memory_order_relaxed);
  }
  return Result<StoreTotals>::success(impl_->currentTotals());
}

Result<LearnOutcome> SqliteStore::learn(const MessageDigest& digest, MessageClass cls,
                                        std::span<const TokenHash> tokens) {
  std::lock_guard lock(impl_->db_mutex);
  return impl_->change(digest, cls, tokens);
}

Result<LearnOutcome> SqliteStore::forget(const MessageDigest& digest,
                                         std::span<const TokenHash> tokens) {
  std::lock_guard lock(impl_->db_mutex);
  return impl_->change(digest, std::nullopt, tokens);
}

Result<StoreTotals> SqliteStore::totals() {
  impl_->maybeRefresh();
  std::shared_lock lock(impl_->table_mutex);
  return Result<StoreTotals>::success(impl_->currentTotals());
}

Status SqliteStore::expire(std::uint64_t max_tokens) {
  std::lock_guard lock(impl_->db_mutex);
  return impl_->expire(max_tokens);
}

Status SqliteStore::checkpoint() {
  std::lock_guard lock(impl_->db_mutex);
  return impl_->checkpoint();
}

Result<std::string> SqliteStore::integrityCheck() {
  std::lock_guard lock(impl_->db_mutex);
  sqlite3_stmt* s = impl_->prepare("PRAGMA integrity_check");
  if (!s) return Result<std::string>::failure(impl_->fail("checking"));
  std::string out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (!out.empty()) out.push_back('\n');
    out.append(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return Result<std::string>::failure(impl_->fail("checking"));
  return Result<std::string>::success(out);
}

}  // namespace portcullis::classifier
