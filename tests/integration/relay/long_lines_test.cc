// Lines over 998 octets against an internal MTA that enforces RFC 5321 §4.5.3.1.6: the message
// arrives wrapped and otherwise intact (spool and proxy mode), relay.long_lines = "refuse" answers
// 554 5.6.0 at the end of DATA, the failure notice for such a message carries no long line, and a
// notice the internal MTA refuses for good is kept in the spool's hold/ and counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/gateway_process.h"
#include "tests/support/loopback.h"
#include "tests/support/run_command.h"
#include "tests/unit/metrics/http_get.h"

namespace portcullis::test {
namespace {

constexpr size_t kRfcLimit = 998;

RecordingMta::Options strict(std::vector<std::string> permfail = {}) {
  RecordingMta::Options o;
  o.max_line_length = kRfcLimit;
  o.permfail = std::move(permfail);
  return o;
}

// Message 2 of MimeKit's issue1189 sample: a multipart/mixed message whose base64 attachment is
// one line of 5,000 characters. CRLF line ends.
std::string longLineMessage() {
  std::string mbox = readFile(std::filesystem::path(PORTCULLIS_SHARED_DIR) /
                              "testdata/mime/mimekit/issue1189.mbox.txt");
  size_t start = mbox.find("\nFrom ", 1);
  start = mbox.find('\n', start + 1) + 1;
  size_t end = mbox.find("\n\nFrom ", start);
  std::string message;
  for (char c : mbox.substr(start, end + 1 - start)) {
    if (c == '\n') message += '\r';
    message += c;
  }
  return message;
}

size_t longestLine(const std::string& text) {
  size_t longest = 0, start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find("\r\n", start), text.size());
    longest = std::max(longest, end - start);
    start = end + 2;
  }
  return longest;
}

std::string bodyOf(const std::string& message) {
  return message.substr(message.find("\r\n\r\n") + 4);
}

std::string withoutBreaks(std::string text) {
  for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 3);
  return text;
}

// One transaction on a raw connection; the reply to the end of DATA.
SmtpReply sendRaw(uint16_t port, const std::string& from, const std::string& to,
                  const std::string& message) {
  RawSmtpConnection c(port);
  EXPECT_EQ(c.readReply().code, 220);
  EXPECT_EQ(c.command("EHLO client.test").code, 250);
  EXPECT_EQ(c.command("MAIL FROM:<" + from + ">").code, 250);
  EXPECT_EQ(c.command("RCPT TO:<" + to + ">").code, 250);
  EXPECT_EQ(c.command("DATA").code, 354);
  c.send(message + ".\r\n");
  SmtpReply reply = c.readReply();
  c.command("QUIT");
  return reply;
}

void expectArrivesWrappedAndIntact(GatewayUnderTest& env) {
  const std::string original = longLineMessage();
  ASSERT_GT(longestLine(original), 4000u) << "the sample has its long line";
  ASSERT_EQ(bodyOf(original).find("\r\n "), std::string::npos);
  SmtpReply reply = sendRaw(env.gateway.port(), "alice@sender.test", "bob@example.org", original);
  ASSERT_EQ(reply.code, 250) << reply.text << "\n" << env.gateway.log();
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  RecordedMessage received = env.recorder.messages().at(0);
  EXPECT_EQ(received.rcpt_tos, std::vector<std::string>{"bob@example.org"});
  EXPECT_LE(longestLine(received.data), kRfcLimit);
  EXPECT_EQ(withoutBreaks(bodyOf(received.data)), bodyOf(original)) << "only CRLF SP was inserted";
  EXPECT_TRUE(env.gateway.waitForLog("wrapped for the internal MTA", kArrivalTimeout))
      << env.gateway.log();
}

TEST(LongLines, SpoolModeRelaysA5000OctetLineWrapped) {
  GatewayUnderTest env(GatewaySettings{}, strict());
  expectArrivesWrappedAndIntact(env);
}

TEST(LongLines, ProxyModeRelaysA5000OctetLineWrapped) {
  GatewaySettings s;
  s.mode = "proxy";
  GatewayUnderTest env(s, strict());
  expectArrivesWrappedAndIntact(env);
}

TEST(LongLines, RefuseModeAnswers554AtTheEndOfData) {
  GatewaySettings s;
  s.relay = "long_lines = \"refuse\"\n";
  GatewayUnderTest env(s, strict());
  SmtpReply reply =
      sendRaw(env.gateway.port(), "alice@sender.test", "bob@example.org", longLineMessage());
  EXPECT_EQ(reply.code, 554) << reply.text;
  EXPECT_NE(reply.text.find("5.6.0"), std::string::npos) << reply.text;
  EXPECT_NE(reply.text.find("5000"), std::string::npos) << reply.text;
  ASSERT_TRUE(sendSentinelAndWait(env, 1)) << env.gateway.log();
  EXPECT_EQ(env.recorder.count(), 1u) << "only the sentinel arrived";
}

TEST(LongLines, TheFailureNoticeOfALongLineMessageCarriesNoLongLine) {
  GatewayUnderTest env(GatewaySettings{}, strict({"gone@example.org"}));
  SmtpReply reply =
      sendRaw(env.gateway.port(), "alice@sender.test", "gone@example.org", longLineMessage());
  ASSERT_EQ(reply.code, 250) << reply.text;
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  RecordedMessage bounce = env.recorder.messages().at(0);
  EXPECT_EQ(bounce.mail_from, "");
  EXPECT_EQ(bounce.rcpt_tos, std::vector<std::string>{"alice@sender.test"});
  EXPECT_LE(longestLine(bounce.data), kRfcLimit);
  EXPECT_NE(bounce.data.find("Action: failed"), std::string::npos);
  EXPECT_NE(bounce.data.find("were broken"), std::string::npos);
}

uint16_t metricsPort(const std::string& log) {
  static const std::regex line(R"(metrics on http://127\.0\.0\.1:([0-9]+)/metrics)");
  std::smatch m;
  if (!std::regex_search(log, m, line)) return 0;
  return static_cast<uint16_t>(std::stoi(m[1].str()));
}

// The value of an unlabelled sample in /metrics, or -1.
double metricValue(uint16_t port, const std::string& name) {
  std::string body = testing::httpGet(port, "/metrics").body;
  size_t at = body.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(body.substr(at + name.size() + 2));
}

TEST(LongLines, ANoticeTheInternalMtaRefusesIsHeldAndCounted) {
  GatewaySettings s;
  s.metrics = "enabled = true\nlisten = \"127.0.0.1:0\"\n";
  // The original recipient and the sender are both refused: the failure notice cannot be
  // delivered either, and having the null sender it cannot be bounced.
  GatewayUnderTest env(s, strict({"gone@example.org", "alice@sender.test"}));
  uint16_t port = metricsPort(env.gateway.log());
  ASSERT_NE(port, 0) << env.gateway.log();
  EXPECT_EQ(metricValue(port, "portcullis_queue_held_total"), 0);
  SmtpReply reply =
      sendRaw(env.gateway.port(), "alice@sender.test", "gone@example.org", longLineMessage());
  ASSERT_EQ(reply.code, 250) << reply.text;
  ASSERT_TRUE(env.gateway.waitForLog("moved to hold/", kArrivalTimeout)) << env.gateway.log();

  std::filesystem::path hold = env.gateway.spoolDir() / "hold";
  size_t messages = 0, reasons = 0;
  for (const auto& entry : std::filesystem::directory_iterator(hold)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".msg")) ++messages;
    if (name.ends_with(".msg.reason")) {
      ++reasons;
      EXPECT_NE(readFile(entry.path()).find("550"), std::string::npos);
    }
  }
  EXPECT_EQ(messages, 1u);
  EXPECT_EQ(reasons, 1u);
  EXPECT_EQ(metricValue(port, "portcullis_queue_held_total"), 1);
  EXPECT_EQ(metricValue(port, "portcullis_queue_held_messages"), 1);
  EXPECT_EQ(env.recorder.count(), 0u);

  // The operator finds it, with the reason.
  const CommandResult listed = runCommand(
      {portcullisBinary().string(), "queue", "held", "-c", env.gateway.configPath().string()});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("550"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("1 messages held in"), std::string::npos) << listed.output;
}

}  // namespace
}  // namespace portcullis::test
