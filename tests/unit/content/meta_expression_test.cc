#include "filters/content/meta_expression.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace portcullis::content {
namespace {

double eval(std::string_view text, std::vector<double> values) {
  auto parsed = MetaExpression::parse(text);
  EXPECT_TRUE(parsed) << parsed.error;
  return parsed ? parsed->evaluate(values) : 0;
}

TEST(MetaExpression, OperandsInFirstUseOrder) {
  auto e = MetaExpression::parse("B && (A || B) && !C");
  ASSERT_TRUE(e) << e.error;
  EXPECT_EQ(e->operands(), (std::vector<std::string>{"B", "A", "C"}));
}

TEST(MetaExpression, Boolean) {
  EXPECT_EQ(eval("A && B", {1, 1}), 1);
  EXPECT_EQ(eval("A && B", {1, 0}), 0);
  EXPECT_EQ(eval("A || B", {0, 1}), 1);
  EXPECT_EQ(eval("!A && B", {0, 1}), 1);
  EXPECT_EQ(eval("!A && B", {1, 1}), 0);
  EXPECT_EQ(eval("A || B && C", {1, 0, 0}), 1);  // && binds tighter
}

TEST(MetaExpression, Arithmetic) {
  EXPECT_EQ(eval("(A + B + C) > 1", {1, 0, 1}), 1);
  EXPECT_EQ(eval("(A + B + C) > 1", {1, 0, 0}), 0);
  EXPECT_EQ(eval("A * 2 + B >= 5", {2, 1}), 1);
  EXPECT_EQ(eval("A - B == -1", {0, 1}), 1);
  EXPECT_EQ(eval("A / B", {1, 0}), 0);  // no division by zero
  EXPECT_EQ(eval("A + B * C", {1, 2, 3}), 7);
  EXPECT_EQ(eval("A > 2 && !B", {3, 0}), 1);
}

// Operands are asked for only when the result depends on them, and `&&`/`||` keep Perl's values.
TEST(MetaExpression, ShortCircuitAsksOnlyForNeededOperands) {
  const auto run = [](std::string_view text, std::vector<double> values) {
    const MetaExpression e = *MetaExpression::parse(text);
    std::vector<std::string> asked;
    const double result = e.evaluate([&](uint32_t k) {
      asked.push_back(e.operands()[k]);
      return values[k];
    });
    return std::make_pair(result, asked);
  };
  using Asked = std::vector<std::string>;
  EXPECT_EQ(run("A && B", {0, 1}), std::make_pair(0.0, Asked{"A"}));
  EXPECT_EQ(run("A && B", {2, 3}), std::make_pair(3.0, Asked{"A", "B"}));
  EXPECT_EQ(run("A || B", {2, 0}), std::make_pair(2.0, Asked{"A"}));
  EXPECT_EQ(run("A || B", {0, 0}), std::make_pair(0.0, Asked{"A", "B"}));
  EXPECT_EQ(run("(A || B) && C", {0, 0, 1}), std::make_pair(0.0, Asked{"A", "B"}));
  EXPECT_EQ(run("A || B && C", {0, 1, 0}), std::make_pair(0.0, Asked{"A", "B", "C"}));
  EXPECT_EQ(run("A || B && C", {1, 1, 0}), std::make_pair(1.0, Asked{"A"}));
  EXPECT_EQ(run("!A && (B + C > 1)", {1, 1, 1}), std::make_pair(0.0, Asked{"A"}));
  EXPECT_EQ(run("(A && B) + (C || D)", {0, 1, 0, 5}), std::make_pair(5.0, Asked{"A", "C", "D"}));
}

TEST(PackedMetaPrograms, EachProgramReadsItsOwnIdsConstantsAndJumps) {
  const auto parse = [](std::string_view text) { return *MetaExpression::parse(text); };
  PackedMetaPrograms packed;
  const std::vector<uint32_t> first_ids{10, 11}, second_ids{12, 10, 13};
  const uint32_t first = packed.add(parse("A + 2 > 3 || B"), first_ids);
  const uint32_t second = packed.add(parse("(C && A) * 5 + D / 4"), second_ids);
  std::map<uint32_t, double> values{{10, 1}, {11, 7}, {12, 1}, {13, 8}};
  std::vector<uint32_t> asked;
  const auto value = [&](uint32_t id) {
    asked.push_back(id);
    return values[id];
  };
  EXPECT_EQ(packed.evaluate(first, value), 7);   // 1 + 2 > 3 is false: B's 7
  EXPECT_EQ(packed.evaluate(second, value), 7);  // (1 && 1) * 5 + 8 / 4
  EXPECT_EQ(asked, (std::vector<uint32_t>{10, 11, 12, 10, 13}));
  values[10] = 5;
  asked.clear();
  EXPECT_EQ(packed.evaluate(first, value), 1);
  EXPECT_EQ(asked, (std::vector<uint32_t>{10}));
  values[12] = 0;
  asked.clear();
  EXPECT_EQ(packed.evaluate(second, value), 2);  // C is 0: (0) * 5 + 8 / 4
  EXPECT_EQ(asked, (std::vector<uint32_t>{12, 13}));
}

// The operands `expression` asks for, in order, and its value, reordered by `costs` (operands in
// operands() order) with the operands named in `counts` taking values other than 0 or 1.
struct Reordered {
  double value;
  std::string asked;
  bool operator==(const Reordered&) const = default;
};
Reordered cheapestFirst(std::string_view text, std::vector<double> costs,
                        std::map<std::string, double> values, std::set<std::string> counts = {}) {
  const MetaExpression written = *MetaExpression::parse(text);
  std::vector<MetaExpression::OperandTraits> traits;
  for (size_t k = 0; k < written.operands().size(); ++k)
    traits.push_back({costs.at(k), counts.count(written.operands()[k]) == 0});
  const MetaExpression e = written.cheapestFirst(traits);
  Reordered out{0, ""};
  out.value = e.evaluate([&](uint32_t k) {
    out.asked += e.operands()[k];
    return values[e.operands()[k]];
  });
  return out;
}

TEST(MetaCheapestFirst, AsksForCheapOperandsFirst) {
  // The costly __FORM first, as stock rules write it: a cheap false operand spares it.
  EXPECT_EQ(cheapestFirst("F && !T && !V", {50, 0.1, 0.2}, {{"F", 1}, {"T", 1}, {"V", 0}}),
            (Reordered{0, "T"}));
  EXPECT_EQ(cheapestFirst("F && !T && !V", {50, 0.1, 0.2}, {{"F", 1}, {"T", 0}, {"V", 0}}),
            (Reordered{1, "TVF"}));
  EXPECT_EQ(cheapestFirst("F || T", {50, 0.1}, {{"F", 1}, {"T", 1}}), (Reordered{1, "T"}));
  // Equal costs keep the written order; chains nest, each ordered on its own.
  EXPECT_EQ(cheapestFirst("A && B && C", {1, 1, 1}, {{"A", 1}, {"B", 1}, {"C", 1}}),
            (Reordered{1, "ABC"}));
  EXPECT_EQ(cheapestFirst("(A || B) && C", {3, 1, 2}, {{"A", 0}, {"B", 0}, {"C", 1}}),
            (Reordered{0, "CBA"}));
  EXPECT_EQ(
      cheapestFirst("A && (B || C && D) || E", {9, 5, 1, 1, 0}, {{"A", 1}, {"C", 1}, {"D", 1}}),
      (Reordered{1, "ECDA"}));
  // A sub-expression costs what its operands do.
  EXPECT_EQ(cheapestFirst("(A + B > 1) && C", {2, 2, 3}, {{"A", 0}, {"B", 0}, {"C", 0}}),
            (Reordered{0, "C"}));
  EXPECT_EQ(cheapestFirst("!(A || B) && C", {1, 1, 3}, {{"A", 0}, {"B", 1}, {"C", 0}}),
            (Reordered{0, "AB"}));
}

// Perl's `a || b` is the first true operand and `a && b` the last one when all are true: where
// that value is used as a number and an operand counts matches, the order must stay.
TEST(MetaCheapestFirst, KeepsTheOrderWhereTheValueAsANumberWouldChange) {
  // (2 || 1) + 0 > 1 holds; (1 || 2) + 0 > 1 would not.
  EXPECT_EQ(cheapestFirst("(A || B) + C > 1", {5, 1, 0}, {{"A", 2}, {"B", 1}}, {"A"}),
            (Reordered{1, "AC"}));
  EXPECT_EQ(cheapestFirst("(A || B) * 3", {5, 1}, {{"A", 0}, {"B", 2}}, {"B"}),
            (Reordered{6, "AB"}));
  // `&&` keeps only its last operand last.
  EXPECT_EQ(cheapestFirst("(A && B && C) + D", {5, 1, 0, 0}, {{"A", 1}, {"B", 1}, {"C", 3}}, {"C"}),
            (Reordered{3, "BACD"}));
  EXPECT_EQ(cheapestFirst("-(A && B)", {5, 1}, {{"A", 1}, {"B", 3}}, {"B"}), (Reordered{-3, "AB"}));
  // A constant other than 0 or 1 is a number too.
  EXPECT_EQ(cheapestFirst("(A || 2) + B", {5, 0}, {{"A", 1}, {"B", 0}}), (Reordered{1, "AB"}));
  // Operands of 0 or 1 give any order the same value, even as a number.
  EXPECT_EQ(cheapestFirst("(A || B) + C", {5, 1, 0}, {{"A", 1}, {"B", 0}, {"C", 1}}),
            (Reordered{2, "BAC"}));
  // Where only truth matters, counts move too: the whole expression, `!`, a non-last `&&` operand.
  EXPECT_EQ(cheapestFirst("A || B", {5, 1}, {{"A", 2}, {"B", 1}}, {"A"}), (Reordered{1, "B"}));
  EXPECT_EQ(cheapestFirst("!(A || B)", {5, 1}, {{"A", 2}, {"B", 1}}, {"A"}), (Reordered{0, "B"}));
  EXPECT_EQ(
      cheapestFirst("((A || B) && C) * 2", {5, 1, 9}, {{"A", 2}, {"B", 1}, {"C", 4}}, {"A", "C"}),
      (Reordered{8, "BC"}));
}

// Every operand value, random costs: the reordered expression is true exactly when the written
// one is.
TEST(MetaCheapestFirst, SameTruthForEveryOperandValue) {
  const std::vector<std::string> expressions = {
      "A && !B && !C && !D",
      "(A || B > 1 || C > 1) && D",
      "(A || B) && (C + D + A > 1)",
      "!A && B && (C || D)",
      "(A || B) + (C && D) > 1",
      "(A && B || C && D) * 2 - (A || D) >= 1",
      "-(A || B) + (C && !D) * 3 < 0",
      "A / (B || C) + (D && A) == 2",
      "!(A && (B || (C && D))) || A - B != 0",
      "((A || 2) && (B || C)) + D > 2",
  };
  std::mt19937 random(13);
  for (const auto& text : expressions) {
    const MetaExpression written = *MetaExpression::parse(text);
    const size_t n = written.operands().size();
    for (int round = 0; round < 20; ++round) {
      std::vector<MetaExpression::OperandTraits> traits(n);
      for (auto& t : traits) {
        t.cost = static_cast<double>(random() % 4);
        t.boolean = random() % 2 == 0;
      }
      const MetaExpression reordered = written.cheapestFirst(traits);
      std::vector<double> values(n);
      for (size_t combination = 0; combination < (size_t{1} << (2 * n)); ++combination) {
        for (size_t k = 0; k < n; ++k) {
          const size_t v = (combination >> (2 * k)) & 3;  // 0, 1, 2, 3
          values[k] = traits[k].boolean ? static_cast<double>(v & 1) : static_cast<double>(v);
        }
        EXPECT_EQ(written.evaluate(values) != 0, reordered.evaluate(values) != 0)
            << text << " round " << round << " combination " << combination;
      }
    }
  }
}

TEST(MetaCheapestFirst, LeavesDeeplyNestedExpressionsAsWritten) {
  std::string text = "B && A";
  for (int k = 0; k < 2000; ++k) text += " + A";
  const MetaExpression written = *MetaExpression::parse(text);
  const std::vector<MetaExpression::OperandTraits> traits = {{5, true}, {1, true}};
  std::string asked;
  written.cheapestFirst(traits).evaluate([&](uint32_t k) {
    asked += written.operands()[k];
    return 0.0;
  });
  EXPECT_EQ(asked, "B");
}

TEST(MetaExpression, Errors) {
  EXPECT_EQ(MetaExpression::parse("A &&").error, "unexpected end of expression at column 5");
  EXPECT_EQ(MetaExpression::parse("(A || B").error, "missing ')' at column 8");
  EXPECT_EQ(MetaExpression::parse("A $ B").error, "unexpected '$' at column 3");
  EXPECT_EQ(MetaExpression::parse("").error, "unexpected end of expression at column 1");
  EXPECT_EQ(MetaExpression::parse(std::string(5000, '(')).error,
            "expression nested too deeply at column 201");
}

}  // namespace
}  // namespace portcullis::content
