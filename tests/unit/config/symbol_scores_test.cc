// SymbolScores: defaults, overrides from a `scores` table and from one key per symbol, the bounds,
// and an unknown symbol as a ConfigError at its file:line.
#include <gtest/gtest.h>

#include "gateway/config/document.h"
#include "gateway/config/symbol_scores.h"

namespace portcullis::config {
namespace {

SymbolScores defaults() {
  return SymbolScores({{"TEST_PASS", -0.5}, {"TEST_FAIL", 2.0}});
}

TEST(SymbolScores, DefaultsAndUnlistedSymbols) {
  const SymbolScores scores = defaults();
  EXPECT_EQ(scores.of("TEST_PASS"), -0.5);
  EXPECT_EQ(scores.of("TEST_FAIL"), 2.0);
  EXPECT_EQ(scores.of("TEST_OTHER"), 0.0);
}

TEST(SymbolScores, ReadsTheScoresTable) {
  Document doc = Document::parseString("[scores]\nTEST_FAIL = 4.5\n", "c.toml");
  Section root = doc.root();
  SymbolScores scores = defaults();
  scores.readTable(root, "scores");
  EXPECT_EQ(scores.of("TEST_FAIL"), 4.5);
  EXPECT_EQ(scores.of("TEST_PASS"), -0.5);
}

TEST(SymbolScores, AbsentTableKeepsDefaults) {
  Document doc = Document::parseString("other = 1\n", "c.toml");
  Section root = doc.root();
  SymbolScores scores = defaults();
  scores.readTable(root, "scores");
  EXPECT_EQ(scores.of("TEST_FAIL"), 2.0);
}

TEST(SymbolScores, UnknownSymbolIsAnErrorAtItsLine) {
  Document doc = Document::parseString("[scores]\nTEST_PASS = 1\nTEST_TYPO = 1\n", "c.toml");
  Section root = doc.root();
  SymbolScores scores = defaults();
  try {
    scores.readTable(root, "scores");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "c.toml");
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(e.message().find("unknown symbol"), std::string::npos);
  }
}

TEST(SymbolScores, ReadsOneKeyPerSymbolWithinItsRange) {
  Document doc = Document::parseString("score_fail = 7\n", "c.toml");
  Section root = doc.root();
  SymbolScores scores = defaults();
  scores.readKey(root, "score_fail", "TEST_FAIL", {-10, 10});
  scores.readKey(root, "score_pass", "TEST_PASS", {-10, 10});
  EXPECT_EQ(scores.of("TEST_FAIL"), 7);
  EXPECT_EQ(scores.of("TEST_PASS"), -0.5);

  Document big = Document::parseString("score_fail = 50\n", "c.toml");
  Section big_root = big.root();
  EXPECT_THROW(scores.readKey(big_root, "score_fail", "TEST_FAIL", {-10, 10}), ConfigError);
}

}  // namespace
}  // namespace portcullis::config
