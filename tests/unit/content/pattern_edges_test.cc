// Optional edges dropped from patterns Hyperscan looks for while PCRE2 settles the hits.
#include "filters/content/pattern_edges.h"

#include <gtest/gtest.h>

#include <set>

#include "filters/content/compiled_rules.h"
#include "filters/content/rule_parser.h"

namespace portcullis::content {
namespace {

TEST(PatternEdges, DropsBoundariesAndFillersAtBothEnds) {
  EXPECT_EQ(withoutOptionalEdges(R"(\b_{0,3}t[_\W]?r[_\W]?[a4@]m_{0,3}\b)"),
            R"(t[_\W]?r[_\W]?[a4@]m)");
  EXPECT_EQ(
      withoutOptionalEdges(R"((?:\b|\s)[_\W]{0,3}(?:\\/|V)[_\W]{0,3}[i1]n[_\W]{0,3}(?:\b|\s))"),
      R"((?:\\/|V)[_\W]{0,3}[i1]n)");
  EXPECT_EQ(withoutOptionalEdges(R"(\bfree\s*\W?)"), "free");
  EXPECT_EQ(withoutOptionalEdges(R"(\s*?\bmoney)"), "money");
}

TEST(PatternEdges, KeepsWhatMustMatch) {
  EXPECT_EQ(withoutOptionalEdges(R"(\s+free)"), std::nullopt);  // \s+ consumes a character
  EXPECT_EQ(withoutOptionalEdges(R"(\b{2}free)"), std::nullopt);
  EXPECT_EQ(withoutOptionalEdges(R"(^free\b)"), "^free");
  EXPECT_EQ(withoutOptionalEdges(R"(\\s*free)"), std::nullopt);  // an escaped backslash
  EXPECT_EQ(withoutOptionalEdges(R"(free[\s_]?)"), std::nullopt);
  EXPECT_EQ(withoutOptionalEdges("free money"), std::nullopt);
  EXPECT_EQ(withoutOptionalEdges(R"(\b\s*)"), std::nullopt);  // nothing would remain
}

TEST(PatternEdges, LeavesAlternationsAndUnreadablePatternsAlone) {
  EXPECT_EQ(withoutOptionalEdges(R"(\bfree|money\b)"), std::nullopt);
  EXPECT_EQ(withoutOptionalEdges(R"(\b(?:free|money)\b)"), "(?:free|money)");
  EXPECT_EQ(withoutOptionalEdges(R"(\b\Qa(\E)"), std::nullopt);
  EXPECT_EQ(withoutOptionalEdges(R"(\b(?#c)free)"), std::nullopt);
  EXPECT_EQ(withoutOptionalEdges(R"(\b(free)"), std::nullopt);
  EXPECT_EQ(withoutOptionalEdges(R"(\b[free)"), std::nullopt);
  EXPECT_EQ(withoutOptionalEdges("(?x) \\b free"), std::nullopt);
}

// Hyperscan looks for less, PCRE2 still decides: the edges hold on every piece.
TEST(PatternEdges, RuleResultsKeepTheEdges) {
  RuleParser parser;
  parser.addText(R"(
body DRUG    /\b_{0,3}t[_\W]?r[_\W]?[a4@][_\W]?m_{0,3}\b/i
body FILLER  /(?:\b|\s)[_\W]{0,3}v[_\W]{0,3}[i1]n[_\W]{0,3}(?:\b|\s)/i
)",
                 "test.cf");
  const auto rules = compileRules(parser.finish(), {});
  const auto hits = [&](const std::string& body) {
    ContentView view;
    view.body = body;
    std::set<std::string> names;
    for (const auto& h : rules->scan(view).hits) names.insert(rules->rules()[h.rule].rule.name);
    return names;
  };
  EXPECT_EQ(hits("buy t.r.4.m now\n"), (std::set<std::string>{"DRUG"}));
  EXPECT_EQ(hits("__tram__ and _v-1n_\n"), (std::set<std::string>{"DRUG", "FILLER"}));
  EXPECT_EQ(hits("xtram trams vin1 avin\n"), std::set<std::string>{});
  EXPECT_EQ(hits("t-r\na-m v\nin\n"), std::set<std::string>{});
}

}  // namespace
}  // namespace portcullis::content
