// The exposition passes Prometheus's own linter: `promtool check metrics` (names, suffixes, help
// texts, histogram layout).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "gateway/metrics/http_endpoint.h"
#include "tests/unit/metrics/full_exposition.h"
#include "tests/unit/metrics/http_get.h"

namespace portcullis::metrics {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  for (size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    result.output.append(buffer.data(), n);
  }
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CommandResult checkMetrics(const std::string& exposition) {
  auto file = std::filesystem::temp_directory_path() /
              ("portcullis-exposition-" + std::to_string(::getpid()) + ".prom");
  std::ofstream(file) << exposition;
  CommandResult check = run(std::string(PORTCULLIS_PROMTOOL) + " check metrics < " + file.string());
  std::filesystem::remove(file);
  return check;
}

TEST(Promtool, TheFullExpositionPassesCheckMetrics) {
  ASSERT_TRUE(std::filesystem::exists(PORTCULLIS_PROMTOOL)) << "promtool not found";
  testing::BusyGateway gateway;
  std::string text = gateway.metrics.scrapeText();
  ASSERT_NE(text.find("portcullis_dns_queries_total"), std::string::npos);
  CommandResult check = checkMetrics(text);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "") << check.output;
}

TEST(Promtool, TheHttpEndpointsAnswerPassesCheckMetrics) {
  // What Prometheus really scrapes: the registry plus the Exposer's own metrics.
  testing::BusyGateway gateway;
  MetricsConfig config;
  config.listen = "127.0.0.1:0";
  HttpEndpoint endpoint(config, gateway.metrics, [] { return Readiness{true, {}}; });
  auto response = testing::httpGet(endpoint.ports().at(0), "/metrics");
  ASSERT_EQ(response.status, 200);
  CommandResult check = checkMetrics(response.body);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "") << check.output;
}

TEST(Promtool, ABadExpositionFailsCheckMetrics) {
  // Proves the check above can fail: a counter without the _total suffix.
  CommandResult check =
      checkMetrics("# HELP portcullis_bad Bad.\n# TYPE portcullis_bad counter\nportcullis_bad 1\n");
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE(check.output.find("_total"), std::string::npos) << check.output;
}

}  // namespace
}  // namespace portcullis::metrics
