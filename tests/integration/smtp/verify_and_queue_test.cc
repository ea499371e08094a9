// Recipient verification by probing the internal MTA (unknown users refused at RCPT, answers
// cached, "unknown" when the MTA cannot say) and the administrator's queue commands on a message
// the internal MTA keeps deferring.
#include <gtest/gtest.h>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/json_lines.h"
#include "tests/support/loopback.h"
#include "tests/support/run_command.h"

namespace portcullis::test {
namespace {

int rcptCode(uint16_t port, const std::string& rcpt) {
  RawSmtpConnection c(port);
  c.readReply();
  c.command("EHLO client.test");
  c.command("MAIL FROM:<alice@sender.test>");
  int code = c.command("RCPT TO:<" + rcpt + ">").code;
  c.command("QUIT");
  return code;
}

TEST(RecipientProbe, RefusesUnknownUsersAtRcptAndCachesTheAnswer) {
  GatewaySettings s;
  s.domains = "verify = \"probe\"\n";
  RecordingMta::Options o;
  o.permfail = {"nobody@example.org"};
  GatewayUnderTest env(s, o);
  EXPECT_EQ(rcptCode(env.gateway.port(), "nobody@example.org"), 550);
  EXPECT_EQ(rcptCode(env.gateway.port(), "bob@example.org"), 250);
  env.recorder.stop();
  // Remembered while the internal MTA is away; a new address cannot be verified: 450, not 550.
  EXPECT_EQ(rcptCode(env.gateway.port(), "nobody@example.org"), 550);
  EXPECT_EQ(rcptCode(env.gateway.port(), "bob@example.org"), 250);
  EXPECT_EQ(rcptCode(env.gateway.port(), "carol@example.org"), 450);
}

TEST(QueueCommands, ListShowAndDeleteADeferredMessage) {
  GatewaySettings s;
  RecordingMta::Options o;
  o.tempfail = {"busy@example.org"};
  GatewayUnderTest env(s, o);
  auto sent =
      swaks(env.gateway.port(), {"--from", "alice@sender.test", "--to", "busy@example.org"});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  ASSERT_TRUE(env.gateway.waitForLog("delivery attempt 1", kArrivalTimeout)) << env.gateway.log();

  std::string bin = portcullisBinary().string();
  std::string config = env.gateway.configPath().string();
  auto list = runCommand({bin, "queue", "-c", config, "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  const auto entries = jsonLines(list.output);
  ASSERT_EQ(entries.size(), 1u) << list.output;
  const std::string id(jsonString(entries[0], "id"));
  ASSERT_FALSE(id.empty()) << list.output;
  const boost::json::array& recipients = entries[0].at("recipients").as_array();
  ASSERT_EQ(recipients.size(), 1u) << list.output;
  EXPECT_EQ(recipients[0].at("address"), "busy@example.org") << list.output;
  EXPECT_EQ(recipients[0].at("status"), "delayed") << list.output;

  auto show = runCommand({bin, "queue", "-c", config, "show", id});
  EXPECT_EQ(show.exit_code, 0) << show.output;
  EXPECT_NE(show.output.find("<alice@sender.test>"), std::string::npos) << show.output;

  auto bad = runCommand({bin, "queue", "-c", config, "show", "../../etc/passwd"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("is not a queue id"), std::string::npos) << bad.output;

  auto removed = runCommand({bin, "queue", "-c", config, "delete", id});
  EXPECT_EQ(removed.exit_code, 0) << removed.output;
  auto empty = runCommand({bin, "queue", "-c", config, "list"});
  EXPECT_NE(empty.output.find("0 messages queued"), std::string::npos) << empty.output;
}

}  // namespace
}  // namespace portcullis::test
