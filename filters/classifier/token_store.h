// Where the classifier keeps what it has learnt: per token, how many spam and ham messages held
// it; per message class, how many were learnt; per learnt message, its digest, so that learning a
// message twice counts once and relearning it as the other class moves it. Two implementations:
// an embedded store in the queue directory (one appliance, zero set-up) and Redis (several
// gateways sharing what they learn). Every operation reports failure as a value (a store that is
// down, corrupt or foreign), never by throwing or crashing; the caller keeps mail flowing.
// Implementations are safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "gateway/base/result.h"

namespace portcullis::classifier {

enum class MessageClass { Spam, Ham };

// A token is the 64-bit hash of its text (tokenizer.h); the text itself is never stored.
using TokenHash = std::uint64_t;

struct TokenCounts {
  std::uint32_t spam = 0;  // learnt spam messages that held the token
  std::uint32_t ham = 0;
};

struct StoreTotals {
  std::uint64_t spam_messages = 0;  // messages learnt as spam, net of forgetting
  std::uint64_t ham_messages = 0;
  std::uint64_t tokens = 0;      // distinct tokens held
  std::int64_t last_expiry = 0;  // Unix time of the last expiry run, 0 if never
  std::uint64_t bytes = 0;       // the store's size on disk or in memory, 0 if unknown
};

// The identity of one learnt message: a digest of its content (tokenizer.h, messageDigest).
struct MessageDigest {
  std::string hex;  // lowercase hex of a cryptographic hash
};

enum class LearnOutcome {
  Learned,         // new to the store
  AlreadyLearned,  // the digest was already learnt as this class: nothing changed
  Relearned,       // the digest was learnt as the other class: its tokens moved
  Forgotten,       // forget(): the digest and its token counts were removed
  NotLearned,      // forget() of a digest the store never learnt
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // A short name for logs and metrics ("sqlite", "redis").
  virtual std::string_view backend() const = 0;
  // Fills counts[i] for tokens[i] (zero counts for unknown tokens); returns the totals read in the
  // same consistent view. counts.size() == tokens.size().
  virtual Result<StoreTotals> lookup(std::span<const TokenHash> tokens,
                                     std::span<TokenCounts> counts) = 0;
  // Learns one message's distinct tokens as `cls`, atomically: after a crash either all of the
  // message is learnt or none of it.
  virtual Result<LearnOutcome> learn(const MessageDigest& digest, MessageClass cls,
                                     std::span<const TokenHash> tokens) = 0;
  // Removes a learnt message (the same tokens it was learnt with).
  virtual Result<LearnOutcome> forget(const MessageDigest& digest,
                                      std::span<const TokenHash> tokens) = 0;
  virtual Result<StoreTotals> totals() = 0;
  // Drops the least recently seen tokens until at most `max_tokens` remain; records the time.
  virtual Status expire(std::uint64_t max_tokens) = 0;
};

}  // namespace portcullis::classifier
