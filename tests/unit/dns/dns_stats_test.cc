#include "gateway/dns/dns_stats.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>

namespace portcullis::dns {
namespace {

TEST(DnsStats, CountsPerTypeAndOutcome) {
  DnsStats stats;
  stats.recordQuery(RrType::A, Status::Ok, std::chrono::milliseconds(3));
  stats.recordQuery(RrType::TXT, Status::Timeout, std::chrono::milliseconds(900));
  stats.recordQuery(RrType::TXT, Status::Timeout, std::chrono::milliseconds(900));
  stats.recordCacheHit(RrType::A);
  EXPECT_EQ(stats.queries(), 3u);
  EXPECT_EQ(stats.queries(Status::Timeout), 2u);
  EXPECT_EQ(stats.queries(RrType::TXT, Status::Timeout), 2u);
  EXPECT_EQ(stats.queries(RrType::A, Status::Timeout), 0u);
  EXPECT_EQ(stats.cacheHits(), 1u);
}

TEST(DnsStats, ExportsPrometheusMetrics) {
  prometheus::Registry registry;
  DnsStats stats(&registry);
  stats.recordQuery(RrType::MX, Status::ServFail, std::chrono::milliseconds(20));
  double servfail_mx = -1, histogram_count = -1;
  for (const auto& family : registry.Collect()) {
    for (const auto& metric : family.metric) {
      auto label = [&](const std::string& name) {
        for (const auto& l : metric.label) {
          if (l.name == name) return l.value;
        }
        return std::string();
      };
      if (family.name == "portcullis_dns_queries_total" && label("type") == "MX" &&
          label("result") == "servfail")
        servfail_mx = metric.counter.value;
      if (family.name == "portcullis_dns_query_duration_seconds" && label("type") == "MX")
        histogram_count = static_cast<double>(metric.histogram.sample_count);
    }
  }
  EXPECT_EQ(servfail_mx, 1);
  EXPECT_EQ(histogram_count, 1);
}

}  // namespace
}  // namespace portcullis::dns
