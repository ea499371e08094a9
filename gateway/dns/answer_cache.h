// A bounded, thread-safe cache of DNS answers keyed by (name, type). Positive answers live for
// their TTL clamped to [min_ttl, max_ttl]; NXDOMAIN and no-data answers for their negative TTL
// (RFC 2308) capped by negative_ttl; temporary failures and errors are never cached. A hit returns
// the answer with the TTL that remains.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "gateway/dns/resolver.h"

namespace portcullis::dns {

struct CachePolicy {
  size_t max_entries = 100'000;
  std::chrono::seconds min_ttl{30};
  std::chrono::seconds max_ttl{86'400};
  std::chrono::seconds negative_ttl{300};
};

class AnswerCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit AnswerCache(CachePolicy policy) : policy_(policy) {}

  std::optional<Answer> find(const std::string& name, RrType type, Clock::time_point now);
  void store(const std::string& name, RrType type, const Answer& answer, Clock::time_point now);
  size_t size() const;

 private:
  struct Entry {
    Answer answer;
    Clock::time_point expires;
  };
  static std::string key(const std::string& name, RrType type);
  void evict(Clock::time_point now);

  CachePolicy policy_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace portcullis::dns
