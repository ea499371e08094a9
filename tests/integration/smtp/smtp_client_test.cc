// End-to-end behaviour of the gateway towards ordinary clients, in spool and in proxy mode: swaks
// (plain, STARTTLS, PIPELINING, 8-bit body) and a raw client for what swaks cannot send
// (BODY=8BITMIME, SMTPUTF8, SIZE=), the limits and policy replies (552 5.3.4, 554 5.7.1,
// 550 5.1.1) and the Received header of the gateway on what arrives at the internal MTA.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/loopback.h"

namespace portcullis::test {
namespace {

class SmtpClientTest : public ::testing::TestWithParam<std::string> {
 protected:
  GatewaySettings settings() const {
    GatewaySettings s;
    s.mode = GetParam();
    return s;
  }
};

TEST_P(SmtpClientTest, PlainMessageArrivesWithReceivedHeader) {
  GatewayUnderTest env(settings());
  std::string id = uniqueMessageId();
  auto sent =
      swaks(env.gateway.port(), {"--from", "alice@sender.test", "--to", "bob@example.org",
                                 "--header", "Message-Id: " + id, "--body", "plain body line"});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  auto messages = env.recorder.messages();
  ASSERT_EQ(messages.size(), 1u);
  const auto& m = messages[0];
  EXPECT_EQ(m.mail_from, "alice@sender.test");
  EXPECT_EQ(m.rcpt_tos, std::vector<std::string>{"bob@example.org"});
  EXPECT_NE(m.data.find("Message-Id: " + id), std::string::npos);
  EXPECT_NE(m.data.find("plain body line"), std::string::npos);
  EXPECT_EQ(m.data.rfind("Received: from client.test", 0), 0u) << m.data;
  EXPECT_NE(unfoldedHeader(m.data).find("by gw.test (Portcullis) with ESMTP id"), std::string::npos)
      << m.data;
}

TEST_P(SmtpClientTest, StartTlsDelivers) {
  TempDir certs("portcullis-cert");
  auto [cert, key] = makeTestCertificate(certs);
  GatewaySettings s = settings();
  s.tls = "certificate = \"" + cert + "\"\nkey = \"" + key + "\"\n";
  GatewayUnderTest env(s);
  auto sent =
      swaks(env.gateway.port(), {"--tls", "--from", "alice@sender.test", "--to", "bob@example.org",
                                 "--header", "Message-Id: " + uniqueMessageId()});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_NE(sent.output.find("STARTTLS"), std::string::npos);
  EXPECT_NE(sent.output.find("TLS started"), std::string::npos) << sent.output;
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  auto m = env.recorder.messages().at(0);
  EXPECT_NE(unfoldedHeader(m.data).find(" with ESMTPS id "), std::string::npos) << m.data;
}

TEST_P(SmtpClientTest, PipelinedTransactionWithTwoRecipients) {
  GatewayUnderTest env(settings());
  auto sent = swaks(env.gateway.port(), {"--pipeline", "--from", "alice@sender.test", "--to",
                                         "bob@example.org,carol@example.org", "--header",
                                         "Message-Id: " + uniqueMessageId()});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_NE(sent.output.find("PIPELINING"), std::string::npos);
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  auto m = env.recorder.messages().at(0);
  EXPECT_EQ(m.rcpt_tos, (std::vector<std::string>{"bob@example.org", "carol@example.org"}));
}

TEST_P(SmtpClientTest, EightBitMimeBodyArrivesByteExact) {
  GatewayUnderTest env(settings());
  const std::string body =
      "From: alice@sender.test\r\nTo: bob@example.org\r\nSubject: 8bit\r\n"
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
      "Gr\xc3\xbc\xc3\x9f"
      "e aus K\xc3\xb6ln\r\n..a line that starts with a dot\r\n\xff\xfe\r\n";
  RawSmtpConnection c(env.gateway.port());
  ASSERT_EQ(c.readReply().code, 220);
  auto ehlo = c.command("EHLO client.test");
  ASSERT_NE(ehlo.text.find("8BITMIME"), std::string::npos) << ehlo.text;
  ASSERT_EQ(c.command("MAIL FROM:<alice@sender.test> BODY=8BITMIME").code, 250);
  ASSERT_EQ(c.command("RCPT TO:<bob@example.org>").code, 250);
  ASSERT_EQ(c.command("DATA").code, 354);
  c.send(body + ".\r\n");
  auto done = c.readReply();
  ASSERT_EQ(done.code, 250) << done.text;
  c.command("QUIT");
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  auto m = env.recorder.messages().at(0);
  std::string unstuffed = body;
  unstuffed.replace(unstuffed.find("..a line"), 2, ".");
  ASSERT_GE(m.data.size(), unstuffed.size());
  EXPECT_EQ(m.data.substr(m.data.size() - unstuffed.size()), unstuffed);
  EXPECT_NE(std::find(m.mail_options.begin(), m.mail_options.end(), "BODY=8BITMIME"),
            m.mail_options.end());
}

TEST_P(SmtpClientTest, SmtpUtf8AddressesArrive) {
  GatewayUnderTest env(settings());
  RawSmtpConnection c(env.gateway.port());
  ASSERT_EQ(c.readReply().code, 220);
  auto ehlo = c.command("EHLO client.test");
  ASSERT_NE(ehlo.text.find("SMTPUTF8"), std::string::npos) << ehlo.text;
  ASSERT_EQ(c.command("MAIL FROM:<j\xc3\xb6rg@sender.test> SMTPUTF8").code, 250);
  auto rcpt = c.command("RCPT TO:<\xc3\xbcser@example.org>");
  ASSERT_EQ(rcpt.code, 250) << rcpt.text;
  ASSERT_EQ(c.command("DATA").code, 354);
  c.send("Subject: =?utf-8?q?utf8?=\r\nMessage-Id: " + uniqueMessageId() +
         "\r\n\r\nHall\xc3\xb6\r\n.\r\n");
  ASSERT_EQ(c.readReply().code, 250);
  c.command("QUIT");
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  auto m = env.recorder.messages().at(0);
  EXPECT_TRUE(m.smtputf8);
  EXPECT_EQ(m.mail_from, "j\xc3\xb6rg@sender.test");
  EXPECT_EQ(m.rcpt_tos, std::vector<std::string>{"\xc3\xbcser@example.org"});
}

TEST_P(SmtpClientTest, OversizedMessageGets552AndIsNotDelivered) {
  GatewaySettings s = settings();
  s.limits = "max_message_size = \"10K\"\n";
  GatewayUnderTest env(s);
  auto sent = swaks(env.gateway.port(), {"--from", "alice@sender.test", "--to", "bob@example.org",
                                         "--body", std::string(20000, 'x')});
  EXPECT_NE(sent.exit_code, 0);
  EXPECT_NE(sent.output.find("552 5.3.4"), std::string::npos) << sent.output;

  RawSmtpConnection c(env.gateway.port());
  ASSERT_EQ(c.readReply().code, 220);
  ASSERT_EQ(c.command("EHLO client.test").code, 250);
  auto declared = c.command("MAIL FROM:<alice@sender.test> SIZE=20000");
  EXPECT_EQ(declared.code, 552) << declared.text;
  EXPECT_NE(declared.text.find("5.3.4"), std::string::npos) << declared.text;
  c.command("QUIT");

  ASSERT_TRUE(sendSentinelAndWait(env, 1)) << env.gateway.log();
  EXPECT_EQ(env.recorder.count(), 1u);
}

TEST_P(SmtpClientTest, OversizedHeaderGets552AndTheGatewayKeepsServing) {
  GatewaySettings s = settings();
  s.limits = "max_header_size = \"1K\"\n";
  GatewayUnderTest env(s);
  auto sent = swaks(env.gateway.port(), {"--from", "alice@sender.test", "--to", "bob@example.org",
                                         "--header", "X-Big: " + std::string(3000, 'h')});
  EXPECT_NE(sent.exit_code, 0);
  EXPECT_NE(sent.output.find("552 5.3.4"), std::string::npos) << sent.output;
  ASSERT_TRUE(sendSentinelAndWait(env, 1)) << env.gateway.log();
  EXPECT_EQ(env.recorder.count(), 1u);
}

TEST_P(SmtpClientTest, RelayToForeignDomainGets554) {
  GatewayUnderTest env(settings());
  auto sent =
      swaks(env.gateway.port(), {"--from", "alice@sender.test", "--to", "victim@foreign.test"});
  EXPECT_NE(sent.exit_code, 0);
  EXPECT_NE(sent.output.find("554 5.7.1"), std::string::npos) << sent.output;
  ASSERT_TRUE(sendSentinelAndWait(env, 1)) << env.gateway.log();
  EXPECT_EQ(env.recorder.count(), 1u);
}

TEST_P(SmtpClientTest, UnknownRecipientGets550WithListVerification) {
  GatewaySettings s = settings();
  s.domains = "verify = \"list\"\nrecipients = [\"known@example.org\", \"sentinel@example.org\"]\n";
  GatewayUnderTest env(s);
  auto unknown =
      swaks(env.gateway.port(), {"--from", "alice@sender.test", "--to", "nobody@example.org"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("550 5.1.1"), std::string::npos) << unknown.output;
  auto known =
      swaks(env.gateway.port(), {"--from", "alice@sender.test", "--to", "known@example.org",
                                 "--header", "Message-Id: " + uniqueMessageId()});
  EXPECT_EQ(known.exit_code, 0) << known.output;
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  EXPECT_EQ(env.recorder.messages().at(0).rcpt_tos, std::vector<std::string>{"known@example.org"});
}

TEST_P(SmtpClientTest, DsnParametersReachTheInternalMta) {
  GatewayUnderTest env(settings());
  RawSmtpConnection c(env.gateway.port());
  ASSERT_EQ(c.readReply().code, 220);
  auto ehlo = c.command("EHLO client.test");
  ASSERT_NE(ehlo.text.find("DSN"), std::string::npos) << ehlo.text;
  ASSERT_EQ(c.command("MAIL FROM:<alice@sender.test> RET=HDRS ENVID=QQ314159+2Bx").code, 250);
  auto rcpt =
      c.command("RCPT TO:<bob@example.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob@example.org");
  ASSERT_EQ(rcpt.code, 250) << rcpt.text;
  ASSERT_EQ(c.command("RCPT TO:<carol@example.org> NOTIFY=NEVER").code, 250);
  ASSERT_EQ(c.command("DATA").code, 354);
  c.send("Subject: dsn\r\nMessage-Id: " + uniqueMessageId() + "\r\n\r\nbody\r\n.\r\n");
  ASSERT_EQ(c.readReply().code, 250);
  c.command("QUIT");
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  auto m = env.recorder.messages().at(0);
  EXPECT_EQ(m.dsn_mail["RET"], "HDRS");
  EXPECT_EQ(m.dsn_mail["ENVID"], "QQ314159+2Bx");
  ASSERT_EQ(m.dsn_rcpt.size(), 2u);
  EXPECT_EQ(m.dsn_rcpt[0]["NOTIFY"], "SUCCESS,DELAY");
  EXPECT_EQ(m.dsn_rcpt[0]["ORCPT"], "rfc822;bob@example.org");
  EXPECT_EQ(m.dsn_rcpt[1]["NOTIFY"], "NEVER");
}

// A reply that quotes a client's parameter must not carry the client's bare CR (or other control
// bytes) onto the wire: every reply line is "code text CRLF" with no CR inside.
TEST_P(SmtpClientTest, RepliesNeverEchoBareCarriageReturns) {
  GatewayUnderTest env(settings());
  RawSmtpConnection c(env.gateway.port());
  ASSERT_EQ(c.readReply().code, 220);
  ASSERT_EQ(c.command("EHLO client.test").code, 250);
  auto reply = c.command("MAIL FROM:<alice@sender.test> X\r250-INJECTED=1");
  EXPECT_EQ(reply.code / 100, 5) << reply.text;
  std::string_view lines = reply.text;
  lines.remove_suffix(2);
  EXPECT_EQ(lines.find('\r'), std::string_view::npos) << "reply: " << reply.text;
}

INSTANTIATE_TEST_SUITE_P(Modes, SmtpClientTest, ::testing::Values("spool", "proxy"));

}  // namespace
}  // namespace portcullis::test
