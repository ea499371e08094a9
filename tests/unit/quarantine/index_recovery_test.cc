#include <sqlite3.h>

#include <fstream>

#include "quarantine_fixture.h"

namespace portcullis::quarantine::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class IndexRecoveryTest : public QuarantineTest {
 protected:
  // Two messages added by a gateway that then stopped; returns their ids newest first.
  std::vector<std::string> populate() {
    auto q = openQuarantine();
    if (!q) return {};
    auto now = Clock::now();
    std::string a = addMessage(*q, "a@example.net", {"bob@example.org"}, "a", now - 2h);
    std::string b = addMessage(*q, "b@example.net", {"carol@example.org"}, "b", now - 1h);
    return {b, a};
  }
  fs::path indexFile() const { return dir() / "index.sqlite3"; }
};

TEST_F(IndexRecoveryTest, AMissingIndexIsRebuiltFromTheStore) {
  auto expected = populate();
  ASSERT_EQ(expected.size(), 2u);
  ASSERT_TRUE(QuarantineIndex::destroy(indexFile()));
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  auto listed = q->list({});
  EXPECT_EQ(ids(listed), expected);
  ASSERT_TRUE(listed);
  EXPECT_EQ((*listed)[0].details.subject, "b");
  EXPECT_THAT((*listed)[0].recipients, ElementsAre("carol@example.org"));
  EXPECT_EQ((*listed)[0].details.symbols.size(), 2u);
  EXPECT_THAT(q->openNotes(), Contains(HasSubstr("built from the store: 2 messages")));
}

TEST_F(IndexRecoveryTest, AGarbageIndexIsReplaced) {
  auto expected = populate();
  ASSERT_TRUE(QuarantineIndex::destroy(indexFile()));
  std::ofstream(indexFile()) << std::string(5000, 'x');
  auto q = openQuarantine(spool::SpoolAccess::Shared);  // the CLI may be the first to notice
  ASSERT_TRUE(q);
  EXPECT_EQ(ids(q->list({})), expected);
  EXPECT_THAT(q->openNotes(), Contains(HasSubstr("rebuilding it from the store")));
}

TEST_F(IndexRecoveryTest, TheCliLeavesADamagedIndexToTheRunningGateway) {
  auto expected = populate();
  auto gateway_store = spool::Spool::open(dir() / "store", spool::SpoolAccess::Owner);
  ASSERT_TRUE(gateway_store) << gateway_store.error;
  ASSERT_TRUE(QuarantineIndex::destroy(indexFile()));
  std::ofstream(indexFile()) << std::string(5000, 'x');
  auto opened = Quarantine::open(dir(), spool::SpoolAccess::Shared);
  ASSERT_FALSE(opened);
  EXPECT_THAT(opened.error, HasSubstr("the gateway rebuilds it when it next starts"));
}

TEST_F(IndexRecoveryTest, ADamagedDatabaseIsReplaced) {
  auto expected = populate();
  // Overwrite the middle of the database file: the header survives, the pages do not.
  {
    std::fstream f(indexFile(), std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f);
    f.seekp(100);
    f << std::string(8000, '\xA5');
  }
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  EXPECT_EQ(ids(q->list({})), expected);
  EXPECT_THAT(q->openNotes(), Contains(HasSubstr("rebuilding it from the store")));
}

TEST_F(IndexRecoveryTest, AnIndexOfAnotherSchemaIsReplaced) {
  for (const char* sql :
       {"CREATE TABLE unrelated(x); PRAGMA user_version = 0;", "PRAGMA user_version = 7;"}) {
    SCOPED_TRACE(sql);
    auto expected = populate();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(indexFile().c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto q = openQuarantine();
    ASSERT_TRUE(q);
    EXPECT_EQ(ids(q->list({})), expected);
    EXPECT_THAT(q->openNotes(), Contains(HasSubstr("rebuilding it from the store")));
    q.reset();
    fs::remove_all(dir());
  }
}

TEST_F(IndexRecoveryTest, TheGatewayReconcilesAnIndexThatMissesEntries) {
  auto expected = populate();
  {
    auto index = QuarantineIndex::open(indexFile());
    ASSERT_TRUE(index) << index.error;
    ASSERT_TRUE((*index)->erase(expected[0]));
  }
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  EXPECT_EQ(ids(q->list({})), expected);
}

TEST_F(IndexRecoveryTest, ACorruptStoreFileIsMovedAsideAndUnlisted) {
  auto expected = populate();
  auto store = spool::Spool::open(dir() / "store", spool::SpoolAccess::Shared);
  ASSERT_TRUE(store);
  std::ofstream(store->messagePath(expected[0]), std::ios::trunc) << "garbage";
  auto q = openQuarantine();
  ASSERT_TRUE(q);
  EXPECT_THAT(ids(q->list({})), ElementsAre(expected[1]));
  EXPECT_THAT(q->openNotes(), Contains(HasSubstr("corrupt quarantine file")));
}

}  // namespace
}  // namespace portcullis::quarantine::testing
