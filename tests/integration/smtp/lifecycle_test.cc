// The gateway as a service: SIGTERM exits 0 and keeps the queue for the next start; SIGHUP with a
// broken configuration keeps serving with the old one and logs why, and with a good one names the
// changes that wait for a restart; `portcullis config check`
// names file:line of a mistake and exits 1. And the queue across an outage of the internal MTA:
// mail is accepted and kept while it is down, delivered when it is back, and a delay notice
// (RFC 3464 multipart/report) reaches the original sender once queue.delay_warning has passed.
#include <gtest/gtest.h>

#include <signal.h>

#include "tests/integration/smtp/gateway_under_test.h"

namespace portcullis::test {
namespace {

CommandResult sendTo(GatewayUnderTest& env, const std::string& rcpt, const std::string& id) {
  return swaks(env.gateway.port(),
               {"--from", "alice@sender.test", "--to", rcpt, "--header", "Message-Id: " + id});
}

// How many of the messages to bob@example.org carry this Message-Id (notices to the sender quote
// the original and are not counted).
size_t countWithId(const std::vector<RecordedMessage>& messages, const std::string& id) {
  size_t n = 0;
  for (const auto& m : messages) {
    if (m.rcpt_tos != std::vector<std::string>{"bob@example.org"}) continue;
    n += m.data.find("Message-Id: " + id) != std::string::npos;
  }
  return n;
}

TEST(GatewayLifecycle, SigtermExitsZeroAndTheQueueSurvivesARestart) {
  GatewayUnderTest env(GatewaySettings{});
  env.recorder.stop();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(uniqueMessageId());
    auto sent = sendTo(env, "bob@example.org", ids.back());
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
  }
  EXPECT_EQ(env.gateway.stop(), 0) << env.gateway.log();
  EXPECT_NE(env.gateway.log().find("stopped"), std::string::npos);

  env.recorder.start();
  env.gateway.start();
  ASSERT_TRUE(env.recorder.waitForCount(3, kArrivalTimeout)) << env.gateway.log();
  auto messages = env.recorder.messages();
  for (const auto& id : ids) EXPECT_EQ(countWithId(messages, id), 1u) << id;
}

TEST(GatewayLifecycle, SighupWithABrokenConfigKeepsServing) {
  GatewayUnderTest env(GatewaySettings{});
  size_t from = env.gateway.logSize();
  writeFile(env.gateway.configPath(), "[limits]\nmax_message_size = \"lots\"\n");
  env.gateway.signal(SIGHUP);
  ASSERT_TRUE(env.gateway.waitForLog("reload failed", std::chrono::seconds(20), from))
      << env.gateway.log();
  ASSERT_TRUE(env.gateway.running());
  auto sent = sendTo(env, "bob@example.org", uniqueMessageId());
  EXPECT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
}

TEST(GatewayLifecycle, SighupWithAGoodConfigAppliesIt) {
  GatewayUnderTest env(GatewaySettings{});
  size_t from = env.gateway.logSize();
  env.gateway.settings().limits = "max_message_size = \"2K\"\n";
  env.gateway.writeConfig();
  env.gateway.signal(SIGHUP);
  ASSERT_TRUE(env.gateway.waitForLog("configuration reloaded", std::chrono::seconds(20), from))
      << env.gateway.log();
  auto big = swaks(env.gateway.port(), {"--from", "alice@sender.test", "--to", "bob@example.org",
                                        "--body", std::string(5000, 'y')});
  EXPECT_NE(big.output.find("552 5.3.4"), std::string::npos) << big.output;
}

TEST(GatewayLifecycle, SighupNamesTheChangedSettingsThatWaitForARestart) {
  GatewayUnderTest env(GatewaySettings{});
  size_t from = env.gateway.logSize();
  env.gateway.settings().queue = "max_lifetime = \"6d\"\n";
  env.gateway.settings().limits = "max_message_size = \"2K\"\n";
  env.gateway.writeConfig();
  env.gateway.signal(SIGHUP);
  ASSERT_TRUE(env.gateway.waitForLog("configuration reloaded", std::chrono::seconds(20), from))
      << env.gateway.log();
  EXPECT_TRUE(env.gateway.waitForLog(
      "changed settings that take effect at the next restart: queue.max_lifetime",
      std::chrono::seconds(5), from))
      << env.gateway.log();
  EXPECT_EQ(env.gateway.log().find("limits.max_message_size"), std::string::npos)
      << env.gateway.log();
}

TEST(GatewayLifecycle, ConfigCheckNamesFileAndLine) {
  TempDir dir("portcullis-config");
  auto bad = dir / "bad.toml";
  writeFile(bad, "[server]\nmax_connections = 10\n\n[limits]\nmax_errors = \"many\"\n");
  auto result = runCommand({portcullisBinary().string(), "config", "check", bad.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find(bad.string() + ":5"), std::string::npos) << result.output;

  auto good = dir / "good.toml";
  GatewaySettings s;
  s.relay_port = 25;
  writeFile(good, gatewayToml(s, dir / "spool"));
  auto ok = runCommand({portcullisBinary().string(), "config", "check", good.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST(QueueOutage, MailIsKeptWhileTheInternalMtaIsDownAndDrainsWhenItIsBack) {
  GatewayUnderTest env(GatewaySettings{});
  env.recorder.stop();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(uniqueMessageId());
    auto sent = sendTo(env, "bob@example.org", ids.back());
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
  }
  ASSERT_TRUE(env.gateway.waitForLog("unavailable", std::chrono::seconds(20))) << env.gateway.log();
  EXPECT_EQ(env.recorder.count(), 0u);
  env.recorder.start();
  ASSERT_TRUE(env.recorder.waitForCount(5, kArrivalTimeout)) << env.gateway.log();
  auto messages = env.recorder.messages();
  for (const auto& id : ids) EXPECT_EQ(countWithId(messages, id), 1u) << id;
}

TEST(QueueOutage, DelayNoticeReachesTheSenderWhenTheMtaIsBack) {
  GatewaySettings s;
  s.queue = "delay_warning = \"1s\"\n";
  GatewayUnderTest env(s);
  env.recorder.stop();
  std::string id = uniqueMessageId();
  ASSERT_EQ(sendTo(env, "bob@example.org", id).exit_code, 0);
  ASSERT_TRUE(env.gateway.waitForLog("delay notice queued", std::chrono::seconds(30)))
      << env.gateway.log();
  env.recorder.start();
  ASSERT_TRUE(env.recorder.waitForCount(2, kArrivalTimeout)) << env.gateway.log();
  auto messages = env.recorder.messages();
  EXPECT_EQ(countWithId(messages, id), 1u);
  const RecordedMessage* notice = nullptr;
  for (const auto& m : messages) {
    if (m.rcpt_tos == std::vector<std::string>{"alice@sender.test"}) notice = &m;
  }
  ASSERT_NE(notice, nullptr) << "no notice to the sender";
  EXPECT_EQ(notice->mail_from, "") << "a DSN has the null reverse-path";
  EXPECT_NE(notice->data.find("multipart/report"), std::string::npos) << notice->data;
  EXPECT_NE(notice->data.find("report-type=delivery-status"), std::string::npos) << notice->data;
  EXPECT_NE(notice->data.find("Action: delayed"), std::string::npos) << notice->data;
  EXPECT_NE(notice->data.find("Message-Id: " + id), std::string::npos) << "quotes the original";
  EXPECT_NE(notice->data.find("Final-Recipient: rfc822; bob@example.org"), std::string::npos)
      << notice->data;
}

}  // namespace
}  // namespace portcullis::test
