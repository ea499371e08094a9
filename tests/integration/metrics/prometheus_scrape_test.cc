// A real Prometheus server (Debian's `prometheus`) on loopback scrapes a running `portcullis
// serve`: after mail has passed through the gateway, Prometheus's query API returns the gateway's
// message and rule-hit counters, every query of the Grafana dashboard runs, and the shipped alert
// rules load in it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/integration/metrics/deploy_files.h"
#include "tests/integration/metrics/metrics_gateway.h"

namespace portcullis::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// How long Prometheus gets to start, scrape and answer: generous for a loaded CI machine.
constexpr auto kPatience = 90s;

class PrometheusServer {
 public:
  PrometheusServer(const fs::path& dir, uint16_t target_port) : dir_(dir) {
    port_ = testing::freeLoopbackPort();
    fs::path config = dir / "prometheus.yml";
    std::ofstream(config) << "global:\n"
                             "  scrape_interval: 1s\n"
                             "  scrape_timeout: 1s\n"
                             "  evaluation_interval: 1s\n"
                             "rule_files:\n"
                             "  - "
                          << PORTCULLIS_SOURCE_DIR
                          << "/deploy/prometheus/portcullis-alerts.yml\n"
                             "scrape_configs:\n"
                             "  - job_name: portcullis\n"
                             "    static_configs:\n"
                             "      - targets: ['127.0.0.1:"
                          << target_port << "']\n";
    std::string args[] = {
        "--config.file=" + config.string(), "--storage.tsdb.path=" + (dir / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"};
    std::string log = (dir / "prometheus.log").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl(PORTCULLIS_PROMETHEUS, "prometheus", args[0].c_str(), args[1].c_str(),
              args[2].c_str(), args[3].c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }

  ~PrometheusServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(100ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  uint16_t port() const { return port_; }
  std::string log() const {
    std::ifstream in(dir_ / "prometheus.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // The value of an instant query's single sample as Prometheus returns it ("7"); empty when the
  // query has no result (yet).
  std::string query(const std::string& url_encoded_promql) const {
    auto response = testing::httpGet(port_, "/api/v1/query?query=" + url_encoded_promql);
    if (response.status != 200) return "";
    // {"status":"success","data":{"resultType":"vector","result":[{"metric":{..},
    // "value":[time,"value"]}, ..]}}: the first sample's value.
    const boost::json::value body = boost::json::parse(response.body);
    const boost::json::array& result = body.at("data").at("result").as_array();
    if (result.empty()) return "";
    return std::string(result.front().at("value").at(1).as_string());
  }

  // Polls `query` until it returns `expected` or Prometheus has had kPatience.
  std::string awaitValue(const std::string& url_encoded_promql, const std::string& expected) const {
    auto deadline = std::chrono::steady_clock::now() + kPatience;
    std::string last;
    while (std::chrono::steady_clock::now() < deadline && running()) {
      last = query(url_encoded_promql);
      if (last == expected) break;
      std::this_thread::sleep_for(250ms);
    }
    return last;
  }

 private:
  fs::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

class PrometheusScrape : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(PORTCULLIS_PROMETHEUS)) << "the prometheus package is not installed";
    dir_ = fs::temp_directory_path() / ("portcullis-prometheus-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

// The gateway with the project's rules and signatures, which has rejected one GTUBE message and
// delivered one clean message.
GatewaySettings withProjectChecks() {
  GatewaySettings settings;
  settings.extra = projectChecks();
  return settings;
}

TEST_F(PrometheusScrape, QueriesReturnTheCountersOfTheRunningGateway) {
  MetricsGateway env(withProjectChecks());
  auto spam = env.send({"--body", gtubeBody()});
  EXPECT_THAT(spam.output, ::testing::HasSubstr("<** 5")) << spam.output;
  auto clean = env.send();
  ASSERT_EQ(clean.exit_code, 0) << clean.output;

  PrometheusServer prometheus(dir_, env.metrics_port);
  EXPECT_EQ(prometheus.awaitValue("portcullis_messages_total%7Baction%3D%22reject%22%7D", "1"), "1")
      << prometheus.log();
  EXPECT_EQ(prometheus.awaitValue("portcullis_messages_total%7Baction%3D%22accept%22%7D", "1"),
            "1");
  EXPECT_EQ(prometheus.awaitValue("portcullis_rule_hits_total%7Brule%3D%22GTUBE%22%7D", "1"), "1");
  EXPECT_EQ(prometheus.awaitValue(
                "portcullis_build_info%7Bversion%3D%22" PORTCULLIS_VERSION "%22%7D", "1"),
            "1");
  EXPECT_EQ(prometheus.awaitValue("portcullis_rules_loaded%20%3E%20bool%200", "1"), "1");
  EXPECT_EQ(prometheus.awaitValue("up%7Bjob%3D%22portcullis%22%7D", "1"), "1");

  // Mail that passes later reaches Prometheus on a later scrape.
  auto more_spam = env.send({"--body", gtubeBody()});
  EXPECT_THAT(more_spam.output, ::testing::HasSubstr("<** 5")) << more_spam.output;
  EXPECT_EQ(prometheus.awaitValue("portcullis_messages_total%7Baction%3D%22reject%22%7D", "2"),
            "2");

  // The shipped alert rules loaded and evaluate without errors.
  auto rules = testing::httpGet(prometheus.port(), "/api/v1/rules");
  EXPECT_EQ(rules.status, 200);
  std::vector<std::string> names, health;
  const boost::json::value rules_response = boost::json::parse(rules.body);
  for (const auto& group : rules_response.at("data").at("groups").as_array()) {
    for (const auto& rule : group.at("rules").as_array()) {
      names.emplace_back(rule.at("name").as_string());
      health.emplace_back(rule.at("health").as_string());
    }
  }
  EXPECT_THAT(names, ::testing::Contains("PortcullisQueueStuck")) << rules.body;
  EXPECT_THAT(health, ::testing::Not(::testing::Contains("err"))) << rules.body;
  EXPECT_TRUE(prometheus.running()) << prometheus.log();
}

TEST_F(PrometheusScrape, EveryDashboardQueryRunsInPrometheus) {
  MetricsGateway env(withProjectChecks());
  PrometheusServer prometheus(dir_, env.metrics_port);
  ASSERT_EQ(prometheus.awaitValue("up%7Bjob%3D%22portcullis%22%7D", "1"), "1") << prometheus.log();

  auto expressions =
      testing::dashboardExpressions(testing::readSourceFile("deploy/grafana/portcullis.json"));
  EXPECT_GE(expressions.size(), 20u);
  for (const std::string& expr : expressions) {
    auto response = testing::httpGet(
        prometheus.port(),
        "/api/v1/query?query=" + testing::urlEncode(testing::withGrafanaVariables(expr)));
    EXPECT_EQ(response.status, 200) << expr << "\n" << response.body;
    EXPECT_EQ(boost::json::parse(response.body).at("status"), "success") << expr;
  }
}

}  // namespace
}  // namespace portcullis::test
