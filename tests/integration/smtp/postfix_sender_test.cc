// A real Postfix as the SENDING MTA (relayhost = the gateway): what an MTA on the internet side
// does — ESMTP with PIPELINING, its own queue and retries — reaches the internal MTA through the
// gateway with both Received fields.
#include <gtest/gtest.h>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/postfix_instance.h"

namespace portcullis::test {
namespace {

TEST(PostfixSender, RelaysThroughTheGatewayToTheInternalMta) {
  GatewayUnderTest env(GatewaySettings{});
  PostfixInstance postfix(env.dir / "postfix", env.gateway.port());
  postfix.start();
  std::string id = uniqueMessageId();
  auto sent = swaks(postfix.port(),
                    {"--from", "alice@sender.test", "--to", "bob@example.org,carol@example.org",
                     "--header", "Message-Id: " + id, "--body", "via postfix"});
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  ASSERT_TRUE(env.recorder.waitForCount(1, std::chrono::seconds(60)))
      << "postfix log:\n"
      << postfix.log() << "\ngateway log:\n"
      << env.gateway.log();
  auto m = env.recorder.messages().at(0);
  EXPECT_EQ(m.mail_from, "alice@sender.test");
  EXPECT_EQ(m.rcpt_tos, (std::vector<std::string>{"bob@example.org", "carol@example.org"}));
  std::string header = unfoldedHeader(m.data);
  EXPECT_NE(header.find("Message-Id: " + id), std::string::npos) << m.data;
  EXPECT_NE(header.find("by gw.test (Portcullis)"), std::string::npos) << m.data;
  EXPECT_NE(header.find("by sender.test (Postfix)"), std::string::npos) << m.data;
  EXPECT_LT(header.find("by gw.test"), header.find("by sender.test")) << "the gateway's is on top";
  EXPECT_TRUE(postfix.waitForLog("status=sent", std::chrono::seconds(20))) << postfix.log();
}

}  // namespace
}  // namespace portcullis::test
