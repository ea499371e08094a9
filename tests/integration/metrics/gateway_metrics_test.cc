// The metrics of a RUNNING `portcullis serve` after real mail has passed through it: /metrics
// passes `promtool check metrics` and counts messages by action, rule hits, virus scans, check runs
// and failures, DNS queries, inbound TLS, relay attempts, the queue and the quarantine; what is
// loaded (rules, signatures) and when it was last reloaded; /readyz waits for the signatures;
// SIGHUP updates the reload times, and a SIGHUP with a broken rule file counts a failed reload and
// keeps scoring mail with the old rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <signal.h>

#include <filesystem>

#include "tests/integration/metrics/metrics_gateway.h"
#include "tests/support/dnsmasq_server.h"

namespace portcullis::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Optional;

const auto kPositive = [](double v) { return v > 0; };

// A self-signed certificate for gw.test in `dir`: the [tls] table using it.
std::string tlsTable(const TempDir& dir) {
  std::string cert = (dir / "cert.pem").string();
  std::string key = (dir / "key.pem").string();
  auto made = runCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                          "-subj", "/CN=gw.test", "-keyout", key, "-out", cert});
  if (made.exit_code != 0) throw std::runtime_error("openssl failed: " + made.output);
  return "certificate = \"" + cert + "\"\nkey = \"" + key + "\"\n";
}

// A fresh state directory is a cold start: the rules serve on PCRE2/RE2 while Hyperscan's
// databases compile in the background. Polls /readyz until it says the rules run on Hyperscan,
// which it does once the compile's load is counted in the metrics (its log line comes first), or
// a minute passed; the last answer.
testing::HttpResponse awaitHyperscan(const MetricsGateway& env) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto ready = env.get("/readyz");
  while (ready.body.find("rules: hyperscan") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ready = env.get("/readyz");
  }
  return ready;
}

std::string eicarFile(const TempDir& dir) {
  std::string path = (dir / "eicar.com").string();
  writeFile(path, R"(X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*)");
  return path;
}

TEST(GatewayMetrics, ScrapeAfterMailPassesPromtoolAndCountsWhatHappened) {
  DnsmasqServer dns({"txt-record=sender.test,\"v=spf1 ip4:127.0.0.1 -all\""});
  TempDir files("portcullis-metrics-files");
  GatewaySettings settings;
  settings.tls = tlsTable(files);
  // GTUBE (1000 points) is quarantined rather than rejected; a virus is still rejected.
  settings.policy = "quarantine_threshold = 500\nreject_threshold = 5000\n";
  settings.extra =
      projectChecks() + "\n[checks.spf]\n\n[dns]\nservers = [\"" + dns.address() + "\"]\n";
  MetricsGateway env(settings);

  auto clean = env.send({"--tls", "--body", "Nothing to see here."});
  ASSERT_EQ(clean.exit_code, 0) << clean.output;
  auto spam = env.send({"--body", gtubeBody()});
  ASSERT_EQ(spam.exit_code, 0) << spam.output;
  auto virus = env.send({"--attach", "@" + eicarFile(files)});
  EXPECT_THAT(virus.output, HasSubstr("554 5.7.0")) << virus.output;
  ASSERT_TRUE(env.recorder.waitForCount(1, kMetricsPatience)) << env.gateway.log();
  ASSERT_THAT(env.awaitValue("portcullis_relay_attempts_total{result=\"2xx\"}", kPositive),
              Optional(1.0));

  std::string text = env.scrape();
  ASSERT_FALSE(text.empty());
  auto promtool = runCommand({"promtool", "check", "metrics"}, text);
  EXPECT_EQ(promtool.exit_code, 0) << promtool.output;

  auto value = [&text](const std::string& series) { return sampleValue(text, series); };
  EXPECT_THAT(value("portcullis_messages_total{action=\"accept\"}"), Optional(1.0));
  EXPECT_THAT(value("portcullis_messages_total{action=\"quarantine\"}"), Optional(1.0));
  EXPECT_THAT(value("portcullis_messages_total{action=\"reject\"}"), Optional(1.0));
  EXPECT_THAT(value("portcullis_rule_hits_total{rule=\"GTUBE\"}"), Optional(1.0));
  EXPECT_THAT(value("portcullis_connections_total{result=\"accepted\"}"), Optional(3.0));
  EXPECT_THAT(value("portcullis_clamav_scans_total{result=\"clean\"}"), Optional(2.0));
  EXPECT_THAT(value("portcullis_clamav_scans_total{result=\"infected\"}"), Optional(1.0));
  EXPECT_THAT(value("portcullis_clamav_scan_duration_seconds_count"), Optional(3.0));
  EXPECT_THAT(value("portcullis_clamav_up"), Optional(1.0));
  EXPECT_THAT(value("portcullis_check_duration_seconds_count{check=\"content\"}"), Optional(3.0));
  EXPECT_THAT(value("portcullis_check_duration_seconds_count{check=\"spf\"}"), Optional(3.0));
  EXPECT_THAT(value("portcullis_check_failures_total{check=\"spf\",reason=\"timeout\"}"),
              Optional(0.0));
  EXPECT_THAT(value("portcullis_dns_queries_total{result=\"ok\",type=\"TXT\"}"),
              Optional(::testing::Ge(1.0)));
  EXPECT_THAT(value("portcullis_tls_sessions_total{direction=\"inbound\",version=\"TLSv1.3\"}"),
              Optional(1.0));
  EXPECT_THAT(value("portcullis_quarantine_messages"), Optional(1.0));
  EXPECT_THAT(value("portcullis_quarantine_bytes"), Optional(::testing::Gt(0.0)));
  EXPECT_THAT(value("portcullis_queue_messages"), Optional(0.0));
  EXPECT_THAT(value("portcullis_queue_oldest_message_age_seconds"), Optional(0.0));

  EXPECT_THAT(value("portcullis_rules_loaded"), Optional(::testing::Gt(0.0)));
  EXPECT_THAT(value("portcullis_signatures_loaded"), Optional(::testing::Gt(0.0)));
  EXPECT_THAT(value("portcullis_signatures_timestamp_seconds"), Optional(::testing::Gt(0.0)));
  for (const char* component : {"rules", "signatures", "config"}) {
    std::string labels = std::string("{component=\"") + component + "\"}";
    EXPECT_THAT(value("portcullis_reload_last_success_timestamp_seconds" + labels),
                Optional(::testing::Gt(0.0)))
        << component;
    EXPECT_THAT(value("portcullis_reload_failures_total" + labels), Optional(0.0)) << component;
  }
  // A cold start: /readyz says which engines run the rules.
  auto ready = awaitHyperscan(env);
  EXPECT_EQ(ready.status, 200);
  EXPECT_THAT(ready.body, HasSubstr("rules: hyperscan")) << env.gateway.log();
  EXPECT_THAT(env.gateway.log(), HasSubstr("Hyperscan's databases compiled"));
}

// Spool mode (the queue runner) and proxy mode both count their relay attempts and the TLS
// sessions they start; the internal MTA here is a second portcullis offering STARTTLS.
class RelayMetrics : public ::testing::TestWithParam<std::string> {};

TEST_P(RelayMetrics, AttemptsAndOutboundTlsAreCountedInEveryMode) {
  TempDir files("portcullis-relay-metrics");
  RecordingMta inner(files / "inner");
  inner.start();
  GatewaySettings internal;
  internal.mode = "proxy";
  internal.relay_port = inner.port();
  internal.tls = tlsTable(files);
  GatewayProcess internal_mta(files / "internal", internal);
  internal_mta.start();

  GatewaySettings settings;
  settings.mode = GetParam();
  settings.relay_port = internal_mta.port();
  settings.relay_tls = "required";
  MetricsGateway env(settings);
  auto sent = env.send({"--body", "Through two gateways."});
  ASSERT_EQ(sent.exit_code, 0) << sent.output << env.gateway.log();
  ASSERT_TRUE(inner.waitForCount(1, kMetricsPatience)) << internal_mta.log();
  EXPECT_THAT(env.awaitValue("portcullis_relay_attempts_total{result=\"2xx\"}", kPositive),
              Optional(1.0));
  EXPECT_THAT(
      env.value("portcullis_tls_sessions_total{direction=\"outbound\",version=\"TLSv1.3\"}"),
      Optional(1.0));
  EXPECT_EQ(env.recorder.count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Modes, RelayMetrics, ::testing::Values("spool", "proxy"));

TEST(GatewayMetrics, ACheckPastItsDeadlineAndUnansweredDnsAreCounted) {
  DnsmasqServer dns({"txt-record=sender.test,\"v=spf1 ip4:127.0.0.1 -all\""});
  dns.pause();
  GatewaySettings settings;
  settings.pipeline = "check_timeout = \"300ms\"\n";
  settings.extra = "[checks.spf]\n\n[dns]\nservers = [\"" + dns.address() +
                   "\"]\ntimeout = \"2s\"\nattempts = 1\n";
  MetricsGateway env(settings);

  auto sent = env.send();
  EXPECT_EQ(sent.exit_code, 0) << sent.output;  // SPF fails open (fail_mode neutral)
  EXPECT_THAT(env.awaitValue("portcullis_check_failures_total{check=\"spf\",reason=\"timeout\"}",
                             kPositive),
              Optional(1.0))
      << env.gateway.log();
  EXPECT_THAT(
      env.awaitValue("portcullis_dns_queries_total{result=\"timeout\",type=\"TXT\"}", kPositive),
      Optional(::testing::Ge(1.0)));
}

TEST(GatewayMetrics, QueueGaugesFollowTheSpoolWhileTheInternalMtaIsDown) {
  MetricsGateway env(GatewaySettings{});
  env.recorder.stop();
  auto sent = env.send();
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_THAT(env.awaitValue("portcullis_queue_messages", kPositive), Optional(1.0));
  auto age = env.value("portcullis_queue_oldest_message_age_seconds");
  ASSERT_TRUE(age.has_value());
  EXPECT_GE(*age, 0);
  EXPECT_LT(*age, 120);  // seconds since the message arrived, not since some other epoch
  // A refused connection is no SMTP answer: counted as an error, not as a 4xx reply.
  EXPECT_THAT(env.awaitValue("portcullis_relay_attempts_total{result=\"error\"}", kPositive),
              Optional(::testing::Ge(1.0)));
  EXPECT_THAT(env.value("portcullis_relay_attempts_total{result=\"4xx\"}"), Optional(0.0));

  env.recorder.start();
  ASSERT_TRUE(env.recorder.waitForCount(1, kMetricsPatience)) << env.gateway.log();
  EXPECT_THAT(env.awaitValue("portcullis_queue_messages", [](double v) { return v == 0; }),
              Optional(0.0));
  EXPECT_THAT(env.value("portcullis_queue_oldest_message_age_seconds"), Optional(0.0));
  EXPECT_THAT(env.value("portcullis_relay_attempts_total{result=\"2xx\"}"), Optional(1.0));
}

TEST(GatewayMetrics, ReadyzWaitsForTheSignatures) {
  TempDir signatures("portcullis-metrics-signatures");
  GatewaySettings settings;
  settings.extra = "[checks.clamav]\nsignature_dirs = [\"" + signatures.path().string() +
                   "\"]\nreload_check_period = \"200ms\"\n";
  MetricsGateway env(settings);

  auto not_ready = env.get("/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_THAT(not_ready.body, HasSubstr("no signatures loaded"));
  EXPECT_THAT(not_ready.body, ::testing::Not(HasSubstr("no rules loaded")));
  EXPECT_THAT(env.value("portcullis_clamav_up"), Optional(0.0));
  EXPECT_THAT(env.value("portcullis_reload_failures_total{component=\"signatures\"}"),
              Optional(::testing::Ge(1.0)));

  for (const auto& file : fs::directory_iterator(fs::path(PORTCULLIS_SOURCE_DIR) / "signatures")) {
    if (file.path().extension() != ".md")
      fs::copy(file.path(), signatures / file.path().filename().string());
  }
  EXPECT_THAT(env.awaitValue("portcullis_clamav_up", kPositive), Optional(1.0))
      << env.gateway.log();
  auto ready = env.get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_THAT(env.value("portcullis_signatures_loaded"), Optional(::testing::Gt(0.0)));
  EXPECT_THAT(
      env.value("portcullis_reload_last_success_timestamp_seconds{component=\"signatures\"}"),
      Optional(::testing::Gt(0.0)));
}

TEST(GatewayMetrics, SighupUpdatesTheReloadTimes) {
  GatewaySettings settings;
  settings.extra = projectChecks();
  MetricsGateway env(settings);
  const std::string rules = "portcullis_reload_last_success_timestamp_seconds{component=\"rules\"}";
  const std::string signatures =
      "portcullis_reload_last_success_timestamp_seconds{component=\"signatures\"}";
  const std::string config =
      "portcullis_reload_last_success_timestamp_seconds{component=\"config\"}";
  std::string before = env.scrape();
  auto rules_before = sampleValue(before, rules);
  auto signatures_before = sampleValue(before, signatures);
  auto config_before = sampleValue(before, config);
  ASSERT_THAT(rules_before, Optional(::testing::Gt(0.0)));
  ASSERT_TRUE(signatures_before && config_before);

  size_t from = env.gateway.logSize();
  env.gateway.signal(SIGHUP);
  ASSERT_TRUE(env.gateway.waitForLog("configuration reloaded", kMetricsPatience, from))
      << env.gateway.log();
  std::string after = env.scrape();
  EXPECT_THAT(sampleValue(after, rules), Optional(::testing::Gt(*rules_before)));
  EXPECT_THAT(sampleValue(after, signatures), Optional(::testing::Gt(*signatures_before)));
  EXPECT_THAT(sampleValue(after, config), Optional(::testing::Gt(*config_before)));
  EXPECT_THAT(sampleValue(after, "portcullis_reload_failures_total{component=\"rules\"}"),
              Optional(0.0));
}

TEST(GatewayMetrics, SighupWithABrokenRuleFileCountsAFailureAndKeepsTheOldRules) {
  TempDir rules("portcullis-metrics-rules");
  fs::copy(fs::path(PORTCULLIS_SOURCE_DIR) / "rules" / "10_gtube.cf", rules / "10_gtube.cf");
  GatewaySettings settings;
  settings.extra = "[checks.clamav]\nsignature_dirs = [\"" + std::string(PORTCULLIS_SOURCE_DIR) +
                   "/signatures\"]\n\n[checks.content]\nrules = [\"" + rules.path().string() +
                   "\"]\n";
  MetricsGateway env(settings);
  // A cold start: the rules' Hyperscan databases compile in the background and count as a load
  // when done; the figures compared below are those after it.
  ASSERT_THAT(awaitHyperscan(env).body, HasSubstr("rules: hyperscan")) << env.gateway.log();
  std::string before = env.scrape();
  auto loaded_before = sampleValue(before, "portcullis_rules_loaded");
  ASSERT_THAT(loaded_before, Optional(::testing::Gt(0.0)));
  const std::string rules_time =
      "portcullis_reload_last_success_timestamp_seconds{component=\"rules\"}";
  const std::string signatures_time =
      "portcullis_reload_last_success_timestamp_seconds{component=\"signatures\"}";

  writeFile(rules / "20_broken.cf", "body BROKEN_RULE /broken/\nscore BROKEN_RULE lots\n");
  size_t from = env.gateway.logSize();
  env.gateway.signal(SIGHUP);
  ASSERT_TRUE(env.gateway.waitForLog("reload failed", kMetricsPatience, from)) << env.gateway.log();
  EXPECT_THAT(env.gateway.log().substr(from), HasSubstr("20_broken.cf:2"));

  std::string after = env.scrape();
  EXPECT_THAT(sampleValue(after, "portcullis_reload_failures_total{component=\"rules\"}"),
              Optional(1.0));
  EXPECT_THAT(sampleValue(after, "portcullis_reload_failures_total{component=\"config\"}"),
              Optional(1.0));
  EXPECT_EQ(sampleValue(after, "portcullis_rules_loaded"), loaded_before);
  // The signatures this reload loaded before it reached the rules were never used.
  EXPECT_EQ(sampleValue(after, rules_time), sampleValue(before, rules_time));
  EXPECT_EQ(sampleValue(after, signatures_time), sampleValue(before, signatures_time));

  // Mail is still scored by the old rules: GTUBE is rejected.
  auto spam = env.send({"--body", gtubeBody()});
  EXPECT_THAT(spam.output, HasSubstr("<** 5")) << spam.output;
  EXPECT_THAT(env.value("portcullis_rule_hits_total{rule=\"GTUBE\"}"), Optional(1.0));
  EXPECT_THAT(env.value("portcullis_messages_total{action=\"reject\"}"), Optional(1.0));
}

}  // namespace
}  // namespace portcullis::test
