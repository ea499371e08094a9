// Digest runs against a real quarantine and delivery spool: one digest per local recipient with
// new messages, never to other domains, nothing when nothing is new, each message listed once;
// the composed message is a safe RFC 5322 message whose link verifies.
#include "gateway/digest/digest_run.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <fstream>
#include <regex>

#include "gateway/digest/digest_message.h"
#include "gateway/digest/digest_schedule.h"
#include "gateway/digest/digest_state.h"
#include "gateway/mime/transfer_decoding.h"
#include "tests/unit/quarantine/quarantine_fixture.h"

namespace portcullis::digest {
namespace {

using namespace std::chrono_literals;
using quarantine::Clock;
using quarantine::Entry;

// The project's own MIME decoder reads what the digest wrote.
std::string decodedQp(const std::string& qp) {
  std::string out;
  mime::decodeQuotedPrintable(qp, out, qp.size());
  return out;
}

struct Parsed {
  std::string headers;
  std::string body;  // decoded
};

Parsed parse(const std::string& message) {
  auto split = message.find("\r\n\r\n");
  Parsed p{message.substr(0, split + 2), message.substr(split + 4)};
  if (p.headers.find("Content-Transfer-Encoding: quoted-printable") != std::string::npos) {
    p.body = decodedQp(p.body);
  }
  return p;
}

// The header field names of a header block, in order.
std::vector<std::string> fieldNames(const std::string& headers) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < headers.size()) {
    size_t end = headers.find("\r\n", start);
    std::string line = headers.substr(start, end - start);
    if (!line.empty() && line[0] != ' ' && line[0] != '\t')
      names.push_back(line.substr(0, line.find(':')));
    start = end + 2;
  }
  return names;
}

Entry entry(std::string sender, std::vector<std::string> rcpts, std::string subject,
            quarantine::TimePoint arrival = Clock::now()) {
  Entry e;
  e.id = newQueueId();
  e.arrival = arrival;
  e.sender = std::move(sender);
  e.recipients = std::move(rcpts);
  e.details.subject = std::move(subject);
  e.details.score = 12.5;
  return e;
}

TEST(DigestSelection, LocalRecipientsOnlyGroupedCaseInsensitively) {
  std::vector<Entry> entries = {
      entry("a@x.test", {"Bob@Example.org", "dave@elsewhere.test"}, "one"),
      entry("b@x.test", {"bob@example.org", "BOB@example.org"}, "two"),
      entry("c@x.test", {"carol@sub.example.org", "carol@example.org"}, "three"),
      entry("d@x.test", {"bob@example.org"}, "four"),
      entry("e@x.test", {"\"odd <x>\"@example.org"}, "five"),
  };
  auto selected = selectRecipients(entries, {"example.org"}, 2);
  ASSERT_EQ(selected.size(), 2u);
  EXPECT_EQ(selected[0].recipient, "Bob@Example.org");
  EXPECT_EQ(selected[0].total, 3u);  // "two" counts once although listed twice in the envelope
  ASSERT_EQ(selected[0].entries.size(), 2u);  // max_listed
  EXPECT_EQ(selected[0].entries[0].details.subject, "one");
  EXPECT_EQ(selected[1].recipient, "carol@example.org");
  EXPECT_EQ(selected[1].total, 1u);
  EXPECT_TRUE(selectRecipients(entries, {"nowhere.test"}, 10).empty());
}

class DigestRunTest : public quarantine::testing::QuarantineTest {
 protected:
  void SetUp() override {
    QuarantineTest::SetUp();
    store_ = openQuarantine();
    auto queue = spool::Spool::open(root_ / "spool", spool::SpoolAccess::Owner);
    ASSERT_TRUE(queue) << queue.error;
    queue_.emplace(std::move(*queue));
    settings_.quarantine_dir = dir();
    settings_.domains = {"example.org"};
    settings_.sender = "postmaster@gw.example.org";
    settings_.hostname = "gw.example.org";
    settings_.web.public_url = "https://gw.example.org:8443";
    settings_.web.link_key_file = dir() / "web-link.key";
    settings_.layout = DigestTemplate::load(std::string(PORTCULLIS_DIGEST_TEMPLATES) + "/en.txt");
  }

  std::vector<spool::QueueFile> queued() {
    std::vector<spool::QueueFile> out;
    for (const auto& e : queue_->list().entries) {
      auto loaded = queue_->load(e.meta.id);
      EXPECT_TRUE(loaded) << loaded.error;
      if (loaded) out.push_back(loaded->file);
    }
    return out;
  }

  web::RecipientLinks links() {
    auto key = web::loadOrCreateLinkKey(settings_.web.link_key_file);
    EXPECT_TRUE(key) << key.error;
    return web::RecipientLinks(key ? *key : std::string(32, 'k'));
  }

  std::unique_ptr<quarantine::Quarantine> store_;
  std::optional<spool::Spool> queue_;
  DigestSettings settings_;
};

TEST_F(DigestRunTest, OneDigestPerLocalRecipientThenNothingUntilSomethingNew) {
  auto t0 = Clock::now() - 2h;
  addMessage(*store_, "a@spam.test", {"bob@example.org", "dave@elsewhere.test"}, "First", t0);
  addMessage(*store_, "b@spam.test", {"bob@example.org"}, "Second", t0 + 1min);
  addMessage(*store_, "c@spam.test", {"carol@example.org"}, "Third", t0 + 2min);
  addMessage(*store_, "d@spam.test", {"dave@elsewhere.test"}, "Fourth", t0 + 3min);

  auto first = runDigests(settings_, *store_, *queue_, Clock::now());
  ASSERT_TRUE(first) << first.error;
  EXPECT_TRUE(first->errors.empty());
  EXPECT_FALSE(first->plan.since);
  ASSERT_EQ(first->queued.size(), 2u);
  auto files = queued();
  ASSERT_EQ(files.size(), 2u);
  std::map<std::string, std::string> by_rcpt;
  for (const auto& f : files) {
    ASSERT_EQ(f.meta.envelope.recipients.size(), 1u);
    EXPECT_EQ(f.meta.envelope.mail_from, "postmaster@gw.example.org");
    by_rcpt[f.meta.envelope.recipients[0].address] = parse(f.message).body;
  }
  ASSERT_EQ(by_rcpt.size(), 2u);
  EXPECT_NE(by_rcpt["bob@example.org"].find("Subject:  First"), std::string::npos);
  EXPECT_NE(by_rcpt["bob@example.org"].find("Subject:  Second"), std::string::npos);
  EXPECT_EQ(by_rcpt["bob@example.org"].find("Third"), std::string::npos);
  EXPECT_NE(by_rcpt["carol@example.org"].find("Subject:  Third"), std::string::npos);
  EXPECT_FALSE(by_rcpt.count("dave@elsewhere.test"));

  // Nothing new: nothing sent, the window still advances.
  auto second = runDigests(settings_, *store_, *queue_, Clock::now());
  ASSERT_TRUE(second) << second.error;
  EXPECT_TRUE(second->queued.empty());
  EXPECT_EQ(queued().size(), 2u);

  // One new message for carol: one digest, listing only it.
  auto now = Clock::now();
  addMessage(*store_, "e@spam.test", {"carol@example.org"}, "Fifth", now);
  auto third = runDigests(settings_, *store_, *queue_, now + 10min);
  ASSERT_TRUE(third) << third.error;
  ASSERT_EQ(third->queued.size(), 1u);
  auto loaded = queue_->load(third->queued[0]);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->file.meta.envelope.recipients[0].address, "carol@example.org");
  std::string body = parse(loaded->file.message).body;
  EXPECT_NE(body.find("Fifth"), std::string::npos);
  EXPECT_EQ(body.find("Third"), std::string::npos);
}

TEST_F(DigestRunTest, MessagesWithinTheSettleTimeWaitForTheNextRun) {
  auto now = Clock::now();
  addMessage(*store_, "a@spam.test", {"bob@example.org"}, "Just arrived", now - 1min);
  auto first = runDigests(settings_, *store_, *queue_, now);
  ASSERT_TRUE(first) << first.error;
  EXPECT_TRUE(first->queued.empty());
  auto later = runDigests(settings_, *store_, *queue_, now + 1h);
  ASSERT_TRUE(later) << later.error;
  EXPECT_EQ(later->queued.size(), 1u);
}

TEST_F(DigestRunTest, StateIsDurableAndADamagedStateSendsNothing) {
  addMessage(*store_, "a@spam.test", {"bob@example.org"}, "Old", Clock::now() - 1h);
  auto now = Clock::now();
  ASSERT_TRUE(runDigests(settings_, *store_, *queue_, now));
  auto until = readLastUntil(dir());
  ASSERT_TRUE(until && *until) << until.error;
  EXPECT_EQ(std::chrono::floor<std::chrono::microseconds>(**until),
            std::chrono::floor<std::chrono::microseconds>(now - settings_.digest.settle_time));
  {
    std::ofstream damaged(dir() / kStateFileName, std::ios::app);
    damaged << "x";
  }
  auto run = runDigests(settings_, *store_, *queue_, Clock::now() + 1h);
  EXPECT_FALSE(run);
  EXPECT_EQ(queued().size(), 1u);
}

TEST_F(DigestRunTest, ARunInProgressExcludesAnother) {
  auto lock = DigestLock::acquire(dir());
  ASSERT_TRUE(lock) << lock.error;
  auto run = runDigests(settings_, *store_, *queue_, Clock::now());
  ASSERT_FALSE(run);
  EXPECT_NE(run.error.find("in progress"), std::string::npos);
}

TEST_F(DigestRunTest, TheMessageIsSafeAndItsLinkVerifies) {
  std::string hostile = "Hi\r\nBcc: victim@evil.test\x01 " + std::string(5000, 'S');
  auto id = addMessage(*store_, "evil\r\nX-Injected: 1@spam.test", {"bob@example.org"}, hostile,
                       Clock::now() - 1h);
  settings_.digest.max_field_length = 80;
  auto plan = planDigests(settings_, *store_, links(), Clock::now());
  ASSERT_TRUE(plan) << plan.error;
  ASSERT_EQ(plan->digests.size(), 1u);
  Parsed p = parse(plan->digests[0].message);
  EXPECT_EQ(fieldNames(p.headers),
            (std::vector<std::string>{"Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
                                      "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted",
                                      "X-Auto-Response-Suppress"}));
  EXPECT_NE(p.headers.find("From: <postmaster@gw.example.org>\r\n"), std::string::npos);
  EXPECT_NE(p.headers.find("To: <bob@example.org>\r\n"), std::string::npos);
  EXPECT_NE(p.headers.find("Auto-Submitted: auto-generated\r\n"), std::string::npos);
  EXPECT_NE(p.headers.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_TRUE(std::regex_search(
      p.headers, std::regex("Message-ID: <[0-9A-Z]+\\.digest@gw\\.example\\.org>\r\n")));
  EXPECT_TRUE(std::regex_search(
      p.headers,
      std::regex("Date: [A-Z][a-z]{2}, [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \\+0000\r\n")));
  // The hostile values are one line each, their controls replaced, cut to 80 characters.
  EXPECT_EQ(p.body.find("\nBcc:"), std::string::npos);
  EXPECT_EQ(p.body.find("\nX-Injected"), std::string::npos);
  EXPECT_NE(p.body.find("Hi\xEF\xBF\xBD\xEF\xBF\xBD"
                        "Bcc: victim@evil.test\xEF\xBF\xBD SSS"),
            std::string::npos);
  EXPECT_EQ(p.body.find(std::string(80, 'S')), std::string::npos);
  EXPECT_NE(p.body.find(std::string(50, 'S') + "\xE2\x80\xA6"), std::string::npos);
  for (char c : p.body) {
    EXPECT_TRUE(c == '\r' || c == '\n' || static_cast<unsigned char>(c) >= 0x20) << int(c);
  }
  // Every line of the wire message is short (quoted-printable, folded headers).
  std::istringstream lines(plan->digests[0].message);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size(), 78u);

  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      p.body, m,
      std::regex(
          "https://gw\\.example\\.org:8443/r\\?rcpt=([^&]+)&exp=([0-9]+)&sig=([A-Za-z0-9_-]+)")))
      << p.body;
  EXPECT_EQ(m[1].str(), "bob%40example.org");
  EXPECT_EQ(links().check("bob@example.org", m[2].str(), m[3].str()), web::LinkCheck::Valid);
  EXPECT_EQ(links().check("carol@example.org", m[2].str(), m[3].str()),
            web::LinkCheck::BadSignature);
  EXPECT_NE(id, "");
}

TEST(DigestSchedule, NextRunIsTheNextLocalTimeOfDay) {
  std::string saved = getenv("TZ") ? getenv("TZ") : "";
  setenv("TZ", "Europe/Berlin", 1);
  tzset();
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 11;
  tm.tm_mday = 7;
  tm.tm_hour = 6;
  tm.tm_min = 30;
  tm.tm_isdst = -1;
  auto morning = Clock::from_time_t(mktime(&tm));
  EXPECT_EQ(nextRunAfter(morning, 7h), morning + 30min);
  EXPECT_EQ(nextRunAfter(morning + 30min, 7h), morning + 30min + 24h);
  // Across the change to summer time (29 March 2026, 02:00 -> 03:00): 07:00 local each day.
  tm = {};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 2;
  tm.tm_mday = 28;
  tm.tm_hour = 8;
  tm.tm_isdst = -1;
  auto before = Clock::from_time_t(mktime(&tm));
  EXPECT_EQ(nextRunAfter(before, 7h), before + 22h);
  if (saved.empty()) {
    unsetenv("TZ");
  } else {
    setenv("TZ", saved.c_str(), 1);
  }
  tzset();
}

}  // namespace
}  // namespace portcullis::digest
