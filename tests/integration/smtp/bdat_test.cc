// BDAT (RFC 3030 CHUNKING), which swaks cannot send: a message in several chunks, with bytes that
// would need dot-stuffing or look like an end of data in DATA, arrives byte-exact at the internal
// MTA after the gateway's own header fields — in spool and in proxy mode.
#include <gtest/gtest.h>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/loopback.h"

namespace portcullis::test {
namespace {

class BdatTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BdatTest, ChunkedMessageArrivesByteExact) {
  GatewaySettings s;
  s.mode = GetParam();
  GatewayUnderTest env(s);
  const std::string id = uniqueMessageId();
  const std::string part1 =
      "From: alice@sender.test\r\nTo: bob@example.org\r\nSubject: chunks\r\n"
      "Message-Id: " +
      id + "\r\n\r\nfirst chunk\r\n";
  const std::string part2 = ".\r\n..two dots\r\n.\r\nMAIL FROM:<x@y.test>\r\n";
  const std::string part3 = "8-bit \xc3\xa4\xc3\xb6\xc3\xbc and the end\r\n";
  const std::string message = part1 + part2 + part3;

  RawSmtpConnection c(env.gateway.port());
  ASSERT_EQ(c.readReply().code, 220);
  auto ehlo = c.command("EHLO client.test");
  ASSERT_NE(ehlo.text.find("CHUNKING"), std::string::npos) << ehlo.text;
  ASSERT_EQ(c.command("MAIL FROM:<alice@sender.test> BODY=8BITMIME").code, 250);
  ASSERT_EQ(c.command("RCPT TO:<bob@example.org>").code, 250);
  c.send("BDAT " + std::to_string(part1.size()) + "\r\n" + part1);
  ASSERT_EQ(c.readReply().code, 250);
  c.send("BDAT " + std::to_string(part2.size()) + "\r\n" + part2);
  ASSERT_EQ(c.readReply().code, 250);
  c.send("BDAT " + std::to_string(part3.size()) + " LAST\r\n" + part3);
  auto last = c.readReply();
  ASSERT_EQ(last.code, 250) << last.text;
  c.command("QUIT");

  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  auto messages = env.recorder.messages();
  ASSERT_EQ(messages.size(), 1u);
  const std::string& got = messages[0].data;
  ASSERT_GE(got.size(), message.size()) << got;
  EXPECT_EQ(got.substr(got.size() - message.size()), message);
  EXPECT_EQ(got.rfind("Received: ", 0), 0u) << "only the gateway's fields come first: " << got;
}

TEST_P(BdatTest, EmptyLastChunkEndsTheMessage) {
  GatewaySettings s;
  s.mode = GetParam();
  GatewayUnderTest env(s);
  const std::string message =
      "Subject: zero last\r\nMessage-Id: " + uniqueMessageId() + "\r\n\r\nbody\r\n";
  RawSmtpConnection c(env.gateway.port());
  ASSERT_EQ(c.readReply().code, 220);
  ASSERT_EQ(c.command("EHLO client.test").code, 250);
  ASSERT_EQ(c.command("MAIL FROM:<alice@sender.test>").code, 250);
  ASSERT_EQ(c.command("RCPT TO:<bob@example.org>").code, 250);
  c.send("BDAT " + std::to_string(message.size()) + "\r\n" + message);
  ASSERT_EQ(c.readReply().code, 250);
  auto last = c.command("BDAT 0 LAST");
  ASSERT_EQ(last.code, 250) << last.text;
  c.command("QUIT");
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  const std::string got = env.recorder.messages().at(0).data;
  ASSERT_GE(got.size(), message.size());
  EXPECT_EQ(got.substr(got.size() - message.size()), message);
}

INSTANTIATE_TEST_SUITE_P(Modes, BdatTest, ::testing::Values("spool", "proxy"));

}  // namespace
}  // namespace portcullis::test
