#include "filters/content/regex_literal.h"

#include <cctype>

namespace portcullis::content {
namespace {

char closingFor(char open) {
  switch (open) {
    case '{':
      return '}';
    case '(':
      return ')';
    case '[':
      return ']';
    case '<':
      return '>';
    default:
      return open;
  }
}

}  // namespace

Result<RuleRegex> parseRegexLiteral(std::string_view text) {
  size_t pos = 0;
  if (text.empty()) return Result<RuleRegex>::failure("empty regular expression");
  if (text[0] == 'm') {
    pos = 1;
    if (pos >= text.size() || std::isalnum(static_cast<unsigned char>(text[pos])) ||
        std::isspace(static_cast<unsigned char>(text[pos])))
      return Result<RuleRegex>::failure("expected a delimiter after 'm'");
  } else if (text[0] != '/') {
    return Result<RuleRegex>::failure("regular expression must start with / or m");
  }
  const char open = text[pos];
  const char close = closingFor(open);
  const bool nests = close != open;
  int depth = 0;
  size_t i = pos + 1;
  std::string pattern;
  bool closed = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      const char next = text[i + 1];
      // An escaped delimiter stands for the delimiter itself unless it means something escaped.
      if ((next == open || next == close) && !std::isalnum(static_cast<unsigned char>(next)) &&
          next != '{' && next != '}' && next != '(' && next != ')' && next != '[' && next != ']' &&
          next != '<' && next != '>' && next != '.' && next != '|' && next != '?' && next != '*' &&
          next != '+' && next != '^' && next != '$') {
        pattern += next;
      } else {
        pattern += c;
        pattern += next;
      }
      ++i;
      continue;
    }
    if (nests && c == open) {
      ++depth;
    } else if (c == close) {
      if (depth == 0) {
        closed = true;
        break;
      }
      --depth;
    }
    pattern += c;
  }
  if (!closed) return Result<RuleRegex>::failure("regular expression is not terminated");
  RuleRegex regex;
  regex.pattern = std::move(pattern);
  for (++i; i < text.size(); ++i) {
    switch (text[i]) {
      case 'i':
        regex.caseless = true;
        break;
      case 'm':
        regex.multiline = true;
        break;
      case 's':
        regex.dotall = true;
        break;
      case 'x':
        regex.extended = true;
        break;
      case 'g':
      case 'o':
        break;
      default:
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
          return Result<RuleRegex>::failure("unexpected text after regular expression: " +
                                            std::string(text.substr(i)));
        }
        return Result<RuleRegex>::failure(std::string("unsupported regular expression flag '") +
                                          text[i] + "'");
    }
  }
  return Result<RuleRegex>::success(std::move(regex));
}

std::string formatRegex(const RuleRegex& regex) {
  std::string out = "/" + regex.pattern + "/";
  if (regex.caseless) out += 'i';
  if (regex.multiline) out += 'm';
  if (regex.dotall) out += 's';
  if (regex.extended) out += 'x';
  return out;
}

}  // namespace portcullis::content
