#include "filters/content/meta_expression.h"

#include <cctype>
#include <cstdlib>
#include <map>

namespace portcullis::content {

class MetaParser {
 public:
  explicit MetaParser(std::string_view text) : text_(text) {}

  Result<MetaExpression> run() {
    parseBinary(0);
    skipSpace();
    if (error_.empty() && pos_ < text_.size())
      fail("unexpected '" + std::string(text_.substr(pos_, 1)) + "'");
    if (!error_.empty()) return Result<MetaExpression>::failure(error_);
    if (expression_.program_.empty()) return Result<MetaExpression>::failure("empty expression");
    return Result<MetaExpression>::success(std::move(expression_));
  }

 private:
  using Op = MetaExpression::Op;

  struct Binary {
    std::string_view text;
    int precedence;
    Op op;
  };

  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  void fail(std::string message) {
    if (error_.empty()) error_ = message + " at column " + std::to_string(pos_ + 1);
    pos_ = text_.size();
  }
  void emit(Op op, uint32_t index = 0) { expression_.program_.push_back({op, index}); }

  const Binary* peekBinary() {
    static const Binary kBinary[] = {
        {"||", 1, Op::OrElse}, {"&&", 2, Op::AndThen}, {"==", 3, Op::Eq}, {"!=", 3, Op::Ne},
        {"<=", 4, Op::Le},     {">=", 4, Op::Ge},      {"<", 4, Op::Lt},  {">", 4, Op::Gt},
        {"+", 5, Op::Add},     {"-", 5, Op::Sub},      {"*", 6, Op::Mul}, {"/", 6, Op::Div}};
    skipSpace();
    for (const auto& b : kBinary)
      if (text_.substr(pos_, b.text.size()) == b.text) return &b;
    return nullptr;
  }

  // Precedence climbing; all binary operators are left-associative.
  void parseBinary(int min_precedence) {
    if (++depth_ > kMaxDepth) return fail("expression nested too deeply");
    parseUnary();
    while (error_.empty()) {
      const Binary* b = peekBinary();
      if (!b || b->precedence < min_precedence) break;
      pos_ += b->text.size();
      if (b->op == Op::AndThen || b->op == Op::OrElse) {
        // The jump comes before the right operand and lands after it.
        const size_t jump = expression_.program_.size();
        emit(b->op);
        parseBinary(b->precedence + 1);
        expression_.program_[jump].index = static_cast<uint32_t>(expression_.program_.size());
      } else {
        parseBinary(b->precedence + 1);
        emit(b->op);
      }
    }
    --depth_;
  }

  void parseUnary() {
    skipSpace();
    if (pos_ >= text_.size()) return fail("unexpected end of expression");
    const char c = text_[pos_];
    if (c == '!' && text_.substr(pos_, 2) != "!=") {
      ++pos_;
      if (++depth_ > kMaxDepth) return fail("expression nested too deeply");
      parseUnary();
      --depth_;
      emit(Op::Not);
      return;
    }
    if (c == '-') {
      ++pos_;
      if (++depth_ > kMaxDepth) return fail("expression nested too deeply");
      parseUnary();
      --depth_;
      emit(Op::Negate);
      return;
    }
    if (c == '(') {
      ++pos_;
      parseBinary(0);
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ')') return fail("missing ')'");
      ++pos_;
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      size_t end = pos_;
      while (end < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.'))
        ++end;
      const std::string number(text_.substr(pos_, end - pos_));
      pos_ = end;
      expression_.constants_.push_back(std::strtod(number.c_str(), nullptr));
      emit(Op::Constant, static_cast<uint32_t>(expression_.constants_.size() - 1));
      return;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = pos_;
      while (end < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_'))
        ++end;
      const std::string name(text_.substr(pos_, end - pos_));
      pos_ = end;
      auto [it, inserted] = names_.try_emplace(name, expression_.operands_.size());
      if (inserted) expression_.operands_.push_back(name);
      emit(Op::Operand, static_cast<uint32_t>(it->second));
      return;
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }

  static constexpr int kMaxDepth = 200;
  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
  MetaExpression expression_;
  std::map<std::string, size_t> names_;
};

Result<MetaExpression> MetaExpression::parse(std::string_view text) {
  return MetaParser(text).run();
}

double MetaExpression::evaluate(std::span<const double> values) const {
  return evaluate([values](uint32_t k) { return k < values.size() ? values[k] : 0.0; });
}

uint32_t PackedMetaPrograms::add(const MetaExpression& expression, std::span<const uint32_t> ids) {
  using Op = MetaExpression::Op;
  const auto place = static_cast<uint32_t>(steps_.size());
  const auto constants_before = static_cast<uint32_t>(constants_.size());
  steps_.push_back({Op::Program, static_cast<uint32_t>(expression.program_.size())});
  for (MetaExpression::Step s : expression.program_) {
    if (s.op == Op::Operand) s.index = ids[s.index];
    if (s.op == Op::Constant) s.index += constants_before;
    steps_.push_back(s);
  }
  constants_.insert(constants_.end(), expression.constants_.begin(), expression.constants_.end());
  return place;
}

double MetaExpression::apply(Op op, double a, double b) {
  switch (op) {
    case Op::Add:
      return a + b;
    case Op::Sub:
      return a - b;
    case Op::Mul:
      return a * b;
    case Op::Div:
      return b != 0 ? a / b : 0;
    case Op::Lt:
      return a < b;
    case Op::Gt:
      return a > b;
    case Op::Le:
      return a <= b;
    case Op::Ge:
      return a >= b;
    case Op::Eq:
      return a == b;
    case Op::Ne:
      return a != b;
    default:
      return 0;
  }
}

}  // namespace portcullis::content
