// SPF, DKIM and DMARC through the running gateway: messages go in over SMTP from 127.0.0.1, the
// checks ask a private dnsmasq, and the copy the internal MTA receives shows the results in the
// gateway's Authentication-Results field (forged ones removed) and X-Spam-Status; a DMARC
// p=reject failure is refused in the session.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/auth/auth_environment.h"

namespace portcullis::auth_test {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

// The one Authentication-Results field of `message` that claims our authserv-id.
std::string ownAuthenticationResults(const std::string& message) {
  std::string own;
  int count = 0;
  for (const auto& value : fieldValues(message, "Authentication-Results")) {
    if (value.rfind(std::string(kAuthservId) + ";", 0) == 0) {
      own = value;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << message;
  return own;
}

std::string spamStatus(const std::string& message) {
  auto values = fieldValues(message, "X-Spam-Status");
  EXPECT_EQ(values.size(), 1u) << message;
  return values.empty() ? std::string() : values.front();
}

TEST(Authentication, SpfDkimAndDmarcPassAreRecorded) {
  AuthEnvironment env;
  std::string message = dkimSign(makeMessage("alice@signed.test", "all pass", "Hello.\r\n"),
                                 env.key, "signed.test", "sel");
  test::SmtpReply reply = sendMessage(env.gateway.port(), "alice@signed.test", message);
  ASSERT_EQ(reply.code, 250) << reply.text << env.gateway.log();

  auto relayed = env.relayed(1);
  ASSERT_TRUE(relayed) << env.gateway.log();
  std::string results = ownAuthenticationResults(relayed->data);
  EXPECT_THAT(results,
              MatchesRegex("auth\\.gw\\.test; "
                           "spf=pass smtp\\.mailfrom=signed\\.test; "
                           "dkim=pass header\\.d=signed\\.test header\\.s=sel .*"
                           "header\\.a=rsa-sha256 header\\.b=[^ ;]+; "
                           "dmarc=pass \\(p=reject dis=none\\) header\\.from=signed\\.test"));
  std::string status = spamStatus(relayed->data);
  EXPECT_THAT(status, HasSubstr("No, "));
  for (const char* symbol : {"SPF_PASS", "DKIM_VALID", "DKIM_VALID_AU", "DMARC_PASS"})
    EXPECT_THAT(status, HasSubstr(symbol));
  EXPECT_TRUE(fieldValues(relayed->data, "X-Spam-Flag").empty());
  // The signature travels on, unchanged.
  EXPECT_EQ(fieldValues(relayed->data, "DKIM-Signature"), fieldValues(message, "DKIM-Signature"));
}

// The client's PTR name leads back to 127.0.0.1 in the test zone, so our Received field names it,
// as the relay model (RDNS_NONE and its kin) then reads it.
TEST(Authentication, TheClientsForwardConfirmedNameIsRecorded) {
  AuthEnvironment env;
  std::string message = makeMessage("alice@signed.test", "named", "Hello.\r\n");
  test::SmtpReply reply = sendMessage(env.gateway.port(), "alice@signed.test", message);
  ASSERT_EQ(reply.code, 250) << reply.text << env.gateway.log();
  auto relayed = env.relayed(1);
  ASSERT_TRUE(relayed) << env.gateway.log();
  auto received = fieldValues(relayed->data, "Received");
  ASSERT_FALSE(received.empty()) << relayed->data;
  EXPECT_THAT(received.front(), HasSubstr("(client.test [127.0.0.1])"));
  EXPECT_TRUE(env.dns.queriesFor("1.0.0.127.in-addr.arpa") > 0);
}

TEST(Authentication, ForgedResultsForOurAuthservIdAreRemoved) {
  AuthEnvironment env;
  std::string forged = std::string("Authentication-Results: ") + kAuthservId +
                       "; spf=pass smtp.mailfrom=forged.example; dkim=pass "
                       "header.d=forged.example\r\n"
                       "Authentication-Results: (comment first) AUTH.GW.TEST;\r\n"
                       "\tdmarc=pass header.from=forged.example\r\n"
                       "Authentication-Results: upstream.example; spf=pass "
                       "smtp.mailfrom=signed.test\r\n";
  std::string message = makeMessage("bob@signed.test", "forged results", "Hi.\r\n", forged);
  test::SmtpReply reply = sendMessage(env.gateway.port(), "bob@signed.test", message);
  ASSERT_EQ(reply.code, 250) << reply.text << env.gateway.log();

  auto relayed = env.relayed(1);
  ASSERT_TRUE(relayed) << env.gateway.log();
  EXPECT_THAT(relayed->data, Not(HasSubstr("forged.example")));
  auto all = fieldValues(relayed->data, "Authentication-Results");
  EXPECT_EQ(all.size(), 2u) << relayed->data;
  EXPECT_NE(
      std::find(all.begin(), all.end(), "upstream.example; spf=pass smtp.mailfrom=signed.test"),
      all.end())
      << relayed->data;
  // Ours: SPF passes, no signature, DMARC passes through SPF alignment.
  std::string results = ownAuthenticationResults(relayed->data);
  EXPECT_THAT(results, HasSubstr("spf=pass smtp.mailfrom=signed.test"));
  EXPECT_THAT(results, HasSubstr("dmarc=pass"));
  EXPECT_THAT(results, Not(HasSubstr("dkim=")));
}

TEST(Authentication, DmarcRejectPolicyRefusesSpfFailure) {
  AuthEnvironment env;
  std::string message = makeMessage("mallory@fail.test", "spoofed", "Pay now.\r\n");
  test::SmtpReply reply = sendMessage(env.gateway.port(), "mallory@fail.test", message);
  EXPECT_EQ(reply.code, 550) << reply.text;
  EXPECT_THAT(reply.text, HasSubstr("5.7.1"));
  EXPECT_THAT(reply.text, HasSubstr("DMARC policy of fail.test"));

  // Nothing of it reaches the internal MTA: the next message is the first to arrive.
  std::string sentinel = makeMessage("alice@signed.test", "sentinel", "Next.\r\n");
  ASSERT_EQ(sendMessage(env.gateway.port(), "alice@signed.test", sentinel).code, 250);
  auto relayed = env.relayed(1);
  ASSERT_TRUE(relayed) << env.gateway.log();
  EXPECT_EQ(fieldValues(relayed->data, "Subject"), std::vector<std::string>{"sentinel"});
  EXPECT_EQ(env.recorder.count(), 1u);
  EXPECT_TRUE(env.gateway.waitForLog("SPF_FAIL", std::chrono::seconds(5))) << env.gateway.log();
}

TEST(Authentication, SoftFailUnderDmarcNoneIsDeliveredWithItsResults) {
  AuthEnvironment env;
  std::string message = makeMessage("carol@soft.test", "soft", "Maybe.\r\n");
  test::SmtpReply reply = sendMessage(env.gateway.port(), "carol@soft.test", message);
  ASSERT_EQ(reply.code, 250) << reply.text << env.gateway.log();

  auto relayed = env.relayed(1);
  ASSERT_TRUE(relayed) << env.gateway.log();
  std::string results = ownAuthenticationResults(relayed->data);
  EXPECT_THAT(results, HasSubstr("spf=softfail smtp.mailfrom=soft.test"));
  EXPECT_THAT(results, HasSubstr("dmarc=fail (p=none dis=none) header.from=soft.test"));
  std::string status = spamStatus(relayed->data);
  EXPECT_THAT(status, HasSubstr("SPF_SOFTFAIL"));
  EXPECT_THAT(status, HasSubstr("DMARC_FAIL_NONE"));
}

TEST(Authentication, BodyAlteredAfterSigningIsDkimFail) {
  AuthEnvironment env;
  std::string message = dkimSign(makeMessage("dave@signed.test", "altered", "Original text.\r\n"),
                                 env.key, "signed.test", "sel");
  std::string altered = message.substr(0, message.find("Original text.")) + "Changed text.\r\n";
  test::SmtpReply reply = sendMessage(env.gateway.port(), "dave@signed.test", altered);
  ASSERT_EQ(reply.code, 250) << reply.text << env.gateway.log();

  auto relayed = env.relayed(1);
  ASSERT_TRUE(relayed) << env.gateway.log();
  std::string results = ownAuthenticationResults(relayed->data);
  EXPECT_THAT(results, HasSubstr("dkim=fail"));
  EXPECT_THAT(results, HasSubstr("header.d=signed.test header.s=sel"));
  EXPECT_THAT(results, Not(HasSubstr("dkim=pass")));
  // SPF still passes and aligns, so DMARC passes.
  EXPECT_THAT(results, HasSubstr("spf=pass"));
  EXPECT_THAT(results, HasSubstr("dmarc=pass"));
  std::string status = spamStatus(relayed->data);
  EXPECT_THAT(status, HasSubstr("DKIM_INVALID"));
  EXPECT_THAT(status, Not(HasSubstr("DKIM_VALID")));
}

}  // namespace
}  // namespace portcullis::auth_test
