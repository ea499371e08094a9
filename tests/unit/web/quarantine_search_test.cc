// The quarantine index's search for the web console: parts of addresses, subject, symbol, a date
// range, paging, LIKE wildcards taken literally, counts per hour, the symbols' details, and the
// upgrade of version 1 and 2 indexes in place.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/unit/quarantine/quarantine_fixture.h"

namespace portcullis::quarantine::testing {
namespace {

using ::testing::ElementsAre;

class QuarantineSearchTest : public QuarantineTest {
 protected:
  std::string add(Quarantine& q, std::string sender, std::vector<std::string> rcpts,
                  std::string subject, TimePoint arrival, std::vector<SymbolScore> symbols) {
    auto m = meta(std::move(sender), std::move(rcpts), arrival);
    Details d{subject, 10, std::move(symbols), "r"};
    EXPECT_TRUE(q.add(m, message(subject), d));
    return m.id;
  }
};

TEST_F(QuarantineSearchTest, MatchesPartsSubjectSymbolAndDates) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto now = Clock::now();
  std::string a = add(*q, "watches@spam.test", {"bob@example.org"}, "Cheap 100% watches", now - 3h,
                      {{"BAYES_99", 5}});
  std::string b = add(*q, "news@letters.test", {"Carol@Example.org"}, "Weekly news", now - 2h,
                      {{"RCVD_IN_X", 6}});
  std::string c = add(*q, "a_b@spam.test", {"bob@example.org", "carol@example.org"}, "Hello",
                      now - 1h, {{"BAYES_99", 5}, {"X", 1}});

  auto partial = [](Filter f) {
    f.partial_addresses = true;
    return f;
  };
  EXPECT_THAT(ids(q->list(partial({.sender = "SPAM.test"}))), ElementsAre(c, a));
  EXPECT_THAT(ids(q->list(partial({.rcpt = "carol@"}))), ElementsAre(c, b));
  EXPECT_THAT(ids(q->list({.rcpt = "carol@"})), ElementsAre()) << "whole addresses by default";
  EXPECT_THAT(ids(q->list({.subject = "NEWS"})), ElementsAre(b));
  EXPECT_THAT(ids(q->list({.subject = "100%"})), ElementsAre(a));
  EXPECT_THAT(ids(q->list({.subject = "1_0"})), ElementsAre()) << "_ is no wildcard";
  EXPECT_THAT(ids(q->list(partial({.sender = "a_b"}))), ElementsAre(c));
  EXPECT_THAT(ids(q->list({.symbol = "bayes_99"})), ElementsAre(c, a));
  EXPECT_THAT(ids(q->list({.since = now - 150min, .until = now - 30min})), ElementsAre(c, b));
  EXPECT_THAT(ids(q->list({.offset = 1, .limit = 1})), ElementsAre(b));
  EXPECT_THAT(ids(q->list({.offset = 3})), ElementsAre());
  EXPECT_THAT(ids(q->list(partial({.rcpt = "bob", .symbol = "BAYES_99", .limit = 1}))),
              ElementsAre(c));
}

TEST_F(QuarantineSearchTest, CountsPerHour) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto hour = std::chrono::floor<std::chrono::hours>(Clock::now()) - 5h;
  add(*q, "s@x.test", {"bob@example.org"}, "1", hour + 1min, {});
  add(*q, "s@x.test", {"bob@example.org"}, "2", hour + 59min, {});
  add(*q, "s@x.test", {"bob@example.org"}, "3", hour + 2h, {});
  add(*q, "s@x.test", {"bob@example.org"}, "old", hour - 48h, {});
  auto counts = q->hourlyCounts(hour);
  ASSERT_TRUE(counts) << counts.error;
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].hour, hour + 2h);
  EXPECT_EQ((*counts)[0].count, 1u);
  EXPECT_EQ((*counts)[1].hour, hour);
  EXPECT_EQ((*counts)[1].count, 2u);
}

TEST_F(QuarantineSearchTest, AVersion1IndexIsUpgradedInPlace) {
  std::string id;
  {
    auto q = openQuarantine();
    ASSERT_TRUE(q);
    id = add(*q, "s@x.test", {"bob@example.org"}, "kept", Clock::now(), {{"SYM", 1}});
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir() / "index.sqlite3").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP INDEX symbols_name; DROP INDEX entries_sender; "
                         "ALTER TABLE symbols DROP COLUMN detail; PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->openNotes().empty()) << q->openNotes().front();
  EXPECT_THAT(ids(q->list({.symbol = "SYM"})), ElementsAre(id));
}

TEST_F(QuarantineSearchTest, KeepsEachSymbolsDetail) {
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  std::string id = add(*q, "s@x.test", {"bob@example.org"}, "d", Clock::now(),
                       {{"A", 1, "matched: <b>buy</b>"}, {"B", 2, ""}});
  auto listed = q->list({});
  ASSERT_TRUE(listed) << listed.error;
  ASSERT_EQ(listed->size(), 1u);
  ASSERT_EQ((*listed)[0].details.symbols.size(), 2u);
  EXPECT_EQ((*listed)[0].details.symbols[0].detail, "matched: <b>buy</b>");
  EXPECT_EQ((*listed)[0].details.symbols[1].detail, "");
  auto shown = q->show(id);
  ASSERT_TRUE(shown) << shown.error;
  EXPECT_EQ(shown->entry.details.symbols[0].detail, "matched: <b>buy</b>");
}

TEST_F(QuarantineSearchTest, AVersion2IndexIsUpgradedInPlaceKeepingItsRows) {
  std::string id;
  {
    auto q = openQuarantine();
    ASSERT_TRUE(q);
    id = add(*q, "s@x.test", {"bob@example.org"}, "kept", Clock::now(), {{"SYM", 1, "why"}});
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir() / "index.sqlite3").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "ALTER TABLE symbols DROP COLUMN detail; PRAGMA user_version = 2;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->openNotes().empty()) << q->openNotes().front();
  auto listed = q->list({.symbol = "SYM"});
  ASSERT_TRUE(listed) << listed.error;
  ASSERT_EQ(listed->size(), 1u) << "the old row is kept, not rebuilt away";
  EXPECT_EQ((*listed)[0].id, id);
  EXPECT_EQ((*listed)[0].details.symbols[0].detail, "") << "old rows have no detail";
  add(*q, "s@x.test", {"bob@example.org"}, "new", Clock::now(), {{"SYM", 1, "stored"}});
  auto fresh = q->list({.subject = "new"});
  ASSERT_TRUE(fresh && fresh->size() == 1u);
  EXPECT_EQ((*fresh)[0].details.symbols[0].detail, "stored");
  ASSERT_EQ(sqlite3_open((dir() / "index.sqlite3").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* version = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &version, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(version), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(version, 0), 3);
  sqlite3_finalize(version);
  sqlite3_close(db);
}

}  // namespace
}  // namespace portcullis::quarantine::testing
