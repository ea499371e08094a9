#include "filters/content/meta_expression.h"

#include <gtest/gtest.h>

namespace portcullis::content {
namespace {

double eval(std::string_view text, std::vector<double> values) {
  auto parsed = MetaExpression::parse(text);
  EXPECT_TRUE(std::holds_alternative<MetaExpression>(parsed)) << std::get<std::string>(parsed);
  return std::get<MetaExpression>(parsed).evaluate(values);
}

TEST(MetaExpression, OperandsInFirstUseOrder) {
  auto e = std::get<MetaExpression>(MetaExpression::parse("B && (A || B) && !C"));
  EXPECT_EQ(e.operands(), (std::vector<std::string>{"B", "A", "C"}));
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
    auto e = std::get<MetaExpression>(MetaExpression::parse(text));
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

TEST(MetaExpression, Errors) {
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse("A &&")));
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse("(A || B")));
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse("A $ B")));
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse("")));
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse(std::string(5000, '('))));
}

}  // namespace
}  // namespace portcullis::content
