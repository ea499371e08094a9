// The web console end to end: a gateway with a quarantine of five messages (one with a hostile
// subject, HTML and header, one addressed to two recipients) and [web] on a loopback port;
// console_browser.py drives headless Chromium through login, search, view (with the symbols' stored
// evidence and what the loaded rules match), release, delete, the history page (after one
// message rejected over SMTP, a verdict that never reaches the quarantine) and recipients' signed
// links, and sends a forged POST without the CSRF token. Then this test checks what must have
// happened outside the browser: the released messages reached the recording MTA exactly once, the
// deleted one is gone, the rest are still quarantined, and every action is in the audit log.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "gateway/core/queue_id.h"
#include "gateway/quarantine/quarantine.h"
#include "gateway/web/password.h"
#include "gateway/web/signed_link.h"
#include "tests/support/gateway_process.h"
#include "tests/support/recording_mta.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

namespace q = portcullis::quarantine;
using namespace std::chrono_literals;

constexpr const char* kPassword = "correct horse battery staple";

struct Seeded {
  std::string id;
  std::string sender;
  std::vector<std::string> rcpts;
  std::string subject;
  std::string message;
  std::vector<q::SymbolScore> symbols;
};

std::string plainMessage(const std::string& subject, const std::string& body) {
  return "From: sender@remote.test\r\nTo: someone@example.org\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + newQueueId() + "@remote.test>\r\n\r\n" + body + "\r\n";
}

// A message built to break a careless page: markup and script in the subject and body, control
// characters and a bidirectional override, a 1 MB header field, remote images in the HTML.
std::string hostileMessage(const std::string& subject) {
  return "From: \"<b>evil</b>\" <evil@remote.test>\r\nTo: carol@example.org\r\nSubject: " +
         subject + "\r\nX-Huge: " + std::string(1 << 20, 'H') +
         "\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
         "<html><body><p>Hello <script>document.title='pwned'</script>carol</p>"
         "<img src=\"http://192.0.2.1/track.png\"><a href=\"http://192.0.2.1/x\">click</a>"
         "</body></html>\r\n";
}

std::vector<Seeded> seed(const std::filesystem::path& dir) {
  std::string hostile_subject =
      "<script>alert(1)</script> Win \x01\xE2\x80\xAE"
      "gnp.exe";
  std::vector<Seeded> seeded = {
      {"",
       "watches@spam.test",
       {"bob@example.org"},
       "Cheap watches for you",
       "",
       {{"BAYES_99", 5.2}, {"URIBL_BLACK", 3.1}}},
      {"",
       "evil@remote.test",
       {"carol@example.org"},
       hostile_subject,
       "",
       {{"HTML_SCRIPT", 4.0, "matched \"<script>alert(2)</script>\""},
        {"BAYES_99", 5.2},
        {"EVIL_FROM", 1.0, "Markup in From"}}},
      {"",
       "news@letters.test",
       {"bob@example.org"},
       "Weekly newsletter",
       "",
       {{"RCVD_IN_TEST", 6.5}, {"MISSING_DATE", 1.4}}},
      {"",
       "friend@remote.test",
       {"bob@example.org"},
       "Photos from the trip",
       "",
       {{"FREEMAIL_FROM", 7.0}, {"BAYES_80", 3.5}}},
      {"",
       "lists@remote.test",
       {"bob@example.org", "carol@example.org"},
       "Shared announcement",
       "",
       {{"MAILING_LIST_TEST", 11.0}}},
  };
  auto opened = q::Quarantine::open(dir, spool::SpoolAccess::Owner);
  if (!opened) throw std::runtime_error(opened.error);
  auto arrival = q::Clock::now() - 3h;
  for (auto& s : seeded) {
    s.id = newQueueId();
    s.message = s.subject == hostile_subject
                    ? hostileMessage(s.subject)
                    : plainMessage(s.subject, "Hello,\r\nthis is " + s.subject + ".");
    spool::MessageMeta meta;
    meta.id = s.id;
    meta.arrival = arrival;
    arrival += 20min;
    meta.client.address = "192.0.2.25";
    meta.client.helo = "mail.remote.test";
    meta.envelope.mail_from = s.sender;
    for (const auto& r : s.rcpts) meta.envelope.recipients.push_back({r, "", ""});
    double score = 0;
    for (const auto& symbol : s.symbols) score += symbol.score;
    q::Details details{s.subject, score, s.symbols, "score >= 10"};
    if (auto added = (*opened)->add(meta, s.message, details); !added) {
      throw std::runtime_error(added.error);
    }
  }
  return seeded;
}

std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

uint16_t webPort(const GatewayProcess& gateway) {
  static const std::regex line("web console on http://127\\.0\\.0\\.1:([0-9]+)/");
  std::smatch m;
  std::string log = gateway.log();
  return std::regex_search(log, m, line) ? static_cast<uint16_t>(std::stoi(m[1])) : 0;
}

size_t copiesOf(const RecordingMta& recorder, const std::string& id) {
  size_t n = 0;
  for (const auto& m : recorder.messages()) {
    n += m.data.rfind("X-Portcullis-Released: " + id + " ", 0) == 0;
  }
  return n;
}

TEST(WebConsoleBrowser, AdminAndRecipientFlowsInHeadlessChromium) {
  TempDir dir("web-console");
  RecordingMta recorder(dir.path() / "recorder");
  recorder.start();
  std::vector<Seeded> seeded = seed(dir.path() / "quarantine");
  const Seeded& watches = seeded[0];
  const Seeded& hostile = seeded[1];
  const Seeded& newsletter = seeded[2];
  const Seeded& photos = seeded[3];
  const Seeded& shared = seeded[4];

  auto hash = web::hashPassword(kPassword);
  ASSERT_TRUE(hash) << hash.error;
  GatewaySettings settings;
  settings.relay_port = recorder.port();
  // A classifier, so that "release and learn as ham" has something to teach; blocked attachments
  // rejected, so that the browser's SMTP message makes a verdict for the history page.
  // Content rules, so that the message page explains a symbol with what the rule matches now.
  writeFile(dir.path() / "web.cf", "header EVIL_FROM From =~ /<b>evil/\nscore EVIL_FROM 1\n");
  settings.extra = "[checks.content]\nrules = [\"" + (dir.path() / "web.cf").string() +
                   "\"]\n[checks.classifier]\n[checks.attachments]\n[web]\nlisten = "
                   "\"127.0.0.1:0\"\npage_size = "
                   "3\nmax_field_length = 60\n"
                   "[web.users]\nadmin = \"" +
                   *hash + "\"\n";
  GatewayProcess gateway(dir.path(), settings);
  gateway.start();
  uint16_t port = webPort(gateway);
  ASSERT_NE(port, 0) << gateway.log();
  std::string base = "http://127.0.0.1:" + std::to_string(port);

  auto key = web::loadOrCreateLinkKey(dir.path() / "quarantine" / "web-link.key");
  ASSERT_TRUE(key) << key.error;
  web::RecipientLinks links(*key);
  auto now = spool::Clock::now();
  std::string bob = links.url(base, "bob@example.org", now + 1h);
  std::string expired = links.url(base, "bob@example.org", now - 1s);
  std::string bob_query = links.query("bob@example.org", now + 1h);
  // The same signature with another address: a recipient trying to read someone else's mail.
  std::string changed_rcpt =
      base + "/r?" + std::regex_replace(bob_query, std::regex("rcpt=bob"), "rcpt=carol");
  std::string changed_sig = bob.substr(0, bob.size() - 2) + (bob.back() == 'A' ? "BB" : "AA");

  std::filesystem::path screenshots =
      std::filesystem::path(PORTCULLIS_BINARY_DIR) / "web-console-screenshots";
  std::filesystem::create_directories(screenshots);
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   PORTCULLIS_WEB_SCRIPT,
                                   "--url",
                                   base,
                                   "--user",
                                   "admin",
                                   "--password",
                                   kPassword,
                                   "--screenshots",
                                   screenshots.string(),
                                   "--watches",
                                   watches.id,
                                   "--hostile",
                                   hostile.id,
                                   "--newsletter",
                                   newsletter.id,
                                   "--photos",
                                   photos.id,
                                   "--shared",
                                   shared.id,
                                   "--bob-link",
                                   bob,
                                   "--expired-link",
                                   expired,
                                   "--changed-rcpt-link",
                                   changed_rcpt,
                                   "--changed-sig-link",
                                   changed_sig,
                                   "--smtp-port",
                                   std::to_string(gateway.port())};
  CommandResult browser = runCommand(argv, "", 240s);
  ASSERT_EQ(browser.exit_code, 0) << browser.output << "\n--- gateway log ---\n" << gateway.log();

  // Released (and learnt as ham) by the administrator (watches) and by bob through his link
  // (photos): each reaches the internal MTA exactly once.
  ASSERT_TRUE(recorder.waitForCount(2, 20s)) << gateway.log();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(recorder.count(), 2u);
  EXPECT_EQ(copiesOf(recorder, watches.id), 1u);
  EXPECT_EQ(copiesOf(recorder, photos.id), 1u);

  ASSERT_EQ(gateway.stop(), 0) << gateway.log();
  auto store = q::Quarantine::open(dir.path() / "quarantine", spool::SpoolAccess::Shared);
  ASSERT_TRUE(store) << store.error;
  auto left = (*store)->list({});
  ASSERT_TRUE(left) << left.error;
  std::set<std::string> ids;
  for (const auto& e : *left) ids.insert(e.id);
  // Deleted by the administrator: newsletter. Still there: the target of the forged POST
  // (hostile) and the message bob shares with carol, which his link may not act on.
  EXPECT_EQ(ids, (std::set<std::string>{hostile.id, shared.id}));

  std::string audit = readFile(dir.path() / "quarantine" / "audit.log");
  for (const std::string& expected : std::vector<std::string>{
           "actor=\"web:admin\" client=\"127.0.0.1\" action=\"login\"", "action=\"login-failed\"",
           "actor=\"web:admin\" client=\"127.0.0.1\" action=\"release-learn\" id=\"" + watches.id +
               "\" result=ok detail=\"queued as ",
           "; learnt as ham\"",
           "actor=\"web:admin\" client=\"127.0.0.1\" action=\"delete\" id=\"" + newsletter.id +
               "\" result=ok",
           "action=\"delete\" id=\"" + hostile.id + "\" result=failed detail=\"refused: CSRF",
           "actor=\"link:bob@example.org\" client=\"127.0.0.1\" action=\"release\" id=\"" +
               photos.id + "\" result=ok",
           "action=\"link-refused\""}) {
    EXPECT_NE(audit.find(expected), std::string::npos) << expected << "\n" << audit;
  }
}

}  // namespace
}  // namespace portcullis::test
