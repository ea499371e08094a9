// The embedded store: learning once, relearning, forgetting, persistence through the journal and
// the checkpoint, several processes on one file, expiry and its cap, damaged and foreign files, and
// a real crash (SIGKILL while learning).
#include "filters/classifier/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace portcullis::classifier {
namespace {

namespace fs = std::filesystem;

MessageDigest digest(int n) {
  return {"digest-" + std::to_string(n)};
}

std::shared_ptr<SqliteStore> openStore(const fs::path& path, SqliteStoreOptions options = {}) {
  auto store = SqliteStore::open(path, std::move(options));
  EXPECT_TRUE(store.ok()) << store.error;
  return store.ok() ? *store : nullptr;
}

TokenCounts countsOf(TokenStore& store, TokenHash token) {
  TokenCounts counts;
  const TokenHash tokens[] = {token};
  EXPECT_TRUE(store.lookup(tokens, std::span(&counts, 1)).ok());
  return counts;
}

void runSql(const fs::path& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(SqliteStore, LearnTwiceCountsOnce) {
  test::TempDir dir;
  auto store = openStore(dir / "c.db");
  const std::vector<TokenHash> tokens = {1, 2, 3};
  EXPECT_EQ(*store->learn(digest(1), MessageClass::Spam, tokens), LearnOutcome::Learned);
  EXPECT_EQ(*store->learn(digest(1), MessageClass::Spam, tokens), LearnOutcome::AlreadyLearned);
  EXPECT_EQ(countsOf(*store, 2).spam, 1u);
  EXPECT_EQ(countsOf(*store, 2).ham, 0u);
  EXPECT_EQ(countsOf(*store, 99).spam, 0u);
  const auto totals = store->totals();
  EXPECT_EQ(totals->spam_messages, 1u);
  EXPECT_EQ(totals->ham_messages, 0u);
  EXPECT_EQ(totals->tokens, 3u);
  EXPECT_GT(totals->bytes, 0u);
}

TEST(SqliteStore, RelearnMovesAndForgetRemoves) {
  test::TempDir dir;
  auto store = openStore(dir / "c.db");
  const std::vector<TokenHash> tokens = {10, 20};
  ASSERT_EQ(*store->learn(digest(1), MessageClass::Spam, tokens), LearnOutcome::Learned);
  ASSERT_EQ(*store->learn(digest(2), MessageClass::Spam, std::vector<TokenHash>{20}),
            LearnOutcome::Learned);
  EXPECT_EQ(*store->learn(digest(1), MessageClass::Ham, tokens), LearnOutcome::Relearned);
  EXPECT_EQ(countsOf(*store, 10).spam, 0u);
  EXPECT_EQ(countsOf(*store, 10).ham, 1u);
  EXPECT_EQ(countsOf(*store, 20).spam, 1u);
  EXPECT_EQ(countsOf(*store, 20).ham, 1u);
  EXPECT_EQ(store->totals()->spam_messages, 1u);
  EXPECT_EQ(store->totals()->ham_messages, 1u);

  EXPECT_EQ(*store->forget(digest(1), tokens), LearnOutcome::Forgotten);
  EXPECT_EQ(*store->forget(digest(1), tokens), LearnOutcome::NotLearned);
  EXPECT_EQ(countsOf(*store, 10).ham, 0u);
  EXPECT_EQ(countsOf(*store, 20).spam, 1u);
  EXPECT_EQ(store->totals()->ham_messages, 0u);
  EXPECT_EQ(store->totals()->tokens, 1u);  // token 10 is gone
}

TEST(SqliteStore, SurvivesReopeningBeforeAndAfterACheckpoint) {
  test::TempDir dir;
  const fs::path path = dir / "c.db";
  {
    auto store = openStore(path);
    for (int i = 0; i < 50; ++i)
      store->learn(digest(i), i % 2 ? MessageClass::Spam : MessageClass::Ham,
                   std::vector<TokenHash>{7, static_cast<TokenHash>(1000 + i)});
  }
  {
    auto store = openStore(path);  // from the journal
    EXPECT_EQ(countsOf(*store, 7).spam, 25u);
    EXPECT_EQ(countsOf(*store, 7).ham, 25u);
    EXPECT_EQ(store->totals()->tokens, 51u);
    ASSERT_TRUE(store->checkpoint().ok());
    store->learn(digest(100), MessageClass::Spam, std::vector<TokenHash>{7});
  }
  auto store = openStore(path);  // buckets plus a journal
  EXPECT_EQ(countsOf(*store, 7).spam, 26u);
  EXPECT_EQ(countsOf(*store, 1049).spam, 1u);
  EXPECT_EQ(store->totals()->spam_messages, 26u);
  EXPECT_EQ(*store->learn(digest(3), MessageClass::Spam, std::vector<TokenHash>{7}),
            LearnOutcome::AlreadyLearned);
  EXPECT_EQ(*store->integrityCheck(), "ok");
}

TEST(SqliteStore, TwoProcessesSeeEachOthersLearning) {
  test::TempDir dir;
  SqliteStoreOptions options;
  options.refresh_interval = std::chrono::milliseconds(0);
  auto a = openStore(dir / "c.db", options);
  auto b = openStore(dir / "c.db", options);
  a->learn(digest(1), MessageClass::Spam, std::vector<TokenHash>{5});
  EXPECT_EQ(countsOf(*b, 5).spam, 1u);
  b->learn(digest(2), MessageClass::Ham, std::vector<TokenHash>{5});
  EXPECT_EQ(countsOf(*a, 5).ham, 1u);
  // A checkpoint by one is picked up by the other.
  ASSERT_TRUE(a->checkpoint().ok());
  b->learn(digest(3), MessageClass::Ham, std::vector<TokenHash>{5});
  EXPECT_EQ(countsOf(*a, 5).ham, 2u);
  EXPECT_EQ(*a->learn(digest(3), MessageClass::Ham, std::vector<TokenHash>{5}),
            LearnOutcome::AlreadyLearned);
  EXPECT_EQ(a->totals()->ham_messages, 2u);
}

TEST(SqliteStore, LookupsRunWhileAnotherThreadLearns) {
  test::TempDir dir;
  SqliteStoreOptions options;
  options.refresh_interval = std::chrono::milliseconds(0);
  options.checkpoint_tokens = 500;  // checkpoints while the readers read
  auto store = openStore(dir / "c.db", options);
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      std::vector<TokenHash> tokens = {1, 2, 3, 4, 5};
      std::vector<TokenCounts> counts(tokens.size());
      while (!done) {
        const auto totals = store->lookup(tokens, counts);
        ASSERT_TRUE(totals.ok());
        ASSERT_LE(counts[0].spam, totals->spam_messages);
      }
    });
  }
  for (int i = 0; i < 300; ++i) {
    std::vector<TokenHash> tokens = {1, 2, 3};
    for (int k = 0; k < 20; ++k) tokens.push_back(static_cast<TokenHash>(1000 + i * 20 + k));
    ASSERT_TRUE(store->learn(digest(i), MessageClass::Spam, tokens).ok());
  }
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(countsOf(*store, 1).spam, 300u);
  EXPECT_EQ(store->totals()->tokens, 3u + 300u * 20u);
}

TEST(SqliteStore, ExpiryDropsTheLeastRecentlySeenTokens) {
  test::TempDir dir;
  std::int64_t now = 1'700'000'000;
  SqliteStoreOptions options;
  options.clock = [&] { return now; };
  auto store = openStore(dir / "c.db", options);
  for (int i = 0; i < 100; ++i) {
    store->learn(digest(i), MessageClass::Spam, std::vector<TokenHash>{static_cast<TokenHash>(i)});
    now += 3600;
  }
  countsOf(*store, 3);  // looked up now: recently seen again
  ASSERT_TRUE(store->expire(50).ok());
  const auto totals = store->totals();
  EXPECT_EQ(totals->tokens, 50u);
  EXPECT_EQ(totals->last_expiry, now);
  EXPECT_EQ(countsOf(*store, 3).spam, 1u);
  EXPECT_EQ(countsOf(*store, 10).spam, 0u);
  EXPECT_EQ(countsOf(*store, 99).spam, 1u);
  store.reset();
  auto reopened = openStore(dir / "c.db", options);
  EXPECT_EQ(reopened->totals()->tokens, 50u);
  EXPECT_EQ(reopened->totals()->last_expiry, now);
}

TEST(SqliteStore, TheCapHoldsWhileLearning) {
  test::TempDir dir;
  SqliteStoreOptions options;
  options.max_tokens = 1000;
  auto store = openStore(dir / "c.db", options);
  for (int i = 0; i < 300; ++i) {
    std::vector<TokenHash> tokens;
    for (int k = 0; k < 10; ++k) tokens.push_back(static_cast<TokenHash>(i * 10 + k));
    ASSERT_TRUE(store->learn(digest(i), MessageClass::Ham, tokens).ok());
    ASSERT_LE(store->totals()->tokens, 1000u);
  }
  EXPECT_GE(store->totals()->tokens, 900u);
  EXPECT_EQ(store->totals()->ham_messages, 300u);
}

TEST(SqliteStore, ATextFileIsAnErrorNamingIt) {
  test::TempDir dir;
  const fs::path path = dir / "notes.txt";
  test::writeFile(path, std::string(5000, 'x') + "\nthis is not a database\n");
  const auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error.find(path.string()), std::string::npos) << store.error;
  EXPECT_EQ(test::readFile(path).size(), 5000u + 24u);  // untouched
}

TEST(SqliteStore, AnotherProgramsDatabaseIsRefused) {
  test::TempDir dir;
  const fs::path path = dir / "foreign.db";
  runSql(path, "CREATE TABLE bayes_token(token BLOB, spam INTEGER);");
  const auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error.find("not a Portcullis classifier store"), std::string::npos)
      << store.error;
  EXPECT_NE(store.error.find(path.string()), std::string::npos);
}

TEST(SqliteStore, ANewerSchemaVersionIsRefused) {
  test::TempDir dir;
  const fs::path path = dir / "c.db";
  openStore(path).reset();
  runSql(path, "PRAGMA user_version = 99;");
  const auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error.find("schema version 99"), std::string::npos) << store.error;
}

TEST(SqliteStore, DamagedBucketsAndJournalRowsAreErrors) {
  test::TempDir dir;
  const fs::path path = dir / "c.db";
  {
    auto store = openStore(path);
    store->learn(digest(1), MessageClass::Spam, std::vector<TokenHash>{1, 2, 3});
    ASSERT_TRUE(store->checkpoint().ok());
    store->learn(digest(2), MessageClass::Spam, std::vector<TokenHash>{4});
  }
  runSql(path,
         "INSERT INTO journal(spam_delta, ham_delta, hour, tokens) VALUES(1, 0, 0, x'0102');");
  auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error.find("damaged journal row"), std::string::npos) << store.error;
  runSql(path, "DELETE FROM journal; UPDATE buckets SET records = x'01020304';");
  store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error.find("damaged token bucket"), std::string::npos) << store.error;
}

TEST(SqliteStore, ATruncatedFileIsAnErrorNotACrash) {
  test::TempDir dir;
  const fs::path path = dir / "c.db";
  {
    auto store = openStore(path);
    for (int i = 0; i < 200; ++i) {
      std::vector<TokenHash> tokens;
      for (int k = 0; k < 100; ++k) tokens.push_back(static_cast<TokenHash>(i) * 7919 * 104729 + k);
      store->learn(digest(i), MessageClass::Spam, tokens);
    }
    ASSERT_TRUE(store->checkpoint().ok());
  }
  runSql(path, "PRAGMA wal_checkpoint(TRUNCATE);");
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 100'000u);
  fs::resize_file(path, size / 2);
  const auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error.find(path.string()), std::string::npos) << store.error;
}

// A child learns messages in a loop and reports each learn() that returned; it is killed with
// SIGKILL at a moment of its own choosing. Reopened, the store must be sound and hold exactly the
// reported messages (or one more: the one whose learn() committed but had not yet been reported).
TEST(SqliteStore, SigkillWhileLearningLosesAtMostTheMessageBeingLearnt) {
  test::TempDir dir;
  const fs::path path = dir / "c.db";
  constexpr TokenHash kShared = 0xfeedULL;
  constexpr int kTokensPerMessage = 300;
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(acks[0]);
    SqliteStoreOptions options;
    options.checkpoint_tokens = 20'000;  // checkpoints happen during the run too
    auto store = SqliteStore::open(path, options);
    if (!store) _exit(2);
    for (int i = 0;; ++i) {
      std::vector<TokenHash> tokens = {kShared};
      for (int k = 1; k < kTokensPerMessage; ++k)
        tokens.push_back((static_cast<TokenHash>(i) << 20) + static_cast<TokenHash>(k));
      if (!(*store)->learn(digest(i), i % 3 ? MessageClass::Ham : MessageClass::Spam, tokens))
        _exit(3);
      if (write(acks[1], &i, sizeof i) != sizeof i) _exit(4);
    }
  }
  close(acks[1]);
  int acked = 0, last = -1;
  while (acked < 400 && read(acks[0], &last, sizeof last) == sizeof last) ++acked;
  kill(child, SIGKILL);
  while (read(acks[0], &last, sizeof last) == sizeof last) ++acked;
  close(acks[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_GE(acked, 400);

  auto store = openStore(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->integrityCheck(), "ok");
  const auto totals = store->totals();
  const std::uint64_t learnt = totals->spam_messages + totals->ham_messages;
  EXPECT_TRUE(learnt == static_cast<std::uint64_t>(acked) ||
              learnt == static_cast<std::uint64_t>(acked) + 1)
      << "learnt " << learnt << ", acknowledged " << acked;
  const TokenCounts shared = countsOf(*store, kShared);
  EXPECT_EQ(shared.spam, totals->spam_messages);
  EXPECT_EQ(shared.ham, totals->ham_messages);
  EXPECT_EQ(totals->tokens, 1 + learnt * (kTokensPerMessage - 1));
  // Every acknowledged message is there, whole.
  for (int i = 0; i < acked; ++i) {
    const TokenCounts c = countsOf(*store, (static_cast<TokenHash>(i) << 20) + 7);
    ASSERT_EQ(c.spam + c.ham, 1u) << "message " << i;
  }
}

}  // namespace
}  // namespace portcullis::classifier
