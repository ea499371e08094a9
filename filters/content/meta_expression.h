// SpamAssassin meta-rule expressions: rule names combined with `&&`, `||`, `!`, arithmetic
// (`+ - * /`), comparisons (`> < >= <= == !=`), numbers and parentheses, evaluated with Perl's
// semantics (a rule name is its hit count, `a && b` is `a ? b : a`, a comparison is 1 or 0).
// `&&` and `||` short-circuit: an operand they make irrelevant is never asked for, so a caller
// can compute operands on demand. A parsed expression is immutable; evaluation allocates nothing
// beyond a small stack.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace portcullis::content {

class MetaExpression {
 public:
  // The expression, or an error message saying what is wrong and where.
  static std::variant<MetaExpression, std::string> parse(std::string_view text);

  // Rule names the expression reads, each once; evaluate() takes their values in this order.
  const std::vector<std::string>& operands() const { return operands_; }
  double evaluate(std::span<const double> operand_values) const;
  // The same, asking `operand_value(k)` only for operands the result depends on.
  double evaluate(const std::function<double(uint32_t)>& operand_value) const;

 private:
  enum class Op : uint8_t {
    Operand,
    Constant,
    Not,
    Negate,
    AndThen,  // left operand on the stack: if false it is the result (jump), else pop it
    OrElse,   // left operand on the stack: if true it is the result (jump), else pop it
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne
  };
  // Eight bytes, so that the programs of many meta rules stay in cache while a message is scanned.
  struct Step {
    Op op;
    // Operand: which one; Constant: its place in constants_; AndThen, OrElse: where to jump.
    uint32_t index = 0;
  };
  friend class MetaParser;
  std::vector<Step> program_;  // reverse Polish notation
  std::vector<double> constants_;
  std::vector<std::string> operands_;
};

}  // namespace portcullis::content
