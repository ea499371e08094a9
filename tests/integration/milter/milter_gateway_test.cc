// The real `portcullis serve` in milter mode behind a real Postfix: the gateway's content check
// scores each message with a small rule file written here (the phrase in the body chooses the
// outcome), swaks sends through Postfix, and what Postfix delivers lands in the recording MTA.
// Each scenario gets its own gateway and Postfix ("stack"), started when a test first needs it:
// quarantine = "hold", quarantine = "store", one whose configuration the SIGHUP test changes, and
// one with deny lists and a domain policy (behind a second, sending Postfix for the 452 split), and
// one whose DNS list (a private dnsmasq) lists every client in a zone that rejects.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <memory>
#include <optional>

#include "tests/integration/milter/postfix_mail.h"
#include "tests/support/dnsmasq_server.h"
#include "tests/support/gateway_process.h"
#include "tests/support/json_lines.h"
#include "tests/support/loopback.h"
#include "tests/support/postfix_instance.h"
#include "tests/support/recording_mta.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::milter_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string rules(double later_score) {
  return "body TEST_REJECT /zorblax reject/\nscore TEST_REJECT 20\n"
         "body TEST_QUARANTINE /zorblax quarantine/\nscore TEST_QUARANTINE 12\n"
         "body TEST_TAG /zorblax tag/\nscore TEST_TAG 6\n"
         "body TEST_LATER /zorblax later/\nscore TEST_LATER " +
         std::to_string(later_score) + "\n";
}

std::string policy(double reject_threshold) {
  return "tag_threshold = 5.0\nquarantine_threshold = 10.0\nreject_threshold = " +
         std::to_string(reject_threshold) + "\nsubject_prefix = \"[SPAM]\"\n";
}

constexpr size_t kMaxBodySize = 4096;

// One gateway in milter mode and the Postfix that calls it.
struct Stack {
  fs::path dir;
  fs::path rules_file;
  std::optional<test::GatewayProcess> gateway;
  fs::path postfix_dir;
  uint16_t postfix_port = 0;
};

struct GatewayStacks {
  test::TempDir dir{"portcullis-milter-gateway"};
  std::optional<test::RecordingMta> recorder;
  std::optional<test::DnsmasqServer> dns;  // started by the first stack that asks DNS
  std::map<std::string, std::unique_ptr<Stack>> stacks;

  void setUp() {
    // Postfix's daemons run as user postfix and must reach their directories below.
    fs::permissions(dir.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    recorder.emplace(dir / "recorder");
    recorder->start();
  }

  // `policy_lines` are added to [policy]; `tables` are further tables such as [[policy.domain]].
  Stack& stack(const std::string& name, const std::string& quarantine_mode,
               const std::string& policy_lines = "", const std::string& tables = "") {
    auto& slot = stacks[name];
    if (slot) return *slot;
    auto s = std::make_unique<Stack>();
    s->dir = dir / name;
    fs::create_directories(s->dir / "rules");
    s->rules_file = s->dir / "rules" / "test.cf";
    test::writeFile(s->rules_file, rules(0.5));
    uint16_t milter_port = test::freeLoopbackPort();
    test::GatewaySettings settings;
    settings.relay_port = recorder->port();
    settings.local_domains = "\"example.test\", \"lists.test\"";
    settings.policy = policy(15.0) + policy_lines;
    settings.extra = "[checks.content]\nrules = [\"" + (s->dir / "rules").string() +
                     "\"]\n\n[milter]\nlisten = \"inet:" + std::to_string(milter_port) +
                     "@127.0.0.1\"\nquarantine = \"" + quarantine_mode +
                     "\"\nmax_body_size = " + std::to_string(kMaxBodySize) + "\n\n" + tables;
    s->gateway.emplace(s->dir / "gateway", settings);
    s->gateway->start(60s);
    if (!s->gateway->waitForLog("listening for milter connections", 30s)) {
      throw std::runtime_error("no milter listener; log:\n" + s->gateway->log());
    }
    s->postfix_dir = s->dir / "postfix";
    s->postfix_port = startPostfix(s->postfix_dir, recorder->port(), milter_port, 6, "60s");
    slot = std::move(s);
    return *slot;
  }

  void tearDown() {
    for (auto& [name, s] : stacks) {
      if (!s) continue;  // its gateway did not start
      stopPostfix(s->postfix_dir);
      s->gateway->stop();
    }
    recorder->stop();
  }
};

GatewayStacks* env = nullptr;

class GlobalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    env = new GatewayStacks();
    env->setUp();
  }
  void TearDown() override {
    env->tearDown();
    delete env;
    env = nullptr;
  }
};

const auto* const registered = ::testing::AddGlobalTestEnvironment(new GlobalEnvironment);

Stack& holdStack() {
  return env->stack("hold", "hold");
}
Stack& storeStack() {
  return env->stack("store", "store");
}

// Deny lists for a sender domain and a recipient; lists.test is tagged at 8 (not 5).
Stack& policyStack() {
  return env->stack("policy", "hold",
                    "deny_senders = [\"spammer.test\"]\n"
                    "deny_recipients = [\"former@example.test\"]\n",
                    "[[policy.domain]]\ndomain = \"lists.test\"\ntag_threshold = 8\n"
                    "quarantine_threshold = 1e9\nreject_threshold = 30\n"
                    "subject_prefix = \"[LIST-SPAM]\"\n");
}

// Every client (127.0.0.1 here) is listed in bl.test, a DNS list zone with reject = true.
Stack& dnsListStack() {
  if (!env->dns)
    env->dns.emplace(std::vector<std::string>{"host-record=1.0.0.127.bl.test,127.0.0.2"});
  return env->stack("dnslist", "hold", "",
                    "[dns]\nservers = [\"" + env->dns->address() +
                        "\"]\n\n[checks.dnsbl]\nskip_local = false\n\n[[checks.dnsbl.zone]]\n"
                        "zone = \"bl.test\"\nsymbol = \"TEST_BL\"\nscore = 6.0\nreject = true\n");
}

Sent sendBody(const Stack& stack, const std::string& subject, const std::string& body) {
  static int bodies = 0;
  fs::path file = env->dir / ("body-" + std::to_string(++bodies) + ".txt");
  test::writeFile(file, body);
  return sendThrough(stack.postfix_port, subject, "--body " + file.string());
}

std::string delivered(const std::string& token, std::chrono::milliseconds limit = 60s) {
  return deliveredMessage(*env->recorder, token, limit);
}

// A clean message sent after `token` and delivered proves Postfix is done with `token`.
void expectNeverDelivered(const Stack& stack, const std::string& token) {
  Sent marker = sendBody(stack, "marker", "nothing to see");
  ASSERT_FALSE(delivered(marker.token).empty()) << marker.result.output;
  EXPECT_TRUE(delivered(token, 0ms).empty());
}

// `portcullis quarantine list --json` of the stack's gateway.
std::string quarantineList(const Stack& stack) {
  auto r = test::runCommand({test::portcullisBinary().string(), "quarantine", "-c",
                             stack.gateway->configPath().string(), "list", "--json"});
  return r.output;
}

// The quarantine list's entry whose subject carries `token`; nullopt when none does.
std::optional<boost::json::object> quarantinedEntry(const Stack& stack, const std::string& token) {
  for (auto& entry : test::jsonLines(quarantineList(stack))) {
    if (test::jsonString(entry, "subject").find(token) != std::string_view::npos) return entry;
  }
  return std::nullopt;
}

// A body longer than the milter's max_body_size, with `phrase` after the first `offset` bytes.
std::string longBody(size_t offset, const std::string& phrase) {
  std::string body;
  while (body.size() < offset) body += "filler line of a long message body\n";
  body += phrase + "\n";
  while (body.size() < 2 * kMaxBodySize) body += "more filler after the phrase\n";
  return body;
}

TEST(MilterGateway, RuleScoreAboveRejectThresholdGets550AndNothingIsDelivered) {
  Stack& s = holdStack();
  Sent sent = sendBody(s, "reject", "a zorblax reject phrase");
  EXPECT_NE(sent.result.output.find("550 5.7.1 Message rejected as spam"), std::string::npos)
      << sent.result.output;
  expectNeverDelivered(s, sent.token);
}

TEST(MilterGateway, TaggedMessageIsDeliveredWithSpamHeadersAndAuthenticationResults) {
  Stack& s = holdStack();
  Sent sent = sendBody(s, "tag", "a zorblax tag phrase");
  auto headers = headerLines(delivered(sent.token));
  ASSERT_FALSE(headers.empty()) << sent.result.output;
  EXPECT_EQ(headerValue(headers, "Subject"), " [SPAM] tag " + sent.token);
  EXPECT_EQ(headerValue(headers, "X-Spam-Flag"), " YES");
  std::string status = headerValue(headers, "X-Spam-Status");
  EXPECT_EQ(status.rfind(" Yes, score=6.0", 0), 0u) << status;
  EXPECT_NE(status.find("TEST_TAG=6.0"), std::string::npos) << status;
  EXPECT_EQ(countPrefix(headers, "Authentication-Results: gw.test"), 1);

  Sent clean = sendBody(s, "clean", "nothing to see");
  auto clean_headers = headerLines(delivered(clean.token));
  ASSERT_FALSE(clean_headers.empty()) << clean.result.output;
  EXPECT_EQ(headerValue(clean_headers, "X-Spam-Status").rfind(" No, score=", 0), 0u);
  EXPECT_EQ(countPrefix(clean_headers, "X-Spam-Flag"), 0);
  EXPECT_EQ(headerValue(clean_headers, "Subject"), " clean " + clean.token);
}

TEST(MilterGateway, HoldModeLeavesTheQuarantinedMessageInPostfixHoldQueue) {
  Stack& s = holdStack();
  Sent sent = sendBody(s, "hold", "a zorblax quarantine phrase");
  ASSERT_FALSE(sent.queue_id.empty()) << sent.result.output;
  EXPECT_TRUE(eventually([&] { return inHoldQueue(s.postfix_dir, sent.queue_id); }))
      << runShell("postqueue -c " + (s.postfix_dir / "etc").string() + " -j").output;
  expectNeverDelivered(s, sent.token);
  EXPECT_FALSE(quarantinedEntry(s, sent.token).has_value());
}

TEST(MilterGateway, StoreModeKeepsTheMessageInTheQuarantineStoreAndPostfixDropsIt) {
  Stack& s = storeStack();
  Sent sent = sendBody(s, "store", "a zorblax quarantine phrase");
  EXPECT_NE(sent.result.output.find("250 2.0.0 Ok: queued as"), std::string::npos)
      << sent.result.output;
  ASSERT_FALSE(sent.queue_id.empty()) << sent.result.output;

  const std::optional<boost::json::object> entry = quarantinedEntry(s, sent.token);
  ASSERT_TRUE(entry.has_value()) << quarantineList(s) << s.gateway->log();
  EXPECT_EQ(entry->at("sender"), "sender@sender.test") << *entry;
  EXPECT_EQ(entry->at("recipients"), boost::json::array{"rcpt@example.test"}) << *entry;
  EXPECT_EQ(entry->at("client"), "127.0.0.1") << *entry;
  std::vector<std::string> symbols;
  for (const auto& symbol : entry->at("symbols").as_array()) {
    symbols.emplace_back(symbol.at("name").as_string());
  }
  EXPECT_THAT(symbols, ::testing::Contains("TEST_QUARANTINE")) << *entry;
  // The stored copy carries the verdict's header fields, as a delivered one would, under the
  // Received field of the client's hop, which Postfix never shows a milter.
  const std::string id(test::jsonString(*entry, "id"));
  auto shown = test::runCommand({test::portcullisBinary().string(), "quarantine", "-c",
                                 s.gateway->configPath().string(), "show", id});
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("X-Spam-Flag: YES"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("Authentication-Results: gw.test"), std::string::npos)
      << shown.output;
  const size_t received = shown.output.find("\nReceived: from ");
  ASSERT_NE(received, std::string::npos) << shown.output;
  const size_t results = shown.output.find("Authentication-Results:");
  ASSERT_LT(received, results) << shown.output;
  const std::string trace = shown.output.substr(received, results - received);  // folded lines
  EXPECT_NE(trace.find("[127.0.0.1]"), std::string::npos) << trace;
  EXPECT_NE(trace.find("by mta.test (Portcullis)"), std::string::npos) << trace;
  EXPECT_NE(trace.find(" id " + sent.queue_id), std::string::npos) << trace;
  EXPECT_TRUE(s.gateway->waitForLog(
      "id=" + sent.queue_id + " milter: quarantined in the quarantine store as " + id, 10s))
      << s.gateway->log();

  // Postfix discarded its copy: nothing delivered, nothing held.
  expectNeverDelivered(s, sent.token);
  EXPECT_FALSE(inHoldQueue(s.postfix_dir, sent.queue_id));
  EXPECT_NE(test::readFile(s.postfix_dir / "postfix.log").find(sent.queue_id + ": milter-discard"),
            std::string::npos);
}

TEST(MilterGateway, StoreModeSendsAMessageWithACutBodyToTheHoldQueue) {
  // The store would only get the first max_body_size bytes: Postfix keeps the whole message.
  Stack& s = storeStack();
  Sent sent = sendBody(s, "long-store", longBody(0, "a zorblax quarantine phrase"));
  ASSERT_FALSE(sent.queue_id.empty()) << sent.result.output;
  EXPECT_TRUE(eventually([&] { return inHoldQueue(s.postfix_dir, sent.queue_id); }))
      << s.gateway->log();
  EXPECT_FALSE(quarantinedEntry(s, sent.token).has_value());
  expectNeverDelivered(s, sent.token);
}

TEST(MilterGateway, BodyBeyondTheLimitIsScannedUpToItAndFlagged) {
  Stack& s = holdStack();
  // The phrase that would reject lies past max_body_size: the checks never see it.
  Sent sent = sendBody(s, "long", longBody(2 * kMaxBodySize, "a zorblax reject phrase"));
  auto headers = headerLines(delivered(sent.token));
  ASSERT_FALSE(headers.empty()) << sent.result.output;
  std::string status = headerValue(headers, "X-Spam-Status");
  EXPECT_NE(status.find("MILTER_BODY_TRUNCATED"), std::string::npos) << status;
  EXPECT_EQ(status.find("TEST_REJECT"), std::string::npos) << status;
  // Within the limit, the same phrase rejects.
  Sent early = sendBody(s, "early", longBody(0, "a zorblax reject phrase"));
  EXPECT_NE(early.result.output.find("550 5.7.1"), std::string::npos) << early.result.output;
}

TEST(MilterGateway, SighupAppliesNewRulesAndThresholdsToTheNextMessage) {
  Stack& s = env->stack("reload", "hold");
  test::GatewayProcess& gateway = *s.gateway;
  Sent before = sendBody(s, "before", "a zorblax later phrase");
  auto headers = headerLines(delivered(before.token));
  ASSERT_FALSE(headers.empty()) << before.result.output;
  EXPECT_NE(headerValue(headers, "X-Spam-Status").find("No, score=0.5"), std::string::npos);

  auto reload = [&gateway] {
    size_t from = gateway.logSize();
    gateway.signal(SIGHUP);
    return gateway.waitForLog("configuration reloaded", 60s, from);
  };
  // A rule file changed: the rule now scores above the reject threshold.
  test::writeFile(s.rules_file, rules(20));
  ASSERT_TRUE(reload()) << gateway.log();
  Sent rejected = sendBody(s, "rules-changed", "a zorblax later phrase");
  EXPECT_NE(rejected.result.output.find("550 5.7.1 Message rejected as spam"), std::string::npos)
      << rejected.result.output;

  // A threshold changed: the same score now quarantines (held by Postfix) instead.
  gateway.settings().policy = policy(25.0);
  gateway.writeConfig();
  ASSERT_TRUE(reload()) << gateway.log();
  Sent held = sendBody(s, "threshold-changed", "a zorblax later phrase");
  ASSERT_FALSE(held.queue_id.empty()) << held.result.output;
  EXPECT_TRUE(eventually([&] { return inHoldQueue(s.postfix_dir, held.queue_id); }));

  // The milter listener never went away: no connection trouble on either side.
  std::string postfix_log = test::readFile(s.postfix_dir / "postfix.log");
  EXPECT_EQ(postfix_log.find("warning: milter"), std::string::npos) << postfix_log;
  EXPECT_EQ(gateway.log().find("milter: accept failed"), std::string::npos) << gateway.log();
  EXPECT_EQ(gateway.log().find("reload failed"), std::string::npos) << gateway.log();
}

TEST(MilterGateway, DenyListedSenderAndRecipientAreRefusedByPostfixWith550) {
  Stack& s = policyStack();
  Sent sender = sendFromTo(s.postfix_port, "crook@spammer.test", "rcpt@example.test", "denied");
  EXPECT_NE(sender.result.output.find("<** 550 5.7.1 Sender address rejected by local policy"),
            std::string::npos)
      << sender.result.output;
  Sent recipient = sendFromTo(s.postfix_port, "sender@sender.test", "former@example.test", "gone");
  EXPECT_NE(
      recipient.result.output.find("<** 550 5.7.1 Recipient address rejected by local policy"),
      std::string::npos)
      << recipient.result.output;
  EXPECT_TRUE(s.gateway->waitForLog("refused at MAIL: deny list: sender spammer.test", 10s))
      << s.gateway->log();
  expectNeverDelivered(s, sender.token);
  EXPECT_TRUE(delivered(recipient.token, 0ms).empty());
}

// A sending Postfix hands one message for two domains with different policies to the Postfix that
// calls the milter: the second recipient gets 452 4.5.3, the sending Postfix delivers it in a
// transaction of its own, and each recipient's copy is decided by its own domain's policy.
TEST(MilterGateway, RecipientsWithDifferentPoliciesAreDeliveredSeparatelyEachByItsPolicy) {
  Stack& s = policyStack();
  test::PostfixInstance sender(env->dir / "sending-postfix", s.postfix_port);
  sender.start();
  fs::path body = env->dir / "mixed-body.txt";
  test::writeFile(body, "a zorblax tag phrase");
  Sent sent = sendFromTo(sender.port(), "sender@sender.test", "a@example.test,dev@lists.test",
                         "mixed", "--body " + body.string());
  ASSERT_NE(sent.result.output.find("250 2.0.0 Ok: queued"), std::string::npos)
      << sent.result.output;

  std::vector<test::RecordedMessage> copies;
  const bool both = sender.waitFlushing(
      [&] {
        copies.clear();
        for (auto& m : env->recorder->messages()) {
          if (m.data.find(sent.token) != std::string::npos) copies.push_back(std::move(m));
        }
        return copies.size() >= 2;
      },
      60s);
  ASSERT_TRUE(both) << "sending postfix:\n"
                    << sender.log() << "\nmilter postfix:\n"
                    << test::readFile(s.postfix_dir / "postfix.log");
  EXPECT_EQ(copies.size(), 2u);
  std::map<std::string, std::vector<std::string>> by_recipient;
  for (const auto& m : copies) {
    ASSERT_EQ(m.rcpt_tos.size(), 1u) << m.data;
    by_recipient[m.rcpt_tos[0]] = headerLines(m.data);
  }
  const auto& main_domain = by_recipient["a@example.test"];
  ASSERT_FALSE(main_domain.empty());
  EXPECT_EQ(headerValue(main_domain, "Subject"), " [SPAM] mixed " + sent.token);
  EXPECT_EQ(headerValue(main_domain, "X-Spam-Flag"), " YES");
  const auto& list = by_recipient["dev@lists.test"];
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(headerValue(list, "Subject"), " mixed " + sent.token);
  EXPECT_EQ(countPrefix(list, "X-Spam-Flag"), 0);
  std::string status = headerValue(list, "X-Spam-Status");
  EXPECT_EQ(status.rfind(" No, score=6.0 required=8.0 ", 0), 0u) << status;
  EXPECT_TRUE(sender.waitForLog("452 4.5.3", 10s)) << sender.log();
}

// The DNS list's reject comes at RCPT, as in the SMTP front end: Postfix refuses the recipient with
// the zone's reply, so the client never sends the message.
TEST(MilterGateway, ClientListedByARejectingDnsListIsRefusedAtRcptWith554) {
  Stack& s = dnsListStack();
  Sent sent = sendFromTo(s.postfix_port, "sender@sender.test", "rcpt@example.test", "listed");
  const std::string& out = sent.result.output;
  size_t rcpt = out.find(" -> RCPT TO:<rcpt@example.test>");
  size_t refused = out.find("<** 554 5.7.1 ");
  ASSERT_NE(rcpt, std::string::npos) << out;
  ASSERT_NE(refused, std::string::npos) << out << s.gateway->log();
  EXPECT_GT(refused, rcpt) << out;
  EXPECT_NE(out.find("blocked using bl.test", refused), std::string::npos) << out;
  EXPECT_EQ(out.find(" -> DATA"), std::string::npos) << out;
  EXPECT_TRUE(s.gateway->waitForLog("milter: refused at RCPT", 10s)) << s.gateway->log();
  EXPECT_TRUE(env->dns->waitForQuery("1.0.0.127.bl.test"));
  EXPECT_TRUE(delivered(sent.token, 0ms).empty());
}

}  // namespace
}  // namespace portcullis::milter_test
