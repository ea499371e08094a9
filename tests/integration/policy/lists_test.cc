// Allow and deny lists through the running gateway: an allow-listed sender or client is accepted
// whatever the score but a virus is still refused; deny-listed clients and senders are refused at
// MAIL and deny-listed recipients at RCPT, with 550 5.7.1, and a deny entry beats an allow entry.
#include <gtest/gtest.h>

#include "tests/integration/policy/policy_gateway.h"

namespace portcullis::test {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The EICAR test file as a base64 attachment.
std::string eicarMessage(const std::string& subject) {
  std::string body =
      "--b1\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n"
      "--b1\r\nContent-Type: application/octet-stream\r\n"
      "Content-Disposition: attachment; filename=\"eicar.com\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n"
      "WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo="
      "\r\n--b1--";
  return testMessage(subject, body,
                     "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n");
}

TEST(PolicyLists, AllowListedSenderBeatsAHighScoreButNotAVirus) {
  GatewaySettings s;
  s.policy = "allow_senders = [\"partner.example\"]\n";
  s.extra =
      "[checks.clamav]\nsignature_dirs = [\"" + std::string(PORTCULLIS_SIGNATURES_DIR) + "\"]\n";
  PolicyGateway env(s);
  uint16_t port = env.gateway.port();
  const std::vector<std::string> bob = {"bob@example.org"};

  auto allowed = sendMessage(port, "alice@partner.example", bob,
                             testMessage("from the partner", std::string("Pls ") + kRejectPhrase));
  EXPECT_EQ(allowed.data.code, 250) << allowed.data.text;
  auto stranger = sendMessage(port, "alice@sender.test", bob,
                              testMessage("from a stranger", std::string("Pls ") + kRejectPhrase));
  EXPECT_EQ(stranger.data.code, 550) << stranger.data.text;
  auto virus = sendMessage(port, "alice@partner.example", bob, eicarMessage("partner virus"));
  EXPECT_EQ(virus.data.code, 554) << virus.data.text;
  EXPECT_TRUE(contains(virus.data.text, "virus")) << virus.data.text;

  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  std::string header = headerOf(findBySubject(env.recorder, "from the partner").data);
  EXPECT_TRUE(contains(header, "\r\nX-Spam-Status: No, score=20.0 required=5.0 tests=")) << header;
  EXPECT_FALSE(contains(header, "X-Spam-Flag")) << header;
  EXPECT_TRUE(contains(header, "\r\nSubject: from the partner\r\n")) << header;
  EXPECT_TRUE(contains(header, "\r\nAuthentication-Results: gw.test")) << header;
  EXPECT_TRUE(env.gateway.waitForLog("allow list: sender partner.example", kArrivalTimeout))
      << env.gateway.log();
  auto sentinel = sendMessage(port, "alice@sender.test", bob, testMessage("sentinel", "Hello."));
  ASSERT_EQ(sentinel.data.code, 250) << sentinel.data.text;
  ASSERT_TRUE(env.recorder.waitForCount(2, kArrivalTimeout)) << env.gateway.log();
  EXPECT_TRUE(findBySubject(env.recorder, "partner virus").name.empty());
}

TEST(PolicyLists, AllowListedClientNetworkBeatsAHighScore) {
  GatewaySettings s;
  s.policy = "allow_clients = [\"127.0.0.0/8\"]\n";
  PolicyGateway env(s);
  auto allowed = sendMessage(env.gateway.port(), "alice@sender.test", {"bob@example.org"},
                             testMessage("allowed client", std::string("Pls ") + kRejectPhrase));
  EXPECT_EQ(allowed.data.code, 250) << allowed.data.text;
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  EXPECT_FALSE(contains(headerOf(env.recorder.messages()[0].data), "X-Spam-Flag"));
}

TEST(PolicyLists, DenyListedSendersAndRecipientsAreRefusedEarly) {
  GatewaySettings s;
  s.policy =
      "allow_senders = [\"partner.example\"]\n"
      "deny_senders = [\"spammer.example\", \"crook@partner.example\"]\n"
      "deny_recipients = [\"former@example.org\"]\n";
  PolicyGateway env(s);
  uint16_t port = env.gateway.port();
  std::string message = testMessage("hello", "Hello.");

  auto spammer = sendMessage(port, "x@SPAMMER.example", {"bob@example.org"}, message);
  EXPECT_EQ(spammer.mail.text, "550 5.7.1 Sender address rejected by local policy\r\n");
  EXPECT_TRUE(spammer.rcpts.empty());
  auto crook = sendMessage(port, "crook@partner.example", {"bob@example.org"}, message);
  EXPECT_EQ(crook.mail.code, 550) << crook.mail.text;

  auto mixed =
      sendMessage(port, "alice@sender.test", {"former@example.org", "bob@example.org"}, message);
  ASSERT_EQ(mixed.rcpts.size(), 2u);
  EXPECT_EQ(mixed.rcpts[0].text, "550 5.7.1 Recipient address rejected by local policy\r\n");
  EXPECT_EQ(mixed.rcpts[1].code, 250) << mixed.rcpts[1].text;
  EXPECT_EQ(mixed.data.code, 250) << mixed.data.text;
  ASSERT_TRUE(env.recorder.waitForCount(1, kArrivalTimeout)) << env.gateway.log();
  EXPECT_EQ(env.recorder.messages()[0].rcpt_tos, std::vector<std::string>{"bob@example.org"});
  EXPECT_TRUE(
      env.gateway.waitForLog("refused at MAIL: deny list: sender spammer.example", kArrivalTimeout))
      << env.gateway.log();
}

TEST(PolicyLists, DenyListedClientIsRefusedEvenForAnAllowListedSender) {
  GatewaySettings s;
  s.policy = "deny_clients = [\"127.0.0.0/8\"]\nallow_senders = [\"partner.example\"]\n";
  PolicyGateway env(s);
  auto refused = sendMessage(env.gateway.port(), "alice@partner.example", {"bob@example.org"},
                             testMessage("hello", "Hello."));
  EXPECT_EQ(refused.mail.text, "550 5.7.1 Client host rejected by local policy\r\n");
  EXPECT_TRUE(
      env.gateway.waitForLog("refused at MAIL: deny list: client 127.0.0.0/8", kArrivalTimeout))
      << env.gateway.log();
}

}  // namespace
}  // namespace portcullis::test
