// What the internal MTA answers reaches the sender: in proxy mode its RCPT replies are the
// client's replies (550 stays 550, 450 stays 450); in spool mode a refused recipient produces a
// failure notice (RFC 3464) to the sender, while the accepted recipient is delivered.
#include <gtest/gtest.h>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/loopback.h"

namespace portcullis::test {
namespace {

RecordingMta::Options refusing() {
  RecordingMta::Options o;
  o.permfail = {"gone@example.org"};
  o.tempfail = {"busy@example.org"};
  return o;
}

TEST(InternalMtaReplies, ProxyModePassesRecipientRefusalsThrough) {
  GatewaySettings s;
  s.mode = "proxy";
  GatewayUnderTest env(s, refusing());
  RawSmtpConnection c(env.gateway.port());
  ASSERT_EQ(c.readReply().code, 220);
  ASSERT_EQ(c.command("EHLO client.test").code, 250);
  ASSERT_EQ(c.command("MAIL FROM:<alice@sender.test>").code, 250);
  auto gone = c.command("RCPT TO:<gone@example.org>");
  EXPECT_EQ(gone.code, 550) << gone.text;
  EXPECT_NE(gone.text.find("5.1.1"), std::string::npos) << gone.text;
  auto busy = c.command("RCPT TO:<busy@example.org>");
  EXPECT_EQ(busy.code, 450) << busy.text;
  ASSERT_EQ(c.command("RCPT TO:<bob@example.org>").code, 250);
  ASSERT_EQ(c.command("DATA").code, 354);
  c.send("Subject: partly\r\nMessage-Id: " + uniqueMessageId() + "\r\n\r\nbody\r\n.\r\n");
  ASSERT_EQ(c.readReply().code, 250);
  c.command("QUIT");
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  EXPECT_EQ(env.recorder.messages().at(0).rcpt_tos, std::vector<std::string>{"bob@example.org"});
}

TEST(InternalMtaReplies, SpoolModeBouncesARefusedRecipientToTheSender) {
  GatewayUnderTest env(GatewaySettings{}, refusing());
  std::string id = uniqueMessageId();
  auto sent = swaks(env.gateway.port(),
                    {"--from", "alice@sender.test", "--to", "gone@example.org,bob@example.org",
                     "--header", "Message-Id: " + id});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  ASSERT_TRUE(env.recorder.waitForCount(2, kArrivalTimeout)) << env.gateway.log();
  const RecordedMessage* delivered = nullptr;
  const RecordedMessage* bounce = nullptr;
  auto messages = env.recorder.messages();
  for (const auto& m : messages) {
    if (m.rcpt_tos == std::vector<std::string>{"bob@example.org"}) delivered = &m;
    if (m.rcpt_tos == std::vector<std::string>{"alice@sender.test"}) bounce = &m;
  }
  ASSERT_NE(delivered, nullptr);
  ASSERT_NE(bounce, nullptr) << env.gateway.log();
  EXPECT_EQ(bounce->mail_from, "");
  EXPECT_NE(bounce->data.find("Final-Recipient: rfc822; gone@example.org"), std::string::npos)
      << bounce->data;
  EXPECT_NE(bounce->data.find("Action: failed"), std::string::npos) << bounce->data;
  EXPECT_NE(bounce->data.find("Status: 5.1.1"), std::string::npos) << bounce->data;
  EXPECT_EQ(bounce->data.find("bob@example.org>:"), std::string::npos)
      << "the delivered recipient is not reported";
}

}  // namespace
}  // namespace portcullis::test
