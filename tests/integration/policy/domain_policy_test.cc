// Per-recipient-domain policy through the running gateway: a [[policy.domain]] changes the action
// for its own recipients only, and a recipient whose policy differs from the transaction's (another
// domain's settings, or allow-listed among recipients that are not) gets 452 4.5.3 and is accepted
// in a transaction of its own.
#include <gtest/gtest.h>

#include "tests/integration/policy/policy_gateway.h"
#include "tests/support/postfix_instance.h"

namespace portcullis::test {
namespace {

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

GatewaySettings twoDomains() {
  GatewaySettings s;
  s.local_domains = "\"example.org\", \"lists.example.org\"";
  s.policy = "allow_recipients = [\"abuse@example.org\"]\n";
  s.extra =
      "[[policy.domain]]\ndomain = \"lists.example.org\"\ntag_threshold = 8\n"
      "quarantine_threshold = 1e9\nreject_threshold = 30\nsubject_prefix = \"[LIST-SPAM]\"\n";
  return s;
}

TEST(DomainPolicy, OverrideChangesTheActionForItsDomainOnly) {
  PolicyGateway env(twoDomains());
  uint16_t port = env.gateway.port();
  std::string spam = std::string("Pls ") + kRejectPhrase;

  auto plain = sendMessage(port, "alice@sender.test", {"bob@example.org"},
                           testMessage("spam for the main domain", spam));
  EXPECT_EQ(plain.data.text, "550 5.7.1 Message rejected as spam\r\n");
  auto lists = sendMessage(port, "alice@sender.test", {"dev@lists.example.org"},
                           testMessage("spam for the list", spam));
  EXPECT_EQ(lists.data.code, 250) << lists.data.text;
  auto mild = sendMessage(port, "alice@sender.test", {"dev@lists.example.org"},
                          testMessage("mild for the list", std::string("Pls ") + kTagPhrase));
  EXPECT_EQ(mild.data.code, 250) << mild.data.text;
  ASSERT_TRUE(env.recorder.waitForCount(2, kArrivalTimeout)) << env.gateway.log();

  std::string tagged = headerOf(findBySubject(env.recorder, "spam for the list").data);
  EXPECT_TRUE(mentions(tagged, "\r\nX-Spam-Flag: YES\r\n")) << tagged;
  EXPECT_TRUE(mentions(tagged, "\r\nX-Spam-Status: Yes, score=20.0 required=8.0 ")) << tagged;
  EXPECT_TRUE(mentions(tagged, "\r\nSubject: [LIST-SPAM] spam for the list\r\n")) << tagged;
  std::string untagged = headerOf(findBySubject(env.recorder, "mild for the list").data);
  EXPECT_TRUE(mentions(untagged, "\r\nX-Spam-Status: No, score=6.0 required=8.0 ")) << untagged;
  EXPECT_FALSE(mentions(untagged, "X-Spam-Flag")) << untagged;
}

TEST(DomainPolicy, RecipientsWithAnotherPolicyAreSplitWith452) {
  PolicyGateway env(twoDomains());
  RawSmtpConnection c(env.gateway.port());
  c.readReply();
  c.command("EHLO client.test");
  std::string tagged = testMessage("to both domains", std::string("Pls ") + kTagPhrase);
  auto first = transact(
      c, "alice@sender.test",
      {"a@example.org", "dev@lists.example.org", "abuse@example.org", "c@example.org"}, tagged);
  ASSERT_EQ(first.rcpts.size(), 4u);
  EXPECT_EQ(first.rcpts[0].code, 250) << first.rcpts[0].text;
  EXPECT_TRUE(mentions(first.rcpts[1].text, "452 4.5.3 ")) << first.rcpts[1].text;
  EXPECT_TRUE(mentions(first.rcpts[2].text, "452 4.5.3 ")) << first.rcpts[2].text;
  EXPECT_EQ(first.rcpts[3].code, 250) << first.rcpts[3].text;
  EXPECT_EQ(first.data.code, 250) << first.data.text;

  // The client sends the deferred recipients again, one transaction per policy.
  auto second = transact(c, "alice@sender.test", {"dev@lists.example.org"}, tagged);
  EXPECT_EQ(second.data.code, 250) << second.data.text;
  auto third = transact(c, "alice@sender.test", {"abuse@example.org"}, tagged);
  EXPECT_EQ(third.data.code, 250) << third.data.text;
  c.command("QUIT");

  ASSERT_TRUE(env.recorder.waitForCount(3, kArrivalTimeout)) << env.gateway.log();
  for (const auto& m : env.recorder.messages()) {
    std::string header = headerOf(m.data);
    if (m.rcpt_tos == std::vector<std::string>{"a@example.org", "c@example.org"}) {
      EXPECT_TRUE(mentions(header, "\r\nX-Spam-Flag: YES\r\n")) << header;
      EXPECT_TRUE(mentions(header, "\r\nSubject: [SPAM] to both domains\r\n")) << header;
    } else if (m.rcpt_tos == std::vector<std::string>{"dev@lists.example.org"} ||
               m.rcpt_tos == std::vector<std::string>{"abuse@example.org"}) {
      EXPECT_FALSE(mentions(header, "X-Spam-Flag")) << header;
      EXPECT_TRUE(mentions(header, "\r\nSubject: to both domains\r\n")) << header;
    } else {
      ADD_FAILURE() << "unexpected recipients in " << m.name;
    }
  }
}

// A real MTA handles the 452: Postfix delivers the recipients the gateway deferred in a later
// transaction of their own, and every recipient gets its own policy's decision.
TEST(DomainPolicy, PostfixDeliversSplitRecipientsSeparately) {
  PolicyGateway env(twoDomains());
  PostfixInstance postfix(env.dir / "postfix", env.gateway.port());
  postfix.start();
  RawSmtpConnection c(postfix.port());
  c.readReply();
  c.command("EHLO client.test");
  auto sent = transact(c, "alice@sender.test", {"a@example.org", "dev@lists.example.org"},
                       testMessage("via postfix", std::string("Pls ") + kTagPhrase));
  c.command("QUIT");
  ASSERT_EQ(sent.data.code, 250) << sent.data.text;
  const bool delivered =
      postfix.waitFlushing([&] { return env.recorder.count() >= 2; }, std::chrono::seconds(60));
  ASSERT_TRUE(delivered) << "postfix log:\n"
                         << postfix.log() << "\ngateway log:\n"
                         << env.gateway.log();
  for (const auto& m : env.recorder.messages()) {
    ASSERT_EQ(m.rcpt_tos.size(), 1u) << m.name;
    bool tagged = mentions(headerOf(m.data), "\r\nX-Spam-Flag: YES\r\n");
    EXPECT_EQ(tagged, m.rcpt_tos[0] == "a@example.org") << m.rcpt_tos[0] << "\n" << m.data;
  }
  EXPECT_TRUE(postfix.waitForLog("452 4.5.3", std::chrono::seconds(20))) << postfix.log();
}

TEST(DomainPolicy, AnOverrideForANonLocalDomainStopsStartUp) {
  GatewaySettings s;
  s.extra = "[[policy.domain]]\ndomain = \"elsewhere.example\"\ntag_threshold = 8\n";
  try {
    PolicyGateway env(s);
    ADD_FAILURE() << "the gateway started";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(mentions(e.what(),
                         "policy.domain.domain: \"elsewhere.example\" is not one of "
                         "domains.local"))
        << e.what();
  }
}

}  // namespace
}  // namespace portcullis::test
