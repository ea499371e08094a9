// Each action of the policy through the running gateway: accept, tag (X-Spam-* on the relayed
// copy, Subject prefix, forged incoming X-Spam-* removed), quarantine (250, nothing relayed, kept
// in the store), reject (550 5.7.1 without rule names, with them under reveal_symbols) and
// tempfail (451 4.7.1 when ClamAV cannot scan and its fail mode is tempfail).
#include <gtest/gtest.h>

#include "tests/integration/policy/policy_gateway.h"
#include "tests/support/run_command.h"

namespace portcullis::test {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(PolicyActions, AcceptTagQuarantineAndRejectByScore) {
  PolicyGateway env(GatewaySettings{});
  uint16_t port = env.gateway.port();
  const std::vector<std::string> bob = {"bob@example.org"};

  std::string forged = "X-Spam-Flag: YES\r\nX-Spam-Status: Yes, forged by the sender\r\n";
  auto ham = sendMessage(port, "alice@sender.test", bob,
                         testMessage("plain ham", "Nothing to see here.", forged));
  EXPECT_EQ(ham.data.code, 250) << ham.data.text;
  auto tag = sendMessage(port, "alice@sender.test", bob,
                         testMessage("tagged one", std::string("Please ") + kTagPhrase + "."));
  EXPECT_EQ(tag.data.code, 250) << tag.data.text;
  ASSERT_TRUE(env.recorder.waitForCount(2, kArrivalTimeout)) << env.gateway.log();

  std::string ham_header = headerOf(findBySubject(env.recorder, "plain ham").data);
  EXPECT_TRUE(has(ham_header, "\r\nX-Spam-Status: No, score=0.0 required=5.0 tests=none\r\n"))
      << ham_header;
  EXPECT_TRUE(has(ham_header, "\r\nX-Spam-Score: 0.0\r\n")) << ham_header;
  EXPECT_FALSE(has(ham_header, "X-Spam-Flag")) << ham_header;
  EXPECT_FALSE(has(ham_header, "forged by the sender")) << ham_header;
  EXPECT_TRUE(has(ham_header, "\r\nAuthentication-Results: gw.test")) << ham_header;

  std::string tag_header = headerOf(findBySubject(env.recorder, "tagged one").data);
  EXPECT_TRUE(has(tag_header, "\r\nX-Spam-Flag: YES\r\n")) << tag_header;
  EXPECT_TRUE(has(tag_header, "\r\nX-Spam-Score: 6.0\r\n")) << tag_header;
  EXPECT_TRUE(has(tag_header, "\r\nX-Spam-Status: Yes, score=6.0 required=5.0 tests=TEST_TAG=6.0"))
      << tag_header;
  EXPECT_TRUE(has(tag_header, "\r\nSubject: [SPAM] tagged one\r\n")) << tag_header;

  auto quarantine =
      sendMessage(port, "alice@sender.test", bob,
                  testMessage("quarantined one", std::string("Please ") + kQuarantinePhrase));
  EXPECT_EQ(quarantine.data.code, 250) << quarantine.data.text;
  auto reject = sendMessage(port, "alice@sender.test", bob,
                            testMessage("rejected one", std::string("Please ") + kRejectPhrase));
  EXPECT_EQ(reject.data.code, 550) << reject.data.text;
  EXPECT_EQ(reject.data.text, "550 5.7.1 Message rejected as spam\r\n");

  // A later message arrives; the quarantined and the rejected one never do.
  auto sentinel = sendMessage(port, "alice@sender.test", bob, testMessage("sentinel", "Hello."));
  ASSERT_EQ(sentinel.data.code, 250) << sentinel.data.text;
  ASSERT_TRUE(env.recorder.waitForCount(3, kArrivalTimeout)) << env.gateway.log();
  EXPECT_TRUE(findBySubject(env.recorder, "quarantined one").name.empty());
  EXPECT_TRUE(findBySubject(env.recorder, "rejected one").name.empty());
  EXPECT_EQ(env.recorder.count(), 3u);

  auto listed = runCommand(
      {portcullisBinary().string(), "quarantine", "-c", env.gateway.configPath().string(), "list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_TRUE(has(listed.output, "1 messages listed")) << listed.output;
  EXPECT_TRUE(has(listed.output, "alice@sender.test")) << listed.output;
}

TEST(PolicyActions, RejectNamesTheRulesOnlyWithRevealSymbols) {
  GatewaySettings s;
  s.policy = "reveal_symbols = true\n";
  PolicyGateway env(s);
  auto reject = sendMessage(env.gateway.port(), "alice@sender.test", {"bob@example.org"},
                            testMessage("rejected", std::string("Please ") + kRejectPhrase));
  EXPECT_EQ(reject.data.code, 550) << reject.data.text;
  EXPECT_TRUE(has(reject.data.text, "550 5.7.1 Message rejected as spam (score 20.0: "))
      << reject.data.text;
  EXPECT_TRUE(has(reject.data.text, "TEST_REJECT=20.0")) << reject.data.text;
}

TEST(PolicyActions, TempfailWhenTheVirusScannerCannotScan) {
  // An empty signature directory: the engine does not load and every scan fails.
  TempDir empty("portcullis-no-signatures");
  GatewaySettings s;
  s.extra = "[checks.clamav]\nsignature_dirs = [\"" + empty.path().string() +
            "\"]\nfail_mode = \"tempfail\"\n";
  PolicyGateway env(s);
  auto deferred = sendMessage(env.gateway.port(), "alice@sender.test", {"bob@example.org"},
                              testMessage("deferred", "Hello."));
  EXPECT_EQ(deferred.data.code, 451) << deferred.data.text;
  EXPECT_TRUE(has(deferred.data.text, "451 4.7.1 ")) << deferred.data.text;
  EXPECT_FALSE(has(deferred.data.text, "clamav")) << deferred.data.text;
  auto queued = runCommand(
      {portcullisBinary().string(), "queue", "-c", env.gateway.configPath().string(), "list"});
  EXPECT_TRUE(has(queued.output, "0 messages queued")) << queued.output;
}

}  // namespace
}  // namespace portcullis::test
