// The classifier's store on a Redis server, so that several gateways share what they learn.
//
// Keys (all under the configured prefix, so stores can share a server):
//   <prefix>tokens   one hash: field = the token's 8-byte hash, value = 16 bytes: spam count
//                    (u32), ham count (u32), the learn counter when last learnt (u64); all
//                    little-endian
//   <prefix>totals   hash: spam, ham (messages learnt), seq (learn counter), last_expiry (Unix s)
//   <prefix>digests  hash: message digest -> "spam" | "ham"
//   <prefix>expiry   a short-lived lock, so only one gateway expires at a time
//
// One hash for all tokens, chosen by measurement (`classifier_bench --redis-layouts`, the
// development corpus, each message's lookup one round trip; 223 tokens per message, 116,000
// distinct; a tokenizer with 1,065 tokens per message ranked them the same):
//   one hash, HMGET (this store)        90 bytes/token   lookup p50 110 us
//   one hash, Lua script packing reply   (same)          lookup p50 146 us
//   a string key per token, MGET       105 bytes/token   lookup p50 120 us
//   a hash per token + TTL (Redis.pm)  146 bytes/token   lookup p50 291 us (pipelined HMGETs)
// The hash also lets expiry HSCAN only our tokens, whatever else shares the database. Learning,
// relearning and forgetting a message are each one Lua script (EVALSHA), so they are atomic: a
// gateway that dies mid-message leaves all of it learnt or none of it, and two gateways learning at
// once never interleave. A lookup reads tokens and totals in one MULTI/EXEC, one round trip.
//
// Expiry keeps at most max_tokens: every learn stamps its tokens with the store's learn counter,
// and expire() (called by learn() itself once the store holds more than the configured cap, down
// to 90% of it, like the embedded store) scans the hash (HSCAN, in bounded batches), finds the
// counter value below which the excess lies, and deletes those tokens with a script that re-checks
// each stamp (a token learnt again meanwhile stays). A counter, not a clock: gateways' clocks need
// not agree, and the order is exact. Redis.pm's per-token TTL bounds age, not size; the issue asks
// for a size cap.
//
// Every failure (down, timeout, error replies, wrong types, foreign values, garbage) is an error
// value naming host:port and the cause; see redis_client.h for the bounds on time and memory.
#pragma once

#include <cstdint>
#include <string>

#include "filters/classifier/classifier_config.h"
#include "filters/classifier/redis_client.h"
#include "filters/classifier/token_store.h"

namespace portcullis::classifier {

struct LuaScript;

struct RedisStoreOptions {
  RedisEndpoint endpoint;
  std::string prefix = "portcullis:bayes:";
  RedisConnectionPool::Backoff reconnect;
  // Learning, forgetting and expiry are off the mail path and may take longer than a lookup
  // (endpoint.timeout): each of their exchanges is bounded by this instead.
  std::chrono::milliseconds write_timeout{2000};
  std::uint64_t max_tokens = 0;           // 0: no cap; learning beyond it expires to 90% of it
  std::size_t expiry_scan_batch = 1000;   // HSCAN COUNT, and tokens per delete script
  std::chrono::seconds expiry_lock{300};  // another gateway's expiry is presumed dead after this

  static RedisStoreOptions from(const ClassifierConfig& config);
};

class RedisStore final : public TokenStore {
 public:
  explicit RedisStore(RedisStoreOptions options);

  std::string_view backend() const override { return "redis"; }
  Result<StoreTotals> lookup(std::span<const TokenHash> tokens,
                             std::span<TokenCounts> counts) override;
  Result<LearnOutcome> learn(const MessageDigest& digest, MessageClass cls,
                             std::span<const TokenHash> tokens) override;
  Result<LearnOutcome> forget(const MessageDigest& digest,
                              std::span<const TokenHash> tokens) override;
  Result<StoreTotals> totals() override;
  Status expire(std::uint64_t max_tokens) override;

 private:
  Result<RedisReply> runScript(const LuaScript& script, std::vector<std::string> keys,
                               std::vector<std::string> arguments);
  Result<LearnOutcome> outcomeOf(const Result<RedisReply>& reply);
  Status deleteOlderTokens(std::uint64_t token_count, std::uint64_t excess);
  std::string failure(const std::string& cause) const;

  RedisStoreOptions options_;
  RedisConnectionPool pool_;
  std::string tokens_key_;
  std::string totals_key_;
  std::string digests_key_;
  std::string expiry_key_;
};

}  // namespace portcullis::classifier
