// Reading what proxy mode's connection pool and the I/O threads take from the configuration:
// [relay] proxy_idle_connections (default and value), and [server] io_threads = 0 meaning one
// thread per core.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "gateway/config/gateway_config.h"

namespace portcullis::config {
namespace {

GatewayConfig load(const std::string& server, const std::string& relay) {
  std::string text = "[domains]\nlocal = [\"example.org\"]\n\n[server]\n" + server +
                     "\n[relay]\nmode = \"proxy\"\n" + relay;
  return loadGatewayConfig(Document::parseString(text, "test.toml"));
}

TEST(ProxyConfig, PoolDefaultsAndValues) {
  EXPECT_EQ(load("", "").relay.proxy_idle_connections, 20u);
  GatewayConfig c = load("", "proxy_idle_connections = 0\nmax_messages_per_connection = 7\n");
  EXPECT_EQ(c.relay.proxy_idle_connections, 0u);
  EXPECT_EQ(c.relay.max_messages_per_connection, 7u);
}

TEST(ProxyConfig, ZeroIoThreadsMeansOnePerCore) {
  EXPECT_EQ(load("", "").server.io_threads, 1u);
  EXPECT_EQ(load("io_threads = 3\n", "").server.io_threads, 3u);
  EXPECT_EQ(load("io_threads = 0\n", "").server.io_threads,
            std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace portcullis::config
