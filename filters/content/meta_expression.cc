#include "filters/content/meta_expression.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>

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

// cheapestFirst(): the program as a tree with each chain of one `&&` or `||` operator flattened
// (both are associative in value, Perl's too), chains reordered, then emitted as a program again.
// The tree is walked by recursion: an expression nested deeper than kMaxDepth (`a + b + ...` with
// thousands of terms, say) is left as it is rather than risk the thread's stack.
class MetaReorderer {
 public:
  MetaReorderer(const MetaExpression& expression,
                std::span<const MetaExpression::OperandTraits> traits)
      : expression_(expression), traits_(traits) {}

  MetaExpression run() {
    std::optional<Node> root = treeOf(expression_.program_);
    if (!root) return expression_;
    measure(*root);
    reorder(*root, true);
    MetaExpression out;
    out.constants_ = expression_.constants_;
    out.operands_ = expression_.operands_;
    emit(*root, out.program_);
    return out;
  }

 private:
  using Op = MetaExpression::Op;
  using Step = MetaExpression::Step;
  static constexpr size_t kMaxDepth = 500;

  struct Node {
    Step step;                   // a leaf, a unary or binary operator, or a chain's operator
    std::vector<Node> children;  // operands; a chain (AndThen, OrElse) has two or more
    size_t depth = 1;
    double cost = 0;       // of all operands below
    bool boolean = false;  // its value is always 0 or 1
  };

  static Node pop(std::vector<Node>& stack) {
    Node top = std::move(stack.back());
    stack.pop_back();
    return top;
  }

  // Pops `count` operands into a node of `step`, a chain's operands of the same chain flattened;
  // false when that nests too deep.
  static bool combine(std::vector<Node>& stack, Step step, size_t count) {
    Node node{step, {}};
    for (auto it = stack.end() - static_cast<ptrdiff_t>(count); it != stack.end(); ++it) {
      node.depth = std::max(node.depth, it->depth + 1);
      const bool same_chain =
          (step.op == Op::AndThen || step.op == Op::OrElse) && it->step.op == step.op;
      if (!same_chain) {
        node.children.push_back(std::move(*it));
        continue;
      }
      for (Node& child : it->children) node.children.push_back(std::move(child));
    }
    stack.resize(stack.size() - count);
    stack.push_back(std::move(node));
    return stack.back().depth <= kMaxDepth;
  }

  // The parser's jumps are structured: each lands right after its right operand.
  static std::optional<Node> treeOf(const std::vector<Step>& program) {
    std::vector<Node> stack;
    std::vector<Step> open;  // chain operators whose right operand is not complete yet
    for (size_t pc = 0;; ++pc) {
      while (!open.empty() && open.back().index == pc) {
        const Step chain = open.back();
        open.pop_back();
        if (!combine(stack, chain, 2)) return std::nullopt;
      }
      if (pc == program.size()) break;
      const Step s = program[pc];
      bool shallow = true;
      switch (s.op) {
        case Op::Operand:
        case Op::Constant:
          stack.push_back(Node{s, {}});
          break;
        case Op::Not:
        case Op::Negate:
          shallow = combine(stack, s, 1);
          break;
        case Op::AndThen:
        case Op::OrElse:
          open.push_back(s);
          break;
        case Op::Program:
          break;
        default:
          shallow = combine(stack, s, 2);
          break;
      }
      if (!shallow) return std::nullopt;
    }
    return pop(stack);
  }

  void measure(Node& node) const {
    for (Node& child : node.children) {
      measure(child);
      node.cost += child.cost;
    }
    switch (node.step.op) {
      case Op::Operand:
        // Without traits an operand counts as a count (not 0 or 1): nothing moves that would
        // change its value as a number.
        if (node.step.index < traits_.size()) {
          node.cost = traits_[node.step.index].cost;
          node.boolean = traits_[node.step.index].boolean;
        }
        break;
      case Op::Constant: {
        const double value = expression_.constants_[node.step.index];
        node.boolean = value == 0 || value == 1;
        break;
      }
      case Op::AndThen:
      case Op::OrElse:
        node.boolean = std::all_of(node.children.begin(), node.children.end(),
                                   [](const Node& child) { return child.boolean; });
        break;
      case Op::Not:
      case Op::Lt:
      case Op::Gt:
      case Op::Le:
      case Op::Ge:
      case Op::Eq:
      case Op::Ne:
        node.boolean = true;
        break;
      default:
        break;
    }
  }

  // `truth_only`: only whether the node's value is 0 matters where it is read.
  static void reorder(Node& node, bool truth_only) {
    const Op op = node.step.op;
    if (op != Op::AndThen && op != Op::OrElse) {
      for (Node& child : node.children) reorder(child, op == Op::Not);
      return;
    }
    auto& children = node.children;
    // A false operand of `&&` is 0 as a number (whatever made it false), so only the last one
    // gives `&&` another value; `||` is its first true operand.
    auto movable_end = children.end();
    if (!truth_only && !node.boolean)
      movable_end = op == Op::AndThen ? movable_end - 1 : children.begin();
    std::stable_sort(children.begin(), movable_end,
                     [](const Node& a, const Node& b) { return a.cost < b.cost; });
    for (size_t k = 0; k < children.size(); ++k)
      reorder(children[k], truth_only || (op == Op::AndThen && k + 1 < children.size()));
  }

  // Every operand of a chain but the last jumps straight past the chain's end.
  static void emit(const Node& node, std::vector<Step>& out) {
    if (node.step.op != Op::AndThen && node.step.op != Op::OrElse) {
      for (const Node& child : node.children) emit(child, out);
      out.push_back(node.step);
      return;
    }
    std::vector<size_t> jumps;
    for (size_t k = 0; k + 1 < node.children.size(); ++k) {
      emit(node.children[k], out);
      jumps.push_back(out.size());
      out.push_back({node.step.op, 0});
    }
    emit(node.children.back(), out);
    for (const size_t jump : jumps) out[jump].index = static_cast<uint32_t>(out.size());
  }

  const MetaExpression& expression_;
  std::span<const MetaExpression::OperandTraits> traits_;
};

MetaExpression MetaExpression::cheapestFirst(std::span<const OperandTraits> traits) const {
  return MetaReorderer(*this, traits).run();
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
