// Report addresses through a running gateway: a trusted client's report to the spam or ham
// address is answered 250, its forwarded messages are learnt as that class (once; a message
// reported as the other class moves), and it is never relayed; an untrusted client's report and a
// report mixed with other recipients are refused, and nothing is learnt; a store that does not
// open, or a Redis that is down, defers reports (451) while other mail flows.
#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/learning/learning_gateway.h"
#include "tests/integration/policy/policy_gateway.h"
#include "tests/support/redis_server.h"

namespace portcullis::test {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ReportAddresses, TrustedReportsAreLearntOnceAndNeverRelayed) {
  GatewaySettings settings;
  settings.metrics = "listen = \"127.0.0.1:0\"\n";
  settings.extra = classifierTable("[\"127.0.0.1\"]");
  PolicyGateway env(settings);
  const uint16_t port = env.gateway.port();
  const std::string pills = forwardedMessage("cheap pills", "Buy cheap pills from our pharmacy.");
  const std::string casino = forwardedMessage("casino bonus", "Your casino bonus is waiting.");

  auto spam = sendMessage(port, "alice@example.org", {kSpamReport},
                          reportMessage("spam for you", {pills, casino}));
  EXPECT_EQ(spam.data.code, 250) << spam.data.text;
  EXPECT_TRUE(env.gateway.waitForLog(
      "spam report learnt and not relayed: 2 learnt, 0 already learnt, 0 relearnt",
      kArrivalTimeout))
      << env.gateway.log();
  auto again = sendMessage(port, "alice@example.org", {kSpamReport},
                           reportMessage("spam again", {pills, casino}));
  EXPECT_EQ(again.data.code, 250) << again.data.text;
  EXPECT_TRUE(env.gateway.waitForLog("0 learnt, 2 already learnt, 0 relearnt", kArrivalTimeout))
      << env.gateway.log();

  // A ham report with an inline forward, and one moving the casino message to ham.
  auto inline_ham =
      sendMessage(port, "alice@example.org", {kHamReport},
                  testMessage("Fwd: minutes",
                              "See below.\r\n\r\n---------- Forwarded message ---------\r\n"
                              "From: Carol <carol@example.org>\r\nSubject: minutes\r\n\r\n"
                              "The minutes of Tuesday's group meeting are attached.\r\n"));
  EXPECT_EQ(inline_ham.data.code, 250) << inline_ham.data.text;
  auto moved = sendMessage(port, "alice@example.org", {kHamReport},
                           reportMessage("not spam after all", {casino}));
  EXPECT_EQ(moved.data.code, 250) << moved.data.text;
  EXPECT_TRUE(
      env.gateway.waitForLog("ham report learnt and not relayed: 0 learnt, 0 already "
                             "learnt, 1 relearnt",
                             kArrivalTimeout))
      << env.gateway.log();

  // Only the sentinel reaches the internal MTA.
  auto sentinel =
      sendMessage(port, "alice@example.org", {"bob@example.org"}, testMessage("sentinel", "Hi."));
  ASSERT_EQ(sentinel.data.code, 250) << sentinel.data.text;
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(env.recorder.count(), 1u);
  EXPECT_FALSE(findBySubject(env.recorder, "sentinel").name.empty());

  const LearntCounts counts = learntCounts(env.gateway);
  EXPECT_EQ(counts.spam, 1) << counts.output;
  EXPECT_EQ(counts.ham, 2) << counts.output;
  const uint16_t metrics = metricsPort(env.gateway);
  ASSERT_NE(metrics, 0) << env.gateway.log();
  EXPECT_EQ(metricValue(metrics,
                        "portcullis_classifier_learned_total{class=\"spam\",source="
                        "\"report\"}"),
            2);
  EXPECT_EQ(
      metricValue(metrics, "portcullis_classifier_learned_total{class=\"ham\",source=\"report\"}"),
      2);
  EXPECT_EQ(metricValue(metrics, "portcullis_messages_total{action=\"discard\"}"), 4);
}

TEST(ReportAddresses, UntrustedOrMixedReportsAreRefusedAndTeachNothing) {
  GatewaySettings settings;
  settings.extra = classifierTable("[\"192.0.2.0/24\"]");
  PolicyGateway env(settings);
  const uint16_t port = env.gateway.port();
  const std::string pills = forwardedMessage("cheap pills", "Buy cheap pills from our pharmacy.");

  auto untrusted =
      sendMessage(port, "mallory@sender.test", {kHamReport}, reportMessage("trust me", {pills}));
  EXPECT_EQ(untrusted.data.code, 550);
  EXPECT_EQ(untrusted.data.text,
            "550 5.7.1 Reports are accepted only from authenticated or local clients\r\n");
  EXPECT_TRUE(env.gateway.waitForLog(
      "ham report refused: the client is neither authenticated nor in report_networks",
      kArrivalTimeout))
      << env.gateway.log();

  auto mixed = sendMessage(port, "alice@example.org", {kSpamReport, "bob@example.org"},
                           reportMessage("mixed", {pills}));
  EXPECT_EQ(mixed.data.code, 550);
  EXPECT_EQ(mixed.data.text, "550 5.5.3 Send a report to one report address alone\r\n");
  auto both = sendMessage(port, "alice@example.org", {kSpamReport, kHamReport},
                          reportMessage("both", {pills}));
  EXPECT_EQ(both.data.code, 550);

  const LearntCounts counts = learntCounts(env.gateway);
  EXPECT_EQ(counts.spam, 0) << counts.output;
  EXPECT_EQ(counts.ham, 0) << counts.output;
  auto sentinel =
      sendMessage(port, "alice@example.org", {"bob@example.org"}, testMessage("sentinel", "Hi."));
  ASSERT_EQ(sentinel.data.code, 250) << sentinel.data.text;
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  EXPECT_FALSE(has(env.gateway.log(), "learnt and not relayed"));
}

TEST(ReportAddresses, AStoreThatDoesNotOpenDefersReportsWhileMailFlows) {
  TempDir files("portcullis-report-store");
  const std::string garbage(4096, 'Z');
  writeFile(files / "classifier.db", garbage);
  GatewaySettings settings;
  settings.extra = classifierTable("[\"127.0.0.1\"]") + "database = \"" +
                   (files / "classifier.db").string() + "\"\n";
  PolicyGateway env(settings);
  EXPECT_TRUE(has(env.gateway.log(), "classifier: cannot open the sqlite store"))
      << env.gateway.log();

  auto report = sendMessage(env.gateway.port(), "alice@example.org", {kSpamReport},
                            reportMessage("spam", {forwardedMessage("pills", "Cheap pills.")}));
  EXPECT_EQ(report.data.code, 451);
  EXPECT_EQ(report.data.text, "451 4.3.0 Report not learnt now, try again later\r\n");
  EXPECT_TRUE(
      env.gateway.waitForLog("spam report deferred, the classifier failed", kArrivalTimeout))
      << env.gateway.log();
  auto sentinel = sendMessage(env.gateway.port(), "alice@example.org", {"bob@example.org"},
                              testMessage("sentinel", "Hi."));
  EXPECT_EQ(sentinel.data.code, 250) << sentinel.data.text;
  EXPECT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  EXPECT_EQ(readFile(files / "classifier.db"), garbage);
}

TEST(ReportAddresses, WithRedisReportsAreSharedAndDeferredWhileItIsDown) {
  if (!haveRedisServer()) GTEST_SKIP() << "no redis-server";
  RedisServer redis;
  GatewaySettings settings;
  settings.extra = classifierTable("[\"127.0.0.1\"]") +
                   "backend = \"redis\"\nredis = \"127.0.0.1:" + std::to_string(redis.port()) +
                   "\"\n";
  PolicyGateway env(settings);
  auto learnt = sendMessage(env.gateway.port(), "alice@example.org", {kSpamReport},
                            reportMessage("spam", {forwardedMessage("pills", "Cheap pills.")}));
  EXPECT_EQ(learnt.data.code, 250) << learnt.data.text;
  const LearntCounts counts = learntCounts(env.gateway);  // read from Redis by another process
  EXPECT_EQ(counts.spam, 1) << counts.output;

  redis.kill();
  auto deferred = sendMessage(env.gateway.port(), "alice@example.org", {kSpamReport},
                              reportMessage("spam", {forwardedMessage("casino", "Bonus.")}));
  EXPECT_EQ(deferred.data.code, 451) << deferred.data.text;
  auto sentinel = sendMessage(env.gateway.port(), "alice@example.org", {"bob@example.org"},
                              testMessage("sentinel", "Hi."));
  EXPECT_EQ(sentinel.data.code, 250) << sentinel.data.text;
  EXPECT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
}

}  // namespace
}  // namespace portcullis::test
