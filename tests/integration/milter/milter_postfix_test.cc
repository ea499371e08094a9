// The milter front end behind a real Postfix: a private Postfix instance on loopback per milter
// protocol version (6 and 2) calls milter_test_server (the milter library around test checks);
// swaks sends through Postfix, and what Postfix relays lands in the recording MTA
// (tests/support/recording_smtpd.py).
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <thread>

#include "tests/integration/milter/postfix_mail.h"
#include "tests/support/child_process.h"
#include "tests/support/loopback.h"
#include "tests/support/recording_mta.h"
#include "tests/support/temp_dir.h"

namespace portcullis::milter_test {
namespace {

using test::ChildProcess;
using test::freeLoopbackPort;
using test::readFile;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct LoopbackServers {
  test::TempDir dir{"portcullis-milter"};
  std::optional<test::RecordingMta> recorder;
  uint16_t milter_port = freeLoopbackPort();
  uint16_t gateway_port = freeLoopbackPort();
  std::map<int, uint16_t> postfix_port;  // by milter protocol
  uint16_t impatient_postfix_port = 0;   // protocol 6, gives up on the milter after 2 s
  ChildProcess server;
  fs::path server_log;
  int server_runs = 0;

  std::string serverOutput() const { return readFile(server_log); }

  void startServer() {
    ++server_runs;
    server_log = dir / ("server-" + std::to_string(server_runs) + ".log");
    server = ChildProcess::start(
        {MILTER_TEST_SERVER, "--milter", "inet:" + std::to_string(milter_port) + "@127.0.0.1",
         "--smtp-port", std::to_string(gateway_port), "--relay-port",
         std::to_string(recorder->port()), "--max-body", "4096", "--slow-ms", "15000",
         "--check-timeout-ms", "6000"},
        server_log);
    if (!eventually([&] { return serverOutput().find("ready") != std::string::npos; })) {
      throw std::runtime_error("milter_test_server did not start: " + serverOutput());
    }
  }

  void setUp() {
    fs::permissions(dir.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    recorder.emplace(dir / "recorder");
    recorder->start();
    startServer();
    for (int protocol : {6, 2}) {
      postfix_port[protocol] = startPostfix(dir / ("postfix" + std::to_string(protocol)),
                                            recorder->port(), milter_port, protocol, "60s");
    }
    impatient_postfix_port =
        startPostfix(dir / "postfix-impatient", recorder->port(), milter_port, 6, "2s");
  }

  void tearDown() {
    for (const auto* name : {"postfix6", "postfix2", "postfix-impatient"}) stopPostfix(dir / name);
    server.stop();
    recorder->stop();
  }
};

LoopbackServers* env = nullptr;

class GlobalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    env = new LoopbackServers();
    env->setUp();
  }
  void TearDown() override {
    env->tearDown();
    delete env;
    env = nullptr;
  }
};

const auto* const registered = ::testing::AddGlobalTestEnvironment(new GlobalEnvironment);

std::string delivered(const std::string& token, std::chrono::milliseconds limit = 60s) {
  return deliveredMessage(*env->recorder, token, limit);
}

bool everDelivered(const std::string& token) {
  return !delivered(token, 0ms).empty();
}

class MilterThroughPostfix : public ::testing::TestWithParam<int> {
 protected:
  uint16_t port() const { return env->postfix_port.at(GetParam()); }
  // A message sent after `token` and delivered proves Postfix is done with `token`.
  void expectNeverDelivered(const std::string& token) {
    Sent marker = sendThrough(port(), "marker");
    ASSERT_FALSE(delivered(marker.token).empty()) << marker.result.output;
    EXPECT_FALSE(everDelivered(token));
  }
};

TEST_P(MilterThroughPostfix, AcceptedMessageCarriesTheVerdictAndTheEnvelopeTheChecksSaw) {
  Sent sent = sendThrough(port(), "hello");
  ASSERT_NE(sent.result.output.find("250 2.0.0 Ok: queued as"), std::string::npos)
      << sent.result.output;
  std::string message = delivered(sent.token);
  ASSERT_FALSE(message.empty());
  auto headers = headerLines(message);
  EXPECT_EQ(countPrefix(headers, "Authentication-Results: test.portcullis; none"), 1);
  std::string status = headerValue(headers, "X-Spam-Status");
  EXPECT_NE(status.find("No, score="), std::string::npos) << status;
  // Connect and MAIL checks ran at their stages and reached the verdict at end of message.
  EXPECT_NE(status.find("TEST_CONNECT_SEEN"), std::string::npos) << status;
  EXPECT_NE(status.find("TEST_MAIL_SEEN"), std::string::npos) << status;
  EXPECT_EQ(countPrefix(headers, "X-Spam-Flag"), 0);
  std::string envelope = headerValue(headers, "X-Test-Envelope");
  EXPECT_NE(envelope.find("id=" + sent.queue_id + " "), std::string::npos) << envelope;
  for (const auto* part : {" client=127.0.0.1", " helo=client.test", "from=sender@sender.test",
                           " to=rcpt@example.test"}) {
    EXPECT_NE(envelope.find(part), std::string::npos) << part << " in " << envelope;
  }
}

TEST_P(MilterThroughPostfix, TlsMacrosReachTheTransaction) {
  Sent plain = sendThrough(port(), "plain");
  std::string plain_envelope = headerValue(headerLines(delivered(plain.token)), "X-Test-Envelope");
  EXPECT_NE(plain_envelope.find("tls=none"), std::string::npos) << plain_envelope;
  Sent secured = sendThrough(port(), "secured", "--tls");
  std::string envelope = headerValue(headerLines(delivered(secured.token)), "X-Test-Envelope");
  EXPECT_TRUE(std::regex_search(envelope, std::regex("tls=TLSv1\\.[23]/[A-Z0-9_-]+/(128|256)")))
      << envelope << secured.result.output;
}

TEST_P(MilterThroughPostfix, AuthenticationResultsGoesAboveTheMessageHeaders) {
  Sent sent = sendThrough(port(), "order");
  auto headers = headerLines(delivered(sent.token));
  ASSERT_FALSE(headers.empty());
  size_t ar = 0, subject = 0;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].rfind("Authentication-Results:", 0) == 0) ar = i;
    if (headers[i].rfind("Subject:", 0) == 0) subject = i;
  }
  EXPECT_LT(ar, subject);
}

TEST_P(MilterThroughPostfix, ForgedAuthenticationResultsAndSpamHeadersAreRemoved) {
  Sent sent =
      sendThrough(port(), "forged",
                  "--add-header 'Authentication-Results: test.portcullis; dkim=pass' "
                  "--add-header 'X-Spam-Flag: YES' --add-header 'X-Spam-Status: No, score=-99' "
                  "--add-header 'Authentication-Results: other.example; spf=pass'");
  auto headers = headerLines(delivered(sent.token));
  ASSERT_FALSE(headers.empty()) << sent.result.output;
  EXPECT_EQ(countPrefix(headers, "Authentication-Results: test.portcullis"), 1);
  EXPECT_EQ(countPrefix(headers, "Authentication-Results: test.portcullis; dkim=pass"), 0);
  EXPECT_EQ(countPrefix(headers, "Authentication-Results: other.example; spf=pass"), 1);
  EXPECT_EQ(countPrefix(headers, "X-Spam-Flag"), 0);
  EXPECT_EQ(countPrefix(headers, "X-Spam-Status"), 1);
  EXPECT_EQ(countPrefix(headers, "X-Spam-Status: No, score=-99"), 0);
}

TEST_P(MilterThroughPostfix, TaggedMessageGetsSpamHeadersAndSubjectPrefix) {
  Sent sent = sendThrough(port(), "tag-me");
  auto headers = headerLines(delivered(sent.token));
  ASSERT_FALSE(headers.empty()) << sent.result.output;
  EXPECT_EQ(headerValue(headers, "Subject"), " [SPAM] tag-me " + sent.token);
  EXPECT_EQ(headerValue(headers, "X-Spam-Flag"), " YES");
  EXPECT_NE(headerValue(headers, "X-Spam-Status").find("Yes, score=6."), std::string::npos);
}

TEST_P(MilterThroughPostfix, RejectedMessageGetsThePolicyReplyAndIsNotDelivered) {
  Sent sent = sendThrough(port(), "reject-me");
  EXPECT_NE(sent.result.output.find("550 5.7.1 Message rejected as spam"), std::string::npos)
      << sent.result.output;
  expectNeverDelivered(sent.token);
}

TEST_P(MilterThroughPostfix, TempfailedMessageGetsA451) {
  Sent sent = sendThrough(port(), "tempfail-me");
  EXPECT_NE(sent.result.output.find("451 4.7.1 Message deferred"), std::string::npos)
      << sent.result.output;
  expectNeverDelivered(sent.token);
}

TEST_P(MilterThroughPostfix, CheckMissingItsDeadlineFollowsItsTempfailMode) {
  Sent sent = sendThrough(port(), "slow-me");
  EXPECT_NE(sent.result.output.find("451 4.7.1 Error: temporary failure in message checks"),
            std::string::npos)
      << sent.result.output;
  expectNeverDelivered(sent.token);
}

TEST_P(MilterThroughPostfix, FailingCheckFollowsItsTempfailMode) {
  Sent sent = sendThrough(port(), "throw-me");
  EXPECT_NE(sent.result.output.find("451 4.7.1 Error: temporary failure in message checks"),
            std::string::npos)
      << sent.result.output;
  expectNeverDelivered(sent.token);
}

TEST_P(MilterThroughPostfix, DiscardedMessageIsAcceptedButNeverDelivered) {
  Sent sent = sendThrough(port(), "discard-me");
  EXPECT_NE(sent.result.output.find("250 2.0.0 Ok"), std::string::npos) << sent.result.output;
  expectNeverDelivered(sent.token);
}

TEST_P(MilterThroughPostfix, RefusedRecipientIsRejectedAtRcpt) {
  auto result = runShell("swaks --server 127.0.0.1:" + std::to_string(port()) +
                         " --from sender@sender.test --to blocked@example.test --timeout 60");
  EXPECT_NE(result.output.find("550 5.1.1 Error: no such user here"), std::string::npos)
      << result.output;
}

TEST_P(MilterThroughPostfix, QuarantinedMessageStaysInPostfixHoldQueue) {
  Sent sent = sendThrough(port(), "hold-me");
  ASSERT_FALSE(sent.queue_id.empty()) << sent.result.output;
  fs::path postfix_dir = env->dir / ("postfix" + std::to_string(GetParam()));
  bool held = eventually([&] { return inHoldQueue(postfix_dir, sent.queue_id); });
  EXPECT_TRUE(held) << runShell("postqueue -c " + (postfix_dir / "etc").string() + " -j").output;
  expectNeverDelivered(sent.token);
}

TEST_P(MilterThroughPostfix, BodyBeyondTheLimitIsScannedUpToItAndFlagged) {
  fs::path body = env->dir / "big-body.txt";
  {
    std::ofstream out(body);
    for (int i = 0; i < 400; ++i) out << "line " << i << " of a body longer than the limit\n";
  }
  Sent sent = sendThrough(port(), "big", "--body " + body.string());
  auto headers = headerLines(delivered(sent.token));
  ASSERT_FALSE(headers.empty()) << sent.result.output;
  EXPECT_NE(headerValue(headers, "X-Spam-Status").find("MILTER_BODY_TRUNCATED"), std::string::npos);
  Sent small = sendThrough(port(), "small");
  auto small_headers = headerLines(delivered(small.token));
  EXPECT_EQ(headerValue(small_headers, "X-Spam-Status").find("MILTER_BODY_TRUNCATED"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Protocols, MilterThroughPostfix, ::testing::Values(6, 2),
                         [](const auto& info) { return "protocol" + std::to_string(info.param); });

TEST(MilterLatency, ConsecutiveMessagesDoNotWaitForDelayedAcks) {
  // Postfix writes the packets the milter does not answer (macros, and the steps negotiated
  // without reply) back to back with Nagle's algorithm on: unless the milter answers DATA or
  // acknowledges at once, each message waits about 40 ms for a delayed ACK (>= 800 ms here).
  constexpr int kMessages = 20;
  auto start = std::chrono::steady_clock::now();
  ShellResult sent = runShell("smtp-source -d -s 1 -m " + std::to_string(kMessages) +
                              " -l 2000 -f sender@sender.test -t rcpt@example.test 127.0.0.1:" +
                              std::to_string(env->postfix_port.at(6)));
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(sent.status, 0) << sent.output;
  EXPECT_LT(elapsed, kMessages * 20ms)
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
}

TEST(MilterSignals, SighupReloadsAndBothListenersKeepServing) {
  for (int i = 0; i < 20; ++i) {
    env->server.signal(SIGHUP);
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(eventually([] {
    return env->serverOutput().find("reloaded generation=20") != std::string::npos;
  })) << env->serverOutput();
  Sent through_milter = sendThrough(env->postfix_port.at(6), "after-hup");
  auto milter_headers = headerLines(delivered(through_milter.token));
  ASSERT_FALSE(milter_headers.empty()) << through_milter.result.output;
  EXPECT_EQ(headerValue(milter_headers, "X-Test-Generation"), " 20");
  Sent through_smtp = sendThrough(env->gateway_port, "after-hup-smtp");
  auto smtp_headers = headerLines(delivered(through_smtp.token));
  ASSERT_FALSE(smtp_headers.empty()) << through_smtp.result.output;
  EXPECT_EQ(headerValue(smtp_headers, "X-Test-Generation"), " 20");
  env->server.signal(SIGUSR1);
  EXPECT_TRUE(eventually([] { return env->serverOutput().find(" serving") != std::string::npos; }));
}

TEST(MilterConnectionLoss, PostfixGivingUpOnTheMilterFreesTheSession) {
  // This Postfix waits 2 s for the end of message; the slow check runs into its 6 s deadline.
  Sent sent = sendThrough(env->impatient_postfix_port, "slow-me");
  EXPECT_NE(sent.result.output.find("451 4.7.1 Service unavailable"), std::string::npos)
      << sent.result.output;
  bool freed = eventually([&] {
    env->server.signal(SIGUSR1);
    std::this_thread::sleep_for(100ms);
    std::string out = env->serverOutput();
    return out.rfind("active=0 serving") != std::string::npos &&
           out.rfind("active=0 serving") > out.rfind("slow check started");
  });
  EXPECT_TRUE(freed) << env->serverOutput();
  EXPECT_FALSE(everDelivered(sent.token));
}

TEST(MilterConnectionLoss, MilterKilledMidMessageMeansTempfailFromPostfix) {
  std::string before = env->serverOutput();
  size_t started_before = 0;
  for (size_t p = 0; (p = before.find("slow check started", p)) != std::string::npos; ++p) {
    ++started_before;
  }
  Sent sent;
  std::thread client([&] { sent = sendThrough(env->postfix_port.at(6), "slow-me"); });
  bool in_eom = eventually([&] {
    std::string out = env->serverOutput();
    size_t n = 0;
    for (size_t p = 0; (p = out.find("slow check started", p)) != std::string::npos; ++p) ++n;
    return n > started_before;
  });
  env->server.kill();
  client.join();
  ASSERT_TRUE(in_eom);
  EXPECT_NE(sent.result.output.find("451 4.7.1"), std::string::npos) << sent.result.output;
  env->startServer();
  Sent after = sendThrough(env->postfix_port.at(6), "after-restart");
  EXPECT_FALSE(delivered(after.token).empty()) << after.result.output;
  EXPECT_FALSE(everDelivered(sent.token));
}

TEST(MilterShutdown, StopAfterEveryKindOfMessageEndsCleanly) {
  // One of each outcome, including a session Postfix gave up on, in the process that stops here.
  for (const auto* subject : {"reject-me", "tag-me", "hold-me", "discard-me", "throw-me"}) {
    sendThrough(env->postfix_port.at(6), subject);
  }
  Sent abandoned = sendThrough(env->impatient_postfix_port, "slow-me");
  EXPECT_NE(abandoned.result.output.find("451 4.7.1"), std::string::npos);
  Sent sent = sendThrough(env->postfix_port.at(2), "before-stop");
  ASSERT_FALSE(delivered(sent.token).empty());
  env->server.signal(SIGTERM);
  ASSERT_TRUE(eventually([] {
    return env->serverOutput().find("stopped active=0") != std::string::npos;
  })) << env->serverOutput();
  env->server.stop();
  // In a sanitizer build, the exit is where leaks would be reported.
  for (const auto* report : {"AddressSanitizer", "LeakSanitizer", "runtime error"}) {
    EXPECT_EQ(env->serverOutput().find(report), std::string::npos) << env->serverOutput();
  }
  env->startServer();
}

}  // namespace
}  // namespace portcullis::milter_test
