// The embedded token store: one SQLite file (by default classifier.db in the queue directory),
// with the whole token table held in memory so that a lookup of hundreds of tokens costs hundreds
// of hash-table probes, not hundreds of queries.
//
// On disk: the token table as blobs, one per hash bucket (the top bits of the hash), plus a
// journal with one row per learnt, relearnt or forgotten message (its token hashes and the count
// deltas). Learning a message is one SQLite transaction (its digest, its journal row, the class
// totals); the memory table is updated after it commits. When the journal holds as many tokens
// as the table, a checkpoint rewrites the buckets it touched and empties the journal, in one
// transaction. Opening loads the buckets and replays the journal.
//
// Crash safety: WAL mode with synchronous=NORMAL. A commit is in the WAL, in the operating
// system's hands, before learn() returns, so a SIGKILL at any moment loses at most the message
// whose learn() had not returned; SQLite's WAL recovery never leaves a half-written transaction.
// (FULL would add an fsync per message for power loss, capping learning at the disk's sync rate;
// after a power loss NORMAL may roll back the last few messages but never corrupts the file.)
//
// Token "atime": each token keeps the hour it was last learnt or looked up, in memory (a relaxed
// atomic store under the shared lock, at most once per token per hour); the buckets whose hours
// changed are rewritten at the next checkpoint, expiry or close. A crash loses only those hours,
// never counts. Expiry drops the least recently seen tokens; with a size cap the store expires to
// 90% of the cap whenever learning goes beyond it.
//
// Lookups read the memory table under a shared lock and never wait for SQLite: a writer holds its
// own lock through its transaction and locks the table only to apply what it committed (and, at
// a checkpoint, shares it while copying the buckets out).
//
// Several processes may open the same file (the gateway and `portcullis learn`): every write
// first brings the memory table up to date with what the others wrote (PRAGMA data_version), and
// lookups do so at most once per refresh interval.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "filters/classifier/token_store.h"

namespace portcullis::classifier {

struct SqliteStoreOptions {
  std::uint64_t max_tokens = 0;  // 0: no cap; else learning beyond it expires the oldest
  // A checkpoint runs when the journal holds this many tokens, or as many as the table if more.
  std::uint64_t checkpoint_tokens = 1'000'000;
  std::chrono::milliseconds refresh_interval{1000};  // how stale a lookup may be vs. other writers
  std::chrono::milliseconds busy_timeout{5000};      // waiting for another process's write
  std::function<std::int64_t()> clock;  // Unix seconds; empty: the system clock (tests inject)
};

class SqliteStore final : public TokenStore {
 public:
  // Opens or creates the store. A file that is not ours (not SQLite, another schema, a newer
  // schema version, damaged) is an error naming the file; it is never modified.
  static Result<std::shared_ptr<SqliteStore>> open(const std::filesystem::path& path,
                                                   SqliteStoreOptions options = {});
  ~SqliteStore() override;

  std::string_view backend() const override { return "sqlite"; }
  Result<StoreTotals> lookup(std::span<const TokenHash> tokens,
                             std::span<TokenCounts> counts) override;
  Result<LearnOutcome> learn(const MessageDigest& digest, MessageClass cls,
                             std::span<const TokenHash> tokens) override;
  Result<LearnOutcome> forget(const MessageDigest& digest,
                              std::span<const TokenHash> tokens) override;
  Result<StoreTotals> totals() override;
  Status expire(std::uint64_t max_tokens) override;

  // Writes the journal into the buckets now (also done by itself as the journal grows).
  Status checkpoint();
  // SQLite's own check of the file ("ok" when sound), for tests and `learn --stats`.
  Result<std::string> integrityCheck();

  struct Impl;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::classifier
