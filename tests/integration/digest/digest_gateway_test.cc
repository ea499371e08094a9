// Daily digests end to end: a gateway in spool mode relaying to the recording MTA, with [web] and
// [quarantine.digest], and a quarantine seeded for two local recipients and one of another
// domain. `portcullis quarantine digest --now` against the running gateway's configuration
// queues the digests; the gateway's queue runner relays them. Each local recipient gets exactly
// one digest listing their messages, with a signed link that verifies for them only; a second
// run sends nothing; `config check` refuses a digest without [web] and in proxy mode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <thread>

#include <time.h>

#include "gateway/core/queue_id.h"
#include "gateway/mime/transfer_decoding.h"
#include "gateway/quarantine/quarantine.h"
#include "gateway/web/signed_link.h"
#include "tests/support/gateway_process.h"
#include "tests/support/recording_mta.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

namespace q = portcullis::quarantine;
using namespace std::chrono_literals;

constexpr uint16_t kNoRelay = 9;  // discard: never contacted by a config check

const std::string kDigest = std::string("[quarantine.digest]\ntemplate_directory = \"") +
                            PORTCULLIS_DIGEST_TEMPLATES + "\"\nsender = \"digest@example.org\"\n";
const std::string kWeb =
    "[web]\nlisten = \"127.0.0.1:0\"\npublic_url = \"https://quarantine.example.org\"\n";

struct Seed {
  std::string sender;
  std::vector<std::string> rcpts;
  std::string subject;
};

void seed(const std::filesystem::path& dir, const std::vector<Seed>& seeds) {
  auto opened = q::Quarantine::open(dir, spool::SpoolAccess::Owner);
  if (!opened) throw std::runtime_error(opened.error);
  auto arrival = q::Clock::now() - 3h;
  for (const auto& s : seeds) {
    spool::MessageMeta meta;
    meta.id = newQueueId();
    meta.arrival = arrival;
    arrival += 10min;
    meta.client.address = "192.0.2.25";
    meta.envelope.mail_from = s.sender;
    for (const auto& r : s.rcpts) meta.envelope.recipients.push_back({r, "", ""});
    std::string message = "From: " + s.sender + "\r\nSubject: " + s.subject + "\r\n\r\nHello\r\n";
    q::Details details{s.subject, 12.5, {{"BAYES_99", 12.5}}, "score >= 10"};
    if (auto added = (*opened)->add(meta, message, details); !added) {
      throw std::runtime_error(added.error);
    }
  }
}

// The project's own MIME decoder reads what the digest wrote.
std::string decodeQp(const std::string& qp) {
  std::string out;
  mime::decodeQuotedPrintable(qp, out, qp.size());
  return out;
}

std::string bodyOf(const std::string& message) {
  auto split = message.find("\r\n\r\n");
  std::string body = message.substr(split + 4);
  bool qp = message.substr(0, split).find("Content-Transfer-Encoding: quoted-printable") !=
            std::string::npos;
  return qp ? decodeQp(body) : body;
}

uint16_t webPort(const GatewayProcess& gateway) {
  static const std::regex line("web console on http://127\\.0\\.0\\.1:([0-9]+)/");
  std::smatch m;
  std::string log = gateway.log();
  return std::regex_search(log, m, line) ? static_cast<uint16_t>(std::stoi(m[1])) : 0;
}

CommandResult digestCommand(const GatewayProcess& gateway, const std::string& flag) {
  return runCommand({portcullisBinary().string(), "quarantine", "digest", flag, "-c",
                     gateway.configPath().string()});
}

TEST(DigestGateway, OneDigestPerLocalRecipientWithAWorkingLinkAndNothingTwice) {
  TempDir dir("digest");
  RecordingMta recorder(dir.path() / "recorder");
  recorder.start();
  seed(dir.path() / "quarantine",
       {{"watches@spam.test", {"bob@example.org"}, "Cheap watches"},
        {"evil@spam.test", {"carol@example.org", "dave@elsewhere.test"}, "Hi\x01 <b>there</b>"},
        {"news@spam.test", {"Bob@Example.org"}, "Weekly newsletter"},
        {"other@spam.test", {"dave@elsewhere.test"}, "Not for a local recipient"}});

  GatewaySettings settings;
  settings.relay_port = recorder.port();
  settings.extra = kWeb + kDigest;
  GatewayProcess gateway(dir.path(), settings);
  gateway.start();

  CommandResult dry = digestCommand(gateway, "--dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("2 digests would be sent"), std::string::npos) << dry.output;

  CommandResult run = digestCommand(gateway, "--now");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("2 digests queued"), std::string::npos) << run.output;
  ASSERT_TRUE(recorder.waitForCount(2, 30s)) << gateway.log();

  auto key = web::loadOrCreateLinkKey(dir.path() / "quarantine" / "web-link.key");
  ASSERT_TRUE(key) << key.error;
  web::RecipientLinks links(*key);
  std::map<std::string, std::string> bodies;
  for (const auto& m : recorder.messages()) {
    ASSERT_EQ(m.rcpt_tos.size(), 1u);
    EXPECT_EQ(m.mail_from, "digest@example.org");
    EXPECT_NE(m.data.find("\r\nAuto-Submitted: auto-generated\r\n"), std::string::npos);
    EXPECT_NE(m.data.find("\r\nTo: <" + m.rcpt_tos[0] + ">\r\n"), std::string::npos);
    // The address as the newest message spelt it; one digest whatever the case.
    std::string rcpt = m.rcpt_tos[0];
    std::transform(rcpt.begin(), rcpt.end(), rcpt.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    bodies[rcpt] = bodyOf(m.data);
  }
  ASSERT_EQ(bodies.size(), 2u) << "one digest per recipient, grouped case-insensitively";
  ASSERT_TRUE(bodies.count("bob@example.org"));
  ASSERT_TRUE(bodies.count("carol@example.org"));
  const std::string& bob = bodies["bob@example.org"];
  EXPECT_NE(bob.find("Cheap watches"), std::string::npos) << bob;
  EXPECT_NE(bob.find("Weekly newsletter"), std::string::npos) << bob;
  EXPECT_EQ(bob.find("Not for a local"), std::string::npos) << bob;
  const std::string& carol = bodies["carol@example.org"];
  EXPECT_NE(carol.find("Hi\xEF\xBF\xBD <b>there</b>"), std::string::npos) << carol;

  for (const auto& [rcpt, body] : bodies) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(body, m,
                                  std::regex("https://quarantine\\.example\\.org/"
                                             "r\\?rcpt=([^&]+)&exp=([0-9]+)&sig=([A-Za-z0-9_-]+)")))
        << body;
    EXPECT_EQ(links.check(rcpt, m[2].str(), m[3].str()), web::LinkCheck::Valid) << rcpt;
    std::string other = rcpt == "bob@example.org" ? "carol@example.org" : "bob@example.org";
    EXPECT_EQ(links.check(other, m[2].str(), m[3].str()), web::LinkCheck::BadSignature);
  }

  // Bob's link, pointed at the running console (the signature covers the query, not the host),
  // opens his quarantined messages and only his.
  uint16_t port = webPort(gateway);
  ASSERT_NE(port, 0) << gateway.log();
  std::smatch link;
  ASSERT_TRUE(
      std::regex_search(bob, link, std::regex("https://quarantine\\.example\\.org(/r\\?\\S+)")));
  std::string jar = (dir.path() / "cookies").string();
  CommandResult page = runCommand({"curl", "-sS", "--noproxy", "*", "-L", "-b", jar, "-c", jar,
                                   "http://127.0.0.1:" + std::to_string(port) + link[1].str()});
  ASSERT_EQ(page.exit_code, 0) << page.output;
  EXPECT_NE(page.output.find("Cheap watches"), std::string::npos) << page.output;
  EXPECT_NE(page.output.find("Weekly newsletter"), std::string::npos) << page.output;
  EXPECT_NE(page.output.find("watches@spam.test"), std::string::npos) << page.output;
  EXPECT_EQ(page.output.find("evil@spam.test"), std::string::npos) << page.output;

  // Nothing new: nothing queued, nothing relayed.
  CommandResult again = digestCommand(gateway, "--now");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 digests queued"), std::string::npos) << again.output;
  std::this_thread::sleep_for(2s);  // several scan intervals of the queue runner
  EXPECT_EQ(recorder.count(), 2u);
  EXPECT_EQ(gateway.stop(), 0) << gateway.log();
}

// The local "HH:MM" at least a minute from now, so the gateway has started before it comes.
std::string inAMinuteOrTwo() {
  time_t at = time(nullptr) + 60;
  std::tm tm{};
  localtime_r(&at, &tm);
  if (tm.tm_sec > 50) {
    at += 60;
    localtime_r(&at, &tm);
  }
  char text[8];
  strftime(text, sizeof text, "%H:%M", &tm);
  return text;
}

// The gateway's own daily run (runtime.cc's timer), not the CLI: the schedule is set to the
// coming minute.
TEST(DigestGateway, TheGatewaySendsTheDigestAtTheScheduledTime) {
  TempDir dir("digest-scheduled");
  RecordingMta recorder(dir.path() / "recorder");
  recorder.start();
  seed(dir.path() / "quarantine", {{"watches@spam.test", {"bob@example.org"}, "Cheap watches"}});
  GatewaySettings settings;
  settings.relay_port = recorder.port();
  settings.extra = kWeb + kDigest + "schedule = \"" + inAMinuteOrTwo() + "\"\n";
  GatewayProcess gateway(dir.path(), settings);
  gateway.start();
  ASSERT_TRUE(recorder.waitForCount(1, 150s)) << gateway.log();
  auto messages = recorder.messages();
  ASSERT_EQ(messages[0].rcpt_tos, std::vector<std::string>{"bob@example.org"});
  EXPECT_NE(bodyOf(messages[0].data).find("Cheap watches"), std::string::npos);
  EXPECT_TRUE(gateway.waitForLog("quarantine digest: 1 digests queued", 5s)) << gateway.log();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "quarantine" / "digest.state"));
  EXPECT_EQ(gateway.stop(), 0) << gateway.log();
}

TEST(DigestGateway, ConfigCheckRefusesADigestWithoutWebOrInProxyMode) {
  TempDir dir("digest-config");
  GatewaySettings settings;
  settings.relay_port = kNoRelay;
  settings.extra = kDigest;
  GatewayProcess gateway(dir.path(), settings);
  gateway.writeConfig();
  CommandResult no_web =
      runCommand({portcullisBinary().string(), "config", "check", gateway.configPath().string()});
  EXPECT_NE(no_web.exit_code, 0);
  EXPECT_NE(no_web.output.find("needs a [web] table"), std::string::npos) << no_web.output;
  EXPECT_TRUE(std::regex_search(no_web.output, std::regex("portcullis\\.toml:[0-9]+:")))
      << no_web.output;

  gateway.settings().mode = "proxy";
  gateway.settings().extra = kWeb + kDigest;
  gateway.writeConfig();
  CommandResult proxy =
      runCommand({portcullisBinary().string(), "config", "check", gateway.configPath().string()});
  EXPECT_NE(proxy.exit_code, 0);
  EXPECT_NE(proxy.output.find("relay.mode = \"spool\""), std::string::npos) << proxy.output;
}

}  // namespace
}  // namespace portcullis::test
