#include "gateway/metrics/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace portcullis::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Metrics, BuildInfoNamesTheVersion) {
  Metrics metrics("1.2.3");
  EXPECT_THAT(metrics.scrapeText(), HasSubstr("portcullis_build_info{version=\"1.2.3\"} 1\n"));
}

TEST(Metrics, EnumLabelledSeriesExistAtZeroBeforeFirstUse) {
  Metrics metrics;
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text, HasSubstr("portcullis_connections_total{result=\"overloaded\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_messages_total{action=\"quarantine\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_relay_attempts_total{result=\"5xx\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_clamav_scans_total{result=\"infected\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_reload_failures_total{component=\"signatures\"} 0\n"));
  EXPECT_THAT(
      text,
      HasSubstr("portcullis_tls_sessions_total{direction=\"outbound\",version=\"TLSv1.3\"} 0\n"));
}

TEST(Metrics, ConnectionsAndMessagesCountByLabel) {
  Metrics metrics;
  metrics.connections(ConnectionResult::Accepted).Increment();
  metrics.connections(ConnectionResult::Accepted).Increment();
  metrics.connections(ConnectionResult::Rejected).Increment();
  metrics.messages(Action::Reject).Increment(3);
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text, HasSubstr("portcullis_connections_total{result=\"accepted\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_connections_total{result=\"rejected\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_connections_total{result=\"tempfailed\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_messages_total{action=\"reject\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_messages_total{action=\"accept\"} 0\n"));
}

TEST(Metrics, RecordVerdictCountsTheActionAndEveryRule) {
  Metrics metrics;
  Verdict verdict;
  verdict.action = Action::Tag;
  verdict.symbols = {{"SUBJ_ALL_CAPS", 1.5, ""}, {"MISSING_DATE", 0.5, ""}};
  metrics.recordVerdict(verdict);
  verdict.symbols = {{"SUBJ_ALL_CAPS", 1.5, ""}};
  metrics.recordVerdict(verdict);
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text, HasSubstr("portcullis_messages_total{action=\"tag\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_rule_hits_total{rule=\"SUBJ_ALL_CAPS\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_rule_hits_total{rule=\"MISSING_DATE\"} 1\n"));
}

TEST(Metrics, SeriesReferencesAreStable) {
  Metrics metrics;
  prometheus::Counter& first = metrics.ruleHits("R1");
  metrics.ruleHits("R2");
  EXPECT_EQ(&first, &metrics.ruleHits("R1"));
  EXPECT_EQ(&metrics.checkDuration("spf"), &metrics.checkDuration("spf"));
  EXPECT_NE(&metrics.checkFailures("spf", CheckFailure::Timeout),
            &metrics.checkFailures("spf", CheckFailure::Error));
}

TEST(Metrics, CheckDurationIsAHistogramInSeconds) {
  Metrics metrics;
  metrics.checkDuration("dkim").Observe(0.003);
  metrics.checkDuration("dkim").Observe(12);
  metrics.checkFailures("dkim", CheckFailure::Timeout).Increment();
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text, HasSubstr("# TYPE portcullis_check_duration_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_check_duration_seconds_count{check=\"dkim\"} 2\n"));
  EXPECT_THAT(
      text, HasSubstr("portcullis_check_duration_seconds_bucket{check=\"dkim\",le=\"0.005\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("portcullis_check_duration_seconds_bucket{check=\"dkim\",le=\"10\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("portcullis_check_duration_seconds_bucket{check=\"dkim\",le=\"30\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("portcullis_check_failures_total{check=\"dkim\",reason=\"timeout\"} 1\n"));
}

TEST(Metrics, DeclareCheckCreatesItsSeriesAtZero) {
  Metrics metrics;
  EXPECT_THAT(metrics.scrapeText(), Not(HasSubstr("check=\"spf\"")));
  metrics.declareCheck("spf");
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text, HasSubstr("portcullis_check_duration_seconds_count{check=\"spf\"} 0\n"));
  EXPECT_THAT(text,
              HasSubstr("portcullis_check_failures_total{check=\"spf\",reason=\"error\"} 0\n"));
  EXPECT_THAT(text,
              HasSubstr("portcullis_check_failures_total{check=\"spf\",reason=\"timeout\"} 0\n"));
}

TEST(Metrics, RelayAttemptsAreClassifiedByReplyCode) {
  Metrics metrics;
  metrics.relayAttempt(250).Increment();
  metrics.relayAttempt(251).Increment();
  metrics.relayAttempt(451).Increment();
  metrics.relayAttempt(554).Increment();
  metrics.relayAttempt(0).Increment();
  metrics.relayAttempt(999).Increment();
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text, HasSubstr("portcullis_relay_attempts_total{result=\"2xx\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_relay_attempts_total{result=\"4xx\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_relay_attempts_total{result=\"5xx\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_relay_attempts_total{result=\"error\"} 2\n"));
}

TEST(Metrics, TlsVersionsOutsideTheKnownSetCountAsOther) {
  Metrics metrics;
  metrics.tlsSessions(TlsDirection::Inbound, "TLSv1.3").Increment();
  metrics.tlsSessions(TlsDirection::Inbound, "SSLv3").Increment();
  metrics.tlsSessions(TlsDirection::Inbound, "unknown").Increment();
  std::string text = metrics.scrapeText();
  EXPECT_THAT(
      text,
      HasSubstr("portcullis_tls_sessions_total{direction=\"inbound\",version=\"TLSv1.3\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("portcullis_tls_sessions_total{direction=\"inbound\",version=\"other\"} 2\n"));
  EXPECT_THAT(text, Not(HasSubstr("SSLv3")));
}

TEST(Metrics, ClamavQueueQuarantineAndLoadedGauges) {
  Metrics metrics;
  metrics.clamavScans(ScanResult::Infected).Increment();
  metrics.clamavScanDuration().Observe(0.2);
  metrics.clamavUp().Set(1);
  metrics.queueMessages().Set(42);
  metrics.queueOldestAge().Set(900);
  metrics.quarantineMessages().Set(7);
  metrics.quarantineBytes().Set(70000);
  metrics.rulesLoaded().Set(1500);
  metrics.signaturesLoaded().Set(12);
  metrics.signaturesTimestamp().Set(1700000000);
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text, HasSubstr("portcullis_clamav_scans_total{result=\"infected\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_clamav_scan_duration_seconds_count 1\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_clamav_up 1\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_queue_messages 42\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_queue_oldest_message_age_seconds 900\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_quarantine_messages 7\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_quarantine_bytes 70000\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_rules_loaded 1500\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_signatures_loaded 12\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_signatures_timestamp_seconds 1700000000\n"));
}

TEST(Metrics, ReloadsRecordTheTimeOfSuccessAndCountFailures) {
  Metrics metrics;
  metrics.reloadSucceeded(ReloadComponent::Rules,
                          std::chrono::system_clock::time_point(std::chrono::seconds(1700000123)));
  metrics.reloadFailed(ReloadComponent::Signatures);
  metrics.reloadFailed(ReloadComponent::Signatures);
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text,
              HasSubstr("portcullis_reload_last_success_timestamp_seconds{component=\"rules\"} "
                        "1700000123\n"));
  EXPECT_THAT(text,
              HasSubstr("portcullis_reload_last_success_timestamp_seconds{component=\"config\"} "
                        "0\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_reload_failures_total{component=\"signatures\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_reload_failures_total{component=\"rules\"} 0\n"));
}

TEST(Metrics, ScrapeHooksRefreshGaugesUntilReleased) {
  Metrics metrics;
  int queue_depth = 5;
  {
    ScrapeHook hook = metrics.onScrape([&] { metrics.queueMessages().Set(queue_depth); });
    EXPECT_THAT(metrics.scrapeText(), HasSubstr("portcullis_queue_messages 5\n"));
    queue_depth = 8;
    EXPECT_THAT(metrics.scrapeText(), HasSubstr("portcullis_queue_messages 8\n"));
    ScrapeHook moved = std::move(hook);
    queue_depth = 9;
    EXPECT_THAT(metrics.scrapeText(), HasSubstr("portcullis_queue_messages 9\n"));
  }
  queue_depth = 100;
  EXPECT_THAT(metrics.scrapeText(), HasSubstr("portcullis_queue_messages 9\n"));
}

TEST(Metrics, AThrowingHookIsCountedAndTheScrapeGoesOn) {
  Metrics metrics;
  ScrapeHook failing = metrics.onScrape([] { throw std::runtime_error("spool unreadable"); });
  ScrapeHook working = metrics.onScrape([&] { metrics.rulesLoaded().Set(3); });
  std::string text = metrics.scrapeText();
  EXPECT_THAT(text, HasSubstr("portcullis_metrics_refresh_failures_total 1\n"));
  EXPECT_THAT(text, HasSubstr("portcullis_rules_loaded 3\n"));
}

TEST(Metrics, AHookMayOutliveTheMetrics) {
  ScrapeHook hook;
  {
    Metrics metrics;
    hook = metrics.onScrape([] {});
  }
  SUCCEED();  // destroying `hook` now must not touch the destroyed Metrics
}

TEST(Metrics, LabelValuesAreEscapedInTheExposition) {
  Metrics metrics;
  metrics.ruleHits("QUOTE\"BACKSLASH\\").Increment();
  EXPECT_THAT(metrics.scrapeText(),
              HasSubstr("portcullis_rule_hits_total{rule=\"QUOTE\\\"BACKSLASH\\\\\"} 1\n"));
}

}  // namespace
}  // namespace portcullis::metrics
