#include <thread>

#include "quarantine_fixture.h"

namespace portcullis::quarantine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(QuarantineTest, ListsNewestFirstWithEveryField) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto now = Clock::now();
  std::string older = addMessage(*q, "spammer@example.net", {"bob@example.org"}, "old", now - 2h);
  std::string newer = addMessage(*q, "other@example.com", {"bob@example.org", "carol@example.org"},
                                 "new", now - 1h);
  auto listed = q->list({});
  ASSERT_TRUE(listed) << listed.error;
  ASSERT_THAT(ids(listed), ElementsAre(newer, older));
  const Entry& e = (*listed)[0];
  EXPECT_EQ(e.client, "192.0.2.7");
  EXPECT_EQ(e.sender, "other@example.com");
  EXPECT_THAT(e.recipients, ElementsAre("bob@example.org", "carol@example.org"));
  EXPECT_EQ(e.details.subject, "new");
  EXPECT_DOUBLE_EQ(e.details.score, 12.5);
  ASSERT_EQ(e.details.symbols.size(), 2u);
  EXPECT_EQ(e.details.symbols[1].name, "SPF_FAIL");
  EXPECT_DOUBLE_EQ(e.details.symbols[1].score, 2.5);
  EXPECT_EQ(e.details.reason, "score 12.5 >= 10");
  EXPECT_EQ(e.size, message("new").size());
  EXPECT_EQ(std::chrono::floor<std::chrono::microseconds>(e.arrival),
            std::chrono::floor<std::chrono::microseconds>(now - 1h));
}

TEST_F(QuarantineTest, FiltersBySinceSenderRecipientAndLimit) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto now = Clock::now();
  std::string a = addMessage(*q, "spammer@example.net", {"bob@example.org"}, "a", now - 72h);
  std::string b = addMessage(*q, "other@example.com", {"carol@example.org"}, "b", now - 2h);
  std::string c = addMessage(*q, "spammer@example.net", {"Carol@Example.org", "dan@example.org"},
                             "c", now - 1h);

  EXPECT_THAT(ids(q->list({.since = now - 3h})), ElementsAre(c, b));
  EXPECT_THAT(ids(q->list({.sender = "SPAMMER@example.net"})), ElementsAre(c, a));
  EXPECT_THAT(ids(q->list({.rcpt = "carol@example.org"})), ElementsAre(c, b));
  EXPECT_THAT(ids(q->list({.limit = 2})), ElementsAre(c, b));
  EXPECT_THAT(ids(q->list({.since = now - 3h, .sender = "spammer@example.net"})), ElementsAre(c));
  EXPECT_THAT(ids(q->list({.rcpt = "nobody@example.org"})), ElementsAre());
}

TEST_F(QuarantineTest, ShowGivesHeadersSymbolsAndReason) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  std::string id = addMessage(*q, "s@example.net", {"bob@example.org"}, "Buy now");
  auto shown = q->show(id);
  ASSERT_TRUE(shown) << shown.error;
  EXPECT_EQ(shown->headers,
            "From: a@example.net\r\nSubject: Buy now\r\nMessage-ID: <1@example.net>\r\n");
  EXPECT_EQ(shown->entry.details.reason, "score 12.5 >= 10");
  ASSERT_EQ(shown->entry.details.symbols.size(), 2u);
  EXPECT_EQ(shown->entry.details.symbols[0].name, "GTUBE");
  EXPECT_EQ(shown->entry.sender, "s@example.net");
}

TEST_F(QuarantineTest, ShowAndRemoveNameBadAndMissingIds) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto bad = q->show("../etc/passwd");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error, HasSubstr("is not a quarantine id"));
  std::string missing = newQueueId();
  auto absent = q->show(missing);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error, "no quarantined message " + missing);
  auto removed = q->remove(missing);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error, "no quarantined message " + missing);
  EXPECT_FALSE(q->remove("nonsense"));
}

TEST_F(QuarantineTest, DeleteRemovesFromStoreAndIndex) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  std::string keep = addMessage(*q, "s@example.net", {"bob@example.org"}, "keep");
  std::string gone = addMessage(*q, "s@example.net", {"bob@example.org"}, "gone");
  auto removed = q->remove(gone);
  ASSERT_TRUE(removed) << removed.error;
  EXPECT_THAT(ids(q->list({})), ElementsAre(keep));
  EXPECT_FALSE(q->show(gone));
  q.reset();
  auto reopened = openQuarantine();
  ASSERT_TRUE(reopened);
  EXPECT_THAT(ids(reopened->list({})), ElementsAre(keep));
}

TEST_F(QuarantineTest, ExpireRemovesOnlyEntriesOlderThanTheRetention) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto now = Clock::now();
  std::string old = addMessage(*q, "s@example.net", {"bob@example.org"}, "old", now - 31 * 24h);
  std::string young = addMessage(*q, "s@example.net", {"bob@example.org"}, "young", now - 29 * 24h);
  auto report = q->expire(30 * 24h, now);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_THAT(report.removed, ElementsAre(old));
  EXPECT_THAT(ids(q->list({})), ElementsAre(young));
  EXPECT_FALSE(q->show(old));
  // A clock two days later expires the other one too.
  report = q->expire(30 * 24h, now + 48h);
  EXPECT_THAT(report.removed, ElementsAre(young));
  auto usage = q->size();
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->count, 0u);
}

TEST_F(QuarantineTest, SizeCountsMessagesAndBytes) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  addMessage(*q, "s@example.net", {"bob@example.org"}, "one");
  addMessage(*q, "s@example.net", {"bob@example.org"}, "three");
  auto usage = q->size();
  ASSERT_TRUE(usage) << usage.error;
  EXPECT_EQ(usage->count, 2u);
  EXPECT_EQ(usage->bytes, message("one").size() + message("three").size());
}

TEST_F(QuarantineTest, SurvivesARestart) {
  std::string id;
  {
    auto q = openQuarantine();
    ASSERT_TRUE(q);
    id = addMessage(*q, "s@example.net", {"bob@example.org"}, "persisted");
  }
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  EXPECT_THAT(ids(q->list({})), ElementsAre(id));
  auto shown = q->show(id);
  ASSERT_TRUE(shown) << shown.error;
  EXPECT_EQ(shown->entry.details.subject, "persisted");
}

TEST_F(QuarantineTest, TheCliSeesTheGatewaysEntriesWhileItRuns) {
  auto owner = openQuarantine();
  ASSERT_TRUE(owner);
  EXPECT_FALSE(Quarantine::open(dir(), spool::SpoolAccess::Owner)) << "second owner";
  auto cli = openQuarantine(spool::SpoolAccess::Shared);
  ASSERT_TRUE(cli);
  std::string id = addMessage(*owner, "s@example.net", {"bob@example.org"}, "live");
  EXPECT_THAT(ids(cli->list({})), ElementsAre(id));
  ASSERT_TRUE(cli->remove(id));
  EXPECT_THAT(ids(owner->list({})), ElementsAre());
}

TEST_F(QuarantineTest, SharedAccessNeedsAnExistingQuarantine) {
  auto opened = Quarantine::open(dir(), spool::SpoolAccess::Shared);
  ASSERT_FALSE(opened);
  EXPECT_THAT(opened.error, HasSubstr("no quarantine in"));
}

TEST_F(QuarantineTest, AddsFromManyThreads) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  constexpr int kThreads = 4, kEach = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto m = meta("s@example.net", {"bob@example.org"});
        EXPECT_TRUE(q->add(m, message("x"), details("x")));
      }
    });
  }
  for (auto& t : threads) t.join();
  auto usage = q->size();
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->count, static_cast<uint64_t>(kThreads * kEach));
}

TEST_F(QuarantineTest, RefusesADuplicateId) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto m = meta("s@example.net", {"bob@example.org"});
  ASSERT_TRUE(q->add(m, message("one"), details("one")));
  EXPECT_FALSE(q->add(m, message("two"), details("two")));
  auto shown = q->show(m.id);
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->entry.details.subject, "one");
}

}  // namespace
}  // namespace portcullis::quarantine::testing
