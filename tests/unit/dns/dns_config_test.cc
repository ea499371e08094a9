#include "gateway/dns/dns_config.h"

#include <gtest/gtest.h>

#include "gateway/config/document.h"

namespace portcullis::dns {
namespace {

DnsConfig read(std::string_view toml) {
  auto doc = config::Document::parseString(toml, "test.toml");
  auto section = doc.root().sub("dns");
  return readDnsConfig(*section);
}

TEST(DnsConfig, ReadsEveryOption) {
  DnsConfig c = read(
      "[dns]\nservers = [\"127.0.0.1:5353\", \"[::1]:53\"]\ntimeout = \"750ms\"\nattempts = 3\n"
      "max_in_flight = 64\ncache_entries = 500\nmin_ttl = \"10s\"\nmax_ttl = \"1h\"\n"
      "negative_ttl = \"2m\"\nfailure_log_interval = \"30s\"\n");
  EXPECT_EQ(c.servers, (std::vector<std::string>{"127.0.0.1:5353", "[::1]:53"}));
  EXPECT_EQ(c.timeout, std::chrono::milliseconds(750));
  EXPECT_EQ(c.attempts, 3);
  EXPECT_EQ(c.max_in_flight, 64u);
  EXPECT_EQ(c.cache_entries, 500u);
  EXPECT_EQ(c.min_ttl, std::chrono::seconds(10));
  EXPECT_EQ(c.max_ttl, std::chrono::hours(1));
  EXPECT_EQ(c.negative_ttl, std::chrono::minutes(2));
  EXPECT_EQ(c.failure_log_interval, std::chrono::seconds(30));
}

TEST(DnsConfig, DefaultsAndErrors) {
  DnsConfig defaults = read("[dns]\n");
  EXPECT_TRUE(defaults.servers.empty());
  EXPECT_EQ(defaults.attempts, 2);
  EXPECT_THROW(read("[dns]\nservers = [\"dns.example\"]\n"), config::ConfigError);
  EXPECT_THROW(read("[dns]\nattempts = 0\n"), config::ConfigError);
  EXPECT_THROW(read("[dns]\nfailure_log_interval = \"1ms\"\n"), config::ConfigError);
  EXPECT_THROW(read("[dns]\nmin_ttl = \"2h\"\nmax_ttl = \"1h\"\n"), config::ConfigError);
  EXPECT_THROW(read("[dns]\ntimout = \"1s\"\n"), config::ConfigError);
}

}  // namespace
}  // namespace portcullis::dns
