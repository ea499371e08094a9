#include "filters/content/condition.h"

#include <cctype>
#include <cstdlib>
#include <vector>

namespace portcullis::content {
namespace {

struct Token {
  enum Kind { Number, Word, Call, Op, LParen, RParen, End } kind;
  std::string text;
  double number = 0;
};

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    if (std::isspace(c)) {
      ++i;
    } else if (std::isdigit(c)) {
      size_t j = i;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
      out.push_back({Token::Number, std::string(s.substr(i, j - i)),
                     std::strtod(std::string(s.substr(i, j - i)).c_str(), nullptr)});
      i = j;
    } else if (std::isalpha(c) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      std::string word(s.substr(i, j - i));
      size_t k = j;
      while (k < s.size() && s[k] == ' ') ++k;
      if (k < s.size() && s[k] == '(' && (word == "plugin" || word == "can")) {
        const size_t close = s.find(')', k);
        if (close == std::string_view::npos)
          return Result<std::vector<Token>>::failure("unbalanced parenthesis");
        std::string arg(s.substr(k + 1, close - k - 1));
        while (!arg.empty() && std::isspace(static_cast<unsigned char>(arg.back()))) arg.pop_back();
        while (!arg.empty() && std::isspace(static_cast<unsigned char>(arg.front())))
          arg.erase(arg.begin());
        out.push_back({Token::Call, word + ":" + arg});
        i = close + 1;
      } else {
        out.push_back({Token::Word, word});
        i = j;
      }
    } else if (c == '(') {
      out.push_back({Token::LParen, "("});
      ++i;
    } else if (c == ')') {
      out.push_back({Token::RParen, ")"});
      ++i;
    } else {
      static const char* const kOps[] = {"&&", "||", ">=", "<=", "==", "!=", ">", "<", "!"};
      bool matched = false;
      for (const char* op : kOps) {
        const std::string_view o(op);
        if (s.substr(i, o.size()) == o) {
          out.push_back({Token::Op, std::string(o)});
          i += o.size();
          matched = true;
          break;
        }
      }
      if (!matched)
        return Result<std::vector<Token>>::failure(std::string("unexpected character '") +
                                                   static_cast<char>(c) + "'");
    }
  }
  out.push_back({Token::End, ""});
  return Result<std::vector<Token>>::success(std::move(out));
}

// Recursive descent: or := and (('||'|'or') and)*; and := not (('&&'|'and') not)*;
// not := ('!'|'not') not | cmp; cmp := primary (relop primary)?
class ConditionParser {
 public:
  ConditionParser(std::vector<Token> tokens, const ConditionContext& context)
      : tokens_(std::move(tokens)), context_(context) {}

  Result<bool> run() {
    const double v = parseOr();
    if (!error_.empty()) return Result<bool>::failure(error_);
    if (peek().kind != Token::End) return Result<bool>::failure("unexpected '" + peek().text + "'");
    return Result<bool>::success(v != 0);
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  bool accept(Token::Kind kind, std::string_view text) {
    if (peek().kind == kind && peek().text == text) {
      ++pos_;
      return true;
    }
    return false;
  }
  double parseOr() {
    double v = parseAnd();
    while (accept(Token::Op, "||") || accept(Token::Word, "or")) {
      const double r = parseAnd();
      v = (v != 0 || r != 0) ? 1 : 0;
    }
    return v;
  }
  double parseAnd() {
    double v = parseNot();
    while (accept(Token::Op, "&&") || accept(Token::Word, "and")) {
      const double r = parseNot();
      v = (v != 0 && r != 0) ? 1 : 0;
    }
    return v;
  }
  double parseNot() {
    if (accept(Token::Op, "!") || accept(Token::Word, "not")) return parseNot() != 0 ? 0 : 1;
    return parseCompare();
  }
  double parseCompare() {
    const double left = parsePrimary();
    if (peek().kind == Token::Op && peek().text != "&&" && peek().text != "||" &&
        peek().text != "!") {
      const std::string op = tokens_[pos_++].text;
      const double right = parsePrimary();
      if (op == ">=") return left >= right;
      if (op == "<=") return left <= right;
      if (op == ">") return left > right;
      if (op == "<") return left < right;
      if (op == "==") return left == right;
      return left != right;
    }
    return left;
  }
  double parsePrimary() {
    const Token t = peek();
    if (t.kind == Token::End) {
      fail("unexpected end of condition");
      return 0;
    }
    ++pos_;
    switch (t.kind) {
      case Token::Number:
        return t.number;
      case Token::LParen: {
        const double v = parseOr();
        if (!accept(Token::RParen, ")")) fail("missing ')'");
        return v;
      }
      case Token::Call: {
        const auto colon = t.text.find(':');
        const std::string kind = t.text.substr(0, colon);
        const std::string arg = t.text.substr(colon + 1);
        if (kind == "plugin") return context_.plugins.count(arg) ? 1 : 0;
        return context_.abilities.count(arg) ? 1 : 0;
      }
      case Token::Word:
        if (t.text == "version") return context_.version;
        if (t.text == "perl_version") return 5.036;
        if (t.text == "local_tests_only") return 1;
        fail("unknown word '" + t.text + "'");
        return 0;
      default:
        fail("unexpected '" + t.text + "'");
        return 0;
    }
  }
  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    pos_ = tokens_.size() - 1;
  }

  std::vector<Token> tokens_;
  const ConditionContext& context_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

Result<bool> evaluateCondition(std::string_view expression, const ConditionContext& context) {
  auto tokens = tokenize(expression);
  if (!tokens) return Result<bool>::failure(std::move(tokens.error));
  return ConditionParser(std::move(*tokens), context).run();
}

ConditionContext defaultConditionContext() {
  ConditionContext context;
  for (const char* name : {"URIDNSBL",
                           "SPF",
                           "Pyzor",
                           "Razor2",
                           "SpamCop",
                           "AutoLearnThreshold",
                           "WelcomeListSubject",
                           "MIMEHeader",
                           "ReplaceTags",
                           "DKIM",
                           "Check",
                           "HTTPSMismatch",
                           "URIDetail",
                           "Bayes",
                           "BodyEval",
                           "DNSEval",
                           "HTMLEval",
                           "HeaderEval",
                           "MIMEEval",
                           "RelayEval",
                           "URIEval",
                           "WLBLEval",
                           "VBounce",
                           "ImageInfo",
                           "FreeMail",
                           "AskDNS",
                           "HashBL",
                           "DMARC"}) {
    context.plugins.insert(std::string("Mail::SpamAssassin::Plugin::") + name);
  }
  // Features of the rule language this engine implements (Mail::SpamAssassin::Conf::feature_*).
  for (const char* feature :
       {"feature_originating_ip_headers", "feature_bug6558_free", "feature_registryboundaries",
        "feature_welcomelist_blocklist", "feature_blocklist_welcomelist",
        "compat_welcomelist_blocklist", "feature_yesno_takes_args", "feature_compile_regexp",
        "feature_header_match_many", "feature_local_tests_only", "perl_min_version_5010000"}) {
    context.abilities.insert(std::string("Mail::SpamAssassin::Conf::") + feature);
  }
  context.abilities.insert("Mail::SpamAssassin::Plugin::BodyEval::has_check_body_length");
  for (const char* mime : {"has_check_for_ascii_text_illegal", "has_check_abundant_unicode_ratio",
                           "has_check_qp_ratio"})
    context.abilities.insert(std::string("Mail::SpamAssassin::Plugin::MIMEEval::") + mime);
  return context;
}

}  // namespace portcullis::content
