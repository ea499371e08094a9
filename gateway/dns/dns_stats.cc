#include "gateway/dns/dns_stats.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace portcullis::dns {

namespace {
constexpr RrType kAllTypes[] = {RrType::A, RrType::AAAA, RrType::TXT, RrType::MX, RrType::PTR};
constexpr Status kAllStatuses[] = {Status::Ok,       Status::NoData,  Status::NxDomain,
                                   Status::ServFail, Status::Timeout, Status::Error};
}  // namespace

DnsStats::DnsStats(prometheus::Registry* registry) {
  if (!registry) return;
  auto& queries = prometheus::BuildCounter()
                      .Name("portcullis_dns_queries_total")
                      .Help("DNS queries sent to a server, by record type and outcome")
                      .Register(*registry);
  auto& hits = prometheus::BuildCounter()
                   .Name("portcullis_dns_cache_hits_total")
                   .Help("DNS lookups answered from the resolver cache")
                   .Register(*registry);
  auto& latency = prometheus::BuildHistogram()
                      .Name("portcullis_dns_query_duration_seconds")
                      .Help("Time from sending a DNS query to its answer or failure")
                      .Register(*registry);
  const prometheus::Histogram::BucketBoundaries buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                        0.1,   0.25,   0.5,   1,    2.5,   5};
  for (RrType type : kAllTypes) {
    auto t = static_cast<size_t>(type);
    std::string type_name(toString(type));
    for (Status status : kAllStatuses) {
      query_counters_[t][static_cast<size_t>(status)] =
          &queries.Add({{"type", type_name}, {"result", std::string(toString(status))}});
    }
    cache_counters_[t] = &hits.Add({{"type", type_name}});
    latency_[t] = &latency.Add({{"type", type_name}}, buckets);
  }
}

void DnsStats::recordQuery(RrType type, Status status,
                           std::chrono::steady_clock::duration elapsed) {
  auto t = static_cast<size_t>(type), s = static_cast<size_t>(status);
  queries_[t][s].fetch_add(1, std::memory_order_relaxed);
  if (query_counters_[t][s]) query_counters_[t][s]->Increment();
  if (latency_[t]) latency_[t]->Observe(std::chrono::duration<double>(elapsed).count());
}

void DnsStats::recordCacheHit(RrType type) {
  auto t = static_cast<size_t>(type);
  cache_hits_[t].fetch_add(1, std::memory_order_relaxed);
  if (cache_counters_[t]) cache_counters_[t]->Increment();
}

uint64_t DnsStats::queries(RrType type, Status status) const {
  return queries_[static_cast<size_t>(type)][static_cast<size_t>(status)].load();
}

uint64_t DnsStats::queries(Status status) const {
  uint64_t sum = 0;
  for (RrType type : kAllTypes) sum += queries(type, status);
  return sum;
}

uint64_t DnsStats::queries() const {
  uint64_t sum = 0;
  for (Status status : kAllStatuses) sum += queries(status);
  return sum;
}

uint64_t DnsStats::cacheHits() const {
  uint64_t sum = 0;
  for (const auto& hits : cache_hits_) sum += hits.load();
  return sum;
}

}  // namespace portcullis::dns
