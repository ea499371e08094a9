#include "gateway/metrics/http_endpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/unit/metrics/http_get.h"

namespace portcullis::metrics {
namespace {

using ::testing::HasSubstr;
using testing::httpGet;

MetricsConfig loopbackAnyPort() {
  MetricsConfig config;
  config.listen = "127.0.0.1:0";
  return config;
}

uint16_t portOf(const HttpEndpoint& endpoint) {
  EXPECT_EQ(endpoint.ports().size(), 1u);
  EXPECT_NE(endpoint.ports().at(0), 0);
  return endpoint.ports().at(0);
}

TEST(HttpEndpoint, ServesTheMetricsOfItsRegistry) {
  Metrics metrics("9.9.9");
  HttpEndpoint endpoint(loopbackAnyPort(), metrics, [] { return Readiness{true, {}}; });
  metrics.messages(Action::Quarantine).Increment(4);
  auto response = httpGet(portOf(endpoint), "/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_THAT(response.body, HasSubstr("portcullis_messages_total{action=\"quarantine\"} 4\n"));
  EXPECT_THAT(response.body, HasSubstr("portcullis_build_info{version=\"9.9.9\"} 1\n"));
}

TEST(HttpEndpoint, ScrapesRunTheRefreshHooks) {
  Metrics metrics;
  std::atomic<int> depth = 11;
  ScrapeHook hook = metrics.onScrape([&] { metrics.queueMessages().Set(depth); });
  HttpEndpoint endpoint(loopbackAnyPort(), metrics, [] { return Readiness{true, {}}; });
  EXPECT_THAT(httpGet(portOf(endpoint), "/metrics").body,
              HasSubstr("portcullis_queue_messages 11\n"));
  depth = 12;
  EXPECT_THAT(httpGet(portOf(endpoint), "/metrics").body,
              HasSubstr("portcullis_queue_messages 12\n"));
}

TEST(HttpEndpoint, HealthzAnswersOkEvenWhenNotReady) {
  Metrics metrics;
  HttpEndpoint endpoint(loopbackAnyPort(), metrics, [] { return Readiness{false, "starting"}; });
  auto response = httpGet(portOf(endpoint), "/healthz");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok\n");
  EXPECT_THAT(response.headers, HasSubstr("Content-Type: text/plain"));
}

TEST(HttpEndpoint, ReadyzFollowsTheProbe) {
  Metrics metrics;
  std::atomic<bool> rules_loaded = false;
  ReadinessProbe probe = allOf({{[&] { return rules_loaded.load(); }, "no rules loaded"},
                                {[] { return true; }, "spool not writable"}});
  HttpEndpoint endpoint(loopbackAnyPort(), metrics, probe);
  auto not_ready = httpGet(portOf(endpoint), "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "no rules loaded\n");
  rules_loaded = true;
  auto ready = httpGet(portOf(endpoint), "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
}

TEST(HttpEndpoint, AThrowingProbeMeansNotReady) {
  Metrics metrics;
  HttpEndpoint endpoint(loopbackAnyPort(), metrics,
                        []() -> Readiness { throw std::runtime_error("lock poisoned"); });
  auto response = httpGet(portOf(endpoint), "/readyz");
  EXPECT_EQ(response.status, 503);
  EXPECT_THAT(response.body, HasSubstr("lock poisoned"));
}

TEST(HttpEndpoint, HeadGetsHeadersWithoutABody) {
  Metrics metrics;
  HttpEndpoint endpoint(loopbackAnyPort(), metrics, [] { return Readiness{true, {}}; });
  auto response = httpGet(portOf(endpoint), "/healthz", "HEAD");
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.headers, HasSubstr("Content-Length: 3"));
  EXPECT_EQ(response.body, "");
}

TEST(HttpEndpoint, OtherPathsAreNotFound) {
  Metrics metrics;
  HttpEndpoint endpoint(loopbackAnyPort(), metrics, [] { return Readiness{true, {}}; });
  EXPECT_EQ(httpGet(portOf(endpoint), "/").status, 404);
  EXPECT_EQ(httpGet(portOf(endpoint), "/healthz/x").status, 404);
}

TEST(HttpEndpoint, TwoEndpointsAnswerWithTheirOwnProbes) {
  Metrics metrics;
  HttpEndpoint ready(loopbackAnyPort(), metrics, [] { return Readiness{true, {}}; });
  HttpEndpoint not_ready(loopbackAnyPort(), metrics, [] { return Readiness{false, "draining"}; });
  EXPECT_EQ(httpGet(portOf(ready), "/readyz").status, 200);
  EXPECT_EQ(httpGet(portOf(not_ready), "/readyz").body, "draining\n");
}

TEST(HttpEndpoint, ListensOnIpv6Loopback) {
  if (!httpSupportsIpv6()) GTEST_SKIP() << "civetweb was built without IPv6";
  Metrics metrics;
  MetricsConfig config;
  config.listen = "[::1]:0";
  HttpEndpoint endpoint(config, metrics, [] { return Readiness{false, "warming up"}; });
  uint16_t port = portOf(endpoint);
  EXPECT_EQ(httpGet(port, "/healthz", "GET", AF_INET6).status, 200);
  EXPECT_EQ(httpGet(port, "/readyz", "GET", AF_INET6).body, "warming up\n");
  EXPECT_THAT(httpGet(port, "/metrics", "GET", AF_INET6).body,
              HasSubstr("portcullis_build_info{version="));
  EXPECT_EQ(httpGet(port, "/healthz").status, 0) << "answered on IPv4 too";
}

TEST(HttpEndpoint, StopsListeningWhenDestroyed) {
  Metrics metrics;
  uint16_t port = 0;
  {
    HttpEndpoint endpoint(loopbackAnyPort(), metrics, [] { return Readiness{true, {}}; });
    port = portOf(endpoint);
    ASSERT_EQ(httpGet(port, "/healthz").status, 200);
  }
  EXPECT_EQ(httpGet(port, "/healthz").status, 0);
}

TEST(HttpEndpoint, APortInUseIsAnErrorNamingTheAddress) {
  Metrics metrics;
  HttpEndpoint first(loopbackAnyPort(), metrics, [] { return Readiness{true, {}}; });
  MetricsConfig same;
  same.listen = "127.0.0.1:" + std::to_string(portOf(first));
  try {
    HttpEndpoint second(same, metrics, [] { return Readiness{true, {}}; });
    FAIL() << "two endpoints bound one port";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr(same.listen));
  }
}

TEST(Readiness, DirectoryWritable) {
  auto dir = std::filesystem::temp_directory_path() /
             ("portcullis-readiness-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  EXPECT_TRUE(directoryWritable(dir));
  EXPECT_FALSE(directoryWritable(dir / "missing"));
  std::ofstream(dir / "file") << "x";
  EXPECT_FALSE(directoryWritable(dir / "file"));
  std::filesystem::remove_all(dir);
}

TEST(Readiness, AllOfJoinsEveryFailure) {
  ReadinessProbe probe = allOf({{[] { return false; }, "no rules loaded"},
                                {[] { return true; }, "no signatures loaded"},
                                {[] { return false; }, "spool not writable"}});
  Readiness readiness = probe();
  EXPECT_FALSE(readiness.ready);
  EXPECT_EQ(readiness.reason, "no rules loaded; spool not writable");
  EXPECT_TRUE(allOf({})().ready);
}

}  // namespace
}  // namespace portcullis::metrics
