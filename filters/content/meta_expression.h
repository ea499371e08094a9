// SpamAssassin meta-rule expressions: rule names combined with `&&`, `||`, `!`, arithmetic
// (`+ - * /`), comparisons (`> < >= <= == !=`), numbers and parentheses, evaluated with Perl's
// semantics (a rule name is its hit count, `a && b` is `a ? b : a`, a comparison is 1 or 0).
// `&&` and `||` short-circuit: an operand they make irrelevant is never asked for, so a caller
// can compute operands on demand. A parsed expression is immutable; evaluation allocates nothing
// beyond a small stack. PackedMetaPrograms holds many expressions in one array, for a scan that
// evaluates hundreds of them per message.
//
// Operands are asked for in written order, but stock rules often write the costly one first
// (`__FILL_THIS_FORM && !__THREADED && !__VIA_ML`). cheapestFirst() reorders the operands of each
// `&&`/`||` chain by what the caller says each operand costs, cheapest first (written order among
// equals), like rspamd's expression optimizer, wherever that cannot change what the expression
// says: a chain is reordered when only its truth matters (the whole expression, an operand of `!`,
// a non-last operand of `&&`) or when every operand is 0 or 1; otherwise `a || b` keeps its
// order (its value is the first true operand, `(A || B) + C` with A counting matches) and
// `a && b && c` only keeps its last operand last (its value is 0 or the last operand's). The cost
// of a sub-expression is the sum of its operands' costs.
//
// The rule compiler's costs (RuleCompiler::settleCost) are roughly the microseconds per message an
// operand adds to a verdict scan, from per-rule clocks on content_bench with the stock rules.
// Nothing for a rule every verdict settles anyway (a reported one), for another check's symbol, or
// for a Hyperscan rule the scan itself settles (exact, on whole text). A pattern PCRE2 or RE2 runs
// piece by piece (prefiltered, PCRE2 alone, or counting `multiple` hits) 0.5 plus 1 per 200
// characters: the ~3,000-character __FILL_THIS_FORM_* ones measure 5-27, most others 0.3-2. An
// exact Hyperscan hit confirmed on its piece a tenth of that (most rules miss, which needs no
// confirming). A header's existence 0.1; an eval 3 (0.9 on average, up to 16 for the first of a
// family, which builds facts the rest share); a meta rule the sum of its operands'. Static on
// purpose: hit rates, and which operands another rule has settled already, vary by message.
#pragma once

#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"

namespace portcullis::content {

class MetaExpression {
 public:
  // The expression, or what is wrong with it and where.
  static Result<MetaExpression> parse(std::string_view text);

  // Rule names the expression reads, each once; evaluate() takes their values in this order.
  const std::vector<std::string>& operands() const { return operands_; }
  double evaluate(std::span<const double> operand_values) const;
  // The same, asking `operand_value(k)` (any callable taking uint32_t and returning double) only
  // for operands the result depends on.
  template <class OperandValue>
  requires std::invocable<OperandValue&, uint32_t>
  double evaluate(OperandValue&& operand_value) const;

  // What the caller knows of operand k, for cheapestFirst().
  struct OperandTraits {
    double cost = 0;      // what asking for its value costs, in the caller's unit
    bool boolean = true;  // its value is always 0 or 1 (not a count of matches)
  };
  // The same expression, operands of `&&`/`||` chains cheapest first where that keeps its truth
  // for every operand value (see the top of this file); `traits[k]` describes operand k, the
  // operands() stay as they are. The value as a number may differ only where only truth matters,
  // so a caller reads the result as true or false.
  MetaExpression cheapestFirst(std::span<const OperandTraits> traits) const;

 private:
  enum class Op : uint8_t {
    Program,  // heads a packed program (PackedMetaPrograms); index: the program's length
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
  // `a` and `b` combined by a binary operator.
  static double apply(Op op, double a, double b);
  // Runs `length` steps; jump targets count from `steps`.
  template <class OperandValue>
  static double run(const Step* steps, size_t length, const double* constants,
                    OperandValue&& operand_value);

  friend class MetaParser;
  friend class MetaReorderer;
  friend class PackedMetaPrograms;
  std::vector<Step> program_;  // reverse Polish notation
  std::vector<double> constants_;
  std::vector<std::string> operands_;
};

// Meta expressions packed one after another into one array, each operand bound to an id of the
// caller's choosing (a rule's index, say), so that evaluating hundreds of them per message reads
// one block of memory instead of a few scattered allocations each.
class PackedMetaPrograms {
 public:
  // Packs `expression`, whose operand k is read as `ids[k]` (one id per operand); returns where it
  // is, for evaluate().
  uint32_t add(const MetaExpression& expression, std::span<const uint32_t> ids);
  // The expression packed at `place`, asking `operand_value(id)` as MetaExpression::evaluate does.
  template <class OperandValue>
  double evaluate(uint32_t place, OperandValue&& operand_value) const {
    const MetaExpression::Step* head = steps_.data() + place;
    return MetaExpression::run(head + 1, head->index, constants_.data(), operand_value);
  }

 private:
  std::vector<MetaExpression::Step> steps_;  // per expression: a Program step, then its program
  std::vector<double> constants_;
};

template <class OperandValue>
requires std::invocable<OperandValue&, uint32_t>
double MetaExpression::evaluate(OperandValue&& operand_value) const {
  return run(program_.data(), program_.size(), constants_.data(), operand_value);
}

template <class OperandValue>
double MetaExpression::run(const Step* steps, size_t length, const double* constants,
                           OperandValue&& operand_value) {
  // RPN never needs more stack slots than it has steps.
  double small[64];
  std::vector<double> large;
  double* top = small;
  if (length > std::size(small)) {
    large.resize(length);
    top = large.data();
  }
  double* const base = top;
  for (size_t pc = 0; pc < length; ++pc) {
    const Step s = steps[pc];
    switch (s.op) {
      case Op::Operand:
        *top++ = operand_value(s.index);
        break;
      case Op::Constant:
        *top++ = constants[s.index];
        break;
      case Op::Not:
        top[-1] = top[-1] != 0 ? 0 : 1;
        break;
      case Op::Negate:
        top[-1] = -top[-1];
        break;
      case Op::AndThen:
      case Op::OrElse:
        if ((top[-1] != 0) == (s.op == Op::OrElse)) {
          pc = s.index - 1;  // the loop's ++pc lands on the jump target
        } else {
          --top;
        }
        break;
      case Op::Program:
        break;
      default:
        --top;
        top[-1] = apply(s.op, top[-1], *top);
        break;
    }
  }
  return top > base ? top[-1] : 0;
}

}  // namespace portcullis::content
