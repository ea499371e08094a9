// Counts what the resolver did, so degraded DNS is visible: queries sent per type and outcome,
// cache hits, and (when given a Prometheus registry) the metrics
// portcullis_dns_queries_total{type,result}, portcullis_dns_cache_hits_total{type} and the
// latency histogram portcullis_dns_query_duration_seconds{type}. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "gateway/dns/resolver.h"

namespace prometheus {
class Registry;
class Counter;
class Histogram;
}  // namespace prometheus

namespace portcullis::dns {

class DnsStats {
 public:
  // `registry` may be null (tests, offline tools): then only the in-process counters exist.
  explicit DnsStats(prometheus::Registry* registry = nullptr);

  void recordQuery(RrType type, Status status, std::chrono::steady_clock::duration elapsed);
  void recordCacheHit(RrType type);

  uint64_t queries(RrType type, Status status) const;
  uint64_t queries(Status status) const;  // over all types
  uint64_t queries() const;               // sent to a server, over all outcomes
  uint64_t cacheHits() const;

 private:
  static constexpr size_t kTypes = 5, kStatuses = 6;
  std::array<std::array<std::atomic<uint64_t>, kStatuses>, kTypes> queries_{};
  std::array<std::atomic<uint64_t>, kTypes> cache_hits_{};
  std::array<std::array<prometheus::Counter*, kStatuses>, kTypes> query_counters_{};
  std::array<prometheus::Counter*, kTypes> cache_counters_{};
  std::array<prometheus::Histogram*, kTypes> latency_{};
};

}  // namespace portcullis::dns
