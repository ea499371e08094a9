// Chooses the embedded store by measurement: the shipped SqliteStore (the token table in memory,
// SQLite in WAL mode as its journal) against two designs that keep the tokens on disk only — SQLite
// with a row per token, and LMDB with a key per token — on the development corpus. Each learns
// every message (one transaction per message, durable against a process crash: SQLite WAL with
// synchronous=NORMAL, LMDB with MDB_NOSYNC, neither syncing per message) and then classifies every
// message (the store lookup and the combining; tokenizing is measured once, apart). Also prints
// the time to reopen the store and its size on disk; then the same at the scale of the default
// size cap (2,000,000 tokens, synthetic messages).
//
//   store_compare [CORPUS_DIR] [ROUNDS]   (defaults: BUILD/corpus, 3 rounds of classification)
#include <lmdb.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "filters/classifier/combiner.h"
#include "filters/classifier/sqlite_store.h"
#include "filters/classifier/tokenizer.h"
#include "filters/content/eval/classifier_facts.h"
#include "filters/content/message_view.h"
#include "gateway/mime/message.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using namespace portcullis;
using namespace portcullis::classifier;
using Clock = std::chrono::steady_clock;

constexpr int kSyntheticMessages = 10000;

struct Sample {
  MessageClass cls;
  MessageDigest digest;
  std::vector<TokenHash> tokens;
};

double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::uint64_t sizeOnDisk(const fs::path& dir) {
  std::uint64_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) bytes += e.file_size();
  return bytes;
}

// The operations each design must offer.
class Design {
 public:
  virtual ~Design() = default;
  virtual void learn(const Sample& s) = 0;
  virtual StoreTotals lookup(const std::vector<TokenHash>& tokens, std::vector<TokenCounts>& c) = 0;
};

class Shipped : public Design {
 public:
  explicit Shipped(const fs::path& path) {
    auto opened = SqliteStore::open(path);
    if (!opened) std::fprintf(stderr, "%s\n", opened.error.c_str());
    store_ = *opened;
  }
  void learn(const Sample& s) override { store_->learn(s.digest, s.cls, s.tokens); }
  StoreTotals lookup(const std::vector<TokenHash>& tokens, std::vector<TokenCounts>& c) override {
    return *store_->lookup(tokens, c);
  }

 private:
  std::shared_ptr<SqliteStore> store_;
};

// SQLite with one row per token: every learn is an upsert per token, every lookup a query per
// token.
class SqliteRows : public Design {
 public:
  explicit SqliteRows(const fs::path& path) {
    sqlite3_open(path.c_str(), &db_);
    exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS tokens(hash INTEGER PRIMARY KEY, spam INTEGER, ham INTEGER,"
        " atime INTEGER);"
        "CREATE TABLE IF NOT EXISTS digests(digest TEXT PRIMARY KEY, class INTEGER) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS totals(id INTEGER PRIMARY KEY, spam INTEGER, ham INTEGER);"
        "INSERT OR IGNORE INTO totals VALUES(1, 0, 0);");
    sqlite3_prepare_v2(db_,
                       "INSERT INTO tokens VALUES(?1, ?2, ?3, ?4) ON CONFLICT(hash) DO UPDATE SET "
                       "spam = spam + ?2, ham = ham + ?3, atime = ?4",
                       -1, &upsert_, nullptr);
    sqlite3_prepare_v2(db_, "SELECT spam, ham FROM tokens WHERE hash = ?1", -1, &select_, nullptr);
    sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO digests VALUES(?1, ?2)", -1, &digest_, nullptr);
    sqlite3_prepare_v2(db_, "UPDATE totals SET spam = spam + ?1, ham = ham + ?2", -1, &totals_,
                       nullptr);
    sqlite3_prepare_v2(db_, "SELECT spam, ham FROM totals", -1, &read_totals_, nullptr);
  }
  ~SqliteRows() override {
    for (sqlite3_stmt* s : {upsert_, select_, digest_, totals_, read_totals_}) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  void learn(const Sample& s) override {
    const int spam = s.cls == MessageClass::Spam ? 1 : 0;
    exec("BEGIN IMMEDIATE");
    sqlite3_bind_text(digest_, 1, s.digest.hex.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int(digest_, 2, spam);
    step(digest_);
    for (TokenHash h : s.tokens) {
      sqlite3_bind_int64(upsert_, 1, static_cast<sqlite3_int64>(h));
      sqlite3_bind_int(upsert_, 2, spam);
      sqlite3_bind_int(upsert_, 3, 1 - spam);
      sqlite3_bind_int(upsert_, 4, 1);
      step(upsert_);
    }
    sqlite3_bind_int(totals_, 1, spam);
    sqlite3_bind_int(totals_, 2, 1 - spam);
    step(totals_);
    exec("COMMIT");
  }
  StoreTotals lookup(const std::vector<TokenHash>& tokens, std::vector<TokenCounts>& c) override {
    exec("BEGIN");
    StoreTotals t;
    if (sqlite3_step(read_totals_) == SQLITE_ROW) {
      t.spam_messages = sqlite3_column_int64(read_totals_, 0);
      t.ham_messages = sqlite3_column_int64(read_totals_, 1);
    }
    sqlite3_reset(read_totals_);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      sqlite3_bind_int64(select_, 1, static_cast<sqlite3_int64>(tokens[i]));
      c[i] = {};
      if (sqlite3_step(select_) == SQLITE_ROW)
        c[i] = {static_cast<std::uint32_t>(sqlite3_column_int(select_, 0)),
                static_cast<std::uint32_t>(sqlite3_column_int(select_, 1))};
      sqlite3_reset(select_);
    }
    exec("COMMIT");
    return t;
  }

 private:
  void exec(const char* sql) { sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }
  static void step(sqlite3_stmt* s) {
    sqlite3_step(s);
    sqlite3_reset(s);
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt *upsert_ = nullptr, *select_ = nullptr, *digest_ = nullptr, *totals_ = nullptr,
               *read_totals_ = nullptr;
};

// LMDB with one key per token (8-byte hash -> spam, ham, atime).
class Lmdb : public Design {
 public:
  explicit Lmdb(const fs::path& dir) {
    fs::create_directories(dir);
    mdb_env_create(&env_);
    mdb_env_set_mapsize(env_, std::size_t{4} << 30);
    mdb_env_set_maxdbs(env_, 4);
    if (mdb_env_open(env_, dir.c_str(), MDB_NOSYNC, 0644) != 0) std::fprintf(stderr, "lmdb\n");
    MDB_txn* txn = nullptr;
    mdb_txn_begin(env_, nullptr, 0, &txn);
    mdb_dbi_open(txn, "tokens", MDB_CREATE | MDB_INTEGERKEY, &tokens_);
    mdb_dbi_open(txn, "digests", MDB_CREATE, &digests_);
    mdb_dbi_open(txn, "totals", MDB_CREATE, &totals_);
    mdb_txn_commit(txn);
  }
  ~Lmdb() override { mdb_env_close(env_); }
  void learn(const Sample& s) override {
    MDB_txn* txn = nullptr;
    mdb_txn_begin(env_, nullptr, 0, &txn);
    const std::uint32_t spam = s.cls == MessageClass::Spam ? 1 : 0;
    MDB_val dk{s.digest.hex.size(), const_cast<char*>(s.digest.hex.data())};
    MDB_val dv{sizeof spam, const_cast<std::uint32_t*>(&spam)};
    mdb_put(txn, digests_, &dk, &dv, 0);
    for (TokenHash h : s.tokens) {
      MDB_val key{sizeof h, &h}, value;
      std::uint32_t record[3] = {0, 0, 1};
      if (mdb_get(txn, tokens_, &key, &value) == 0) std::memcpy(record, value.mv_data, 12);
      record[0] += spam;
      record[1] += 1 - spam;
      value = {sizeof record, record};
      mdb_put(txn, tokens_, &key, &value, 0);
    }
    std::uint64_t zero_key = 0, totals[2] = {0, 0};
    MDB_val tk{sizeof zero_key, &zero_key}, tv;
    if (mdb_get(txn, totals_, &tk, &tv) == 0) std::memcpy(totals, tv.mv_data, sizeof totals);
    totals[spam ? 0 : 1]++;
    tv = {sizeof totals, totals};
    mdb_put(txn, totals_, &tk, &tv, 0);
    mdb_txn_commit(txn);
  }
  StoreTotals lookup(const std::vector<TokenHash>& tokens, std::vector<TokenCounts>& c) override {
    MDB_txn* txn = nullptr;
    mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    StoreTotals t;
    std::uint64_t zero_key = 0, totals[2] = {0, 0};
    MDB_val tk{sizeof zero_key, &zero_key}, tv;
    if (mdb_get(txn, totals_, &tk, &tv) == 0) std::memcpy(totals, tv.mv_data, sizeof totals);
    t.spam_messages = totals[0];
    t.ham_messages = totals[1];
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      TokenHash h = tokens[i];
      MDB_val key{sizeof h, &h}, value;
      c[i] = {};
      if (mdb_get(txn, tokens_, &key, &value) == 0) {
        std::uint32_t record[3];
        std::memcpy(record, value.mv_data, 12);
        c[i] = {record[0], record[1]};
      }
    }
    mdb_txn_abort(txn);
    return t;
  }

 private:
  MDB_env* env_ = nullptr;
  MDB_dbi tokens_ = 0, digests_ = 0, totals_ = 0;
};

template <class Make>
void measure(const char* name, const std::vector<Sample>& samples, int rounds, Make make) {
  test::TempDir dir("store-compare");
  double learn_s = 0, classify_s = 0;
  std::size_t classified = 0;
  {
    auto design = make(dir.path());
    auto start = Clock::now();
    for (const Sample& s : samples) design->learn(s);
    learn_s = seconds(start);
    std::vector<TokenCounts> counts;
    start = Clock::now();
    double sum = 0;
    for (int r = 0; r < rounds; ++r) {
      for (const Sample& s : samples) {
        counts.resize(s.tokens.size());
        const StoreTotals t = design->lookup(s.tokens, counts);
        sum += combine(counts, t.spam_messages, t.ham_messages, CombinerSettings{}).value_or(0.5);
        ++classified;
      }
    }
    classify_s = seconds(start);
    if (sum < 0) std::printf("impossible\n");
  }
  const auto reopen_start = Clock::now();
  { auto design = make(dir.path()); }
  const double reopen_s = seconds(reopen_start);
  std::printf(
      "%-28s learn %8.0f msg/s   classify (lookup+combine) %9.0f msg/s   reopen %7.1f ms"
      "   on disk %6.1f MB\n",
      name, samples.size() / learn_s, classified / classify_s, reopen_s * 1000,
      sizeOnDisk(dir.path()) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path corpus = argc > 1 ? fs::path(argv[1]) : fs::path(PORTCULLIS_BINARY_DIR) / "corpus";
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  struct Parsed {
    MessageClass cls;
    std::string raw;
    std::unique_ptr<mime::Message> message;
    content::ContentView view;
  };
  std::vector<std::unique_ptr<Parsed>> parsed;
  for (const auto& [group, cls] :
       {std::pair{"easy-ham-1", MessageClass::Ham}, std::pair{"spam-1", MessageClass::Spam}}) {
    if (!fs::is_directory(corpus / group)) {
      std::fprintf(stderr, "no corpus group %s\n", (corpus / group).c_str());
      return 1;
    }
    for (const auto& e : fs::directory_iterator(corpus / group)) {
      if (e.path().extension() != ".txt") continue;
      auto p = std::make_unique<Parsed>();
      p->cls = cls;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      p->raw = buffer.str();
      p->message = std::make_unique<mime::Message>(mime::Message::parse(p->raw));
      p->view = content::viewOfMessage(*p->message);
      parsed.push_back(std::move(p));
    }
  }

  std::vector<Sample> samples;
  std::vector<ClassifierInput> inputs;
  for (const auto& p : parsed) {
    inputs.push_back(content::classifierInputOf(p->view));
    samples.push_back({p->cls, messageDigest(p->raw), {}});
  }
  auto start = Clock::now();
  for (int r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < inputs.size(); ++i)
      samples[i].tokens = tokenize(inputs[i], TokenizerSettings{}).hashes;
  const double tokenize_s = seconds(start);
  start = Clock::now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& p : parsed) samples[0].digest = messageDigest(p->raw);
  const double digest_s = seconds(start);
  samples[0].digest = messageDigest(parsed[0]->raw);
  std::size_t tokens = 0;
  for (const Sample& s : samples) tokens += s.tokens.size();
  std::printf(
      "%zu messages, %.0f distinct tokens each on average; tokenizing %.0f msg/s, message "
      "digest %.0f msg/s\n",
      samples.size(), static_cast<double>(tokens) / samples.size(),
      rounds * samples.size() / tokenize_s, rounds * samples.size() / digest_s);

  // The same designs at the default size cap's scale: synthetic messages of 200 new tokens each
  // (2,000,000 tokens in all), classified with tokens that are mostly known.
  std::vector<Sample> synthetic;
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < kSyntheticMessages; ++i) {
    Sample s{
        i % 5 ? MessageClass::Ham : MessageClass::Spam, {"synthetic-" + std::to_string(i)}, {}};
    for (int k = 0; k < 200; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      s.tokens.push_back(state);
    }
    synthetic.push_back(std::move(s));
  }
  std::printf("corpus messages (%zu):\n", samples.size());
  measure("shipped: memory + SQLite WAL", samples, rounds,
          [](const fs::path& d) { return std::make_unique<Shipped>(d / "classifier.db"); });
  measure("SQLite WAL, row per token", samples, rounds,
          [](const fs::path& d) { return std::make_unique<SqliteRows>(d / "rows.db"); });
  measure("LMDB, key per token", samples, rounds,
          [](const fs::path& d) { return std::make_unique<Lmdb>(d / "lmdb"); });
  std::printf("synthetic, %d messages, %d tokens in the store:\n", kSyntheticMessages,
              kSyntheticMessages * 200);
  measure("shipped: memory + SQLite WAL", synthetic, 1,
          [](const fs::path& d) { return std::make_unique<Shipped>(d / "classifier.db"); });
  measure("SQLite WAL, row per token", synthetic, 1,
          [](const fs::path& d) { return std::make_unique<SqliteRows>(d / "rows.db"); });
  measure("LMDB, key per token", synthetic, 1,
          [](const fs::path& d) { return std::make_unique<Lmdb>(d / "lmdb"); });
  return 0;
}
