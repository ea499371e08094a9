#include "gateway/metrics/metrics_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace portcullis::metrics {
namespace {

MetricsConfig read(const std::string& toml) {
  return readMetricsConfig(config::Document::parseString(toml, "portcullis.toml"));
}

TEST(MetricsConfig, DefaultsWithoutAMetricsTable) {
  MetricsConfig config = read("[server]\n");
  EXPECT_TRUE(config.enabled);
  EXPECT_EQ(config.listen, "127.0.0.1:9125");
  EXPECT_EQ(config.threads, 2u);
}

TEST(MetricsConfig, ReadsEveryKey) {
  MetricsConfig config =
      read("[metrics]\nenabled = false\nlisten = \"0.0.0.0:9200\"\nthreads = 4\n");
  EXPECT_FALSE(config.enabled);
  EXPECT_EQ(config.listen, "0.0.0.0:9200");
  EXPECT_EQ(config.threads, 4u);
}

TEST(MetricsConfig, ABadListenAddressNamesFileAndLine) {
  try {
    read("[metrics]\nenabled = true\nlisten = \"localhost:9125\"\n");
    FAIL() << "accepted a host name";
  } catch (const config::ConfigError& error) {
    EXPECT_EQ(error.file(), "portcullis.toml");
    EXPECT_EQ(error.line(), 3);
    EXPECT_THAT(error.message(), ::testing::HasSubstr("metrics.listen"));
  }
}

TEST(MetricsConfig, AnIpv6AddressNeedsAnHttpLibraryWithIpv6) {
  if (httpSupportsIpv6()) {
    EXPECT_EQ(read("[metrics]\nlisten = \"[::1]:9125\"\n").listen, "[::1]:9125");
  } else {
    EXPECT_THROW(read("[metrics]\nlisten = \"[::1]:9125\"\n"), config::ConfigError);
  }
}

TEST(MetricsConfig, UnknownKeysAreRejected) {
  EXPECT_THROW(read("[metrics]\nlisten_address = \"127.0.0.1:9125\"\n"), config::ConfigError);
}

TEST(MetricsConfig, ThreadsOutOfRangeAreRejected) {
  EXPECT_THROW(read("[metrics]\nthreads = 0\n"), config::ConfigError);
}

TEST(MetricsConfig, ListenAddressForms) {
  EXPECT_TRUE(validListenAddress("127.0.0.1:9125"));
  EXPECT_TRUE(validListenAddress("0.0.0.0:0"));
  EXPECT_TRUE(validListenAddress("[::1]:9125"));
  EXPECT_TRUE(validListenAddress("[::]:65535"));
  EXPECT_FALSE(validListenAddress("127.0.0.1"));
  EXPECT_FALSE(validListenAddress("127.0.0.1:"));
  EXPECT_FALSE(validListenAddress("127.0.0.1:65536"));
  EXPECT_FALSE(validListenAddress("127.0.0.1:-1"));
  EXPECT_FALSE(validListenAddress("::1:9125"));
  EXPECT_FALSE(validListenAddress("[127.0.0.1]:9125"));
  EXPECT_FALSE(validListenAddress("example.org:9125"));
  EXPECT_FALSE(validListenAddress(":9125"));
}

}  // namespace
}  // namespace portcullis::metrics
