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

TEST(MetaExpression, Errors) {
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse("A &&")));
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse("(A || B")));
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse("A $ B")));
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse("")));
  EXPECT_TRUE(std::holds_alternative<std::string>(MetaExpression::parse(std::string(5000, '('))));
}

}  // namespace
}  // namespace portcullis::content
