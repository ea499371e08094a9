// The DNS list check through the running gateway: the client (127.0.0.1) is listed in the
// dnsmasq zone bl.test, and the zone's configured symbol and score tag the relayed copy, or its
// reject = true refuses every recipient at RCPT with the configured reply text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/auth/auth_environment.h"

namespace portcullis::auth_test {
namespace {

using ::testing::HasSubstr;

TEST(DnsList, ListedClientIsTagged) {
  AuthEnvironment env(AuthOptions{.dnsbl_zone = "bl.test"});
  std::string message = makeMessage("alice@signed.test", "from a listed client", "Hello.\r\n");
  test::SmtpReply reply = sendMessage(env.gateway.port(), "alice@signed.test", message);
  ASSERT_EQ(reply.code, 250) << reply.text << env.gateway.log();

  auto relayed = env.relayed(1);
  ASSERT_TRUE(relayed) << env.gateway.log();
  EXPECT_EQ(fieldValues(relayed->data, "X-Spam-Flag"), std::vector<std::string>{"YES"});
  auto status = fieldValues(relayed->data, "X-Spam-Status");
  ASSERT_EQ(status.size(), 1u) << relayed->data;
  EXPECT_THAT(status.front(), HasSubstr("Yes, "));
  EXPECT_THAT(status.front(), HasSubstr(std::string(kListSymbol) + "=6.0"));
  EXPECT_TRUE(env.dns.waitForQuery("1.0.0.127.bl.test"));
}

TEST(DnsList, UnlistedClientIsNotTagged) {
  AuthEnvironment env;  // the zone clean.test lists nobody
  std::string message = makeMessage("alice@signed.test", "from a clean client", "Hello.\r\n");
  ASSERT_EQ(sendMessage(env.gateway.port(), "alice@signed.test", message).code, 250);

  auto relayed = env.relayed(1);
  ASSERT_TRUE(relayed) << env.gateway.log();
  EXPECT_TRUE(fieldValues(relayed->data, "X-Spam-Flag").empty()) << relayed->data;
  auto status = fieldValues(relayed->data, "X-Spam-Status");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_THAT(status.front(), ::testing::Not(HasSubstr(kListSymbol)));
  // The lookup was made: the zone is configured, it just does not list the client.
  EXPECT_TRUE(env.dns.waitForQuery("1.0.0.127.clean.test"));
}

TEST(DnsList, ListedClientIsRejectedAtRcptWhenTheZoneRejects) {
  AuthEnvironment env(AuthOptions{
      .dnsbl_zone = "bl.test",
      .dnsbl_zone_keys = "reject = true\n",
  });
  test::RawSmtpConnection smtp(env.gateway.port());
  ASSERT_EQ(smtp.readReply().code, 220);
  ASSERT_EQ(smtp.command("EHLO client.test").code, 250);
  ASSERT_EQ(smtp.command("MAIL FROM:<alice@signed.test>").code, 250);
  // Every recipient gets 554 as Postfix answers for a DNS list (reject_rbl_code).
  for (const char* rcpt : {"RCPT TO:<user@example.org>", "RCPT TO:<other@example.org>"}) {
    test::SmtpReply refused = smtp.command(rcpt);
    EXPECT_EQ(refused.code, 554) << refused.text << env.gateway.log();
    EXPECT_THAT(refused.text, HasSubstr("554 5.7.1 "));
    EXPECT_THAT(refused.text, HasSubstr("client [127.0.0.1] blocked using bl.test"));
  }
  // No recipient was accepted, so there is nothing to send; the session itself goes on.
  EXPECT_EQ(smtp.command("DATA").code / 100, 5);
  EXPECT_EQ(smtp.command("RSET").code, 250);
  ASSERT_EQ(smtp.command("MAIL FROM:<alice@signed.test>").code, 250);
  EXPECT_EQ(smtp.command("RCPT TO:<user@example.org>").code, 554);
  EXPECT_EQ(smtp.command("QUIT").code, 221);

  // A whole transaction on a new connection ends at RCPT too, and nothing was relayed.
  std::string message = makeMessage("alice@signed.test", "rejected", "Hello.\r\n");
  EXPECT_EQ(sendMessage(env.gateway.port(), "alice@signed.test", message).code, 554);
  EXPECT_TRUE(env.dns.waitForQuery("1.0.0.127.bl.test"));
  EXPECT_EQ(env.recorder.count(), 0u);
}

}  // namespace
}  // namespace portcullis::auth_test
