#include "filters/spf/spf_macro.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "gateway/base/text.h"

namespace portcullis::spf {

namespace {

bool isDelimiter(char c) {
  return std::string_view(".-+,/_=").find(c) != std::string_view::npos;
}
bool isVisible(char c) {
  return c >= 0x21 && c <= 0x7e;
}

bool letterAllowed(char letter, MacroUse use) {
  switch (std::tolower(static_cast<unsigned char>(letter))) {
    case 's':
    case 'l':
    case 'o':
    case 'd':
    case 'i':
    case 'p':
    case 'h':
    case 'v':
      return true;
    case 'c':
    case 'r':
    case 't':
      return use == MacroUse::Explanation;
    default:
      return false;
  }
}

// One "%{...}" expression: letter, number of right-hand parts (0 = all), reversal, delimiters.
struct MacroExpr {
  char letter = 0;
  size_t keep = 0;
  bool reverse = false;
  std::string delimiters;
};

// Parses the expression whose body starts at text[pos] (just after "%{"); advances pos past '}'.
std::optional<MacroExpr> parseExpr(std::string_view text, size_t& pos, MacroUse use) {
  if (pos >= text.size() || !letterAllowed(text[pos], use)) return std::nullopt;
  MacroExpr expr;
  expr.letter = text[pos++];
  size_t digits_start = pos;
  while (pos < text.size() && isAsciiDigit(text[pos])) ++pos;
  if (pos > digits_start) {
    std::string_view digits = text.substr(digits_start, pos - digits_start);
    if (digits.size() > 3) return std::nullopt;
    expr.keep = std::stoul(std::string(digits));
    if (expr.keep == 0) return std::nullopt;  // section 7.3: the number MUST be nonzero
  }
  if (pos < text.size() && (text[pos] == 'r' || text[pos] == 'R')) {
    expr.reverse = true;
    ++pos;
  }
  while (pos < text.size() && isDelimiter(text[pos])) expr.delimiters += text[pos++];
  if (pos >= text.size() || text[pos] != '}') return std::nullopt;
  ++pos;
  return expr;
}

// Walks a macro-string, calling literal(string) and macro(expr) for each piece; false on a
// syntax error.
template <typename Literal, typename Macro>
bool walk(std::string_view text, MacroUse use, Literal literal, Macro macro) {
  for (size_t pos = 0; pos < text.size();) {
    char c = text[pos];
    if (c != '%') {
      if (use == MacroUse::DomainSpec ? !isVisible(c) : (!isVisible(c) && c != ' ')) return false;
      literal(std::string_view(&text[pos], 1));
      ++pos;
      continue;
    }
    if (pos + 1 >= text.size()) return false;
    char next = text[pos + 1];
    pos += 2;
    if (next == '%') {
      literal("%");
    } else if (next == '_') {
      literal(" ");
    } else if (next == '-') {
      literal("%20");
    } else if (next == '{') {
      auto expr = parseExpr(text, pos, use);
      if (!expr) return false;
      macro(*expr);
    } else {
      return false;
    }
  }
  return true;
}

std::string urlEscape(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    if (isAsciiAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    }
  }
  return out;
}

std::string letterValue(char letter, const MacroContext& context) {
  switch (std::tolower(static_cast<unsigned char>(letter))) {
    case 's':
      return context.local_part + "@" + context.sender_domain;
    case 'l':
      return context.local_part;
    case 'o':
      return context.sender_domain;
    case 'd':
      return context.domain;
    case 'i': {
      if (context.ip.isV4()) return context.ip.toString();
      // Dot-separated nibbles, most significant first (the reverse of the PTR labels).
      std::string reversed = context.ip.reversedLabels(true);
      auto parts = split(reversed, '.');
      std::string out;
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        if (!out.empty()) out += '.';
        out += *it;
      }
      return out;
    }
    case 'p':
      return context.validated_name;
    case 'v':
      return context.ip.isV4() ? "in-addr" : "ip6";
    case 'h':
      return context.helo;
    case 'c':
      return context.ip.toString();
    case 'r':
      return context.receiver;
    case 't':
      return std::to_string(context.timestamp);
  }
  return {};
}

std::string transform(const std::string& value, const MacroExpr& expr) {
  std::string delimiters = expr.delimiters.empty() ? "." : expr.delimiters;
  std::vector<std::string> parts;
  std::string current;
  for (char c : value) {
    if (delimiters.find(c) != std::string::npos) {
      parts.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(std::move(current));
  if (expr.reverse) std::reverse(parts.begin(), parts.end());
  size_t first = (expr.keep && expr.keep < parts.size()) ? parts.size() - expr.keep : 0;
  std::string out;
  for (size_t i = first; i < parts.size(); ++i) {
    if (i > first) out += '.';
    out += parts[i];
  }
  return out;
}

bool isTopLabel(std::string_view label) {
  if (label.empty()) return false;
  bool alpha = false, dash = false;
  for (char c : label) {
    if (isAsciiAlpha(c))
      alpha = true;
    else if (c == '-')
      dash = true;
    else if (!isAsciiDigit(c))
      return false;
  }
  if (dash) return label.front() != '-' && label.back() != '-';
  return alpha;
}

}  // namespace

bool isValidMacroString(std::string_view text, MacroUse use) {
  return walk(
      text, use, [](std::string_view) {}, [](const MacroExpr&) {});
}

bool isValidDomainSpec(std::string_view text) {
  if (text.empty() || !isValidMacroString(text, MacroUse::DomainSpec)) return false;
  // Ends in a macro-expand: "%{...}", "%%", "%_" or "%-" (an odd run of '%' before the last char).
  if (text.back() == '}') {
    size_t open = text.rfind("%{");
    if (open != std::string_view::npos && text.find('}', open) == text.size() - 1) return true;
  }
  if (text.size() >= 2) {
    size_t percents = 0;
    for (size_t i = text.size() - 1; i-- > 0 && text[i] == '%';) ++percents;
    if (percents % 2 == 1 && (text.back() == '%' || text.back() == '_' || text.back() == '-'))
      return true;
  }
  std::string_view body = text;
  if (body.back() == '.') body.remove_suffix(1);
  size_t dot = body.rfind('.');
  if (dot == std::string_view::npos) return false;
  return isTopLabel(body.substr(dot + 1));
}

bool mentionsMacro(std::string_view text, char letter) {
  bool found = false;
  walk(
      text, MacroUse::Explanation, [](std::string_view) {},
      [&](const MacroExpr& expr) {
        if (std::tolower(static_cast<unsigned char>(expr.letter)) == letter) found = true;
      });
  return found;
}

std::optional<std::string> expandMacros(std::string_view text, const MacroContext& context,
                                        MacroUse use) {
  std::string out;
  bool ok = walk(
      text, use, [&](std::string_view piece) { out += piece; },
      [&](const MacroExpr& expr) {
        std::string value = transform(letterValue(expr.letter, context), expr);
        out += std::isupper(static_cast<unsigned char>(expr.letter)) ? urlEscape(value) : value;
      });
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace portcullis::spf
