#include "filters/content/meta_expression.h"

#include <gtest/gtest.h>

#include <map>

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
