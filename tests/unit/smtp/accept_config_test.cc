// Reading the listener's accept back-off from [server]: defaults, values, and a file:line error
// when the pauses contradict each other.
#include <gtest/gtest.h>

#include "gateway/config/gateway_config.h"

namespace portcullis::config {
namespace {

using std::chrono::milliseconds;

ServerConfig load(const std::string& server) {
  std::string text = "[domains]\nlocal = [\"example.org\"]\n\n[server]\n" + server;
  return loadGatewayConfig(Document::parseString(text, "test.toml")).server;
}

TEST(AcceptConfig, DefaultsPauseBrieflyAndLogRarely) {
  ServerConfig c = load("");
  EXPECT_EQ(c.accept_backoff_min, milliseconds(10));
  EXPECT_EQ(c.accept_backoff_max, milliseconds(1'000));
  EXPECT_EQ(c.accept_error_log_interval, milliseconds(10'000));
}

TEST(AcceptConfig, ReadsTheConfiguredValues) {
  ServerConfig c = load(
      "accept_backoff_min = \"5ms\"\naccept_backoff_max = \"2s\"\n"
      "accept_error_log_interval = \"1m\"\n");
  EXPECT_EQ(c.accept_backoff_min, milliseconds(5));
  EXPECT_EQ(c.accept_backoff_max, milliseconds(2'000));
  EXPECT_EQ(c.accept_error_log_interval, milliseconds(60'000));
}

TEST(AcceptConfig, MaximumShorterThanMinimumIsAnErrorWithItsLine) {
  try {
    load("accept_backoff_min = \"2s\"\naccept_backoff_max = \"1s\"\n");
    FAIL() << "loaded";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("test.toml:6: server.accept_backoff_max"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace portcullis::config
